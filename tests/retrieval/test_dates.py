import re

import pytest

from retrieval.dates import (
    MONTH_NAME_RE,
    MONTH_STEM_RE,
    ArchiveDate,
    Precision,
    month_number,
    parse_date,
    parse_month_day,
    read_date,
    valid_date,
)


@pytest.mark.parametrize(
    "text, iso, precision",
    [
        ("October 11, 1956", "1956-10-11", "day"),
        ("September 01, 1952", "1952-09-01", "day"),
        ("September 1, 1952", "1952-09-01", "day"),
        ("6 October 1958", "1958-10-06", "day"),
        ("February, 1950", "1950-02", "month"),
        ("February 1950", "1950-02", "month"),
        ("Sept. 1966", "1966-09", "month"),
        ("1948", "1948", "year"),
        ("  August   1949 ", "1949-08", "month"),
        ("October 11, 1956 .\u2003. ", "1956-10-11", "day"),  # trailing dots and spaces of any kind
        ("1948.\n", "1948", "year"),
    ],
)
def test_date_lines_keep_their_precision(text, iso, precision):
    date = parse_date(text)
    assert date is not None
    assert date.iso() == iso
    assert date.precision == precision


@pytest.mark.parametrize(
    "text",
    ["", "Pagination", "Octember 5, 1958", "1 - 10 of 22", "December 2, 1",
     "Cable, Mao Zedong to Filippov [Stalin]", "19480", "13/01/1950"],
)
def test_non_dates_are_not_dates(text):
    assert parse_date(text) is None


def test_human_forms_never_invent_a_day():
    assert ArchiveDate(1958, 9, 27).human() == "September 27, 1958"
    assert ArchiveDate(1950, 2).human() == "February 1950"
    assert ArchiveDate(1966).human() == "1966"
    assert ArchiveDate().human() == "undated"
    assert ArchiveDate().iso() is None
    assert ArchiveDate.from_iso("1950-02") == ArchiveDate(1950, 2)


def test_precision_and_order():
    assert [ArchiveDate(1958, 9, 27).precision, ArchiveDate(1958, 9).precision, ArchiveDate(1958).precision,
            ArchiveDate().precision] == [Precision.DAY, Precision.MONTH, Precision.YEAR, Precision.NONE]
    dates = [ArchiveDate(1958, 9, 27), ArchiveDate(1958), ArchiveDate(1958, 9), ArchiveDate(1950, 2)]
    assert sorted(dates, key=ArchiveDate.sort_key) == [
        ArchiveDate(1950, 2), ArchiveDate(1958), ArchiveDate(1958, 9), ArchiveDate(1958, 9, 27)]


@pytest.mark.parametrize(
    "text, month_day",
    [("09-27", (9, 27)), ("9/27", (9, 27)), ("27 September", (9, 27)), ("Sept 27th", (9, 27)),
     ("1st of May", (5, 1)), ("02-29", (2, 29)), ("29 Feb.", (2, 29))],
)
def test_month_day(text, month_day):
    assert parse_month_day(text) == month_day


@pytest.mark.parametrize("text", ["02-30", "13-01", "0-0", "31 April", "Octember 5", "27", "", "September"])
def test_not_a_day_of_any_year(text):
    assert parse_month_day(text) is None


@pytest.mark.parametrize(
    "year, month, day, valid",
    [
        (1958, 9, 27, True), (1958, None, None, True), (1958, 2, None, True),
        (1960, 2, 29, True), (1961, 2, 29, False), (1958, 4, 31, False), (1958, 13, None, False),
        (1958, 0, None, False), (1958, None, 5, False), (999, None, None, False), (2101, None, None, False),
    ],
)
def test_one_valid_day_check(year, month, day, valid):
    assert valid_date(year, month, day) is valid


def test_one_month_table():
    assert [month_number(name) for name in ("January", "jan", "Sept.", "SEP", "september", "may")] == [
        1, 1, 9, 9, 9, 5]
    with pytest.raises(KeyError):
        month_number("Octember")


def test_month_name_fragment_takes_whole_names():
    names = re.compile(rf"\b(?:{MONTH_NAME_RE})\b", re.IGNORECASE)
    assert [m.group(0) for m in names.finditer("September, Sept., Oct and octopus in May")] == [
        "September", "Sept", "Oct", "May"]
    stems = re.compile(rf"^(?:{MONTH_STEM_RE})", re.IGNORECASE)
    assert all(stems.match(name) for name in ("Septem", "Decemb", "jun", "FEB"))
    assert not any(stems.match(word) for word in ("Xmas", "Pagination", "1958"))


@pytest.mark.parametrize(
    "text, iso",
    [("February 30, 1958", "1958-02"), ("30 February 1958", "1958-02"), ("April 31, 1950", "1950-04"),
     ("1961-02-29", "1961-02")],
)
def test_an_impossible_day_keeps_the_month_and_says_so(text, iso):
    line = read_date(text)
    assert line is not None and line.impossible_day
    assert line.date.iso() == iso and line.date.precision == Precision.MONTH
    assert parse_date(text) == line.date  # a date line all the same, never read as the year alone


def test_a_real_day_is_not_flagged():
    line = read_date("February 29, 1960")
    assert line is not None and not line.impossible_day and line.date == ArchiveDate(1960, 2, 29)
    assert read_date("February 30") is None and read_date("Pagination") is None


def test_a_date_line_read_again_reads_the_same(monkeypatch):
    """Date lines read before are looked up: the same line, the same answer, an impossible day included; the
    lookup stays bounded."""
    from retrieval import dates

    monkeypatch.setattr(dates, "_READ", {})
    monkeypatch.setattr(dates, "_READ_MAX", 3)
    lines = ["February 30, 1958", "October 11, 1956", "1948", "September 1966", "Cable, Mao to Stalin, 1950"]
    first = [read_date(line) for line in lines]
    assert [read_date(line) for line in lines] == first
    assert first[0] is not None and first[0].impossible_day and first[0].date.iso() == "1958-02"
    assert first[3] is not None and first[3].date.iso() == "1966-09" and first[4] is None
    assert len(dates._READ) == 3


@pytest.mark.parametrize("date", [ArchiveDate(), ArchiveDate(1948), ArchiveDate(1950, 2), ArchiveDate(1958, 9, 27)])
def test_a_date_pickles_to_an_equal_date(date):
    """Records cross to the main process pickled: the same date arrives, compiled by mypyc or not (a native
    class's default pickling meets the frozen `__setattr__`)."""
    import pickle

    again = pickle.loads(pickle.dumps(date))
    assert again == date and type(again) is ArchiveDate and again.iso() == date.iso()
