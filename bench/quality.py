"""Retrieval quality on the labelled questions: MRR@10 and recall@5, ours beside plain rank-bm25.

    python bench/quality.py            # the small archive (seeds + real pages) and the 17,000-record mix
    python bench/quality.py --small    # the small archive only

Plain rank-bm25 here means BM25Okapi over lowercase word tokens of title and summary, nothing else: the
floor every change to tokenizing, weighting or query understanding has to beat.
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from testing.listing_gen import write_listing
from testing.quality import REALPAGES, Scores, archive_paths, build_archive, evaluate, load_questions

MIXED_SIZE = 17_000


def report(name: str, ours: Scores, plain: Scores, per_query: float) -> None:
    print(f"\n{name}: {ours.count} questions, {per_query * 1000:.1f} ms per question")
    print(f"  {'':14} {'MRR@10':>8} {'recall@5':>9}   plain rank-bm25: {'MRR@10':>8} {'recall@5':>9}")
    print(f"  {'all':14} {ours.mrr10:8.3f} {ours.recall5:9.3f}   {'':17}{plain.mrr10:8.3f} {plain.recall5:9.3f}")
    for kind in sorted(ours.by_kind):
        o, p = ours.by_kind[kind], plain.by_kind[kind]
        print(f"  {kind + f' ({o[2]})':14} {o[0]:8.3f} {o[1]:9.3f}   {'':17}{p[0]:8.3f} {p[1]:9.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="skip the 17,000-record archive")
    parser.add_argument("--misses", action="store_true", help="list the questions with no answer in the top 10")
    args = parser.parse_args()
    with_realpages = (REALPAGES / "da").is_dir()
    questions = load_questions(with_realpages=with_realpages)
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.db"
        asyncio.run(build_archive(small, archive_paths(with_realpages)))
        ours, plain, per_query = asyncio.run(evaluate(small, questions))
        report("small archive (seeds + real pages)", ours, plain, per_query)
        if args.misses:
            print("  missed:", *ours.misses, sep="\n    ")
        if not args.small:
            mixed = Path(tmp) / "mixed.db"
            page = write_listing(Path(tmp) / "generated.txt", MIXED_SIZE - 600)
            asyncio.run(build_archive(mixed, [*archive_paths(with_realpages), page]))
            ours, plain, per_query = asyncio.run(evaluate(mixed, questions))
            report(f"answers mixed into {MIXED_SIZE:,} records", ours, plain, per_query)
            if args.misses:
                print("  missed:", *ours.misses, sep="\n    ")


if __name__ == "__main__":
    main()
