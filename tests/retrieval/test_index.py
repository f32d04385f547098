"""The index on its own: rank-bm25's scores through postings, the top k, the date and people masks.

Unit tests over a handful of hand-made records: no database, milliseconds.
"""
from __future__ import annotations

import numpy as np
from rank_bm25 import BM25Okapi

from retrieval.daterange import DateRange
from retrieval.dates import UNDATED, ArchiveDate
from retrieval.index import TITLE_WEIGHT, SearchIndex, Weighted, document_tokens
from retrieval.records import Participant, Record
from retrieval.text import tokenize


def _record(rid: int, title: str, summary: str = "", date: ArchiveDate = UNDATED,
            people: tuple[str, ...] = ()) -> Record:
    return Record(id=rid, date=date, date_text="", title=title, summary=summary,
                  participants=tuple(Participant(p) for p in people))


RECORDS = [
    _record(10, "Cable, Mao Zedong to Stalin", "Mao reports on the civil war.", ArchiveDate(1948, 7, 4),
            ("Mao Zedong", "Joseph Stalin")),
    _record(11, "Letter on the Temporary Halt in Nuclear Assistance", "The Soviets halt nuclear aid.",
            ArchiveDate(1959, 6, 20)),
    _record(12, "Note on the railway", "Railway talks in Moscow.", ArchiveDate(1950, 2)),
    _record(13, "Undated memo on the railway", "Railway again."),
    _record(14, "Report, Zhou Enlai to Mao, 24 December 1951", "A report.", ArchiveDate(1952, 1, 18),
            ("Zhou Enlai", "Mao Zedong")),
]


def test_what_bm25_sees_of_a_record():
    record = RECORDS[0]
    tokens = document_tokens(record)
    assert tokens[: 2 * len(tokenize(record.title))] == tokenize(record.title) * TITLE_WEIGHT
    assert tokenize("Joseph Stalin")[0] in tokens[2 * len(tokenize(record.title)) + len(tokenize(record.summary)):]


def test_scores_are_rank_bm25_scores_on_every_document():
    index = SearchIndex.of(RECORDS)
    reference = BM25Okapi([document_tokens(r) for r in RECORDS])
    for question in ("mao stalin", "railway", "nuclear halt assistance", "railway railway", "absent"):
        terms = tokenize(question)
        assert np.allclose(index.scores(terms), reference.get_scores(terms))


def test_a_long_postings_spread_is_kept_read_only_within_its_bytes_and_scores_the_same(monkeypatch):
    """The same floats as rank-bm25's each time a question asks again; past SPREAD_KEPT bytes nothing more is kept."""
    from retrieval import index as module

    index = SearchIndex.of(RECORDS)
    reference = BM25Okapi([document_tokens(r) for r in RECORDS])
    terms = tokenize("railway mao nuclear")
    first = index.scores(terms)
    assert np.array_equal(index.scores(terms), first) and np.allclose(first, reference.get_scores(terms))
    kept = dict(index._spread)
    assert kept and all(not a.flags.writeable and a.size == len(RECORDS) for a in kept.values())
    assert index._spread_bytes == sum(a.nbytes for a in kept.values())
    monkeypatch.setattr(module, "SPREAD_KEPT", 0)
    fresh = SearchIndex.of(RECORDS)
    assert np.array_equal(fresh.scores(terms), first) and fresh._spread == {} and fresh._spread_bytes == 0


def test_weighted_extra_terms_add_their_weight_times_their_bm25_contribution():
    index = SearchIndex.of(RECORDS)
    reference = BM25Okapi([document_tokens(r) for r in RECORDS])
    terms = tokenize("stop nuclear")
    assert np.array_equal(index.scores(terms, ()), index.scores(terms))  # nothing extra: the same scores
    expanded = index.scores(terms, [Weighted(("halt",), 0.5), Weighted(("assist",), 0.25), Weighted(("none",), 1.0)])
    expected = (reference.get_scores(terms) + 0.5 * reference.get_scores(["halt"])
                + 0.25 * reference.get_scores(["assist"]))
    assert np.allclose(expanded, expected)
    assert expanded[1] > index.scores(terms)[1] and expanded[0] == index.scores(terms)[0]


def test_several_extra_terms_count_only_as_a_phrase_in_the_title_or_summary():
    records = [_record(1, "Talks on Port Arthur"), _record(2, "Arthur visits the port"),
               _record(3, "Arthur", "Port Arthur is ceded.")]
    index = SearchIndex.of(records)
    reference = BM25Okapi([document_tokens(r) for r in records])
    phrase = index.scores([], [Weighted(("port", "arthur"), 0.5)])
    both = 0.5 * reference.get_scores(["port", "arthur"])
    assert np.allclose(phrase, [both[0], 0.0, both[2]])  # "Arthur visits the port" holds both words, not the phrase


def test_top_keeps_only_positive_scores_best_first_and_honours_the_mask():
    index = SearchIndex.of(RECORDS)
    scores = index.scores(tokenize("railway"))
    top = index.top(scores, 10)
    assert [RECORDS[i].id for i, _ in top] == [12, 13] or [RECORDS[i].id for i, _ in top] == [13, 12]
    assert all(score > 0 for _, score in top) and top[0][1] >= top[-1][1]
    assert index.top(scores, 1) == top[:1]
    only_dated = index.top(scores, 10, index.date_mask(DateRange.years(1950, 1950)))
    assert [RECORDS[i].id for i, _ in only_dated] == [12]
    assert index.top(index.scores(tokenize("absent")), 10) == []


def test_dates_are_contained_not_overlapped_and_undated_never_match():
    index = SearchIndex.of(RECORDS)
    ids = lambda mask: {RECORDS[i].id for i in np.flatnonzero(mask)}  # noqa: E731
    assert ids(index.date_mask(DateRange.years(1950, 1950))) == {12}
    assert ids(index.date_mask(DateRange.from_iso("1950-02-05", "1950-02-05"))) == set()  # a month-only date
    assert 13 not in ids(index.date_mask(DateRange.years(1, 9999)))
    assert 14 in ids(index.date_mask(DateRange.from_iso("1951-12-24", "1951-12-24")))  # a date named in the title


def test_an_empty_archive_is_an_empty_index():
    index = SearchIndex.of([])
    assert index.size == 0 and "mao" not in index and index.idf("mao") == 0.0
    assert index.top(index.scores(tokenize("mao")), 10) == []


def test_people_masks_and_positions():
    index = SearchIndex.of(RECORDS)
    assert {RECORDS[i].id for i in np.flatnonzero(index.person_mask(["Mao Zedong"]))} == {10, 14}
    assert not index.person_mask(["Nobody"]).any()
    assert index.position_of(12) == 2 and index.position_of(99) is None and index.size == len(RECORDS)
    assert "railway" in index and index.idf("railway") > 0 and "nobody" not in index
