"""Retrieval quality on the labelled questions: MRR@10 and recall@5, ours beside plain rank-bm25.

    python bench/quality.py            # the small archive (seeds + real pages) and the 17,000-record mix
    python bench/quality.py --small    # the small archive only

Plain rank-bm25 here means BM25Okapi over lowercase word tokens of title and summary, nothing else: the
floor every change to tokenizing, weighting or query understanding has to beat.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rank_bm25 import BM25Okapi  # noqa: E402

from listing_gen import write_listing  # noqa: E402
from retrieval.dates import ArchiveDate  # noqa: E402
from retrieval.identity import record_key  # noqa: E402
from retrieval.ingest import Ingester  # noqa: E402
from retrieval.people import PeopleDirectory  # noqa: E402
from retrieval.search import Archive  # noqa: E402
from retrieval.store import ArchiveStore  # noqa: E402

QUESTIONS = ROOT / "tests" / "quality" / "questions.jsonl"
REALPAGES = ROOT.parent / "shared" / "realpages"
MIXED_SIZE = 17_000


@dataclass
class Scores:
    mrr10: float
    recall5: float
    count: int
    by_kind: dict[str, tuple[float, float, int]]
    misses: list[str]


def load_questions(path: Path = QUESTIONS, with_realpages: bool = True) -> list[dict]:
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [q for q in questions if with_realpages or q["source"] == "seed"]


def answer_keys(question: dict) -> set[str]:
    return {record_key(a["title"], ArchiveDate.from_iso(a["date"])) for a in question["answers"]}


def score(rankings: list[list[str]], questions: list[dict]) -> Scores:
    """rankings[i]: the record keys returned for question i, best first."""
    per_kind: dict[str, list[tuple[float, float]]] = defaultdict(list)
    total_rr = total_recall = 0.0
    misses = []
    for ranked, question in zip(rankings, questions):
        wanted = answer_keys(question)
        rr = next((1 / rank for rank, key in enumerate(ranked[:10], 1) if key in wanted), 0.0)
        recall = len(wanted & set(ranked[:5])) / len(wanted)
        total_rr += rr
        total_recall += recall
        per_kind[question["kind"]].append((rr, recall))
        if rr == 0:
            misses.append(question["q"])
    n = len(questions)
    by_kind = {k: (sum(a for a, _ in v) / len(v), sum(b for _, b in v) / len(v), len(v)) for k, v in per_kind.items()}
    return Scores(total_rr / n, total_recall / n, n, by_kind, misses)


async def build_archive(db: Path, paths: list[Path]) -> None:
    logging.getLogger("retrieval.ingest").setLevel(logging.ERROR)  # the facet sidebar page fails, as it should
    people = PeopleDirectory.load()
    async with await ArchiveStore.open(db) as store:
        report = await Ingester(store, people).ingest(paths)
    bad = [f for f in report.failed if f.path.name != "other_007.txt"]  # the facet sidebar is not a listing
    if bad:
        raise SystemExit(f"ingest failed: {bad}")


async def build_generated_archive(folder: Path, records: int) -> Path:
    """The seed pages mixed into generated records, `records` in all: the archive at the real one's scale."""
    db = folder / "generated.db"
    page = write_listing(folder / "generated.txt", records - 55)
    await build_archive(db, [ROOT / "seeds", page])
    return db


def plain_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


async def evaluate(db: Path, questions: list[dict]) -> tuple[Scores, Scores, float]:
    async with await Archive.open(db) as archive:
        started = time.perf_counter()
        ours = [[record_key(h.record.title, h.record.date) for h in archive.search_now(q["q"], limit=10).hits]
                for q in questions]
        elapsed = time.perf_counter() - started
        records = archive.snapshot.index.records
    keys = [record_key(r.title, r.date) for r in records]
    plain = BM25Okapi([plain_tokens(f"{r.title} {r.summary}") for r in records])
    baseline = []
    for q in questions:
        s = plain.get_scores(plain_tokens(q["q"]))
        top = sorted(range(len(keys)), key=lambda i: -s[i])[:10]
        baseline.append([keys[i] for i in top if s[i] > 0])
    return score(ours, questions), score(baseline, questions), elapsed / max(len(questions), 1)


def archive_paths(with_realpages: bool) -> list[Path]:
    """The listing pages the questions were written against (document pages are another kind of page)."""
    paths = [ROOT / "seeds"]
    if with_realpages:
        paths += [REALPAGES / "da", REALPAGES / "mirror"]
    return paths


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
