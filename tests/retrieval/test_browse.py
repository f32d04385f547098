"""Browsing: a question naming only dates and people lists their documents in date order, with the count;
and a notice that nothing matches says which constraint had no match, and only when that is true."""
from __future__ import annotations

from datetime import date

import pytest
import pytest_asyncio

from retrieval.daterange import DateRange, dates_in_title
from retrieval.intent import Intent
from retrieval.search import Constraint, NoticeKind
from testing.database import every_record

from ..conftest import HAVE_REALPAGES, REALPAGES, open_seeded_archive


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("browse"),
                                       *([REALPAGES / "da", REALPAGES / "mirror"] if HAVE_REALPAGES else []))
    yield opened
    await opened.close()


def within(archive, start: date, end: date, person: str | None = None) -> list:
    """The records dated inside [start, end] (or whose title names a day inside it), counted the slow way,
    independently of the index."""
    found = []
    for record in every_record(archive):
        spans = [DateRange.of(d) for d in (record.date, *dates_in_title(record.title))]
        if any(s is not None and start <= s.start and s.end <= end for s in spans) \
                and (person is None or person in {p.name for p in (*record.participants, *record.mentioned)}):
            found.append(record)
    return found


def in_date_order(hits) -> bool:
    keys = [(h.record.date.year, h.record.date.month or 0, h.record.date.day or 0) for h in hits]
    return keys == sorted(keys)


@pytest.mark.skipif(not HAVE_REALPAGES, reason="the day's documents are on the real pages")
def test_a_day_lists_every_document_of_that_day(archive):
    result = archive.search_now("what happened on 2 October 1959", limit=10)
    expected = within(archive, date(1959, 10, 2), date(1959, 10, 2))
    assert len(expected) >= 2
    assert result.intent is Intent.BROWSE and result.notice is None
    assert result.total == len(expected)
    assert {h.record.id for h in result.hits} == {r.id for r in expected}


@pytest.mark.parametrize("question, start, end", [
    ("show me documents from October 1962", date(1962, 10, 1), date(1962, 10, 31)),
    ("anything from 1958?", date(1958, 1, 1), date(1958, 12, 31)),
    ("documents from the 1950s", date(1950, 1, 1), date(1959, 12, 31)),
])
def test_a_range_lists_its_documents_in_date_order_with_the_count(archive, question, start, end):
    result = archive.search_now(question, limit=10, browse_limit=500)
    expected = within(archive, start, end)
    if not expected and not HAVE_REALPAGES:
        pytest.skip("the seeds hold no document of this range; ../shared/realpages does")
    assert expected
    assert result.intent is Intent.BROWSE and result.notice is None
    assert result.total == len(expected) == len(result.hits) or len(result.hits) == 500
    assert {h.record.id for h in result.hits} <= {r.id for r in expected}
    assert in_date_order(result.hits)
    assert result.understood.terms == ()  # "show me", "documents", "anything" are never searched for


def test_a_range_and_a_person(archive):
    result = archive.search_now("documents from 1958 with Chou En-lai", limit=50)
    expected = within(archive, date(1958, 1, 1), date(1958, 12, 31), "Zhou Enlai")
    assert expected and result.intent is Intent.BROWSE
    assert result.total == len(expected)
    assert {h.record.id for h in result.hits} == {r.id for r in expected}
    assert in_date_order(result.hits)
    assert [c.constraint for c in result.browsed] == [Constraint.PERSON, Constraint.DATES]


def test_the_filters_alone_browse_and_the_limit_keeps_the_count(archive):
    expected = within(archive, date(1958, 1, 1), date(1958, 12, 31))
    result = archive.search_now("", limit=10, date_from=1958, date_to=1958, browse_limit=3)
    assert result.intent is Intent.BROWSE
    assert len(result.hits) == 3 and result.total == len(expected) > 3
    assert result.hits == archive.search_now("", 10, 1958, 1958, browse_limit=500).hits[:3]
    person_only = archive.search_now("", limit=500, person="Filippov")
    assert person_only.intent is Intent.BROWSE and in_date_order([h for h in person_only.hits if h.record.date.year])
    assert all("Joseph Stalin" in {p.name for p in (*h.record.participants, *h.record.mentioned)}
               for h in person_only.hits)


def test_filler_is_never_the_thing_searched_for(archive):
    parse = archive.snapshot.parser.parse
    assert parse("what happened in the Taiwan Strait").terms == ("taiwan", "strait")
    assert parse("show me the papers about the Taiwan Strait").terms == ("taiwan", "strait")
    assert parse("what happened in 1959").browsing


def test_words_and_a_date_still_rank(archive):
    result = archive.search_now("Khrushchev Mao Taiwan 1959", limit=5)
    assert result.intent is Intent.SEARCH and result.hits and all(h.score > 0 for h in result.hits)


# -- never a false "nothing matches" ----------------------------------------------------------------------------

def test_words_absent_at_the_date_say_how_many_documents_the_date_has(archive):
    result = archive.search_now("treaty alliance 1990", limit=5)
    assert result.notice is not None and result.notice.kind is NoticeKind.DATE_RELAXED
    words, dates = result.notice.counts
    assert (words.constraint, dates.constraint) == (Constraint.WORDS, Constraint.DATES)
    assert dates.documents == len(within(archive, date(1990, 1, 1), date(1990, 12, 31)))
    assert words.documents > 0 and result.hits


def test_a_date_with_no_document_says_so(archive):
    result = archive.search_now("anything from 1890?", limit=5)
    assert result.hits == [] and result.notice is not None and result.notice.kind is NoticeKind.NOTHING_FOUND
    assert [(c.constraint, c.value, c.documents) for c in result.notice.counts] == [(Constraint.DATES, "1890", 0)]
    assert result.suggestions == []  # without its date the question asks nothing: no "drop the date"


def test_people_never_together_at_a_date_fall_back_to_ranking_and_say_why(archive):
    result = archive.search_now("Gorbachev Honecker in 1950", limit=5)
    assert result.intent is Intent.SEARCH and result.hits
    assert result.notice is not None and result.notice.kind is NoticeKind.DATE_RELAXED
    words, dates = result.notice.counts
    assert dates.documents == len(within(archive, date(1950, 1, 1), date(1950, 12, 31))) > 0


def test_a_filter_with_no_document_is_named(archive):
    result = archive.search_now("Mao nuclear", limit=5, date_from=1890, date_to=1891)
    assert result.hits == []
    counts = {c.constraint: c.documents for c in result.notice.counts}
    assert counts[Constraint.YEARS] == 0 and counts[Constraint.WORDS] > 0

