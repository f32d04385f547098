"""Two versions of the project answering the same searches, compared so that this host's drift cancels.

    PYTHONPATH=. python bench/paired.py --before DIR --after DIR [--records 17000] [--cache FOLDER] [--rounds 30]
    PYTHONPATH=. python bench/paired.py --before DIR --after DIR --instructions

DIR is a checkout of each version (`git worktree add` or `git archive REV | tar -x -C DIR`). Each version gets
its own copy of the cached archive (bench/scale.py's, with its saved index), prepared as that version's
`archive-bot index` leaves it (the shown rows written, where it has them), and its own warm process; the two
take turns running the 300 queries (the order alternating each round), and the figures are CPU time per search
(p50, p99) of each and the median of the rounds' differences. On this host the same code's p50 moves by a
third between runs minutes apart; taking turns, both see the same drift.

`--instructions` counts instead the instructions a search executes (valgrind's callgrind: a run with 3 passes
of the queries less one with 1, over 600; PYTHONHASHSEED=0), which no other work on the host changes. It takes
some minutes per version.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.scale import cached_archive, make_queries, saved_index
from retrieval.indexfiles import index_folder
from testing.listing_gen import percentile


def child(db: Path, queries_file: Path, passes: int | None) -> None:
    """(A warm process of one version.) With `passes`, run them and exit; else one pass per line read."""
    import asyncio

    from retrieval.search import Archive

    queries = json.loads(queries_file.read_text())

    async def run() -> None:
        archive = await Archive.open(db)
        for query in queries:  # warm: every cache filled before anything is measured
            archive.search_now(query)
        if passes is not None:
            for _ in range(passes):
                for query in queries:
                    archive.search_now(query)
        else:
            print("ready", flush=True)
            for _ in sys.stdin:
                cpu = []
                for query in queries:
                    started = time.process_time()
                    archive.search_now(query)
                    cpu.append(time.process_time() - started)
                print(json.dumps(cpu), flush=True)
        await archive.close()

    asyncio.run(run())


def _command(version: Path, db: Path, queries_file: Path, *more: str) -> tuple[list[str], dict[str, str]]:
    script = version / "bench" / "paired.py"
    if not script.exists():  # an older version: this file's child, run against its modules (PYTHONPATH)
        script = Path(__file__).resolve()
    return ([sys.executable, str(script), "--child", str(db), "--queries-file", str(queries_file), *more],
            {**os.environ, "PYTHONPATH": str(version), "PYTHONHASHSEED": "0"})


def prepared(version: Path, db: Path) -> str:
    """The archive as that version's `archive-bot index` leaves it (`Archive.prepare_index`: a version with shown rows
    writes them all), and how many shown rows it has."""
    subprocess.run([sys.executable, "-c", "import asyncio, sys; from retrieval.search import Archive; "
                    "asyncio.run(Archive.prepare_index(sys.argv[1]))", str(db)],
                   check=True, env={**os.environ, "PYTHONPATH": str(version)}, cwd=version)
    with sqlite3.connect(db) as conn:
        (records,) = conn.execute("SELECT COUNT(*) FROM records").fetchone()
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'shown'").fetchone():
            return f"{records:,} records, no shown rows (schema {conn.execute('PRAGMA user_version').fetchone()[0]})"
        (rows,) = conn.execute("SELECT COUNT(*) FROM shown").fetchone()
    return f"{records:,} records, {rows:,} shown rows"


def timed(versions: dict[str, Path], dbs: dict[str, Path], queries_file: Path, rounds: int) -> None:
    processes = {}
    for name, version in versions.items():
        command, env = _command(version, dbs[name], queries_file)
        processes[name] = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                                           cwd=version)
    for process in processes.values():
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    cpu: dict[str, list[float]] = {name: [] for name in versions}
    medians: dict[str, list[float]] = {name: [] for name in versions}
    for turn in range(rounds):
        for name in (("before", "after") if turn % 2 == 0 else ("after", "before")):
            process = processes[name]
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("go\n")
            process.stdin.flush()
            times = [t * 1000 for t in json.loads(process.stdout.readline())]
            cpu[name] += times
            medians[name].append(statistics.median(times))
    for process in processes.values():
        assert process.stdin is not None
        process.stdin.close()
        process.wait()
    for name, version in versions.items():
        print(f"{name} ({version}): CPU per search p50 {statistics.median(cpu[name]):.3f} ms, "
              f"p99 {percentile(cpu[name], 99):.3f} ms; rounds' p50 {min(medians[name]):.3f}-{max(medians[name]):.3f}")
    differences = [a - b for a, b in zip(medians["after"], medians["before"], strict=True)]
    print(f"after - before, the median of {rounds} rounds: {statistics.median(differences):+.3f} ms "
          f"(after faster in {sum(d < 0 for d in differences)} of {rounds})")


def instructions(version: Path, db: Path, queries_file: Path, queries: int) -> float:
    """Instructions per search: (3 passes - 1 pass) / (2 x queries), under callgrind."""
    counted = []
    for passes in (1, 3):
        command, env = _command(version, db, queries_file, "--passes", str(passes))
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                             capture_output=True, text=True, env=env, cwd=version, check=True)
        counted.append(int(next(line for line in out.stderr.splitlines() if "Collected" in line).split()[-1]))
    return (counted[1] - counted[0]) / (2 * queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path)
    parser.add_argument("--after", type=Path)
    parser.add_argument("--records", type=int, default=17_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "archive-bot-scale")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--instructions", action="store_true", help="count instructions (valgrind) instead")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--passes", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.queries_file, args.passes)
        return
    if args.before is None or args.after is None:
        parser.error("--before and --after are required")
    versions = {"before": args.before.resolve(), "after": args.after.resolve()}
    source = cached_archive(args.cache, args.records)
    with tempfile.TemporaryDirectory(dir=args.cache) as tmp:
        dbs = {}
        for name in versions:
            (Path(tmp) / name).mkdir()
            dbs[name] = Path(shutil.copyfile(source, Path(tmp) / name / "archive.db"))
            shutil.copytree(saved_index(source), index_folder(dbs[name]))
        queries_file = Path(tmp) / "queries.json"
        queries_file.write_text(json.dumps(make_queries(dbs["before"], args.queries)))
        for name, version in versions.items():
            print(f"{name}: {prepared(version, dbs[name])}")
        if args.instructions:
            for name, version in versions.items():
                print(f"{name} ({version}): {instructions(version, dbs[name], queries_file, args.queries):,.0f} "
                      "instructions per search")
        else:
            timed(versions, dbs, queries_file, args.rounds)


if __name__ == "__main__":
    main()
