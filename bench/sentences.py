"""How often a summary's sentences were cut after an initial or abbreviation ("S.F." | "Antonov, in which
...") by the regex split the answers used before, and how often by pysbd, which they use now; over the seed
pages and the real pages (../shared/realpages) when present. Prints figures; asserts nothing.

    PYTHONPATH=. python bench/sentences.py
"""
from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from retrieval.ingest import Ingester
from retrieval.people import PeopleDirectory
from retrieval.search import sentences
from retrieval.store import SqliteArchiveStore

ROOT = Path(__file__).resolve().parents[1]
REALPAGES = ROOT.parent / "shared" / "realpages"

# The split the answers used before pysbd: after . ! or ? (and a closing quote or bracket).
_OLD = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[A-Z“\"‘'(])")
# A sentence ending in one of these was cut inside a sentence: an initial ("S.", "S.F.", "U.S.", "p.m.")...
_INITIAL = re.compile(r"(?:^|[\s(])(?:[A-Za-z]\.)+$")
# ... or a title or abbreviation that is followed by more of the sentence.
_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Capt|Adm|Prof|Rev|St|Jr|Sr|No|Nos|Vol|vs|Co|Inc|"
                           r"Ltd|cf|ca|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Cdes?|Yu)\.$")


def old_split(text: str) -> list[str]:
    return [s.strip() for s in _OLD.split(text) if s.strip()]


def cut_inside(pieces: list[str]) -> tuple[bool, bool]:
    """Whether a sentence but the last ends in an initial, or in another abbreviation."""
    inner = pieces[:-1]
    return any(_INITIAL.search(p) for p in inner), any(_ABBREVIATION.search(p) for p in inner)


async def summaries(folder: Path) -> list[str]:
    sources = [ROOT / "seeds"] + [REALPAGES / name for name in ("da", "mirror")
                                  if (REALPAGES / name).is_dir()]
    async with await SqliteArchiveStore.open(folder / "bench.db") as store:
        await Ingester(store, PeopleDirectory.load()).ingest(sources)
        return [r.summary for r in await store.all_records() if r.summary.strip()]


def measure(name: str, split: Callable[[str], list[str]], texts: list[str]) -> list[list[str]]:
    started = time.perf_counter()
    split_all = [split(t) for t in texts]
    took = time.perf_counter() - started
    initial = abbreviation = 0
    for pieces in split_all:
        at_initial, at_abbreviation = cut_inside(pieces)
        initial += at_initial
        abbreviation += at_abbreviation
    print(f"{name:6} cut after an initial: {initial:4} ({100 * initial / len(texts):.1f}%)   "
          f"after another abbreviation: {abbreviation:3} ({100 * abbreviation / len(texts):.1f}%)   "
          f"sentences: {sum(map(len, split_all)):5}   {1000 * took / len(texts):.2f} ms a summary")
    return split_all


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        texts = asyncio.run(summaries(Path(folder)))
    if not texts:
        sys.exit("no summaries to split")
    print(f"{len(texts)} summaries (seeds{' + real pages' if REALPAGES.is_dir() else ''})")
    old = measure("regex", old_split, texts)
    new = measure("pysbd", sentences, texts)
    differ = sum(a != b for a, b in zip(old, new, strict=True))
    lost = sum(" ".join(pieces).split() != text.split() for pieces, text in zip(new, texts, strict=True))
    print(f"split differently: {differ} ({100 * differ / len(texts):.1f}%); "
          f"pysbd lost or changed words in {lost} summaries")
    if "--show" in sys.argv:
        for a, b in zip(old, new, strict=True):
            if a != b:
                print("regex:", a, "\npysbd:", b, "\n")


if __name__ == "__main__":
    main()
