"""Migration and replica speed: `archive-bot migrate` SQLite -> PostgreSQL -> SQLite, and a replica's full
copy and incremental sync, on a generated archive (bench/scale.py's, cached).

    PYTHONPATH=. nice python bench/migrate_speed.py [--records 100000] [--cache FOLDER]

A throwaway PostgreSQL server (testing/postgres.py) is started for the run. Each figure: wall time, and this
process's CPU time (the server's is its own: the difference is mostly the server and the disk).
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import asyncpg

from bench.scale import cached_archive
from retrieval.replica import Replica, SyncReport
from retrieval.transfer import Endpoint, migrate
from testing.postgres import postgres_server

T = TypeVar("T")
CHANGED = 1000  # records changed in PostgreSQL before the incremental sync


async def timed(label: str, work: Callable[[], Awaitable[T]]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    result = await work()
    print(f"{label:<48} {time.perf_counter() - wall:7.2f} s wall  {time.process_time() - cpu:7.2f} s CPU",
          flush=True)
    return result


async def run(source: Path, folder: Path) -> None:
    with sqlite3.connect(source) as conn:
        records, rows = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0], sum(
            conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("records", "participants", "sources", "documents", "document_links"))
    print(f"archive: {records:,} records, {rows:,} archive rows, {source.stat().st_size / 2**20:.0f} MiB")
    with postgres_server() as server:
        url = server.create_database()
        there = await timed("migrate sqlite -> postgresql", lambda: migrate(Endpoint.parse(f"sqlite:{source}"),
                                                                            Endpoint.parse(url)))
        back = folder / "back.db"
        await timed("migrate postgresql -> sqlite", lambda: migrate(Endpoint.parse(url),
                                                                    Endpoint.parse(f"sqlite:{back}")))
        print(f"  {there.rows:,} rows in {len(there.tables)} tables, counts and checksums matched both ways")
        replica = await Replica.open(url, folder / "archive.replica.db")
        try:
            full = await timed("replica: full copy", replica.sync)
            conn = await asyncpg.connect(url)
            try:
                await conn.execute("UPDATE records SET summary = summary || ' (revised)' WHERE id IN "
                                   f"(SELECT id FROM records ORDER BY random() LIMIT {CHANGED})")
            finally:
                await conn.close()
            step = await timed(f"replica: incremental, {CHANGED:,} records changed", replica.sync)
            idle = await timed("replica: a look with nothing new", replica.sync)
            print(f"  {full.records:,} records copied; {step.records:,} synced; {idle.records} on the idle look")
        finally:
            await replica.close()
        reopened = await timed("replica: open again (quick check) and sync", lambda: opened_and_synced(url, folder))
        print(f"  {reopened.records} records to sync on reopening")


async def opened_and_synced(url: str, folder: Path) -> SyncReport:
    async with await Replica.open(url, folder / "archive.replica.db") as replica:
        return await replica.sync()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "archive-bot-scale")
    args = parser.parse_args()
    cached = cached_archive(args.cache, args.records)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(shutil.copyfile(cached, Path(tmp) / "archive.db"))  # the cache is read only
        asyncio.run(run(source, Path(tmp)))


if __name__ == "__main__":
    main()
