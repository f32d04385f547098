import pytest

from retrieval.dates import ArchiveDate, parse_date


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
    ],
)
def test_date_lines_keep_their_precision(text, iso, precision):
    date = parse_date(text)
    assert date is not None
    assert date.iso() == iso
    assert date.precision == precision


@pytest.mark.parametrize(
    "text",
    ["", "Pagination", "February 30, 1950", "Octember 5, 1958", "1 - 10 of 22", "December 2, 1",
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
