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
_FOOTER_LONGEST = max(map(len, _FOOTERS))
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

    def __init__(self, pieces: Iterable[str], name: str = "page") -> None:
        """`pieces`: the text, in lines or in pieces cut anywhere (lines end at "\n", a "\r" before it dropped)."""
        self._pieces = iter(pieces)
        self.name = name
        self.layout = "unknown"
        self.truncated = False
        self.dropped = 0
        self.expected: int | None = None  # from a `11 - 20 of 28` header
        self._footer = False
        self._entries = 0

    # -- lines -------------------------------------------------------------------------------------
    def _blocks(self) -> Iterator[str]:
        """The text as blocks of whole lines (joined by "\n", without the last one's), cleaned: the pieces it
        came in may be lines or cut anywhere (a reader's fixed-size reads). A block is split into lines, or
        into paragraphs, by one call in C: no generator step per line."""
        carry = ""  # a line not ended yet
        number = 0  # lines before `carry`
        first = True
        for piece in self._pieces:
            text = carry + piece if carry else piece
            cut = text.rfind("\n")
            if cut < 0:
                carry = text
                if len(carry) > MAX_LINE:
                    raise _overlong(number + 1)
                continue
            block, carry = text[:cut], text[cut + 1:]
            lines = block.count("\n") + 1
            if len(block) >= MAX_LINE:  # only a block this long can hold a line that is
                for k, line in enumerate(block.split("\n")):
                    if len(line) >= MAX_LINE:  # with its line end, over the limit
                        raise _overlong(number + k + 1)
            if len(carry) > MAX_LINE:
                raise _overlong(number + lines + 1)
            number += lines
            yield self._cleaned(block, first)
            first = False
        if carry:
            yield self._cleaned(carry, first)

    @staticmethod
    def _cleaned(block: str, first: bool) -> str:
        """Lines without a carriage return at their end or NULs; the text without a byte-order mark."""
        if "\r" in block or "\x00" in block:
            block = "\n".join(line.rstrip("\r").replace("\x00", "") for line in block.split("\n"))
        return block.lstrip("\ufeff") if first else block

    # -- layouts -----------------------------------------------------------------------------------
    def records(self) -> Iterator[RawRecord]:
        blocks = self._blocks()
        head: list[str] = []  # the first blocks, up to PEEK_LINES lines
        lines = 0
        for block in blocks:
            head.append(block)
            lines += block.count("\n") + 1
            if lines >= PEEK_LINES:
                break
        self.layout = self._detect("\n".join(head).split("\n")[:PEEK_LINES])
        all_blocks = _chain(head, blocks)
        entries = {
            "bullet": self._bullet_entries,
            "dash": self._dash_entries,
            "blank-line": self._blank_entries,
        }[self.layout]
        pending: _Entry | None = None
        for entry in entries(all_blocks):
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

    @staticmethod
    def _paragraphs(blocks: Iterable[str]) -> Iterator[tuple[int, str]]:
        """Blank-line separated paragraphs, each with the number of blank lines before it: each block is cut at
        its runs of blank lines by one split in C; the paragraph it ends in may go on in the next block, which
        is cut with it."""
        open_ = ""  # the lines of a paragraph no blank line has ended yet, each with its line end
        blanks = 0  # blank lines before the next paragraph
        for block in blocks:
            text = f"{open_}{block}\n"
            if not open_:
                lead = _LEADING_BLANKS.match(text).end()  # type: ignore[union-attr]  # matches anything
                if lead:
                    blanks += text.count("\n", 0, lead)
                    text = text[lead:]
            pieces = _BLANK_RUNS.split(text)  # paragraph, blank lines, ..., paragraph, blank lines, the rest
            for k in range(0, len(pieces) - 1, 2):
                yield blanks, _paragraph(pieces[k])
                blanks = pieces[k + 1].count("\n") - 1  # the run's first line end is the paragraph's
            open_ = pieces[-1]
            if len(open_) > MAX_PARAGRAPH:
                _paragraph(open_)  # refused once it is too long, not only once it ends
        if open_:
            yield blanks, _paragraph(open_)

    def _blank_entries(self, blocks: Iterable[str]) -> Iterator[_Entry]:
        entry: _Entry | None = None
        listing = False  # past the `Documents` heading, or past the first record
        for blanks, paragraph in self._paragraphs(blocks):
            if len(paragraph) <= _FOOTER_LONGEST and paragraph.lower() in _FOOTERS:  # paragraphs come stripped
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

    def _bullet_entries(self, blocks: Iterable[str]) -> Iterator[_Entry]:
        entry: _Entry | None = None
        buf: list[str] = []
        size = 0

        def flush() -> None:
            nonlocal buf, size
            if buf and entry is not None:
                entry.paragraphs.append(" ".join(buf))
            buf, size = [], 0

        for line in _lines(blocks):
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

    def _dash_entries(self, blocks: Iterable[str]) -> Iterator[_Entry]:
        started = False
        chunk: list[str] = []
        for line in _lines(blocks):
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
        if record is None or not (title[:1].isalpha() or any(ch.isalpha() for ch in title)):
            self.dropped += 1  # not a title: too long, or no letter in it
            return None
        return record


def _chain(head: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from head
    yield from rest


def _overlong(number: int) -> PageError:
    return PageError(f"line {number} is over {MAX_LINE // (1 << 20)} MB long: not a listing")


def _lines(blocks: Iterable[str]) -> Iterator[str]:
    for block in blocks:
        yield from block.split("\n")


# The line end of a paragraph's last line and the blank lines after it (nothing but whitespace on them), as one
# group for `split`; a search for it skips in C from one line end to the next.
_BLANK_RUNS = re.compile(r"(\n\s*\n)")
# Blank lines at the start of a text.
_LEADING_BLANKS = re.compile(r"(?:[^\S\n]*\n)*")


def _paragraph(lines: str) -> str:
    """Lines (the last perhaps with its line end), stripped and joined by spaces; refused when too long."""
    if len(lines) > MAX_PARAGRAPH and len(lines) - lines.count("\n") > MAX_PARAGRAPH:
        raise PageError(f"a paragraph of over {MAX_PARAGRAPH // 1024} KB: not a listing")
    lines = lines.removesuffix("\n")
    if "\n" not in lines:
        return lines.strip()
    return " ".join(line.strip() for line in lines.split("\n"))
