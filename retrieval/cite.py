"""Citations as plain data, in the archive's own form:
`"Title", Date, Wilson Center Digital Archive, Source. https://digitalarchive.wilsoncenter.org/document/<Record ID>`.

The link is the best one known: /document/<Record ID>, else the document's own page, and only without either a
search of the archive for the title. `Citation.link` says which, so a front end never words a search as "Open".

What takes work to derive (the link, the names in reading order, the collapsed fields) is `Derived`, kept in the
record's shown row (retrieval/shown.py) so a search cites its hits without deriving it again; `cite` is the one
rule, and a record without a row derives it as it is read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from .dates import UNDATED, ArchiveDate
from .frozen import make_in_order
from .people import name_key
from .records import DocumentInfo, Record, Role
from .site import ARCHIVE_NAME, ARCHIVE_URL

URL_MAX = 512  # the longest link a chat platform takes everywhere (Discord refuses longer link buttons)
# A link that is safe to show as it is: http(s), and none of the characters that could open markup, a
# mention or a masked link around it (brackets, parentheses, angle brackets, backticks, backslashes, @, quotes).
SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f<>\[\]()`\\@\"']+", re.IGNORECASE)
_UNSAFE_IN_PATH = re.compile(r"[\s\x00-\x1f\x7f<>\[\]()`\\@\"'{}|^]")  # SAFE_URL's and BibTeX's
RECORD_ID = re.compile(r"\d{1,12}")
_PARENTHESIS = re.compile(r"\s*(\([^()]*\))\s*$")
# urllib's quote_plus as one table over the UTF-8 bytes: what it leaves alone stays, a space is "+", every other
# byte is %XX. quote_plus looks each byte up in turn, a tenth of a millisecond per hit cited by a search link.
_ALWAYS_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_PLUS_QUOTED = {byte: chr(byte) if byte in _ALWAYS_SAFE else "+" if byte == 0x20 else f"%{byte:02X}"
                for byte in range(256)}


class LinkKind(StrEnum):
    """What a citation's link leads to; a front end words its button by it ("Open" only for a real link)."""

    DOCUMENT = "document"  # /document/<Record ID>: the archive's stable address of the document
    PAGE = "page"  # the document's own page (its canonical URL, or the /document/ link a listing gave)
    SEARCH = "search"  # no link is known: the archive's search for the title


# How each kind of link starts: a shown row keeps only the rest (a search link is ~70 characters of a title's).
_LINK_START = {LinkKind.DOCUMENT: f"{ARCHIVE_URL}/document/", LinkKind.PAGE: "",
               LinkKind.SEARCH: f"{ARCHIVE_URL}/search?search_api_fulltext="}
_LINK_KINDS = tuple(LinkKind)  # a row's link kind is its place here


@dataclass(frozen=True)
class Citation:
    title: str  # whitespace collapsed: a title with a line break cites on one line
    date: str  # as precise as the source: "September 27, 1958", "February 1950", "1966", "undated"
    participants: tuple[str, ...]
    archive: str
    url: str  # always http(s), at most URL_MAX characters, free of markup and mention characters
    link: LinkKind
    when: ArchiveDate = UNDATED
    authors: tuple[str, ...] = ()  # sort form as the archive writes them ("Zhou, Enlai"), else the author roles
    author_names: tuple[str, ...] = ()  # the same authors in reading order ("Zhou Enlai")
    source: str = ""  # the archive's "Source": the original's location, translator, contributor
    original_archive: str = ""
    doc_type: str = ""
    languages: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    record_id: str | None = None
    summary: str = ""
    scan_url: str | None = None  # the scan's link when known and usable

    @property
    def link_is_search(self) -> bool:
        return self.link is LinkKind.SEARCH

    @property
    def lead(self) -> str:
        """The citation without its URL, ending in a full stop: `"Title", Date, Archive, Source.`"""
        parts = [f'"{self.title}"', self.date, self.archive]
        if self.source:
            parts.append(self.source)
        lead = ", ".join(parts)
        return lead if lead.endswith((".", "?", "!")) else lead + "."

    @property
    def text(self) -> str:
        return f"{self.lead} {self.url}"


def quote_plus(text: str) -> str:
    """`urllib.parse.quote_plus(text)`, the same string, at a fraction of the cost."""
    return text.encode().decode("latin-1").translate(_PLUS_QUOTED)


def search_url(title: str) -> str:
    """The archive's search for `title`, its words dropped from the end until the URL fits URL_MAX."""
    words = title[: URL_MAX + 1].split()  # encoding never shortens text: no more of the title can fit
    while True:
        url = _LINK_START[LinkKind.SEARCH] + quote_plus(" ".join(words))
        if len(url) <= URL_MAX:
            return url
        words = words[:-1] if len(words) > 1 else [words[0][: len(words[0]) // 2]]


def usable_url(url: str | None) -> bool:
    """A link the bot can send as is: http(s), short enough, and nothing a chat could read as markup."""
    return url is not None and len(url) <= URL_MAX and SAFE_URL.fullmatch(url) is not None


def linkable(url: str | None) -> str | None:
    """`url` as a link the bot can send, or None: a path on the archive ("/sites/…/scan.pdf") made absolute,
    and the characters a chat would read as markup percent-encoded after the host (the same address)."""
    if not url or not url.strip():
        return None
    absolute = urljoin(ARCHIVE_URL + "/", url.strip())
    parts = urlsplit(absolute)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    head = f"{parts.scheme}://{parts.netloc}"
    tail = _UNSAFE_IN_PATH.sub(lambda m: quote(m.group(0), safe=""), absolute[len(head):])
    candidate = head + tail
    return candidate if usable_url(candidate) else None


def document_link(record: Record) -> tuple[str, LinkKind]:
    """The best link to `record`: /document/<Record ID>, its page, else a search for its title."""
    info = record.info
    if info is not None and info.record_id and RECORD_ID.fullmatch(info.record_id.strip()):
        return _LINK_START[LinkKind.DOCUMENT] + info.record_id.strip(), LinkKind.DOCUMENT
    pages = [info.canonical_url if info is not None else None]
    if record.url and "/document/" in urlsplit(record.url).path.lower():
        pages.append(record.url)
    for page in pages:
        if (url := linkable(page)) is not None:
            return url, LinkKind.PAGE
    return search_url(record.title), LinkKind.SEARCH


def reading_name(written: str, known: tuple[str, ...] = ()) -> str:
    """A name written "Last, First" in reading order: the participant of the same words when there is one
    ("Zhou, Enlai" is "Zhou Enlai", not "Enlai Zhou"), else the parts turned ("Nehru, Ratan Kumar" is "Ratan
    Kumar Nehru"), a parenthesis kept at the end. A name without a comma (a body) is as written."""
    if "," not in written:
        return written
    words = sorted(name_key(written).split())
    for name in known:
        if sorted(name_key(name).split()) == words:
            return name
    match = _PARENTHESIS.search(written)
    aside = f" {match.group(1)}" if match else ""
    core = written[:match.start()] if match else written
    last, _, first = core.partition(",")
    return f"{first.strip()} {last.strip()}{aside}".strip()


Derived = tuple[Any, ...]
"""A citation's derived fields as plain values (msgpack packs them): the link's rest after `_LINK_START` and its
kind's place in LinkKind, then the title, authors, author names, source, original archive, document type, record id
and scan link, each None when it is the record's own value (its link, its title, its document's field; the authors
for the names), and those at the end left out (a listing's record: the link alone). Changing it changes
shown.FORMAT."""


def derived(record: Record) -> Derived:
    """What `cite` derives from `record` beyond its plain fields."""
    url, link = document_link(record)
    info = record.info or _LISTING  # a listing's record (most of the archive): every field of its page empty
    if info.authors:
        authors = tuple([" ".join(a.split()) for a in info.authors])
        took_part = tuple([p.name for p in record.participants])
        names: tuple[str, ...] | None = tuple([reading_name(a, took_part) for a in authors])
    else:
        authors = tuple([p.name for p in record.participants if p.role is Role.AUTHOR])
        names = None
    title = " ".join(record.title.split())
    record_id = info.record_id.strip() if info.record_id else None
    rest = None if link is LinkKind.PAGE and url == record.url else url[len(_LINK_START[link]):]
    values = [rest, _LINK_KINDS.index(link),
              _unless(title, record.title),
              _unless(authors, info.authors), _unless(names, authors),
              _unless(" ".join(info.source.split()), info.source),
              _unless(" ".join(info.original_archive.split()), info.original_archive),
              _unless(info.doc_type.strip(), info.doc_type), _unless(record_id, info.record_id or None),
              linkable(info.scan_url)]
    while values[-1] is None:
        values.pop()
    return tuple(values)


def _unless(value: Any, own: Any) -> Any:
    """None for a value that is the record's own (the row keeps it once)."""
    return None if value == own else value


_ABSENT: Derived = (None,) * 10  # what `derived` left off its end
_NAME = attrgetter("name")


def cited(record: Record, values: Derived) -> Citation:
    """`record`'s citation from its `derived` values (from its shown row, or derived as it was read)."""
    rest, link, title, authors, names, source, original, doc_type, record_id, scan = values + _ABSENT[len(values):]
    kind = _LINK_KINDS[link]
    info = record.info or _LISTING
    authors = info.authors if authors is None else authors
    return make_in_order(Citation, (  # Citation's fields in order
        record.title if title is None else title, record.date.human(), tuple(map(_NAME, record.participants)),
        ARCHIVE_NAME, _link(record, kind, rest), kind, record.date, authors,
        authors if names is None else names,
        info.source if source is None else source, info.original_archive if original is None else original,
        info.doc_type if doc_type is None else doc_type, info.languages, info.subjects,
        (info.record_id or None) if record_id is None else record_id, record.summary, scan))


def _link(record: Record, kind: LinkKind, rest: str | None) -> str:
    """A citation's link from its row's rest (None: the record's own page). A search link is kept whole (~75 bytes a
    row, the quoted title): made again from the title it cost 23,000 instructions a hit, 8 % of a search."""
    if rest is None:
        if record.url is None:  # a page link is left out of a row only when it is the record's own: a damaged row
            raise ValueError("no link")
        return record.url
    return _LINK_START[kind] + rest


def cite(record: Record) -> Citation:
    return cited(record, derived(record))


_LISTING = DocumentInfo()
