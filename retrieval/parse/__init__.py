"""Open any file a user hands to ingest and route it to the parser its content calls for."""
from __future__ import annotations

import codecs
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..records import PageError, RawRecord, Repair, RepairKind
from .docpage import challenge_reason, read_site_page
from .encoding import Decoding, FileChunks, choose_encoding
from .html import HtmlListing, decode_html, looks_like_html
from .text import TextListing

__all__ = ["PageError", "PageReader", "open_page"]

MAX_HTML_BYTES = 32 << 20
_SNIFF = 64 * 1024
READ_CHARS = 64 * 1024  # a text page is read in pieces of this many characters, cut anywhere
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass
class PageReader:
    """One file's records, produced lazily; `layout`, `truncated`, `dropped`, `decoding` and `repairs()` are
    final after iteration."""

    path: Path
    kind: str  # "text" | "html"
    decoding: Decoding | None = None  # a text file's is chosen on opening; an HTML page's when it is read
    layout: str = "unknown"
    truncated: bool = False
    dropped: int = 0
    count: int = 0
    size: int = 0
    flagged: Counter[RepairKind] = field(default_factory=Counter)
    _position: Callable[[], int] | None = field(default=None, repr=False)

    def bytes_read(self) -> int:
        """How far into the file parsing has got, for progress bars."""
        return self._position() if self._position else self.size

    def repairs(self) -> tuple[Repair, ...]:
        """What was mended or flagged rather than refused, in RepairKind order."""
        counts = Counter(self.flagged)
        if self.decoding is not None:
            counts[RepairKind.BYTES_REPLACED] = self.decoding.replaced
        return tuple(Repair(kind, counts[kind]) for kind in RepairKind if counts[kind])

    def records(self) -> Iterator[RawRecord]:
        source = self._html_records() if self.kind == "html" else self._text_records()
        for record in source:
            self.count += 1
            if record.day_impossible:  # rare: an enum key hashes in Python
                self.flagged[RepairKind.IMPOSSIBLE_DAY] += 1
            if record.fields_cut:
                self.flagged[RepairKind.FIELD_CUT] += 1
            yield record
        if self.count == 0:
            raise PageError(self._no_records_reason())

    def _no_records_reason(self) -> str:
        if self.dropped:
            return "no complete record: the page is cut off before its first record ends"
        return "no archive records found: not a listing page of the archive"

    def _text_records(self) -> Iterator[RawRecord]:
        codec = self.decoding.codec if self.decoding else "utf-8"
        with self.path.open("rb") as raw:
            self._position = raw.tell
            # Bytes the chosen codec cannot read show as U+FFFD (counted in `decoding`), never fail the file.
            text = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline=None)
            listing = TextListing(iter(lambda: text.read(READ_CHARS), ""), name=str(self.path))
            try:
                yield from listing.records()
            finally:
                self._position = None
                self.layout, self.truncated, self.dropped = listing.layout, listing.truncated, listing.dropped

    def _html_records(self) -> Iterator[RawRecord]:
        text, self.decoding = decode_html(self.path.read_bytes())
        site_page = read_site_page(text)
        if site_page is not None:
            self.layout, self.truncated, self.dropped = site_page.kind, site_page.truncated, site_page.dropped
            self.flagged[RepairKind.METADATA_CUT] += site_page.metadata_cut
            yield from site_page.records
            return
        reason = challenge_reason(text)
        if reason is not None:
            raise PageError(f"not a document page of the archive: {reason}")
        listing = HtmlListing(text)
        self.layout = "html"
        try:
            yield from listing.records()
        finally:
            self.truncated, self.dropped = listing.truncated, listing.dropped


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
    return PageReader(path, "text", _file_decoding(path, bom_encoding), size=size)


def _is_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) // 20


def _file_decoding(path: Path, bom_encoding: str | None) -> Decoding:
    """A text file's encoding by the one rule (encoding.choose_encoding)."""
    return choose_encoding(FileChunks(path), bom_encoding)
