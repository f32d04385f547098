"""Saved HTML pages of the archive's search results, turned into RawRecords.

The site has changed its markup several times (the 2013 `ul.search-res` list, Drupal views rows and
tables), so records are found by structure, not by class names: every link to `/document/<id>` is a
record, and the largest element around it that holds no other document is that record's block. Inside
the block, the link text is the title, an element whose text is a date is the date, and the paragraphs
after the title are the summary and its notes.

Memory is bounded (see `HtmlListing`): a page is scanned once without a tree (a depth limit, the element
count, the list that holds the records), then parsed whole if small, else a part of the list at a time.
"""
from __future__ import annotations

import codecs
import enum
import hashlib
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import TypeGuard
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.builder import HTMLTreeBuilder
from bs4.element import Comment, Declaration, Doctype, PageElement, ProcessingInstruction

from ..dates import UNDATED, parse_date, read_date
from ..records import PageError, ParsedPage, RawRecord, within_caps
from ..site import ARCHIVE_HOST, ARCHIVE_URL
from .encoding import Decoding, decode

__all__ = ["HtmlListing", "declared_charset", "decode_html", "looks_like_html", "parse_html"]
LAYOUT = "html"
CHUNK_CHARS = 1 << 19  # a page longer than this is read a part of about this size at a time, when it can be
MAX_ELEMENTS = 200_000  # a page read whole: BeautifulSoup takes about 1 KB per element
MAX_DEPTH = 1000  # deeper is no listing (the archive's pages nest about 30 deep), and no tree is built for it

Node = Tag | NavigableString

_SNIFF_CHARS = 2048
_CHARSET_BYTES = 4096
_HTML_START = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|link|div|table|ul|ol|dl|article|section|main|p|h[1-6])"
    r"[\s>/]",
    re.IGNORECASE,
)
_HTML_STRONG = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# WHATWG: pages labelled Latin-1 or ASCII are decoded as Windows-1252 by browsers (their curly quotes
# are 0x91-0x94), and a UTF-16 label inside an ASCII-readable page is a lie.
_CHARSET_OVERRIDES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "utf-16": "utf-8",
                      "utf-16-le": "utf-8", "utf-16-be": "utf-8"}

_SKIP_TAGS = frozenset(
    "script style noscript template svg math iframe object embed canvas button select option textarea "
    "input head title nav aside dialog".split()
)
_BLOCK_TAGS = frozenset(
    "address article aside blockquote caption dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header li main ol p pre section summary table tbody td tfoot th thead tr ul".split()
)
_VOID_TAGS = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS or ())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_STOP_TAGS = frozenset(["body", "html", "main", "form", "[document]"])
_ITEM_TAGS = frozenset(["li", "article", "tr"])
_ITEM_CLASS = re.compile(r"^(?:views-row|search-result|search-results-item|result-item|list-view-item|"
                         r"node--view-mode-[\w-]+|teaser)$")
_CHROME_ROLES = frozenset(["navigation", "banner", "contentinfo", "complementary", "search"])
_CHROME_CLASSES = frozenset(["pager", "pagination", "breadcrumb", "breadcrumbs", "menu"])
_HIDDEN_CLASSES = frozenset(["visually-hidden", "sr-only", "element-invisible", "screen-reader-text",
                             "hidden", "d-none"])
_LABEL_CLASS = re.compile(r"^(?:.*[_-])?label$")
_DATE_CLASS = re.compile(r"(?:^|[-_])date(?:$|[-_])|datetime|^dateline$")
_DATE_LABEL = re.compile(r"^(?:date|dated)\s*:?\s+", re.IGNORECASE)
_MAX_DATE_CHARS = 40
_LEADING_SEPARATOR = re.compile(r"^[-–—:|·•]+\s+")
_ARCHIVE_NAME = re.compile(r"digital\s*archive|wilson\s*center", re.IGNORECASE)
# A Wayback Machine copy: `https://web.archive.org/web/2020.../https://digitalarchive...`, or its links
# written from the root as `/web/2020.../https://...`.
_WAYBACK = re.compile(r"^(?:https?://web\.archive\.org)?/web/\d+[a-z_]*/(https?):/+(.+)$", re.IGNORECASE)
_DOWNLOAD_SEGMENTS = frozenset(["download", "print", "ris"])
_FILE_SUFFIX = re.compile(r"\.(?:pdf|ris|json|xml|txt|docx?|jpe?g|png|gif|tiff?)$", re.IGNORECASE)


class _Many(enum.Enum):
    """The owner of an element holding more than one record."""

    MULTI = "multi"


_MULTI = _Many.MULTI
# Per element (by id): the one record it holds, as (document key, {link text: anchor id}), or _MULTI.
_Owners = dict[int, "tuple[str, dict[str, int]] | _Many"]
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction)


@dataclass(frozen=True)
class _Link:
    """One anchor to a document page: `key` is the document's id or slug, shared by its Read-more twin."""

    anchor: Tag
    key: str
    url: str
    text: str


@dataclass(frozen=True)
class _Seg:
    """A run of text between block boundaries, with what it sits in (a link, a heading, a date element)."""

    text: str
    anchor: int | None
    heading: bool
    dateish: bool


# -- sniffing and decoding -------------------------------------------------------------------------------
def looks_like_html(text: str) -> bool:
    """Cheap check on the start of a file, so HTML pages go to this parser and text captures don't."""
    head = text[:_SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        return bool(_HTML_START.search(head))
    return bool(_HTML_STRONG.search(head))  # a stray line before `<!DOCTYPE html>`


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares (BOM, `<meta charset>` or http-equiv) as a Python codec name.

    Saved pages carry no HTTP header, so the in-page declaration is the only reliable hint; None when
    the page declares nothing usable.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    match = _META_CHARSET.search(data[:_CHARSET_BYTES])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return _CHARSET_OVERRIDES.get(name, name)


def decode_html(data: bytes) -> tuple[str, Decoding]:
    """Decode a saved page by its declared charset, else by the majority rule of `encoding.choose_encoding`."""
    charset = declared_charset(data)
    if charset == "utf-8" and data.startswith(codecs.BOM_UTF8):
        charset = "utf-8-sig"
    return decode(data, charset)


# -- the page ----------------------------------------------------------------------------------------------
def parse_html(text: str) -> ParsedPage:
    """All records of one saved search-results page; raises PageError when the page holds none."""
    listing = HtmlListing(text)
    records = list(listing.records())
    return ParsedPage(layout=LAYOUT, records=records, truncated=listing.truncated, dropped=listing.dropped)


class HtmlListing:
    """Iterate `records()` once; afterwards `truncated` and `dropped` are known.

    A page longer than `chunk_chars` whose records are the items of one list (`<li>`s, table rows, views
    rows) is read a few hundred items at a time, each part parsed on its own with the list's ancestors
    reopened, so memory stays bounded by the part, not the page. Any other page is parsed whole, up to
    MAX_ELEMENTS elements; deeper than MAX_DEPTH is refused before parsing.
    """

    def __init__(self, text: str, chunk_chars: int = CHUNK_CHARS) -> None:
        self.text = text
        self.chunk_chars = chunk_chars
        self.truncated = False
        self.dropped = 0
        self.parts = 0
        self._seen: set[bytes] = set()

    def records(self) -> Iterator[RawRecord]:
        scan = _Scanner.run(self.text)
        parts = _parts(self.text, scan.records_list, self.chunk_chars)
        if len(parts) == 1 and scan.elements > MAX_ELEMENTS:
            raise PageError(f"HTML page of {scan.elements:,} elements in a layout that cannot be read a part "
                            f"at a time (the limit is {MAX_ELEMENTS:,})")
        self.truncated = _looks_truncated(self.text)
        self.parts = len(parts)
        base: str | None = None
        for number, part in enumerate(parts):
            text = part.text(self.text)
            soup = _soup(text)
            if base is None:
                head = soup.find("head") or soup
                declared = _declared_url(head)
                base = _page_base(declared)
                if len(parts) == 1 and not _document_links(soup, base):
                    raise _no_records_error(head, declared)
            links = _document_links(soup, base)
            records, dropped = _records(links, self._seen)
            if self.truncated and records and number == len(parts) - 1:
                records, dropped = _mark_cut_end(text, records, links, dropped)
            self.dropped += dropped
            del soup
            yield from records
        if not self._seen:
            raise PageError("no archive records found in this HTML page")


def _soup(text: str) -> BeautifulSoup:
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(["script", "style", "noscript", "template"]):
        if not tag.decomposed:
            tag.decompose()  # their text is never content, and decomposing keeps later walks short
    return soup


# -- big pages, a part at a time ---------------------------------------------------------------------------
@dataclass(eq=False)
class _Open:
    """An element the scanner is inside: where it starts, and which of its children hold document links."""

    name: str
    start: int
    start_tag: str
    has_link: bool = False
    kids: array[int] | None = None  # start offsets of the children holding a document link
    kid_keys: array[int] | None = None  # a hash of each such child's first document key
    pending: bool = False  # content without a link since the last such child (or the start)
    leads: bool = False  # content without a link came before the first such child


@dataclass(frozen=True)
class _RecordList:
    """The element whose children hold the most records, with the start tags that reopen it in each part."""

    opening: str
    kids: array[int]
    kid_keys: array[int]


class _Scanner(HTMLParser):
    """One pass of the tokenizer BeautifulSoup's html.parser builder uses, keeping the same stack of open
    elements (void elements close at once; an end tag closes up to its element, or nothing) but no tree."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self._text = text
        self._line, self._line_start = 1, 0
        self.stack: list[_Open] = []
        self.elements = 0
        self.records_list: _RecordList | None = None

    @classmethod
    def run(cls, text: str) -> _Scanner:
        scanner = cls(text)
        for start in range(0, len(text), 1 << 16):
            scanner.feed(text[start:start + (1 << 16)])
        scanner.close()
        while scanner.stack:
            scanner._pop()
        return scanner

    def _offset(self) -> int:
        line, column = self.getpos()
        while self._line < line:
            self._line_start = self._text.index("\n", self._line_start) + 1
            self._line += 1
        return self._line_start + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        if tag in _VOID_TAGS:
            return
        self.stack.append(_Open(tag, self._offset(), self.get_starttag_text() or ""))
        if len(self.stack) > MAX_DEPTH:
            raise PageError(f"HTML nested over {MAX_DEPTH} elements deep: not a listing page")
        if tag == "a":
            href = ([value or "" for name, value in attrs if name == "href"] or [""])[-1].lower()  # the last wins
            if "document/" in href:
                self._mark_link(hash(href.split("document/", 1)[1].strip("/").split("/")[0]))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth].name == tag:
                while len(self.stack) > depth:
                    self._pop()
                return

    def handle_data(self, data: str) -> None:
        if self.stack and not data.isspace():
            self.stack[-1].pending = True

    def handle_entityref(self, name: str) -> None:
        self.handle_data(name)

    def handle_charref(self, name: str) -> None:
        self.handle_data(name)

    def _mark_link(self, key: int) -> None:
        """Every open element now holds a link: each one not yet marked is a new record-holding child."""
        child = self.stack[-1]
        child.has_link = True
        for depth in range(len(self.stack) - 2, -1, -1):
            parent = self.stack[depth]
            if parent.kids is None or parent.kid_keys is None:
                parent.kids, parent.kid_keys = array("q"), array("q")
                parent.leads = parent.pending
            parent.pending = False
            parent.kids.append(child.start)
            parent.kid_keys.append(key)
            if parent.has_link:
                return
            parent.has_link = True
            child = parent

    def _pop(self) -> None:
        entry = self.stack.pop()
        if self.stack and not entry.has_link and entry.name not in _SKIP_TAGS:
            self.stack[-1].pending = True
        kids, best = entry.kids, self.records_list
        if kids is not None and entry.kid_keys is not None and len(kids) >= 2 and not entry.leads \
                and (best is None or len(kids) > len(best.kids)):
            opening = "".join(open_.start_tag for open_ in self.stack) + entry.start_tag
            self.records_list = _RecordList(opening, kids, entry.kid_keys)


@dataclass(frozen=True)
class _Part:
    """A slice of the page, after the start tags that reopen its list (none for the first part)."""

    opening: str
    start: int
    end: int

    def text(self, page: str) -> str:
        return self.opening + page[self.start:self.end]


def _parts(text: str, records_list: _RecordList | None, chunk_chars: int) -> list[_Part]:
    """Cut the page before list items, into parts of about `chunk_chars` holding at least two items each.

    Only before an item whose document differs from the one before (a title and its Read-more link in two
    items stay together), and only in a list with nothing but items before its first one: where dates lead
    their records as siblings, a cut would part a record from its date.
    """
    if records_list is None or len(text) <= chunk_chars:
        return [_Part("", 0, len(text))]
    kids, keys = records_list.kids, records_list.kid_keys
    cuts: list[int] = []
    start, items = 0, 0
    for index in range(len(kids)):
        if items >= 2 and kids[index] - start >= chunk_chars and keys[index] != keys[index - 1] \
                and len(kids) - index >= 2:
            cuts.append(kids[index])
            start, items = kids[index], 0
        items += 1
    bounds = [0, *cuts, len(text)]
    return [_Part(records_list.opening if at else "", bounds[at], bounds[at + 1]) for at in range(len(bounds) - 1)]


def _no_records_error(head: Tag | BeautifulSoup, declared: str | None) -> PageError:
    """Tell a page of some other site apart from an archive page that simply lists nothing."""
    title_tag = head.find("title")
    title = _collapse(title_tag.get_text()) if title_tag else ""
    site = _meta_content(head, "og:site_name") or _meta_content(head, "application-name") or ""
    host = (urlsplit(declared).hostname or "") if declared else ""
    if _ARCHIVE_NAME.search(f"{title} {site}") or host.endswith("wilsoncenter.org"):
        return PageError("no archive records found in this HTML page")
    shown = title if len(title) <= 80 else title[:79] + "…"
    return PageError(f"HTML page of another site (title: {shown or 'none'})")


def _declared_url(head: Tag | BeautifulSoup) -> str | None:
    """The page's own idea of its address: `<base href>`, then canonical link, then og:url."""
    base = head.find("base", href=True)
    if isinstance(base, Tag) and _attr(base, "href").strip():
        return _attr(base, "href").strip()
    for link in head.find_all("link", href=True):
        rels = [rel.lower() for rel in link.get_attribute_list("rel")]
        if "canonical" in rels and _attr(link, "href").strip():
            return _attr(link, "href").strip()
    return _meta_content(head, "og:url")


def _page_base(declared: str | None) -> str:
    """What relative links resolve against: the page's own address, else the archive (saved pages name no other)."""
    fallback = ARCHIVE_URL + "/"
    return _unwrap_wayback(urljoin(fallback, declared) if declared else fallback)


def _unwrap_wayback(url: str) -> str:
    """The archived address inside a Wayback Machine address, so a saved copy links to the archive."""
    match = _WAYBACK.match(url)
    return f"{match.group(1)}://{match.group(2)}" if match else url


def _meta_content(head: Tag | BeautifulSoup, name: str) -> str | None:
    for meta in head.find_all("meta"):
        if (_attr(meta, "property") or _attr(meta, "name")).lower() == name:
            content = _attr(meta, "content").strip()
            return content or None
    return None


# -- document links ----------------------------------------------------------------------------------------
def _document_links(soup: BeautifulSoup, base: str) -> list[_Link]:
    """Anchors to record pages in document order, leaving out menus, pagers, sidebars and downloads."""
    base_host = urlsplit(base).hostname or ""
    chrome_memo: dict[int, bool] = {}
    links: list[_Link] = []
    for anchor in soup.find_all("a", href=True):
        href = _attr(anchor, "href")
        if "document/" not in href.lower():
            continue
        target = _document_target(href, base, base_host)
        if target is None or _in_chrome(anchor, chrome_memo):
            continue
        key, url = target
        links.append(_Link(anchor, key, url, _collapse(anchor.get_text())))
    return links


def _document_target(href: str, base: str, base_host: str) -> tuple[str, str] | None:
    """(document key, absolute URL) for a link to a record page; None for downloads and other sites."""
    href = href.strip()
    if href.lower().startswith(("javascript:", "mailto:", "#")):
        return None
    absolute = _unwrap_wayback(urljoin(base, _unwrap_wayback(href)))
    parts = urlsplit(absolute)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not (host == base_host or host.endswith("wilsoncenter.org")):
        return None
    path = parts.path
    at = path.lower().find("/document/")
    if at < 0:
        return None
    segments = [s for s in path[at + len("/document/"):].split("/") if s]
    if not segments or len(segments) > 2:
        return None
    if segments[-1].lower() in _DOWNLOAD_SEGMENTS or _FILE_SUFFIX.search(segments[-1]):
        return None
    scheme = "https" if host == ARCHIVE_HOST else parts.scheme
    clean_path = path[: at + len("/document/")] + "/".join(segments)
    return segments[0].lower(), f"{scheme}://{parts.netloc}{clean_path}"


def _in_chrome(node: Tag, memo: dict[int, bool]) -> bool:
    """Whether the node sits in page navigation; memoised per element so big pages stay linear."""
    chain: list[Tag] = []
    verdict = False
    current: Tag | None = node
    while current is not None and current.name != "[document]":
        known = memo.get(id(current))
        if known is not None:
            verdict = known
            break
        chain.append(current)
        if _is_chrome_element(current):
            verdict = True
            break
        current = current.parent
    for tag in chain:
        memo[id(tag)] = verdict
    return verdict


def _is_chrome_element(tag: Tag) -> bool:
    if tag.name in ("nav", "aside"):
        return True
    if _attr(tag, "role").lower() in _CHROME_ROLES:
        return True
    if _classes(tag) & _CHROME_CLASSES:
        return True
    if tag.name in ("header", "footer"):
        # The page's banner or footer, not an <article>'s own header holding its title.
        return tag.find_parent(["article", "section", "main", "li", "td"]) is None
    return False


# -- grouping links into record blocks ---------------------------------------------------------------------
def _records(links: list[_Link], seen: set[bytes]) -> tuple[list[RawRecord], int]:
    """Group links into blocks, read each block once, and drop repeats of an identical record.

    `seen` holds a digest of every record already read from the page, so a repeat in a later part is dropped
    too, without keeping the records themselves.
    """
    owners = _owner_map(links)
    doc_anchors = {id(link.anchor): link.key for link in links}
    blocks: dict[int, tuple[list[Node], list[_Link]]] = {}
    consumed: set[int] = set()
    dropped = 0
    for link in links:
        if not link.text:
            continue
        root = _block_root(link, owners)
        if id(root) not in blocks:
            blocks[id(root)] = ([root], [])
        blocks[id(root)][1].append(link)
    records: list[RawRecord] = []
    containers: dict[int, _Container] = {}
    for root_id, (nodes, block_links) in blocks.items():
        if root_id in consumed:
            continue
        record, used = _block_record(nodes, block_links, owners, doc_anchors, containers)
        consumed.update(used)
        if record is None:
            dropped += 1
            continue
        digest = hashlib.blake2b(repr(record).encode(), digest_size=16).digest()
        if digest not in seen:
            seen.add(digest)
            records.append(record)
    return records, dropped


def _owner_map(links: list[_Link]) -> _Owners:
    """For every ancestor of a link: the one document it holds, or _MULTI when it holds several.

    Two links with the same key are one record (title and Read-more) unless they also carry the same
    text, which means the same document is listed twice. A walk stops at the first ancestor already
    holding several records (all above it do too), so the work stays close to the size of the tree.
    """
    owners: _Owners = {}
    for link in links:
        if not link.text:
            continue
        for ancestor in link.anchor.parents:
            state = owners.get(id(ancestor))
            if state is _MULTI:
                break
            if state is None:
                owners[id(ancestor)] = (link.key, {link.text: id(link.anchor)})
                continue
            key, texts = state
            if key != link.key or texts.get(link.text, id(link.anchor)) != id(link.anchor):
                owners[id(ancestor)] = _MULTI
                continue
            texts[link.text] = id(link.anchor)
    return owners


def _block_root(link: _Link, owners: _Owners) -> Node:
    """The largest element around the link that holds no other record (its `<li>`, row or article)."""
    best: Node = link.anchor
    chain: list[Tag] = []
    bounded = False
    for ancestor in link.anchor.parents:
        if ancestor.name in _STOP_TAGS:
            break
        if owners.get(id(ancestor)) is _MULTI:
            bounded = True
            break
        chain.append(ancestor)
        best = ancestor
    if not bounded:
        # A lone record: climbing stopped at <body>/<main>, so prefer an element that looks like an item.
        items = [tag for tag in chain if tag.name in _ITEM_TAGS or any(map(_ITEM_CLASS.match, _classes(tag)))]
        if items:
            best = items[-1]
    return best


def _block_record(nodes: list[Node], links: list[_Link], owners: _Owners,
                  doc_anchors: dict[int, str], containers: dict[int, _Container]
                  ) -> tuple[RawRecord | None, set[int]]:
    """Read one block; when it holds only its title, take in the sibling date and summary around it."""
    title_link = next((link for link in links if _in_heading(link.anchor, nodes[0])), links[0])
    segments = _segments(nodes, owners, doc_anchors)
    record = _read_block(segments, title_link)
    used = {id(node) for node in nodes}
    root = nodes[0]
    parent = root.parent
    if record is not None and not record.date_text and not record.summary \
            and parent is not None and owners.get(id(parent)) is _MULTI:
        flat = _flat_block(root, parent, title_link.key, owners, doc_anchors, containers)
        if len(flat) > 1:
            record = _read_block(_segments(flat, owners, doc_anchors), title_link) or record
            used = {id(node) for node in flat}
    return record, used


def _in_heading(anchor: Tag, root: Node) -> bool:
    """Whether the link is (inside) the block's heading: the title link, not its Read-more twin."""
    if anchor is root:
        return False
    for ancestor in anchor.parents:
        if ancestor.name in _HEADINGS:
            return True
        if ancestor is root:
            return False
    return False


@dataclass
class _Container:
    """The children of one element holding several records, read once however many records it holds."""

    kids: list[Node]
    position: dict[int, int]
    keys: list[str | _Many | None]  # per child: the document key it holds, _MULTI, or None
    dates_lead: bool


def _container(parent: Tag, owners: _Owners, doc_anchors: dict[int, str],
               cache: dict[int, _Container]) -> _Container:
    found = cache.get(id(parent))
    if found is None:
        kids = [kid for kid in parent.children if _meaningful(kid)]
        keys = [_held_key(kid, owners, doc_anchors) for kid in kids]
        first_title = next((i for i, key in enumerate(keys) if key is not None), len(kids))
        dates_lead = any(_is_date_node(kid) for kid in kids[:first_title])
        found = _Container(kids, {id(kid): i for i, kid in enumerate(kids)}, keys, dates_lead)
        cache[id(parent)] = found
    return found


def _held_key(node: Node, owners: _Owners, doc_anchors: dict[int, str]) -> str | _Many | None:
    if not isinstance(node, Tag):
        return None
    if id(node) in doc_anchors:
        return doc_anchors[id(node)]
    state = owners.get(id(node))
    return state if state is None or state is _MULTI else state[0]


def _flat_block(root: Node, parent: Tag, key: str, owners: _Owners, doc_anchors: dict[int, str],
                cache: dict[int, _Container]) -> list[Node]:
    """Siblings that make up a record in layouts without a wrapper per record (`<dl>`, bare `<div>`s).

    If a date comes before the first title in the container, dates open records (date, title, summary);
    otherwise everything between one title and the next belongs to the first.
    """
    box = _container(parent, owners, doc_anchors, cache)
    kids, keys, index = box.kids, box.keys, box.position[id(root)]
    previous = index - 1
    while previous >= 0 and keys[previous] in (None, key):
        previous -= 1
    following = index + 1
    while following < len(kids) and keys[following] in (None, key):
        following += 1
    if not box.dates_lead:
        return kids[index:following]
    before = [i for i in range(previous + 1, index) if _is_date_node(kids[i])]
    start = before[-1] if before else index
    end = following
    if following < len(kids):
        after = [i for i in range(index + 1, following) if _is_date_node(kids[i])]
        end = after[-1] if after else following
    return kids[start:end]


def _meaningful(node: PageElement) -> TypeGuard[Node]:
    if isinstance(node, Tag):
        return node.name not in _SKIP_TAGS
    if isinstance(node, _NOT_TEXT):
        return False
    return isinstance(node, NavigableString) and bool(node.strip())


def _is_date_node(node: Node) -> bool:
    text = _collapse(node.get_text() if isinstance(node, Tag) else str(node))
    return _date_text(text, dateish=isinstance(node, Tag) and _is_dateish(node)) is not None


# -- reading a block ---------------------------------------------------------------------------------------
def _segments(nodes: Iterable[Node], owners: _Owners, doc_anchors: dict[int, str]) -> list[_Seg]:
    """Split a block into text runs at block elements, `<br>`, document links and date elements."""
    segments: list[_Seg] = []
    parts: list[tuple[str, int | None, bool, bool]] = []

    def flush() -> None:
        text = _collapse("".join(p[0] for p in parts))
        if text:
            inked = [p for p in parts if p[0].strip()]
            anchors = {p[1] for p in inked}
            anchor = anchors.pop() if len(anchors) == 1 else None
            segments.append(_Seg(text, anchor, any(p[2] for p in inked), all(p[3] for p in inked)))
        parts.clear()

    # (node, context, closing): context = (anchor id, in heading, in date element)
    stack: list[tuple[PageElement, tuple[int | None, bool, bool], bool]] = [
        (node, (None, False, False), False) for node in reversed(list(nodes))
    ]
    while stack:
        node, context, closing = stack.pop()
        if closing:
            flush()
            continue
        if not isinstance(node, Tag):
            if isinstance(node, NavigableString) and not isinstance(node, _NOT_TEXT):
                parts.append((str(node), *context))
            continue
        name = node.name
        if name in ("br", "hr"):
            flush()
            continue
        if name in _SKIP_TAGS or _is_hidden(node) or (_is_chrome_element(node) and id(node) not in owners):
            continue
        anchor, heading, dateish = context
        if name == "a":
            anchor = id(node)
        heading = heading or name in _HEADINGS
        marks_date = _is_dateish(node)
        dateish = dateish or marks_date
        boundary = name in _BLOCK_TAGS or marks_date or id(node) in doc_anchors
        if boundary:
            flush()
            stack.append((node, context, True))
        child_context = (anchor, heading, dateish)
        stack.extend((child, child_context, False) for child in reversed(node.contents))
    flush()
    return segments


def _read_block(segments: list[_Seg], title_link: _Link) -> RawRecord | None:
    """Title from the title link, date from a date-only run, summary and notes from the runs after."""
    tid = id(title_link.anchor)
    inside = [i for i, seg in enumerate(segments) if seg.anchor == tid]
    title_at = next((i for i in inside if segments[i].heading), None)
    if title_at is None:
        title_at = next((i for i in inside if _date_text(segments[i].text, segments[i].dateish) is None),
                        None)
    if title_at is None:
        return None
    title = segments[title_at].text
    dates = {i for i, seg in enumerate(segments)
             if i != title_at and _date_text(seg.text, seg.dateish) is not None}
    date_at = max((i for i in dates if i < title_at), default=None)
    if date_at is None:
        date_at = min((i for i in dates if i > title_at), default=None)
    paragraphs = [
        _LEADING_SEPARATOR.sub("", seg.text)
        for i, seg in enumerate(segments)
        if i > title_at and i not in dates and seg.anchor in (None, tid) and seg.text != title
        and _substantial(seg.text)
    ]
    date_text = _date_text(segments[date_at].text, segments[date_at].dateish) if date_at is not None else ""
    line = read_date(date_text) if date_text else None
    return within_caps(RawRecord(
        date_text=date_text or "",
        date=line.date if line else UNDATED,
        title=title,
        summary=paragraphs[0] if paragraphs else "",
        notes=tuple(paragraphs[1:]),
        url=title_link.url,
        day_impossible=line is not None and line.impossible_day,
    ))


def _date_text(text: str, dateish: bool = False) -> str | None:
    """The date as written when the run is a date ('Date: 1950' gives '1950'); None otherwise.

    A run marked as a date by its element (`<time>`, class `date`) stays the date even when it does not
    parse ('c. 1950'), so it is not mistaken for the summary.
    """
    if parse_date(text):
        return text
    unlabelled = _DATE_LABEL.sub("", text)
    if unlabelled != text and parse_date(unlabelled):
        return unlabelled
    if dateish and text and len(text) <= _MAX_DATE_CHARS:
        return unlabelled
    return None


def _is_dateish(tag: Tag) -> bool:
    """`<time>` or an element classed as a date, short enough to hold nothing but the date."""
    if tag.name != "time" and not any(_DATE_CLASS.search(c) for c in _classes(tag)):
        return False
    return len(tag.get_text()) <= 4 * _MAX_DATE_CHARS


def _is_hidden(tag: Tag) -> bool:
    """Screen-reader-only text, hidden elements and field labels ('Summary', 'Date') are not content."""
    if tag.has_attr("hidden") or _attr(tag, "aria-hidden").lower() == "true":
        return True
    classes = _classes(tag)
    return bool(classes & _HIDDEN_CLASSES) or any(_LABEL_CLASS.match(c) for c in classes)


def _substantial(text: str) -> bool:
    return len(text) >= 3 and any(ch.isalpha() for ch in text)


def _classes(tag: Tag) -> frozenset[str]:
    return frozenset(c.lower() for value in tag.get_attribute_list("class") for c in value.split())


def _attr(tag: Tag, name: str) -> str:
    """A single-valued attribute ('' when absent); bs4 types every attribute as possibly a list."""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _collapse(text: str) -> str:
    return " ".join(text.split())


# -- pages cut off -----------------------------------------------------------------------------------------
def _looks_truncated(text: str) -> bool:
    """A whole page (it starts with doctype/<html>) whose end tags never came: the download was cut."""
    if not _HTML_STRONG.search(text[:_SNIFF_CHARS]):
        return False
    return re.search(r"</(?:html|body)\s*>", text[-65536:], re.IGNORECASE) is None


def _mark_cut_end(text: str, records: list[RawRecord], links: list[_Link],
                  dropped: int) -> tuple[list[RawRecord], int]:
    """The last record of a cut page: drop it if its title link never closed, else flag its summary."""
    last = records[-1]
    tail: list[_Link] = []
    for link in reversed(links):
        if link.url != last.url:
            break
        tail.append(link)
    titled = [link for link in tail if link.text]
    anchor = titled[-1].anchor if titled else None  # the first of the record's links: its title
    offset = _source_offset(text, anchor) if anchor is not None else None
    if offset is not None and re.search(r"</a\s*>", text[offset:], re.IGNORECASE) is None:
        return records[:-1], dropped + 1
    if last.summary:
        records = records[:-1] + [replace(last, summary_partial=True)]
    return records, dropped


def _source_offset(text: str, tag: Tag) -> int | None:
    line, column = getattr(tag, "sourceline", None), getattr(tag, "sourcepos", None)
    if line is None or column is None:
        return None
    offset = 0
    for _ in range(line - 1):
        offset = text.find("\n", offset) + 1
        if offset == 0:
            return None
    return offset + column
