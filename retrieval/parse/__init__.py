"""Open any file a user hands to ingest and route it to the parser its content calls for."""
from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..records import PageError, RawRecord
from .html import decode_html, looks_like_html, parse_html
from .text import MAX_LINE, TextListing

__all__ = ["PageError", "PageReader", "open_page"]

MAX_HTML_BYTES = 32 << 20
_SNIFF = 64 * 1024
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class PageReader:
    """One file's records, produced lazily; `layout`, `truncated` and `dropped` are final after iteration."""

    path: Path
    kind: str  # "text" | "html"
    encoding: str | None = None  # a text file's; an HTML page is decoded by decode_html from its own declaration
    layout: str = "unknown"
    truncated: bool = False
    dropped: int = 0
    count: int = 0
    size: int = 0
    _position: Callable[[], int] | None = field(default=None, repr=False)

    def bytes_read(self) -> int:
        """How far into the file parsing has got, for progress bars."""
        return self._position() if self._position else self.size

    def records(self) -> Iterator[RawRecord]:
        if self.kind == "html":
            yield from self._html_records()
        else:
            yield from self._text_records()
        if self.count == 0:
            raise PageError(self._no_records_reason())

    def _no_records_reason(self) -> str:
        if self.dropped:
            return "no complete record: the page is cut off before its first record ends"
        return "no archive records found: not a listing page of the archive"

    def _text_records(self) -> Iterator[RawRecord]:
        with self.path.open("rb") as raw:
            self._position = raw.tell
            # UTF-8 was validated by open_page; Windows-1252 leaves five bytes undefined: show, don't fail.
            text = io.TextIOWrapper(raw, encoding=self.encoding, errors="replace", newline=None)
            lines = iter(lambda: text.readline(MAX_LINE + 1), "")
            listing = TextListing(lines, name=str(self.path))
            try:
                for record in listing.records():
                    self.count += 1
                    yield record
            finally:
                self._position = None
                self.layout, self.truncated, self.dropped = listing.layout, listing.truncated, listing.dropped

    def _html_records(self) -> Iterator[RawRecord]:
        page = parse_html(decode_html(self.path.read_bytes()))
        self.layout, self.truncated, self.dropped = page.layout, page.truncated, page.dropped
        for record in page.records:
            self.count += 1
            yield record


def open_page(path: str | Path) -> PageReader:
    """Check a file is a readable text or HTML page and pick its encoding; raises PageError if not."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_SNIFF)
    except IsADirectoryError:
        raise PageError("is a folder") from None
    except FileNotFoundError:
        raise PageError("no such file") from None
    except PermissionError:
        raise PageError("permission denied") from None
    except OSError as exc:
        raise PageError(f"cannot be read ({exc.strerror or exc})") from None
    if not head.strip():
        raise PageError("empty file")
    bom_encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), None)
    if bom_encoding is None and _is_binary(head):
        raise PageError("binary file, not a text or HTML listing")
    sniff_text = head.decode(bom_encoding or "latin-1", errors="replace")
    if looks_like_html(sniff_text):
        if size > MAX_HTML_BYTES:
            raise PageError(f"HTML page over {MAX_HTML_BYTES >> 20} MB")
        return PageReader(path, "html", size=size)
    return PageReader(path, "text", bom_encoding or _guess_encoding(path), size=size)


def _is_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) // 20


def _guess_encoding(path: Path) -> str:
    """UTF-8 when the whole file decodes as UTF-8, else Windows-1252 (what the archive's old pages use)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"
