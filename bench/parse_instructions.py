"""Instructions per record that parsing a listing costs an ingest's parsing process (reading the file, its
paragraphs and dates, each record's keys, digest and occurrence: `ingest._take`), counted by valgrind: a count
that other work on the machine does not change, unlike CPU time. Generates two listings (SMALL and LARGE records),
parses and keys each under `valgrind --tool=cachegrind`, and prints the difference per record. Needs valgrind;
prints figures, asserts nothing.

    PYTHONPATH=. python bench/parse_instructions.py [SMALL [LARGE]]
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from testing.instructions import instructions


def parse(page: Path) -> None:
    """The parsing process's loop, without the pipe: batches taken until the file ends."""
    from retrieval.identity import OccurrenceCounter
    from retrieval.ingest import _take
    from retrieval.parse import open_page

    records, occurrences = open_page(page).records(), OccurrenceCounter()
    while _take(records, bytes(16), occurrences):
        pass


def main(small: int = 5_000, large: int = 25_000) -> None:
    from testing.listing_gen import write_listing

    with tempfile.TemporaryDirectory() as tmp:
        counts = [instructions(__file__, write_listing(Path(tmp, f"{n}.txt"), n)) for n in (small, large)]
    print(f"parsing a listing, keys and digests: {(counts[1] - counts[0]) / (large - small):,.0f} instructions per "
          f"record (listings of {small:,} and {large:,} generated records: {counts[0] / 1e9:.2f} G, "
          f"{counts[1] / 1e9:.2f} G)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        parse(Path(sys.argv[2]))
    else:
        main(*(int(arg) for arg in sys.argv[1:3]))
