"""A new base index built in a process of its own: `python -m retrieval.build_index DB`.

Building the base of a million records takes minutes of CPU and some 3 GB at its peak. Run in the bot's own
process it would add that to the bot's memory and take the GIL from the searches; run here, the bot only maps
the result and its memory goes back to the system when the child ends. The child runs `Archive.prepare_index`
(under the index folder's lock: one build at a time, and one that finds the index already current after
waiting builds nothing) and prints one JSON line saying what it did. `Archive.refresh` and `archive-bot ingest`
start it through `build_in_child`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Outcome(StrEnum):
    BUILT = "built"  # a new base saved
    CURRENT = "current"  # the saved base already served (another process may just have built it)
    NOT_SAVED = "not_saved"  # it could not be saved (OSError): `reason` says why
    FAILED = "failed"  # the child ended without saying (killed, out of memory, a crash): `reason` says how


@dataclass(frozen=True)
class ChildBuild:
    outcome: Outcome
    records: int = 0  # BUILT: the documents the new base holds
    reason: str = ""  # NOT_SAVED, FAILED: one line for the log
    pid: int = 0  # the child's process id


async def build_in_child(db: Path, stale: int = -1, started: Callable[[int], None] | None = None, *,
                         fill: bool = True) -> ChildBuild:
    """Run `Archive.prepare_index(db, stale=stale, fill=fill)` in a child process and wait for it without holding
    the event loop; `started` is told the child's pid. Cancelled, it stops the child (and waits for it) first. The child
    is in a session of its own (a terminal's Ctrl-C stops it through this process) and ends by itself should
    this process die: it watches the pipe of its standard input, which closes then."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "retrieval.build_index", "--until-stdin-closes", "--stale", str(stale),
        *(() if fill else ("--no-fill",)), str(db),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        start_new_session=True)
    if started is not None:
        started(child.pid)
    try:
        out, err = await child.communicate()
    finally:
        if child.returncode is None:
            child.kill()  # a build holds nothing a kill could leave half-done: it saves by renaming
            await child.wait()
    return _read(child.pid, child.returncode, out, err)


def _read(pid: int, returncode: int | None, out: bytes, err: bytes) -> ChildBuild:
    """What the child's last line of output says it did."""
    lines = out.decode(errors="replace").strip().splitlines()
    try:
        said = json.loads(lines[-1]) if lines else {}
        outcome = Outcome(said["outcome"])
        return ChildBuild(outcome, int(said.get("records", 0)), str(said.get("reason", "")), pid)
    except (ValueError, KeyError, TypeError):
        last = err.decode(errors="replace").strip().splitlines()
        how = f"signal {-returncode}" if returncode is not None and returncode < 0 else f"exit status {returncode}"
        return ChildBuild(Outcome.FAILED, reason=f"the build process ended ({how})" + (f": {last[-1]}" if last
                                                                                      else ""), pid=pid)


def _exit_with_parent() -> None:
    """(A thread of the child.) The parent's end of standard input closes when it ends, however it ends."""
    while sys.stdin.buffer.read(1 << 16):
        pass
    os._exit(3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retrieval.build_index", description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--stale", type=int, default=-1,
                        help="rebuild a saved base of this generation or older even if it would serve")
    parser.add_argument("--no-fill", dest="fill", action="store_false",
                        help="write no shown rows (a bot's refresh writes them a share at a time)")
    parser.add_argument("--until-stdin-closes", action="store_true", help="end when standard input closes")
    args = parser.parse_args(argv)
    if args.until_stdin_closes:
        threading.Thread(target=_exit_with_parent, daemon=True, name="parent-watch").start()
    from .search import Archive  # here: the parent imports this module for `build_in_child` alone

    try:
        records = asyncio.run(Archive.prepare_index(args.db, stale=args.stale, fill=args.fill))
    except OSError as exc:
        print(json.dumps({"outcome": Outcome.NOT_SAVED, "reason": exc.strerror or str(exc)}), flush=True)
        return 1
    said = {"outcome": Outcome.CURRENT} if records is None else {"outcome": Outcome.BUILT, "records": records}
    print(json.dumps(said), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
