"""Ingest speed on a large generated listing: parse alone, participants, the full ingest into a fresh SQLite
file, and the same file ingested again (every record unchanged).

    python bench/ingest_speed.py [--records 100000]

Prints records per second for each stage, in wall time and in CPU time (this process and its child processes:
what the ingest costs, whatever else the machine is doing; per record, split between the process, which plans
and writes, and its children, which parse the file and find participants), and the process's peak memory.
Participants are timed as a second pass that parses and finds names, less the parse-only pass (records are never
all held in memory).
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


def cpu_seconds() -> tuple[float, float]:
    """User and system time of this process, and of its children that have ended (the ingest's parser and
    workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


async def ingest(db: Path, page: Path, people: PeopleDirectory) -> tuple[float, tuple[float, float], str]:
    """Wall seconds, CPU seconds (this process: planning, writing, passing batches; its children: parsing and
    participants), and the ingest's summary."""
    async with await SqliteArchiveStore.open(db) as store:
        start, (own, workers) = time.perf_counter(), cpu_seconds()
        report = await Ingester(store, people).ingest([page])
        own_end, workers_end = cpu_seconds()
        return time.perf_counter() - start, (own_end - own, workers_end - workers), report.summary_line()


def ingest_line(label: str, records: int, wall: float, cpu: tuple[float, float], summary: str) -> str:
    total = sum(cpu)
    return (f"{label} {records / wall:10,.0f} records/s ({wall:.2f} s; CPU {total:.2f} s, {records / total:,.0f} "
            f"records per CPU second; per record {cpu[0] / records * 1e6:.0f} µs in this process, "
            f"{cpu[1] / records * 1e6:.0f} µs in its children) -> {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = write_listing(Path(tmp) / "listing.txt", args.records)
        size_mb = page.stat().st_size / 1e6
        people = PeopleDirectory.load()

        start, cpu = time.perf_counter(), time.process_time()
        parsed = sum(1 for _ in open_page(page).records())
        parse_s, parse_cpu = time.perf_counter() - start, time.process_time() - cpu

        resolve_start, cpu = time.perf_counter(), time.process_time()
        reader = open_page(page)
        resolved = sum(len(people.participants(r.title, r.summary)) for r in reader.records())
        resolve_s, resolve_cpu = time.perf_counter() - resolve_start, time.process_time() - cpu

        first_s, first_cpu, summary = asyncio.run(ingest(Path(tmp) / "a.db", page, people))
        again_s, again_cpu, again = asyncio.run(ingest(Path(tmp) / "a.db", page, people))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the workers' own peaks are each smaller
    print(f"listing: {parsed:,} records, {size_mb:.1f} MB")
    print(f"parse only:            {parsed / parse_s:10,.0f} records/s ({parse_s:.2f} s; CPU "
          f"{parse_cpu / parsed * 1e6:.0f} µs per record)")
    participants_s = max(resolve_s - parse_s, 1e-9)
    print(f"participants only:     {parsed / participants_s:10,.0f} records/s ({participants_s:.2f} s, "
          f"{resolved:,} participants found; CPU {(resolve_cpu - parse_cpu) / parsed * 1e6:.0f} µs per record)")
    print(f"parse + participants:  {parsed / resolve_s:10,.0f} records/s ({resolve_s:.2f} s)")
    print(ingest_line("full ingest (new):    ", parsed, first_s, first_cpu, summary))
    print(ingest_line("re-ingest (unchanged):", parsed, again_s, again_cpu, again))
    print(f"peak memory: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
