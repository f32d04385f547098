"""Search speed on a 17,000-record archive: index build, our search, and plain rank-bm25 side by side.

    python bench/search_speed.py [--records 17000] [--queries 400]

For every query it also checks that our top 10 is BM25Okapi.get_scores' top 10 for the same terms.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from retrieval.index import SearchIndex, document_tokens
from retrieval.search import Archive
from testing.database import every_record
from testing.listing_gen import percentile
from testing.quality import REALPAGES, build_generated_archive, load_questions


def queries(archive: Archive, count: int) -> list[str]:
    """The labelled questions, then queries made of words drawn from random records' titles."""
    rng = random.Random(11)
    found = [q["q"] for q in load_questions(with_realpages=(REALPAGES / "da").is_dir())]
    records = every_record(archive)
    while len(found) < count:
        words = rng.choice(records).title.split()
        found.append(" ".join(rng.sample(words, min(len(words), rng.randint(1, 5)))))
    return found[:count]


def top10(scores: np.ndarray) -> list[int]:
    order = np.argsort(-scores, kind="stable")[:10]
    return [int(i) for i in order if scores[i] > 0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=17_000)
    parser.add_argument("--queries", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = asyncio.run(build_generated_archive(Path(tmp), args.records))
        archive = asyncio.run(Archive.open(db))
        records = every_record(archive)
        started = time.perf_counter()
        index = SearchIndex.of(records)
        build_s = time.perf_counter() - started
        reference = BM25Okapi([document_tokens(r) for r in records])

        ours, plain, mismatches = [], [], 0
        for query in queries(archive, args.queries):
            started = time.perf_counter()
            archive.search_now(query, limit=10)
            ours.append((time.perf_counter() - started) * 1000)
            terms = list(archive.snapshot.parser.parse(query).terms)
            started = time.perf_counter()
            theirs = reference.get_scores(terms)
            plain.append((time.perf_counter() - started) * 1000)
            if top10(index.scores(terms)) != top10(theirs):
                mismatches += 1
        asyncio.run(archive.close())
    print(f"archive: {len(records):,} records; index build {build_s:.2f} s ({len(index.base.terms):,} terms)")
    print(f"{len(ours)} queries          p50        p99")
    print(f"  archive-bot search   {statistics.median(ours):6.2f} ms  {percentile(ours, 99):6.2f} ms"
          "   (understanding, filters, citations included)")
    print(f"  rank-bm25 get_scores {statistics.median(plain):6.2f} ms  {percentile(plain, 99):6.2f} ms"
          "   (scores only)")
    print(f"  same top 10 as BM25Okapi.get_scores: {len(ours) - mismatches}/{len(ours)} queries")


if __name__ == "__main__":
    main()
