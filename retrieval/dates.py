"""Archive dates keep the precision the source gave: a month-only date never gains an invented day."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from enum import StrEnum

# The one month table. English whatever the process's locale (calendar.month_name follows LC_TIME), as the
# archive writes its dates and as a citation gives them; index 0 is empty, as in `calendar`.
MONTH_NAMES: tuple[str, ...] = ("", "January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December")
# Every name and abbreviation the archive and its askers write, lower case.
MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[MONTH_NAMES[_number].lower()] = _number
    MONTHS[MONTH_NAMES[_number][:3].lower()] = _number
MONTHS["sept"] = 9

# Regex fragments without groups, for patterns compiled with re.IGNORECASE. Longest names first, so a match
# takes the whole name ("September", not "Sep").
MONTH_NAME_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
# The three letters every name of a month starts with: enough to recognise a date line cut short ("Septem").
MONTH_STEM_RE = "|".join(dict.fromkeys(name[:3] for name in MONTHS))
# "October 11, 1956", "September 01, 1952", "February, 1950", "September 1966", "1948", "6 October 1958"
_DATE_LINE = re.compile(
    rf"""^(?:
        (?P<m1>{MONTH_NAME_RE})\.?\s+(?P<d1>\d{{1,2}}),?\s+(?P<y1>\d{{4}})   # October 11, 1956
      | (?P<d2>\d{{1,2}})\s+(?P<m2>{MONTH_NAME_RE})\.?,?\s+(?P<y2>\d{{4}})   # 11 October 1956
      | (?P<m3>{MONTH_NAME_RE})\.?,?\s+(?P<y3>\d{{4}})                     # February, 1950
      | (?P<y4>\d{{4}})                                               # 1948
      | (?P<iso>\d{{4}}-\d{{2}}(?:-\d{{2}})?)                           # 1958-09-27
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

MIN_YEAR, MAX_YEAR = 1000, 2100


class Precision(StrEnum):
    """How much of a date the source gave; stored as its value."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    NONE = "none"


@dataclass(frozen=True)
class ArchiveDate:
    """A date as precise as the archive wrote it; all-None means undated."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    def sort_key(self) -> tuple[int, int, int]:
        """Chronological order, a month before its days, undated first (callers put them last if they wish)."""
        return (self.year or 0, self.month or 0, self.day or 0)

    @property
    def precision(self) -> Precision:
        if self.year is None:
            return Precision.NONE
        if self.month is None:
            return Precision.YEAR
        if self.day is None:
            return Precision.MONTH
        return Precision.DAY

    def iso(self) -> str | None:
        if self.year is None:
            return None
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def human(self) -> str:
        """The citation form: 'September 27, 1958', 'February 1950', '1966' or 'undated'."""
        if self.year is None:
            return "undated"
        if self.month is None:
            return str(self.year)
        if self.day is None:
            return f"{MONTH_NAMES[self.month]} {self.year}"
        return f"{MONTH_NAMES[self.month]} {self.day}, {self.year}"

    def __reduce__(self) -> tuple[type[ArchiveDate], tuple[int | None, int | None, int | None]]:
        """Pickled as its constructor's arguments (records cross to the main process so): compiled by mypyc, a
        native class has no `__dict__`, and the default pickling's `__setstate__` meets the frozen `__setattr__`."""
        return ArchiveDate, (self.year, self.month, self.day)

    @classmethod
    def from_iso(cls, text: str | None) -> ArchiveDate:
        if not text:
            return cls()
        parts = [int(p) for p in text.split("-")]
        return cls(*parts)


UNDATED = ArchiveDate()


def month_number(name: str) -> int:
    """1-12 for a name in MONTHS, with or without its abbreviation's full stop."""
    return MONTHS[name.lower().rstrip(".")]


def valid_date(year: int, month: int | None = None, day: int | None = None) -> bool:
    """A year the archive can hold, a real month, a day that month has (there is no 'February 30')."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return False
    if month is not None and not 1 <= month <= 12:
        return False
    if day is not None:
        if month is None:
            return False
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return False
    return True


@dataclass(frozen=True)
class DateLine:
    """A line written as a date. `impossible_day`: it names a day its month lacks ('February 30, 1958'), so
    `date` keeps the month and year it did name, never the year alone, and the caller can say so."""

    date: ArchiveDate
    impossible_day: bool = False


# Date lines read, by their text: a listing of 100,000 records writes a few thousand dates, each many times.
_READ: dict[str, DateLine] = {}
_READ_MAX = 50_000


def read_date(text: str) -> DateLine | None:
    """Read a whole date line; None when the line is not a date (so callers can tell titles from dates).

    Every paragraph of a listing is asked, summaries too: one that does not end in a digit (trailing spaces
    and dots aside), as every date line does, is turned away before it is normalised and matched. A date line
    read before is looked up (its DateLine is frozen: shared safely)."""
    known = _READ.get(text)
    if known is not None:
        return known
    if not _ends_in_digit(text):
        return None
    line = _read_date_line(text)
    if line is not None and len(_READ) < _READ_MAX:
        _READ[text] = line
    return line


def _read_date_line(text: str) -> DateLine | None:
    s = " ".join(text.split()).strip(" .")
    if not s:
        return None
    m = _DATE_LINE.match(s)
    if not m:
        return None
    g = m.groupdict()
    if g["iso"]:
        parts = [int(p) for p in g["iso"].split("-")]
        year, month, day = parts[0], parts[1], (parts[2] if len(parts) > 2 else None)
    elif g["y1"]:
        year, month, day = int(g["y1"]), month_number(g["m1"]), int(g["d1"])
    elif g["y2"]:
        year, month, day = int(g["y2"]), month_number(g["m2"]), int(g["d2"])
    elif g["y3"]:
        year, month, day = int(g["y3"]), month_number(g["m3"]), None
    else:
        year, month, day = int(g["y4"]), None, None
    if not valid_date(year, month):
        return None
    if day is not None and not valid_date(year, month, day):
        return DateLine(ArchiveDate(year, month), impossible_day=True)
    return DateLine(ArchiveDate(year, month, day))


def _ends_in_digit(text: str) -> bool:
    """Does `text` end in a digit (`\\d`) once trailing whitespace and dots are set aside?"""
    last = text[-1:]
    if last.isdecimal():
        return True
    if last != "." and not last.isspace():  # most titles and summaries: no copy of them is made
        return False
    end = text.rstrip()
    while end.endswith("."):
        end = end[:-1].rstrip()
    return end[-1:].isdecimal()


def parse_date(text: str) -> ArchiveDate | None:
    """The date a date line names (see `read_date`); None when the line is not a date."""
    line = read_date(text)
    return line.date if line is not None else None


_LEAP_YEAR = 2000  # a day of "some year": every month has all its days, 29 February too
_MONTH_DAY = re.compile(
    rf"""^(?:(?P<m1>\d{{1,2}})[-/.](?P<d1>\d{{1,2}})            # 09-27, 9/27
         | (?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{MONTH_NAME_RE})\.?   # 27 September
         | (?P<m3>{MONTH_NAME_RE})\.?\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?)$          # September 27
    """,
    re.IGNORECASE | re.VERBOSE,
)


def parse_month_day(text: str) -> tuple[int, int] | None:
    """'09-27', '27 September', 'Sept 27th' -> (9, 27); None unless it is a real day of some year."""
    m = _MONTH_DAY.match(" ".join(text.split()).strip(" ."))
    if not m:
        return None
    g = m.groupdict()
    if g["m1"]:
        month, day = int(g["m1"]), int(g["d1"])
    elif g["m2"]:
        month, day = month_number(g["m2"]), int(g["d2"])
    else:
        month, day = month_number(g["m3"]), int(g["d3"])
    if not valid_date(_LEAP_YEAR, month, day):
        return None
    return month, day
