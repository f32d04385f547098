"""What the shown rows' triggers (store migration 11) cost an ingest: a generated listing ingested into a fresh
archive, then the same listing again under another name once every record has its row (each record gains a
source: its row is deleted), with the triggers in place or dropped (`--without`).

    PYTHONPATH=. python bench/shown_triggers.py [--records 20000] [--without]
    valgrind --tool=callgrind --callgrind-out-file=/dev/null python bench/shown_triggers.py ...  (instructions)

`--new-only` stops after the first ingest (what the triggers cost new records, which have no row to delete).

Run it both ways under callgrind (this process only: the parsing children are not counted, and they run the same
code either way): the difference divided by the records is the triggers' instructions per record. CPU time of
this process is printed too.
"""
from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from retrieval.ingest import Ingester
from retrieval.people import PeopleDirectory
from retrieval.reader import RecordReader
from retrieval.store import SqliteArchiveStore
from testing.listing_gen import write_listing


async def ingest(db: Path, page: Path, people: PeopleDirectory) -> tuple[float, str]:
    async with await SqliteArchiveStore.open(db) as store:
        cpu = time.process_time()
        report = await Ingester(store, people).ingest([page])
        return time.process_time() - cpu, report.summary_line()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--without", action="store_true", help="drop the shown triggers first")
    parser.add_argument("--new-only", action="store_true", help="stop after the first ingest (new records only)")
    args = parser.parse_args()
    people = PeopleDirectory.load()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "a.db"
        asyncio.run(ingest(db, write_listing(Path(tmp) / "empty.txt", 0), people))
        if args.without:
            with sqlite3.connect(db) as conn:
                for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                            "AND name LIKE '%_shown_%'").fetchall():
                    conn.execute(f"DROP TRIGGER {name}")
        page = write_listing(Path(tmp) / "listing.txt", args.records)
        cpu, summary = asyncio.run(ingest(db, page, people))
        print(f"new:    CPU {cpu / args.records * 1e6:.1f} µs a record in this process ({summary})")
        if args.new_only:
            return
        RecordReader(db).fill()
        again = write_listing(Path(tmp) / "again.txt", args.records)
        cpu, summary = asyncio.run(ingest(db, again, people))
        print(f"second: CPU {cpu / args.records * 1e6:.1f} µs a record in this process ({summary})")


if __name__ == "__main__":
    main()
