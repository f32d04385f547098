"""Ingest speed on a large generated listing: parse alone, participants, the full ingest into a fresh SQLite
file, and the same file ingested again (every record unchanged).

    python bench/ingest_speed.py [--records 100000]

Prints records per second for each stage, in wall time and in CPU time (this process and its worker processes:
what the ingest costs, whatever else the machine is doing), and the process's peak memory. Participants are
timed as a second pass that parses and finds names, less the parse-only pass (records are never all held in
memory).
"""
from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from retrieval.ingest import Ingester
from retrieval.parse import open_page
from retrieval.people import PeopleDirectory
from retrieval.store import SqliteArchiveStore
from testing.listing_gen import write_listing


def cpu_seconds() -> float:
    """User and system time of this process and of its children that have ended (the ingest's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


async def ingest(db: Path, page: Path, people: PeopleDirectory) -> tuple[float, float, str]:
    async with await SqliteArchiveStore.open(db) as store:
        start, cpu = time.perf_counter(), cpu_seconds()
        report = await Ingester(store, people).ingest([page])
        return time.perf_counter() - start, cpu_seconds() - cpu, report.summary_line()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = write_listing(Path(tmp) / "listing.txt", args.records)
        size_mb = page.stat().st_size / 1e6
        people = PeopleDirectory.load()

        start = time.perf_counter()
        parsed = sum(1 for _ in open_page(page).records())
        parse_s = time.perf_counter() - start

        resolve_start = time.perf_counter()
        reader = open_page(page)
        resolved = sum(len(people.participants(r.title, r.summary)) for r in reader.records())
        resolve_s = time.perf_counter() - resolve_start

        first_s, first_cpu, summary = asyncio.run(ingest(Path(tmp) / "a.db", page, people))
        again_s, again_cpu, again = asyncio.run(ingest(Path(tmp) / "a.db", page, people))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the workers' own peaks are each smaller
    print(f"listing: {parsed:,} records, {size_mb:.1f} MB")
    print(f"parse only:            {parsed / parse_s:10,.0f} records/s ({parse_s:.2f} s)")
    participants_s = max(resolve_s - parse_s, 1e-9)
    print(f"participants only:     {parsed / participants_s:10,.0f} records/s ({participants_s:.2f} s, "
          f"{resolved:,} participants found)")
    print(f"parse + participants:  {parsed / resolve_s:10,.0f} records/s ({resolve_s:.2f} s)")
    print(f"full ingest (new):     {parsed / first_s:10,.0f} records/s ({first_s:.2f} s; CPU {first_cpu:.2f} s, "
          f"{parsed / first_cpu:,.0f} records per CPU second) -> {summary}")
    print(f"re-ingest (unchanged): {parsed / again_s:10,.0f} records/s ({again_s:.2f} s; CPU {again_cpu:.2f} s, "
          f"{parsed / again_cpu:,.0f} records per CPU second) -> {again}")
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
