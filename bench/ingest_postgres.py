"""Ingest speed into PostgreSQL beside SQLite, for the same generated listing: a fresh archive, then the same file
again (every record unchanged), in each database, alternately.

    python bench/ingest_postgres.py [--records 100000] [--rounds 2] [--database-url URL]

Without --database-url a throwaway PostgreSQL 15 is started on this machine (testing/postgres.py) with its
default durability (fsync on, as SQLite's WAL syncs its commits). Prints records per second in wall time and the
CPU seconds of the ingest's process (with its workers) and, for PostgreSQL, of the server's processes: the
client does the same parsing and matching for both, the database's own work differs.
"""
from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from retrieval.ingest import Ingester
from retrieval.people import PeopleDirectory
from retrieval.stores import open_store
from testing.listing_gen import write_listing
from testing.postgres import PostgresServer, postgres_server

TICKS = 100  # clock ticks per second in /proc (USER_HZ)


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def server_cpu(server: PostgresServer | None) -> float:
    """CPU seconds of the local server: the postmaster with the backends it has reaped, and those still running."""
    if server is None:
        return 0.0
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster:
            total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        elif ppid == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


async def ingest(target: str | Path, page: Path, people: PeopleDirectory,
                 server: PostgresServer | None) -> tuple[float, float, float, str]:
    async with await open_store(target) as store:
        start, cpu, served = time.perf_counter(), cpu_seconds(), server_cpu(server)
        report = await Ingester(store, people).ingest([page])
        return (time.perf_counter() - start, cpu_seconds() - cpu, server_cpu(server) - served,
                report.summary_line())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database-url", metavar="URL", help="an empty PostgreSQL database to use (its archive "
                                                              "tables are filled, never emptied)")
    args = parser.parse_args()
    people = PeopleDirectory.load()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        server = None if args.database_url else stack.enter_context(postgres_server(durable=True))
        page = write_listing(Path(tmp) / "listing.txt", args.records)
        print(f"listing: {args.records:,} records, {page.stat().st_size / 1e6:.1f} MB")
        for round_ in range(args.rounds):
            url = args.database_url or (server.create_database() if server else "")
            targets: list[tuple[str, str | Path, PostgresServer | None]] = [
                ("SQLite", Path(tmp) / f"round{round_}.db", None), ("PostgreSQL", url, server)]
            for stage in ("new", "unchanged"):
                for name, target, watched in targets:
                    wall, cpu, served, summary = asyncio.run(ingest(target, page, people, watched))
                    server_part = f", server CPU {served:.2f} s" if watched else ""
                    print(f"round {round_ + 1} {stage:9} {name:10}: {args.records / wall:8,.0f} records/s "
                          f"({wall:.2f} s; ingest CPU {cpu:.2f} s{server_part}) -> {summary}")
            if args.database_url:
                break  # a given database is filled once: the next round would find every record there


if __name__ == "__main__":
    main()
