"""Participants found stay exactly what they were when the extraction was made faster.

`participants_golden.json.gz` holds, for every seed record, every real page record (../shared/realpages) and
a few thousand generated ones, the participants the extraction gave before it was sped up (issue 12). A change
to the people file or to the rules changes them on purpose: write the file again then, and read its diff.

    PYTHONPATH=. python -m tests.retrieval.people.test_participants_golden   # writes the file
"""
from __future__ import annotations

import gzip
import hashlib
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.parse import open_page
from retrieval.people import PeopleDirectory
from retrieval.records import PageError
from testing.listing_gen import generate_records

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "fixtures" / "participants_golden.json.gz"
REALPAGES = ROOT.parent / "shared" / "realpages"
Case = tuple[str, str, tuple[str, ...]]  # title, summary, authors a document page lists


def _page_records(folder: Path) -> list[Case]:
    cases: list[Case] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".txt", ".html")):
        try:
            for raw in open_page(path).records():
                cases.append((raw.title, raw.summary, raw.info.authors if raw.info is not None else ()))
        except PageError:
            continue
    return cases


def _generated(real: list[Case]) -> list[Case]:
    """The benchmark's generated records, and real titles recombined with other records' summaries, with
    brackets and quotes added, so the rules meet shapes the pages hold only once."""
    cases: list[Case] = [(title, summary, ()) for _, title, summary in generate_records(4000, seed=11)]
    rng = random.Random(12)
    for _ in range(3000):
        title, _, _ = rng.choice(real)
        summary = rng.choice(real)[1]
        roll = rng.random()
        if roll < 0.2:
            words = title.split()
            at = rng.randrange(len(words))
            words[at] = f"[{words[at]}]"
            title = " ".join(words)
        elif roll < 0.4:
            words = title.split()
            at = rng.randrange(len(words))
            words[at:] = [f"“{' '.join(words[at:])}”"]
            title = " ".join(words)
        cases.append((title, f"{summary} {rng.choice(real)[0]}" if rng.random() < 0.3 else summary, ()))
    return cases


def _corpus() -> Iterator[tuple[str, Case]]:
    seeds = _page_records(ROOT / "seeds")
    real = _page_records(REALPAGES) if REALPAGES.is_dir() else []
    for case in [*seeds, *real, *_generated(seeds)]:
        yield _key(case), case


def _key(case: Case) -> str:
    return hashlib.sha256(json.dumps(case, ensure_ascii=False).encode()).hexdigest()[:20]


def _found(people: PeopleDirectory, case: Case) -> list[list[str]]:
    title, summary, authors = case
    return [[p.name, p.role.value, p.kind.value] for p in people.participants_with_authors(title, summary, authors)]


@pytest.mark.parametrize("bulk", [False, True], ids=["scan", "bulk"])
def test_participants_are_unchanged_on_every_page_and_generated_record(bulk: bool) -> None:
    people = PeopleDirectory.load()
    if bulk:
        people.for_bulk()  # as an ingest's workers find them: by the compiled pattern
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as fh:
        golden: dict[str, list[list[str]]] = json.load(fh)
    checked, differ = 0, []
    for key, case in _corpus():
        if key not in golden:
            continue  # a real page that changed since the file was written: nothing to compare it with
        checked += 1
        rows = [list(row) for row in people.participant_rows(*case)]  # what an ingest's workers send
        if _found(people, case) != golden[key] or rows != golden[key]:
            differ.append((case[0], golden[key], _found(people, case), rows))
    assert checked >= 7000
    assert not differ, f"{len(differ)} records changed, first: {differ[0]}"


def main() -> None:
    people = PeopleDirectory.load()
    golden = {key: _found(people, case) for key, case in _corpus()}
    with gzip.open(GOLDEN, "wt", encoding="utf-8") as fh:
        json.dump(golden, fh, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    print(f"wrote {len(golden)} records to {GOLDEN}")


if __name__ == "__main__":
    if not REALPAGES.is_dir():
        pytest.exit("../shared/realpages is needed to write the golden file")
    main()
