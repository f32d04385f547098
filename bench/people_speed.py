"""How fast the people directory reads records: find() and participants() over the seed pages' titles and
summaries, repeated, as ingest of 100,000 records would; and participants(title, summary) over records shaped
as ingest's benchmark generates them, in CPU time (what a record costs, whatever else the machine is doing).
Prints figures; asserts nothing.

    PYTHONPATH=. python bench/people_speed.py [REPEAT] [RECORDS]
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from retrieval.people import PeopleDirectory
from testing.listing_gen import generate_records

ROOT = Path(__file__).resolve().parents[1]

_SKIP = re.compile(r"^(Skip to content|Results:|Documents|Pagination.*|Search in|SEARCH RESULTS.*|ADD SEARCH.*|"
                   r"Digital Archive.*|\d+ - \d+ of \d+|-|•.*\d{4}|(January|February|March|April|May|June|July|"
                   r"August|September|October|November|December)\b.*\d{4})$")


def seed_texts() -> list[str]:
    """Every title and summary line of the bundled seed pages."""
    texts = []
    for page in sorted((ROOT / "seeds").glob("*.txt")):
        for line in page.read_text(encoding="utf-8").splitlines():
            line = line.strip(" \t•")
            if line and not _SKIP.match(line):
                texts.append(line)
    return texts


def main(repeat: int = 1000, records: int = 100_000) -> None:
    started = time.perf_counter()
    people = PeopleDirectory.load()
    loaded = time.perf_counter() - started
    cpu = time.process_time()
    people.for_bulk()  # as an ingest's workers do: compiles the directory's name pattern
    first = time.process_time() - cpu
    texts = seed_texts()
    chars = sum(len(t) for t in texts)

    started = time.perf_counter()
    mentions = 0
    for _ in range(repeat):
        for text in texts:
            mentions += len(people.find(text))
    found = time.perf_counter() - started

    started = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            people.participants(text)
    parted = time.perf_counter() - started

    generated = [(title, summary) for _, title, summary in generate_records(records)]
    cpu = time.process_time()
    for title, summary in generated:
        people.participants(title, summary)
    per_record = (time.process_time() - cpu) / len(generated)

    calls = repeat * len(texts)
    print(f"load: {loaded * 1000:.1f} ms for {len(people.entities)} entities")
    print(f"texts: {len(texts)} seed lines ({chars / len(texts):.0f} chars on average), x{repeat}")
    print(f"find():         {found:.2f} s for {calls} calls = {found / calls * 1e6:.1f} µs per text, "
          f"{mentions // repeat} mentions per pass")
    print(f"participants(): {parted:.2f} s for {calls} calls = {parted / calls * 1e6:.1f} µs per text")
    print(f"for_bulk() (compiles the directory's name pattern, once per ingest worker): {first * 1000:.0f} ms CPU")
    print(f"participants(title, summary) of {len(generated):,} generated records: {per_record * 1e6:.1f} µs CPU "
          f"per record")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
