"""Scoring retrieval on the labelled questions (MRR@10, recall@5), ours beside plain rank-bm25.

Shared by the quality floor (tests/quality/test_quality.py) and the benchmarks that print the figures
(bench/quality.py, bench/search_speed.py, bench/concurrency.py).
"""
from __future__ import annotations

import json
import logging
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rank_bm25 import BM25Okapi

from retrieval.dates import ArchiveDate
from retrieval.identity import record_key
from retrieval.ingest import Ingester
from retrieval.people import PeopleDirectory
from retrieval.search import Archive
from retrieval.store import SqliteArchiveStore
from testing.database import every_record
from testing.listing_gen import write_listing

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "quality" / "questions.jsonl"
REALPAGES = ROOT.parent / "shared" / "realpages"


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
    for ranked, question in zip(rankings, questions, strict=True):
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
    async with await SqliteArchiveStore.open(db) as store:
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
        records = every_record(archive)
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
