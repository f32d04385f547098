"""Faults an archive meets in the field: `archive-bot ingest` killed at random moments, and several ingests
writing to one database at once. Prints the figures; asserts nothing (a failed check is a printed count).

    python bench/faults.py [--kills 30] [--files 6] [--records 1500] [--writers 4] [--seed 9]

Kills: generated listings (testing/listing_gen.py) are ingested by one `archive-bot ingest` process that is
SIGKILLed at a random moment (fixed seed), then started again on the same database, as a user would, until
one run finishes; then a new database. After every kill: `PRAGMA integrity_check`, and every file either
wholly in (its records as many as in an uninterrupted reference run) or wholly absent.
Concurrent writers: K processes each ingest a different listing into one new database at the same moment;
all must succeed and their "new" counts must add up to the records stored.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from testing.database import integrity, record_count
from testing.listing_gen import write_listing

ROOT = Path(__file__).resolve().parent.parent


def ingest_command(db: Path, files: list[Path]) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "ingest", *map(str, files), "--db", str(db), "--quiet"]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DISCORD_", "LOG_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def per_source(db: Path) -> dict[str, int]:
    """Records stored per file; none when the kill came before the schema was made."""
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        try:
            return dict(conn.execute("SELECT source, COUNT(*) FROM sources GROUP BY source").fetchall())
        except sqlite3.OperationalError:
            return {}


@dataclass
class KillFigures:
    kills: int = 0
    runs_to_finish: list[int] = field(default_factory=list)
    not_intact: int = 0  # integrity_check said anything but ok
    partial_files: int = 0  # a file with some of its records stored but not all
    files_in_at_kill: list[int] = field(default_factory=list)
    final_mismatch: int = 0  # a finished database that differs from the reference


def kill_run(folder: Path, files: list[Path], kills: int, rng: random.Random) -> tuple[KillFigures, float]:
    reference_db = folder / "reference.db"
    started = time.perf_counter()
    subprocess.run(ingest_command(reference_db, files), env=child_env(), check=True, capture_output=True)
    full = time.perf_counter() - started
    expected = per_source(reference_db)
    figures = KillFigures()
    database = 0
    while figures.kills < kills:
        database += 1
        db = folder / f"killed{database}.db"
        runs = 0
        while figures.kills < kills:
            runs += 1
            proc = subprocess.Popen(ingest_command(db, files), env=child_env(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                proc.wait(timeout=rng.uniform(0.05, full * 1.1))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
            else:  # finished before the kill: the database must be the reference's
                figures.runs_to_finish.append(runs)
                if per_source(db) != expected or record_count(db) != record_count(reference_db):
                    figures.final_mismatch += 1
                break
            figures.kills += 1
            found = per_source(db)
            if db.exists() and integrity(db) != "ok":
                figures.not_intact += 1
            figures.partial_files += sum(1 for source, n in found.items() if n != expected.get(source))
            figures.files_in_at_kill.append(len(found))
    return figures, full


@dataclass
class WriterFigures:
    writers: int
    exit_codes: list[int]
    new_total: int
    stored: int
    intact: str
    waited: int  # processes that printed the "waiting for another process" line
    wall: float
    alone: float  # one of the files ingested alone into a new database


def writers_run(folder: Path, files: list[Path]) -> WriterFigures:
    alone_started = time.perf_counter()
    subprocess.run(ingest_command(folder / "alone.db", files[:1]), env=child_env(), check=True, capture_output=True)
    alone = time.perf_counter() - alone_started
    db = folder / "shared.db"
    started = time.perf_counter()
    procs = [subprocess.Popen(ingest_command(db, [f]), env=child_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for f in files]
    outputs = [p.communicate() for p in procs]
    wall = time.perf_counter() - started
    new_total = 0
    for out, _ in outputs:
        if ": " in out:
            new_total += int(out.split(": ", 1)[1].split(" new", 1)[0])
    return WriterFigures(
        writers=len(files), exit_codes=[p.returncode for p in procs], new_total=new_total, stored=record_count(db),
        intact=integrity(db), waited=sum("waiting for another process" in err for _, err in outputs), wall=wall,
        alone=alone,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--files", type=int, default=6, help="listings per ingest in the kill run")
    parser.add_argument("--records", type=int, default=1500, help="records per listing")
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = [write_listing(folder / f"page{i:02d}.txt", args.records, seed=args.seed * 100 + i)
                 for i in range(max(args.files, args.writers))]
        kills, full = kill_run(folder, files[:args.files], args.kills, rng)
        print(f"kills during ingest ({args.files} files x {args.records:,} records, an uninterrupted run "
              f"{full:.1f} s, seed {args.seed}):")
        print(f"  SIGKILLs: {kills.kills}; databases filled by retrying: {len(kills.runs_to_finish)} "
              f"(runs each: {', '.join(map(str, kills.runs_to_finish))})")
        print(f"  integrity_check not ok: {kills.not_intact}; files partly stored: {kills.partial_files}; "
              f"finished databases differing from the reference: {kills.final_mismatch}")
        if kills.files_in_at_kill:
            print(f"  files wholly in at a kill: median {statistics.median(kills.files_in_at_kill):g}, "
                  f"0 to {max(kills.files_in_at_kill)}")
        w = writers_run(folder, files[:args.writers])
        print(f"concurrent writers ({w.writers} processes, one listing of {args.records:,} records each, "
              "one new database):")
        print(f"  exit codes: {w.exit_codes}; waited their turn: {w.waited}; integrity_check: {w.intact}")
        print(f"  'new' summed: {w.new_total:,}; records stored: {w.stored:,} "
              f"({'add up' if w.new_total == w.stored else 'DO NOT add up'})")
        print(f"  wall time {w.wall:.1f} s (one listing alone: {w.alone:.1f} s)")


if __name__ == "__main__":
    main()
