"""Reading the 10 records a search shows: through their shown rows (`RecordReader.records`) against the three
statements it read them by before (`shown.by_statements`), on the same archive, in one process, taking turns.

    PYTHONPATH=. python bench/shown_read.py DB [--reads 3000] [--way rows|statements]

DB is an archive with its shown rows written (`archive-bot index`, or bench/scale.py's copy). Prints CPU µs per
10 records each way (the median of 5 rounds). Under valgrind's callgrind with `--way`, run once with `--reads 0`
and once with N: the difference over N is the instructions of one read of 10 records.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from retrieval import shown
from retrieval.reader import RecordReader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--reads", type=int, default=3000)
    parser.add_argument("--way", choices=("rows", "statements"))
    args = parser.parse_args()
    reader = RecordReader(args.db)
    with reader.reading() as conn:
        ids = [rid for (rid,) in conn.execute("SELECT id FROM records")]
        (rows,) = conn.execute("SELECT count(*) FROM shown").fetchone()
    rng = random.Random(5)
    sets = [rng.sample(ids, 10) for _ in range(args.reads)]

    def statements(chosen: list[int]) -> None:
        with reader.reading() as conn:
            shown.by_statements(conn, chosen)

    ways: dict[str, Callable[[list[int]], object]] = {"rows": reader.records, "statements": statements}
    if args.way is not None:
        for chosen in sets:
            ways[args.way](chosen)
        return
    print(f"{len(ids):,} records, {rows:,} shown rows")
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(5):
        for name, read in ways.items():
            started = time.process_time()
            for chosen in sets:
                read(chosen)
            cpu[name].append((time.process_time() - started) / len(sets) * 1e6)
    for name, times in cpu.items():
        print(f"{name}: {statistics.median(times):.0f} µs CPU per 10 records "
              f"(rounds {min(times):.0f}-{max(times):.0f})")
    reader.close()


if __name__ == "__main__":
    main()
