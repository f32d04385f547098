"""The best k of a score for every document, found without sorting them all, are exactly the sort's: ties
with the k-th kept in archive order, zero and negative scores never listed."""
from __future__ import annotations

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

import retrieval.index as index_module
from retrieval.dates import UNDATED
from retrieval.index import RecordList, Scores, SearchIndex, Weighted, document_tokens, pruned
from retrieval.records import Record
from retrieval.segment import IMPACT_MIN, build
from retrieval.text import tokenize


def by_sorting(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    positive = np.flatnonzero(scores > 0).tolist()
    return [(i, float(scores[i])) for i in sorted(positive, key=lambda i: (-scores[i], i))[:k]]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [1, 10, 37])
def test_the_best_of_every_document_are_the_sorts(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(4_000, 120_000))  # below SAMPLE_FROM, sampled every SAMPLE_STEP-th, and sparser
    # few distinct values, so the k-th is tied many times over; a share of zeros and negatives
    scores = rng.choice(np.array([-1.5, 0.0, 0.0, 0.5, 1.25, 2.0, 3.5]), size) * rng.integers(1, 4, size)
    scores[rng.integers(0, size, 3)] = 99.0
    expected = by_sorting(scores, k)
    assert Scores.of(scores).best(k) == expected
    docs = np.flatnonzero(scores != 0)
    assert Scores(docs, scores[docs]).best(k) == expected


def test_fewer_positive_scores_than_asked_are_all_listed() -> None:
    scores = np.zeros(50_000)
    scores[[7, 40_000, 123]] = [1.0, 2.0, 1.0]
    assert Scores.of(scores).best(10) == [(40_000, 2.0), (7, 1.0), (123, 1.0)]


def _archive(size: int, seed: int) -> list[Record]:
    """Titles and summaries of words drawn as a language draws them: a few in most documents, most in few."""
    rng = random.Random(seed)
    words = [f"w{n}" for n in range(400)]
    weights = [1 / (n + 1) ** 0.9 for n in range(len(words))]

    def text(low: int, high: int) -> str:
        return " ".join(rng.choices(words, weights, k=rng.randint(low, high)))

    return [Record(id=i + 1, date=UNDATED, date_text="", title=text(2, 8), summary=text(0, 25)) for i in range(size)]


def test_the_tops_of_the_postings_give_rank_bm25s_top_10_and_prune_many_questions() -> None:
    records = _archive(20_000, 5)
    index = SearchIndex.of(records)
    reference = BM25Okapi([document_tokens(r) for r in records])
    rng = random.Random(8)
    words = sorted({w for r in records for w in tokenize(r.title)})
    questions = [[rng.choice(words[:12] if rng.random() < 0.6 else words) for _ in range(rng.randint(2, 5))]
                 for _ in range(150)]
    was_pruned = 0
    for terms in questions:
        theirs = reference.get_scores(terms)
        best = sorted(np.flatnonzero(theirs > 0).tolist(), key=lambda i: (-theirs[i], i))[:10]
        expected = [(i, float(theirs[i])) for i in best]
        assert index.scored(terms).best(10) == expected
        found = pruned(index.contributions(terms, ()), 10, index.size, costed=False)  # tried whatever it costs
        assert found in (None, expected), terms
        was_pruned += found is not None
        extra = [Weighted((terms[0],), 0.5), Weighted(("w3",), 0.25)]
        found = pruned(index.contributions(terms, extra), 10, index.size, costed=False)
        assert found in (None, Scores.of(index.scores(terms, extra)).best(10)), terms
    assert was_pruned > len(questions) // 3


def test_documents_deep_in_every_posting_still_win_when_they_hold_every_word() -> None:
    """The best documents hold both words at a middling weight, below the first thousands of each posting
    (short documents with one of the words): the tops of the postings alone would miss them."""
    titles = ["alpha"] * 6000 + ["beta"] * 6000 + ["alpha beta"] * 10 + ["gamma"] * 8000
    records = [Record(id=i + 1, date=UNDATED, date_text="", title=title, summary="") for i, title in enumerate(titles)]
    index = SearchIndex.of(records)
    reference = BM25Okapi([document_tokens(r) for r in records])
    theirs = reference.get_scores(["alpha", "beta"])
    best = sorted(np.flatnonzero(theirs > 0).tolist(), key=lambda i: (-theirs[i], i))[:10]
    expected = [(i, float(theirs[i])) for i in best]
    assert [i for i, _ in expected] == list(range(12_000, 12_010))
    assert pruned(index.contributions(["alpha", "beta"], ()), 10, index.size, costed=False) in (None, expected)
    assert index.scored(["alpha", "beta"]).best(10) == expected


@pytest.mark.parametrize("longer", [True, False])
def test_a_base_and_a_delta_prune_to_rank_bm25s_top_10_and_never_list_a_replaced_record(
        longer: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an ingest the index is the saved base and a delta of changed and new records, scored with the
    statistics of the union (the base's own weights, and the order of its postings' tops, are no longer the
    union's): the tops still give `get_scores`' top 10 over the live records, and a base document the delta
    replaced (often the best of a question before) is never listed. The delta's documents are longer, then
    shorter, than the base's: the average length moves both ways. The long postings laid out are kept for
    the next question within their budget (a small one the second time: the oldest are let go)."""
    budget = index_module.LAID_OUT_KEPT if longer else 200_000
    monkeypatch.setattr(index_module, "LAID_OUT_KEPT", budget)
    records = _archive(20_000, 5)
    base = SearchIndex.of(records).base
    rng = random.Random(21)
    words = sorted({w for r in records for w in tokenize(r.title)})
    questions = [[rng.choice(words[:12] if rng.random() < 0.6 else words) for _ in range(rng.randint(2, 5))]
                 for _ in range(100)]
    before = SearchIndex.of(records)
    replaced = {records[i].id for terms in questions[:40] for i, _ in before.scored(terms).best(3)}
    replaced |= set(rng.sample(range(1, len(records) + 1), 300))
    fresh = _archive(900, 77 if longer else 78)
    changes = [Record(id=rid, date=UNDATED, date_text="", title=fresh[n % 900].title,
                      summary=fresh[n % 900].summary * (3 if longer else 0)) for n, rid in enumerate(sorted(replaced))]
    added = [Record(id=len(records) + 1 + n, date=UNDATED, date_text="", title=r.title,
                    summary=r.summary * (3 if longer else 0)) for n, r in enumerate(fresh)]
    delta = build(changes + added)
    live = {r.id: r for r in records} | {r.id: r for r in changes + added}
    index = SearchIndex(base, RecordList(live.values()), delta)
    assert (index.avgdl > base.meta.avgdl) is longer
    positions = index.live_positions()
    reference = BM25Okapi([document_tokens(live[int(i)]) for i in index.ids[positions]])
    was_pruned = 0  # questions with a posting too long to read whole, pruned
    for terms in questions:
        theirs = reference.get_scores(terms)
        best = sorted(np.flatnonzero(theirs > 0).tolist(), key=lambda i: (-theirs[i], i))[:10]
        expected = [(int(positions[i]), float(theirs[i])) for i in best]
        assert index.scored(terms).best(10) == expected
        parts = index.contributions(terms, ())
        found = pruned(parts, 10, index.size, costed=False)
        assert found in (None, expected), terms
        was_pruned += found is not None and any(part.docs.size > IMPACT_MIN for part in parts)
        extra = [Weighted((terms[0],), 0.5), Weighted(("w3",), 0.25)]
        found = pruned(index.contributions(terms, extra), 10, index.size, costed=False)
        assert found in (None, Scores.of(index.scores(terms, extra)).best(10)), terms
    assert was_pruned > len(questions) // 3
    kept = list(index._laid.values())
    assert kept and index._laid_bytes == sum(docs.nbytes + weights.nbytes for docs, weights in kept) <= budget


def test_a_delta_of_long_documents_lifts_documents_below_the_bases_tops_and_they_still_win() -> None:
    """A delta of long documents raises the average length from about 2 to about 11: a longer base document
    holding the word more often, below thousands of one-word titles in the base's order, now outscores them
    all. Its bound must grow with the average length, or the one-word titles would be listed instead."""
    titles = [("alpha", "")] * 5000 + [("alpha", "alpha alpha zeta zeta")] * 10 + [("beta", "")] * 3 + \
        [("gamma", "")] * 6000
    records = [Record(id=i + 1, date=UNDATED, date_text="", title=title, summary=summary)
               for i, (title, summary) in enumerate(titles)]
    added = [Record(id=len(records) + 1 + n, date=UNDATED, date_text="", title="omega", summary="omega " * 500)
             for n in range(200)]
    index = SearchIndex(SearchIndex.of(records).base, RecordList(records + added), build(added))
    assert index.base.meta.avgdl < 6 < index.avgdl  # (tf 4, length 6) overtakes (2, 2) past an average of 6
    reference = BM25Okapi([document_tokens(r) for r in records + added])
    theirs = reference.get_scores(["alpha", "beta"])
    best = sorted(np.flatnonzero(theirs > 0).tolist(), key=lambda i: (-theirs[i], i))[:10]
    expected = [(i, float(theirs[i])) for i in best]
    assert [i for i, _ in expected] == [5010, 5011, 5012, *range(5000, 5007)]
    assert pruned(index.contributions(["alpha", "beta"], ()), 10, index.size, costed=False) in (None, expected)
    assert index.scored(["alpha", "beta"]).best(10) == expected
