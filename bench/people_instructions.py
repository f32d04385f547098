"""Instructions per record that participants(title, summary) costs in bulk (an ingest's worker), counted by
valgrind: a count that other work on the machine does not change, unlike CPU time. Runs itself twice under
`valgrind --tool=cachegrind`, over the same warm-up and with or without RECORDS more generated records, and prints
the difference per record. Needs valgrind; prints figures, asserts nothing.

    PYTHONPATH=. python bench/people_instructions.py [RECORDS]
"""
from __future__ import annotations

import sys

from testing.instructions import instructions

WARM_UP = 1000  # records before the counted ones: the caches of words and folds filled, as in a long ingest


def run(records: int, counted: bool) -> None:
    """Load, compile for bulk, generate the records, warm up, then (when `counted`) find the participants of
    `records` more."""
    from retrieval.people import PeopleDirectory
    from testing.listing_gen import generate_records

    people = PeopleDirectory.load()
    people.for_bulk()
    texts = [(title, summary) for _, title, summary in generate_records(WARM_UP + records)]
    for title, summary in texts if counted else texts[:WARM_UP]:
        people.participants(title, summary)


def main(records: int = 2000) -> None:
    base, counted = instructions(__file__, records, 0), instructions(__file__, records, 1)
    print(f"participants(title, summary), bulk: {(counted - base) / records:,.0f} instructions per record "
          f"({records:,} generated records after {WARM_UP:,}); load + for_bulk + warm-up: {base / 1e9:.2f} G")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        run(int(sys.argv[2]), sys.argv[3] == "1")
    else:
        main(*(int(arg) for arg in sys.argv[1:2]))
