"""A floor under retrieval quality: the labelled questions must keep ranking their answers high.

The figures themselves come from `python bench/quality.py` (see the README); this test only stops a change
that makes them clearly worse, and checks that we beat plain rank-bm25 on the same archive.
"""
from __future__ import annotations

import asyncio

import pytest
from listing_gen import write_listing
from quality import build_archive, evaluate, load_questions

from ..conftest import REALPAGES, SEEDS


@pytest.fixture(scope="module")
def questions():
    return load_questions(with_realpages=(REALPAGES / "da").is_dir())


def _paths():
    return [SEEDS] + ([REALPAGES] if (REALPAGES / "da").is_dir() else [])


def test_small_archive_floor(tmp_path, questions):
    db = tmp_path / "small.db"
    asyncio.run(build_archive(db, _paths()))
    ours, plain, _ = asyncio.run(evaluate(db, questions))
    assert ours.mrr10 >= 0.88, ours.misses
    assert ours.recall5 >= 0.92
    assert ours.mrr10 > plain.mrr10 + 0.05
    assert ours.by_kind["spelling"][0] >= 0.85 and ours.by_kind["date"][0] >= 0.85


def test_answers_mixed_into_17000_records_floor(tmp_path, questions):
    db = tmp_path / "mixed.db"
    generated = write_listing(tmp_path / "generated.txt", 17_000 - 600)
    asyncio.run(build_archive(db, [*_paths(), generated]))
    ours, plain, _ = asyncio.run(evaluate(db, questions))
    assert ours.mrr10 >= 0.68
    assert ours.recall5 >= 0.74
    assert ours.mrr10 > plain.mrr10 + 0.1
