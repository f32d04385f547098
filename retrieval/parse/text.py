"""Text captures of the archive's listing pages, in the three layouts seen on its sites.

- blank-line: `Skip to content` / `Results:` / `1 - 10 of 22` / `Documents`, then date, title and summary
  paragraphs separated by blank lines, ending with `Pagination`; people and place pages put a biography and
  `Popular Documents` before the same paragraphs.
- bullet: `Search in` ... `SEARCH RESULTS`, then each record behind `  • DATE` with its title and summary
  indented below.
- dash: `SEARCH RESULTS`, records separated by a line holding `-`, one line each for date, title, summary.

The parser streams: it holds one record back (the last one of a page may be cut off) and never more than
one paragraph, so a 100,000-record file parses in bounded memory.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..dates import MONTH_STEM_RE, UNDATED, DateLine, read_date
from ..records import PageError, RawRecord, within_caps

MAX_LINE = 1 << 20  # a longer line is not a listing (a 50 MB file of one line, a minified blob)
MAX_PARAGRAPH = 64 * 1024
PEEK_LINES = 80

_COUNT_RE = re.compile(r"^(\d[\d,]*)\s*[-–]\s*(\d[\d,]*)\s+of\s+(\d[\d,]*)$", re.IGNORECASE)
_CHROME = {
    "skip to content", "results:", "documents", "popular documents", "search in",
    "add search filter cancel search filter", "digital archive international history declassified",
    "load more", "show more",
}
_FOOTERS = {"pagination"}
_LISTING_HEADINGS = {"documents", "popular documents"}
_SENTENCE_END = (".", "!", "?", '"', "”", "’", ")", "]")
_MONTH_PREFIX = re.compile(
    rf"^({MONTH_STEM_RE})[a-z]*\.?(\s+\d{{0,2}}(,\s*\d{{0,4}})?|,?\s*\d{{0,3}})?$",
    re.IGNORECASE,
)


def _is_chrome(paragraph: str) -> bool:
    low = paragraph.strip().lower()
    return low in _CHROME or low.startswith("search results") or bool(_COUNT_RE.match(low))


def _looks_like_cut_date(paragraph: str) -> bool:
    """A date line cut short by the capture ('December 2, 1', 'Septem')."""
    s = paragraph.strip()
    return len(s) < 20 and (bool(_MONTH_PREFIX.match(s)) or s.isdigit())


@dataclass
class _Entry:
    date_text: str
    paragraphs: list[str] = field(default_factory=list)
    line: DateLine | None = None  # `date_text` read, where finding the entry read it: not read twice


class TextListing:
    """Iterate `records()` once; afterwards `layout`, `truncated` and `dropped` are known."""

    def __init__(self, lines: Iterable[str], name: str = "page") -> None:
        self._lines = iter(lines)
        self.name = name
        self.layout = "unknown"
        self.truncated = False
        self.dropped = 0
        self.expected: int | None = None  # from a `11 - 20 of 28` header
        self._footer = False
        self._entries = 0

    # -- lines -------------------------------------------------------------------------------------
    def _clean_lines(self) -> Iterator[str]:
        number = 0
        for line in self._lines:
            number += 1
            if len(line) > MAX_LINE:
                raise PageError(f"line {number} is over {MAX_LINE // (1 << 20)} MB long: not a listing")
            line = line.rstrip("\r\n").replace("\x00", "")
            if number == 1:
                line = line.lstrip("\ufeff")
            yield line

    # -- layouts -----------------------------------------------------------------------------------
    def records(self) -> Iterator[RawRecord]:
        lines = self._clean_lines()
        head: list[str] = []
        for line in lines:
            head.append(line)
            if len(head) >= PEEK_LINES:
                break
        self.layout = self._detect(head)
        all_lines = _chain(head, lines)
        entries = {
            "bullet": self._bullet_entries,
            "dash": self._dash_entries,
            "blank-line": self._blank_entries,
        }[self.layout](all_lines)
        pending: _Entry | None = None
        for entry in entries:
            if pending is not None:
                record = self._finish(pending, last=False)
                if record is not None:
                    yield record
            pending = entry
            self._entries += 1
        if pending is not None:
            self.truncated = not self._complete()
            record = self._finish(pending, last=True)
            if record is not None:
                yield record

    @staticmethod
    def _detect(head: list[str]) -> str:
        if any(line.lstrip().startswith("•") for line in head):
            return "bullet"
        if any(line.strip() == "-" for line in head) and any(
            line.strip().upper().startswith("SEARCH RESULTS") for line in head
        ):
            return "dash"
        return "blank-line"

    def _note_header(self, paragraph: str) -> None:
        m = _COUNT_RE.match(paragraph.strip())
        if m:
            first, last = (int(m.group(i).replace(",", "")) for i in (1, 2))
            if last >= first:
                self.expected = last - first + 1

    def _paragraphs(self, lines: Iterable[str]) -> Iterator[tuple[int, str]]:
        """Blank-line separated paragraphs, each with the number of blank lines before it."""
        buf: list[str] = []
        size = blanks = 0
        for line in lines:
            if line.strip():
                buf.append(line.strip())
                size += len(line)
                if size > MAX_PARAGRAPH:
                    raise PageError(f"a paragraph of over {MAX_PARAGRAPH // 1024} KB: not a listing")
            elif buf:
                yield blanks, " ".join(buf)
                buf, size, blanks = [], 0, 1
            else:
                blanks += 1
        if buf:
            yield blanks, " ".join(buf)

    def _blank_entries(self, lines: Iterable[str]) -> Iterator[_Entry]:
        entry: _Entry | None = None
        listing = False  # past the `Documents` heading, or past the first record
        for blanks, paragraph in self._paragraphs(lines):
            if paragraph.strip().lower() in _FOOTERS:
                self._footer = True
                break
            if entry is None and _is_chrome(paragraph):
                self._note_header(paragraph)
                listing = listing or paragraph.strip().lower() in _LISTING_HEADINGS
                continue
            line = read_date(paragraph)
            if line is not None:
                if entry is not None:
                    yield entry
                entry = _Entry(paragraph, line=line)
                listing = True
            elif listing and blanks >= 2:
                # An empty date line shows as a second blank line: an undated record starts here.
                if entry is not None:
                    yield entry
                entry = _Entry("", [paragraph])
            elif entry is not None:
                entry.paragraphs.append(paragraph)
            # paragraphs before the first date: page chrome or a person's biography
        if entry is not None:
            yield entry

    def _bullet_entries(self, lines: Iterable[str]) -> Iterator[_Entry]:
        entry: _Entry | None = None
        buf: list[str] = []
        size = 0

        def flush() -> None:
            nonlocal buf, size
            if buf and entry is not None:
                entry.paragraphs.append(" ".join(buf))
            buf, size = [], 0

        for line in lines:
            s = line.strip()
            if s.startswith("•"):
                flush()
                if entry is not None:
                    yield entry
                entry = _Entry(s[1:].strip())
            elif not s:
                flush()
            elif s.lower() in _FOOTERS:
                self._footer = True
                break
            elif entry is not None:
                buf.append(s)
                size += len(s)
                if size > MAX_PARAGRAPH:
                    raise PageError(f"a paragraph of over {MAX_PARAGRAPH // 1024} KB: not a listing")
        flush()
        if entry is not None:
            yield entry

    def _dash_entries(self, lines: Iterable[str]) -> Iterator[_Entry]:
        started = False
        chunk: list[str] = []
        for line in lines:
            s = line.strip()
            if s == "-":
                if started and chunk:
                    yield self._dash_entry(chunk)
                started, chunk = True, []
                continue
            if not started or not s:
                continue
            if s.lower() in _FOOTERS:
                self._footer = True
                break
            chunk.append(s)
            if len(chunk) > 200:
                raise PageError("an entry of over 200 lines between '-' separators: not a listing")
        if chunk:
            yield self._dash_entry(chunk)

    @staticmethod
    def _dash_entry(chunk: list[str]) -> _Entry:
        line = read_date(chunk[0])
        if line is not None:
            return _Entry(chunk[0], chunk[1:], line)
        return _Entry("", chunk)  # an empty date line: the record is undated

    # -- records -----------------------------------------------------------------------------------
    def _complete(self) -> bool:
        # A `1 - 6 of 6` header that matches the count proves no record is missing, not that the last
        # summary is whole: only the page's footer proves the capture was not cut.
        return self._footer

    def _finish(self, entry: _Entry, last: bool) -> RawRecord | None:
        paragraphs = list(entry.paragraphs)
        partial = False
        if last and self.truncated:
            if paragraphs and _looks_like_cut_date(paragraphs[-1]):
                paragraphs.pop()  # the next record's date line, cut off
            elif len(paragraphs) < 2:
                self.dropped += 1  # cut after the date or inside the title: never store half a title
                return None
            elif len(paragraphs) == 2 and not paragraphs[1].rstrip().endswith(_SENTENCE_END):
                partial = True
        if not paragraphs:
            self.dropped += 1
            return None
        title = paragraphs[0]
        line = entry.line or (read_date(entry.date_text) if entry.date_text else None)
        record = within_caps(RawRecord(
            date_text=" ".join(entry.date_text.split()),
            date=line.date if line else UNDATED,
            title=title,
            summary=paragraphs[1] if len(paragraphs) > 1 else "",
            notes=tuple(paragraphs[2:]),
            summary_partial=partial,
            day_impossible=line is not None and line.impossible_day,
        ))
        if record is None or not any(ch.isalpha() for ch in title):
            self.dropped += 1  # not a title: too long, or no letter in it
            return None
        return record


def _chain(head: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from head
    yield from rest
