"""The one rule for reading a page's bytes as text: its declaration if it has one, else the majority.

A page that is mostly valid UTF-8 is UTF-8 even when a few bytes are not (one stray Windows-1252 byte would
otherwise turn every accent and curly quote on the page into mojibake); those bytes read as U+FFFD and are
counted, so ingest can report the repair. A page whose non-ASCII bytes are mostly not UTF-8 is Windows-1252,
what the archive's old pages use.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Decoding", "FileChunks", "choose_encoding", "decode"]

# One complete, well-formed UTF-8 sequence of two to four bytes (RFC 3629: no overlongs, no surrogates).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_ASCII = bytes(range(128))
_BELOW_LEAD = bytes(range(0xC0))
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"


@dataclass(frozen=True)
class Decoding:
    """How a page's bytes become text: a Python codec, and how many bytes it could not read (now U+FFFD)."""

    codec: str
    replaced: int = 0


@dataclass
class _Tally:
    utf8: int = 0  # well-formed multi-byte UTF-8 sequences
    invalid: int = 0  # non-ASCII bytes outside any of them
    undefined: int = 0  # bytes Windows-1252 leaves undefined

    def add(self, chunk: bytes) -> None:
        self.undefined += len(chunk) - len(chunk.translate(None, _CP1252_UNDEFINED))
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            rest, sequences = _UTF8_SEQUENCE.subn(b"", chunk)
            self.utf8 += sequences
            self.invalid += len(rest.translate(None, _ASCII))
        else:  # all well-formed (the common case, at C speed): one sequence per lead byte
            self.utf8 += len(chunk.translate(None, _BELOW_LEAD))


def choose_encoding(chunks: Iterable[bytes], declared: str | None = None) -> Decoding:
    """Read the bytes (in any number of pieces) and say how to decode them.

    `declared` is a codec the page names for itself; without one, UTF-8 wins when its sequences outnumber
    the bytes that are not UTF-8, else Windows-1252. Bytes that are all UTF-8 (nearly every page) are read once,
    by the decoder alone; `chunks` is read a second time, to count, only when some are not or the page declares
    Windows-1252 (so it must give the same bytes again: a list, or `FileChunks`).
    """
    utf8 = declared is None or _is_utf8(declared)
    if declared is not None and not utf8 and declared != "cp1252":
        return Decoding(declared)  # another declared codec: decoded with replacement, not counted
    if utf8 and _all_utf8(chunks):
        return Decoding(declared or "utf-8")
    tally = _Tally()
    carry = b""
    for chunk in chunks:
        chunk = carry + chunk
        cut = _unfinished_tail(chunk)
        carry = chunk[cut:]
        tally.add(chunk[:cut])
    tally.add(carry)
    codec = declared or ("utf-8" if tally.invalid == 0 or tally.utf8 > tally.invalid else "cp1252")
    return Decoding(codec, tally.invalid if _is_utf8(codec) else tally.undefined)


def _is_utf8(codec: str) -> bool:
    return codecs.lookup(codec).name in ("utf-8", "utf-8-sig")


def _all_utf8(chunks: Iterable[bytes]) -> bool:
    """Are the bytes well-formed UTF-8 throughout, a sequence cut off at the end included? One pass in C."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class FileChunks:
    """A file's bytes, 64 KiB at a time, as often as they are iterated (pieces of a megabyte left the allocator
    holding ~15 MB more at its peak on a 35 MB file)."""

    path: Path

    def __iter__(self) -> Iterator[bytes]:
        with self.path.open("rb") as fh:
            yield from iter(lambda: fh.read(1 << 16), b"")


def decode(data: bytes, declared: str | None = None) -> tuple[str, Decoding]:
    """A whole page's text and how it was read (see `choose_encoding`)."""
    decoding = choose_encoding([data], declared)
    return data.decode(decoding.codec, errors="replace"), decoding


def _unfinished_tail(chunk: bytes) -> int:
    """Where a UTF-8 sequence cut off by the end of this piece starts (len(chunk) if none is)."""
    for back in range(1, min(3, len(chunk)) + 1):
        byte = chunk[-back]
        if byte < 0x80:
            break
        if byte >= 0xC0:
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return len(chunk) - back if length > back else len(chunk)
    return len(chunk)
