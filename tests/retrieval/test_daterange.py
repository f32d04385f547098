"""Dates named in a question (retrieval/daterange.py): pure functions, no archive needed."""
from __future__ import annotations

import random
from datetime import date

import pytest

from retrieval.daterange import DateRange, dates_in_title, extract_dates
from retrieval.dates import UNDATED, ArchiveDate

OPEN_START, OPEN_END = "0001-01-01", "9999-12-31"


@pytest.mark.parametrize(
    "question, start, end",
    [
        # the forms the README promises
        ("in 1958", "1958-01-01", "1958-12-31"),
        ("October 1958", "1958-10-01", "1958-10-31"),
        ("on 6 October 1958", "1958-10-06", "1958-10-06"),
        ("between 1949 and 1952", "1949-01-01", "1952-12-31"),
        ("1949-1952", "1949-01-01", "1952-12-31"),
        ("in the 1950s", "1950-01-01", "1959-12-31"),
        ("early 60s", "1960-01-01", "1963-12-31"),
        ("before 1950", OPEN_START, "1949-12-31"),
        ("after 1980", "1981-01-01", OPEN_END),
        ("since March 1953", "1953-03-01", OPEN_END),
        # their neighbours
        ("mid-60s", "1963-01-01", "1966-12-31"),
        ("late 1950s", "1956-01-01", "1959-12-31"),
        ("from 1952 to 1949", "1949-01-01", "1952-12-31"),
        ("September 27, 1958", "1958-09-27", "1958-09-27"),
        ("Sept. 27, 1958", "1958-09-27", "1958-09-27"),
        ("the 27th of September 1958", "1958-09-27", "1958-09-27"),
        ("1958-09-27", "1958-09-27", "1958-09-27"),
        ("1960-02", "1960-02-01", "1960-02-29"),
        ("before March 1953", OPEN_START, "1953-02-28"),
        ("until March 1953", OPEN_START, "1953-03-31"),
        ("after March 1953", "1953-04-01", OPEN_END),
        ("by 1950", OPEN_START, "1950-12-31"),
    ],
)
def test_a_question_names_a_range_of_days(question, start, end):
    found, rest = extract_dates(question)
    assert found == DateRange.from_iso(start, end)
    assert rest == ""


def test_the_date_leaves_the_question_and_the_words_stay():
    found, rest = extract_dates("mao cables on 6 October 1958 about Taiwan")
    assert found == DateRange.from_iso("1958-10-06", "1958-10-06")
    assert rest == "mao cables about Taiwan"


def test_a_question_without_an_ascii_digit_is_answered_as_every_pattern_would():
    """extract_dates skips its patterns on a question with no ASCII digit: they must all need one."""
    from retrieval.daterange import _extract_dates

    rng = random.Random(7)
    pieces = ["in", "the", "early", "mid", "late", "between", "and", "from", "to", "since", "before", "on", "of",
              "October", "Sept.", "March", "mao", "'s", "s", "-", "–", ",", "th", "1958", "50", "60's", "27",
              "١٩٥٨", "١٩٥٠s", "²", "٦", "X"]
    questions = [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) for _ in range(3000)]
    questions += [q.replace(" ", "") for q in questions[:500]]
    assert sum(_extract_dates(q)[0] is not None for q in questions) > 300  # dates are found where they are
    for question in questions:
        assert extract_dates(question) == _extract_dates(question), question


def test_two_constraints_narrow_each_other():
    found, _ = extract_dates("in the 1950s after 1955")
    assert found == DateRange.from_iso("1956-01-01", "1959-12-31")


@pytest.mark.parametrize(
    "question",
    ["mao zedong", "", "the 1000 flowers", "room 101", "1 - 10 of 22", "12345", "in 1799", "Octember 5"],
)
def test_text_that_is_not_a_date_stays_as_it_is(question):
    assert extract_dates(question) == (None, question)


@pytest.mark.parametrize(
    "record_date, question, matches",
    [
        (ArchiveDate(1958, 10, 6), "on 6 October 1958", True),
        (ArchiveDate(1958, 10, 7), "on 6 October 1958", False),
        (ArchiveDate(1958, 10, 6), "October 1958", True),
        (ArchiveDate(1958, 10, 6), "in the 1950s", True),
        (ArchiveDate(1958, 10), "October 1958", True),
        (ArchiveDate(1958, 10), "in 1958", True),
        (ArchiveDate(1958, 10), "on 6 October 1958", False),  # the month may be any of its days
        (ArchiveDate(1958, 10), "November 1958", False),
        (ArchiveDate(1958), "in 1958", True),
        (ArchiveDate(1958), "between 1949 and 1958", True),
        (ArchiveDate(1958), "October 1958", False),  # the year may be any of its months
        (ArchiveDate(1958), "since March 1953", True),
        (ArchiveDate(1958), "before 1958", False),
    ],
)
def test_a_record_matches_a_range_only_if_the_range_holds_all_its_date_may_mean(record_date, question, matches):
    wanted, _ = extract_dates(question)
    span = DateRange.of(record_date)
    assert wanted is not None and span is not None
    assert wanted.contains(span) is matches


def test_a_month_only_date_does_not_match_part_of_its_month():
    first_half = DateRange.from_iso("1958-10-01", "1958-10-15")
    october, fifteenth = DateRange.of(ArchiveDate(1958, 10)), DateRange.of(ArchiveDate(1958, 10, 15))
    assert october is not None and fifteenth is not None
    assert not first_half.contains(october)
    assert first_half.contains(fifteenth)


def test_an_undated_record_has_no_span_so_never_matches():
    assert DateRange.of(UNDATED) is None


def test_what_a_record_date_may_stand_for():
    assert DateRange.of(ArchiveDate(1960, 2)) == DateRange(date(1960, 2, 1), date(1960, 2, 29))
    assert DateRange.of(ArchiveDate(1958)) == DateRange(date(1958, 1, 1), date(1958, 12, 31))
    assert DateRange.of(ArchiveDate(1958, 9, 27)) == DateRange(date(1958, 9, 27), date(1958, 9, 27))


def test_years_are_whole_and_a_missing_end_is_open():
    assert DateRange.years(1949, 1952) == DateRange(date(1949, 1, 1), date(1952, 12, 31))
    assert DateRange.years(None, 1950) == DateRange(date(1, 1, 1), date(1950, 12, 31))
    assert DateRange.years(1950, None) == DateRange(date(1950, 1, 1), date(9999, 12, 31))
    assert DateRange.years(None, None).describe() == "any date"


@pytest.mark.parametrize(
    "question, described",
    [
        ("in 1958", "1958"),
        ("between 1949 and 1952", "1949–1952"),
        ("October 1958", "October 1958"),
        ("on 6 October 1958", "6 October 1958"),
        ("before 1950", "up to 1949"),
        ("before March 1953", "before 1 March 1953"),
        ("after 1980", "from 1981"),
        ("since March 1953", "from 1 March 1953"),
    ],
)
def test_describe_says_the_range_as_a_person_would(question, described):
    found, _ = extract_dates(question)
    assert found is not None
    assert found.describe() == described


def test_describe_an_arbitrary_span_by_its_days():
    assert DateRange.from_iso("1958-10-01", "1958-10-15").describe() == "1 October 1958 – 15 October 1958"


def test_intersect():
    fifties, since_1955 = DateRange.years(1950, 1959), DateRange.years(1955, None)
    assert fifties.intersect(since_1955) == DateRange.years(1955, 1959)
    assert fifties.intersect(DateRange.years(1960, 1969)) is None


def test_full_dates_in_a_title_count_and_impossible_days_do_not():
    assert dates_in_title("Cable, Mao Zedong to Filippov [Stalin], 24 December 1951") == [ArchiveDate(1951, 12, 24)]
    assert dates_in_title("Notes of September 27, 1958 and 1 Oct. 1958") == [
        ArchiveDate(1958, 9, 27), ArchiveDate(1958, 10, 1)]
    assert dates_in_title("Minutes of 30 February 1958") == []
    assert dates_in_title("Report for October 1958") == []  # a month is not a date of the record
