"""Instructions per new record that an ingest costs its own process (planning, keys, passing batches, SQLite),
counted by valgrind: a count that other work on the machine does not change, unlike CPU time. Generates two
listings (SMALL and LARGE records, the same first records), ingests each into a new archive under
`valgrind --tool=cachegrind` (the parsing process and the participant workers run natively, uncounted), and
prints the difference per record. With --all-processes, the parsing process and the workers are counted too: what
a new record costs in all, which bounds records per second on the machine's cores. Needs valgrind; prints figures,
asserts nothing.

    PYTHONPATH=. python bench/ingest_instructions.py [--all-processes] [SMALL [LARGE]]
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from testing.instructions import instructions


async def ingest(page: Path, db: Path) -> None:
    """A new archive, the listing ingested into it (the people file loaded first, outside the count's
    difference: both runs load it)."""
    from retrieval.ingest import Ingester
    from retrieval.people import PeopleDirectory
    from retrieval.store import SqliteArchiveStore

    people = PeopleDirectory.load()
    async with await SqliteArchiveStore.open(db) as store:
        report = await Ingester(store, people).ingest([page])
    assert not report.failed, report.summary_line()


def main(small: int = 10_000, large: int = 20_000, children: bool = False) -> None:
    from testing.listing_gen import write_listing

    with tempfile.TemporaryDirectory() as tmp:
        counts = [instructions(__file__, write_listing(Path(tmp, f"{n}.txt"), n), Path(tmp, f"{n}.db"),
                               children=children)
                  for n in (small, large)]
    counted = "every process (this one, the parsing process, the workers)" if children else "this process"
    print(f"ingest into a new archive, {counted}: {(counts[1] - counts[0]) / (large - small):,.0f} instructions "
          f"per new record (ingests of {small:,} and {large:,} generated records: {counts[0] / 1e9:.2f} G, "
          f"{counts[1] / 1e9:.2f} G)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        asyncio.run(ingest(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        every = "--all-processes" in sys.argv
        main(*(int(arg) for arg in sys.argv[1:] if arg != "--all-processes"), children=every)
