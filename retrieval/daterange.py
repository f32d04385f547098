"""Dates named in a question, as an inclusive range of days, and how a record's date falls in one.

A record dated only by month or year matches a range that contains its whole month or year; an undated record
never matches a date constraint.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from .dates import MONTH_NAME_RE, MONTH_NAMES, ArchiveDate, month_number, valid_date

_M = MONTH_NAME_RE  # short, for the patterns below
_YEAR = r"(1[89]\d\d|20\d\d)"
ONE_DAY = timedelta(days=1)
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    @classmethod
    def of(cls, d: ArchiveDate) -> DateRange | None:
        """The days a record's date may stand for: one day, a whole month, a whole year."""
        if d.year is None:
            return None
        if d.month is None:
            return cls(date(d.year, 1, 1), date(d.year, 12, 31))
        if d.day is None:
            return cls.month(d.year, d.month)
        return cls(date(d.year, d.month, d.day), date(d.year, d.month, d.day))

    @classmethod
    def from_iso(cls, start: str, end: str) -> DateRange:
        return cls(date.fromisoformat(start), date.fromisoformat(end))

    @classmethod
    def years(cls, first: int | None, last: int | None) -> DateRange:
        """Whole years; a missing end is open (from the year 1, to the year 9999)."""
        return cls(date(first or 1, 1, 1), date(last or 9999, 12, 31))

    @classmethod
    def month(cls, year: int, month: int) -> DateRange:
        return cls(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    def contains(self, other: DateRange) -> bool:
        return self.start <= other.start and other.end <= self.end

    def intersect(self, other: DateRange) -> DateRange | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return DateRange(start, end) if start <= end else None

    def describe(self) -> str:
        s, e = self.start, self.end
        if s.year == 1 and e.year == 9999:
            return "any date"
        if s.year == 1:
            return f"before {_day(e + ONE_DAY)}" if (e.month, e.day) != (12, 31) else f"up to {e.year}"
        if e.year == 9999:
            return f"from {_day(s)}" if (s.month, s.day) != (1, 1) else f"from {s.year}"
        if s == e:
            return _day(s)
        if (s.month, s.day, e.month, e.day) == (1, 1, 12, 31):
            return str(s.year) if s.year == e.year else f"{s.year}–{e.year}"
        if s.day == 1 and e.day == calendar.monthrange(e.year, e.month)[1] and (s.year, s.month) == (e.year, e.month):
            return f"{MONTH_NAMES[s.month]} {s.year}"
        return f"{_day(s)} – {_day(e)}"


def _day(d: date) -> str:
    return f"{d.day} {MONTH_NAMES[d.month]} {d.year}"


def _span(year: int, month: int, day: int | None = None) -> DateRange | None:
    """The days a date the question names stands for; None for a day no calendar has ('30 February')."""
    return DateRange.of(ArchiveDate(year, month, day)) if valid_date(year, month, day) else None


# Order matters: longer, more specific forms first; each match is removed from the question's words.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("between", re.compile(rf"\b(?:between|from)\s+{_YEAR}\s+(?:and|to|till|until|-|–)\s+{_YEAR}\b", re.I)),
    ("span", re.compile(rf"\b{_YEAR}\s*(?:-|–|to)\s*{_YEAR}\b", re.I)),
    ("decade", re.compile(
        r"\b(?:in\s+|during\s+)?(?:the\s+)?(?:(early|mid|late)[\s-]+)?(1[89]\d0|20\d0|[4-9]0)'?s\b", re.I)),
    # "from 1952" alone is that year ("documents from 1952"); "from 1952 on" is open-ended, as "since 1952"
    ("before", re.compile(
        rf"\b(before|prior to|until|till|up to|by|after|since|from)\s+(?:({_M})\.?\s+)?{_YEAR}"
        r"(\s+on(?:wards?)?\b)?", re.I)),
    ("dmy", re.compile(rf"\b(?:on\s+)?(?:the\s+)?{_DAY}\s+(?:of\s+)?({_M})\.?,?\s+{_YEAR}\b", re.I)),
    ("mdy", re.compile(rf"\b(?:on\s+)?({_M})\.?\s+{_DAY},?\s+{_YEAR}\b", re.I)),
    ("iso", re.compile(r"\b(1[89]\d\d|20\d\d)-(\d{2})(?:-(\d{2}))?\b")),
    ("my", re.compile(rf"\b(?:in\s+)?({_M})\.?,?\s+(?:of\s+)?{_YEAR}\b", re.I)),
    ("year", re.compile(rf"\b(?:in\s+|during\s+|of\s+)?{_YEAR}\b", re.I)),
]


# Every pattern above holds an ASCII digit (a year, a decade's "0", a day before a year): a question without one
# names no date, and is not run through the nine patterns (most questions are words alone).
_ANY_DIGIT = re.compile(r"[0-9]")


def extract_dates(question: str) -> tuple[DateRange | None, str]:
    """The date constraint a question names (every one of them intersected) and the question without it."""
    if _ANY_DIGIT.search(question) is None:
        return None, question
    return _extract_dates(question)


def _extract_dates(question: str) -> tuple[DateRange | None, str]:
    """`extract_dates` by every pattern in turn."""
    found: list[DateRange] = []
    rest = question
    for kind, pattern in _PATTERNS:
        rest = pattern.sub(partial(_take, kind, found), rest)
    if not found:
        return None, question
    total = found[0]
    for rng in found[1:]:
        both = total.intersect(rng)
        total = both if both is not None else DateRange(min(total.start, rng.start), max(total.end, rng.end))
    return total, " ".join(rest.split())


def _take(kind: str, found: list[DateRange], m: re.Match[str]) -> str:
    """Note the range a match names and drop it from the question; keep text that names no real day."""
    rng = _range(kind, m)
    if rng is None:
        return m.group(0)
    found.append(rng)
    return " "


def _range(kind: str, m: re.Match[str]) -> DateRange | None:
    g = m.groups()
    if kind in ("between", "span"):
        first, last = sorted((int(g[0]), int(g[1])))
        return DateRange.years(first, last)
    if kind == "decade":
        qualifier, decade = (g[0] or "").lower(), int(g[1])
        if decade < 100:
            decade += 1900
        first, last = decade, decade + 9
        if qualifier == "early":
            last = decade + 3
        elif qualifier == "mid":
            first, last = decade + 3, decade + 6
        elif qualifier == "late":
            first = decade + 6
        return DateRange.years(first, last)
    if kind == "before":
        word, month, year = g[0].lower(), g[1], int(g[2])
        if word in ("before", "prior to"):
            limit = date(year, month_number(month), 1) if month else date(year, 1, 1)
            return DateRange(date(1, 1, 1), limit - ONE_DAY)
        if word in ("until", "till", "up to", "by"):
            end = DateRange.month(year, month_number(month)).end if month else date(year, 12, 31)
            return DateRange(date(1, 1, 1), end)
        if word == "after":
            start = DateRange.month(year, month_number(month)).end + ONE_DAY if month else date(year + 1, 1, 1)
            return DateRange(start, date(9999, 12, 31))
        if word == "from" and not g[3]:
            return DateRange.month(year, month_number(month)) if month else DateRange.years(year, year)
        start = date(year, month_number(month), 1) if month else date(year, 1, 1)  # since, from ... on
        return DateRange(start, date(9999, 12, 31))
    if kind == "dmy":
        return _span(int(g[2]), month_number(g[1]), int(g[0]))
    if kind == "mdy":
        return _span(int(g[2]), month_number(g[0]), int(g[1]))
    if kind == "iso":
        return _span(int(g[0]), int(g[1]), int(g[2]) if g[2] else None)
    if kind == "my":
        return DateRange.month(int(g[1]), month_number(g[0]))
    if kind == "year":
        return DateRange.years(int(g[0]), int(g[0]))
    return None


_TITLE_DATE = re.compile(
    rf"\b(?:{_DAY}\s+({_M})\.?,?\s+{_YEAR}|({_M})\.?\s+{_DAY},?\s+{_YEAR})\b", re.I
)


def dates_in_title(title: str) -> list[ArchiveDate]:
    """Full dates a title names ('..., 24 December 1951'): also dates of the record when matching."""
    found = []
    for m in _TITLE_DATE.finditer(title):
        if m.group(1):
            day, month, year = int(m.group(1)), month_number(m.group(2)), int(m.group(3))
        else:
            month, day, year = month_number(m.group(4)), int(m.group(5)), int(m.group(6))
        if valid_date(year, month, day):
            found.append(ArchiveDate(year, month, day))
    return found
