"""How fast autocomplete answers a keystroke on a 100,000-record archive, and what its lookups cost to build.

Generated records (testing/listing_gen.py's write_listing, with the seeds) are ingested into a temporary
archive; then titles are typed a letter at a time into `/doc id`, numbers digit by digit, and days into
`/onthisday date`, each keystroke timed (p50/p99). Discord waits 3 seconds for the choices. Also times
More like this (Archive.similar_now) on random documents. Prints figures; asserts nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bot.autocomplete import complete_day, complete_document
from retrieval.search import Archive
from retrieval.titles import TitleLookup
from testing.database import every_record
from testing.listing_gen import percentile
from testing.quality import build_generated_archive


def keystrokes(text: str, most: int = 30) -> list[str]:
    """What the option holds after each key while typing `text` (its first `most` characters)."""
    return [text[:n] for n in range(1, min(len(text), most) + 1)]


def timed(calls: list[Callable[[], object]]) -> list[float]:
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    print(f"  {name:<34} {len(times):6d} {statistics.median(times):8.3f} ms {percentile(times, 99):8.3f} ms"
          f" {max(times):8.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--titles", type=int, default=200, help="titles typed letter by letter")
    args = parser.parse_args()
    rng = random.Random(5)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        db = asyncio.run(build_generated_archive(Path(tmp), args.records))
        print(f"ingest of {args.records:,} records: {time.perf_counter() - started:.1f} s")
        archive = asyncio.run(Archive.open(db))
        try:
            snapshot = archive.snapshot
            records = every_record(archive)
            started = time.perf_counter()
            TitleLookup(snapshot.index)
            print(f"TitleLookup (in the snapshot's worker thread): {time.perf_counter() - started:.2f} s")

            def doc(typed: str) -> Callable[[], object]:
                return lambda: complete_document(snapshot.records, snapshot.titles, snapshot.rank, typed, 25)

            def day(typed: str) -> Callable[[], object]:
                return lambda: complete_day(typed, date(2026, 9, 27), snapshot.by_month_day, 25)

            sample = rng.sample(records, args.titles)
            whole = [doc(t) for r in sample for t in keystrokes(r.title)]
            words = [doc(t) for r in sample for t in keystrokes(" ".join(w[:3] for w in r.title.split()[1:5]))]
            numbers = [doc(t) for r in sample for t in keystrokes(str(r.id))]
            common = [doc(t) for t in ("a", "t", "s", "c", "the", "of", "to", "m", "1")]
            days = [day(t) for t in ("", "0", "09", "09-", "09-2", "09-27", "2", "27", "27 ", "27 s", "27 sep",
                                     "s", "sept", "sept 2", "december 31", "feb 29", "x")]
            similar = [(lambda r=r: archive.similar_now(r, 10)) for r in rng.sample(records, 200)]
            print(f"per keystroke on {len(records):,} records   calls      p50          p99          max")
            report("/doc: a title typed from its start", timed(whole))
            report("/doc: word starts (3 letters each)", timed(words))
            report("/doc: a number typed", timed(numbers))
            report("/doc: one or two common letters", timed(common * 10))
            report("/onthisday: days typed", timed(days * 20))
            report("More like this (similar_now, 10)", timed(similar))
        finally:
            asyncio.run(archive.close())


if __name__ == "__main__":
    main()
