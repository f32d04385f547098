"""Saved pages of the archive's current site (Drupal): a document's own page, and the search listing.

A document page yields the document, with everything its page says of it (`DocumentInfo`), then each of its
"Related Documents" rows; a search listing (`/search?page=N`) yields its rows, which use the same markup. Pages
are recognised by content, never by file name.

Speed: an original page is about 670 KB, nearly all inlined CSS and SVG; they are cut out before parsing, so a
page is read in milliseconds. Memory: the rest is parsed whole, up to MAX_ELEMENTS elements.

A page cut off part-way keeps what it holds: the element open at the cut is the one cut, so a title cut off
is never stored (the page is refused), a cut summary or text is flagged (`summary_partial`, `text_partial`),
a cut row is dropped, and a cut information block is left out (a Record ID cut to "1165" would be another
document's). `SitePage.metadata_cut` says the page ended before its document information was whole.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, Tag

from ..dates import UNDATED, read_date
from ..records import DocumentInfo, PageError, RawRecord, within_caps
from ..site import ARCHIVE_URL
from .html import _looks_truncated

__all__ = ["PageKind", "SitePage", "challenge_reason", "document_url", "read_site_page"]

MAX_ELEMENTS = 50_000  # a real page has about 1,500 once its CSS and SVG are cut out
MAX_TEXT = 1_000_000  # characters of a document's own text kept; longer is cut and marked `text_partial`
MAX_ITEMS = 200  # names in one list (authors, places, ...)
MAX_VALUE = 4_000  # characters of one metadata value

# Recognition, on the raw text: cheap, and before any parsing.
_DOCUMENT_MARKS = re.compile(
    r"""class=["'][^"']*\bjumbotron-document\b|<section\s+class=["']document-information\b|id=["']documentTabs["']""",
    re.IGNORECASE,
)
_CANONICAL_DOCUMENT = re.compile(
    r"""<link\b[^>]*\brel=["']canonical["'][^>]*\bhref=["'][^"']*/document/[^"']+["']""", re.IGNORECASE)
_ROW_MARK = re.compile(r"""<td\b[^>]*\bclass=["'](?:[^"']*\s)?document\b""", re.IGNORECASE)
_SEARCH_PAGE = re.compile(
    r"""<link\b[^>]*\brel=["'](?:canonical|shortlink)["'][^>]*\bhref=["'][^"']*/search\b""", re.IGNORECASE)
# Inlined CSS, scripts and SVG: most of a page's bytes, none of its content.
_BULK = re.compile(r"<(style|script|svg|noscript|template)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_AFTER_TABS = ('class="document-options"', 'class="text-block"')
_OPEN_TO_END = "\0"  # marks a tabs region the file ended inside
_PANE = re.compile(r"""<div\b[^>]*\bclass=["'][^"']*\btab-pane\b[^>]*>""", re.IGNORECASE)
_PANE_ID = re.compile(r"""\bid=["']([^"']*)["']""", re.IGNORECASE)
# One rule for a block's text: block elements break paragraphs; what is not text goes; entities are read.
_NOT_TEXT = re.compile(r"<!--.*?(?:-->|$)|<(object|title|button)\b.*?(?:</\1\s*>|$)|<(?:meta|link)\b[^>]*>",
                       re.IGNORECASE | re.DOTALL)
_BLOCK_BREAK = re.compile(r"</?(?:address|article|blockquote|dd|div|dl|dt|h[1-6]|li|ol|p|pre|section|table|tbody"
                          r"|td|tr|ul|br|hr)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*(?:>|$)")
_PDF = re.compile(r"""<object\b[^>]*\bclass=["'][^"']*\bpdf-preview\b[^>]*>""", re.IGNORECASE)
_DATA = re.compile(r"""\bdata=["']([^"']+)["']""", re.IGNORECASE)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)

# What a browser gets instead of the page: an anti-bot challenge, or an error.
_CHALLENGE = re.compile(
    r"cf-browser-verification|challenge-platform|cf_chl_opt|id=[\"']challenge-form|<title>\s*just a moment"
    r"|attention required!?\s*\|\s*cloudflare|ddos-guard|captcha-delivery|_incapsula_resource|perimeterx"
    r"|<title>\s*(?:access denied|are you a robot)",
    re.IGNORECASE,
)
_ERROR_TITLE = re.compile(
    r"^(?:[45]\d\d\b|page not found|not found|forbidden|access denied|service unavailable|bad gateway|"
    r"gateway time-?out|internal server error|error\b|site (?:is )?(?:under )?maintenance)",
    re.IGNORECASE,
)

_INFO_FIELDS = {  # label on the page -> DocumentInfo field
    "source": "source",
    "original archive": "original_archive",
    "rights": "rights",
    "original uploaded date": "uploaded",
    "type": "doc_type",
    "language": "languages",
    "languages": "languages",
    "record id": "record_id",
    "donors": "donors",
    "donor": "donors",
    "original classification": "classification",
}
_LIST_FIELDS = frozenset(["languages", "donors"])
_PILL_FIELDS = {
    "associated places": "places",
    "associated topics": "topics",
    "subjects discussed": "subjects",
    "associated people & organizations": "associated",
    "associated people and organizations": "associated",
}


class PageKind(StrEnum):
    DOCUMENT = "docpage"
    LISTING = "site listing"


@dataclass
class SitePage:
    """What one page of the site held: the document (a document page) and the rows, in page order."""

    kind: PageKind
    records: list[RawRecord] = field(default_factory=list)
    truncated: bool = False  # the file ends before the page does
    metadata_cut: bool = False  # a document page that ended before its document information was whole
    dropped: int = 0  # rows cut off inside their title


def challenge_reason(text: str) -> str | None:
    """'an anti-bot challenge page' or 'an error page (title: ...)' when the file is one; else None."""
    head = text[:65536]
    if _CHALLENGE.search(head):
        return "an anti-bot challenge page (open the page in a browser, then save it again)"
    match = _TITLE.search(head)
    title = " ".join(match.group(1).split()) if match else ""
    if title and _ERROR_TITLE.match(title):
        return f"an error page (title: {title[:80]})"
    return None


def document_url(href: str) -> str | None:
    """The archive's address of the document a link names (`/document/<slug or id>`); None for other links."""
    parts = urlsplit(urljoin(ARCHIVE_URL + "/", href.strip()))
    at = parts.path.find("/document/")
    if parts.scheme not in ("http", "https") or at < 0:
        return None
    segments = [s for s in parts.path[at + len("/document/"):].split("/") if s]
    if len(segments) != 1:
        return None  # /document/<node>/download and the like: not the document's page
    return f"{ARCHIVE_URL}/document/{unquote(segments[0]).lower()}"


def read_site_page(text: str) -> SitePage | None:
    """The page read as the site's document page or search listing; None when it is neither (another
    reader's page). Raises PageError for a page of the site that holds nothing to store."""
    is_document = bool(_DOCUMENT_MARKS.search(text)) or (
        bool(_CANONICAL_DOCUMENT.search(text[:65536])) and _looks_truncated(text))
    if not is_document and not _ROW_MARK.search(text):
        if _SEARCH_PAGE.search(text[:65536]) and "/document/" not in text:
            raise PageError("a search listing of the archive with no rows (past its last page?)")
        return None
    truncated = _looks_truncated(text)
    text, tabs = _without_tabs(_BULK.sub("", text))
    soup = _soup(text)
    cut = _open_at_end(soup) if truncated else frozenset()
    page = SitePage(PageKind.DOCUMENT if is_document else PageKind.LISTING, truncated=truncated)
    if is_document:
        page.records.append(_document(soup, cut, truncated, tabs))
        page.metadata_cut = truncated and soup.find(id="citation-text") is None
    for row in _rows(soup, cut):
        if row is None:
            page.dropped += 1
        else:
            page.records.append(row)
    if not page.records:
        raise PageError("a search listing of the archive with no rows" if page.dropped == 0
                        else "no complete row: the page is cut off inside its first row")
    return page


def _without_tabs(text: str) -> tuple[str, str | None]:
    """The page without the site's header (menus of featured people and places) and without the content of
    `#documentTabs` (the document's own text, often most of the page), which is returned apart, up to the
    document's options or summary after it (None when the page has no tabs; to the end when the file ends
    inside them): `_document_text` reads it without building a tree."""
    body, main = text.find("<body"), text.find("<main")
    if 0 <= body < main:
        text = text[:body] + text[main:]
    mark = text.find('id="documentTabs"')
    start = text.find(">", mark) + 1 if mark >= 0 else 0
    if start <= 0:
        return text, None
    ends = [text.rfind("<", start, at) for at in (text.find(after, start) for after in _AFTER_TABS) if at >= 0]
    end = min((at for at in ends if at >= start), default=len(text))
    return text[:start] + text[end:], text[start:end] + (_OPEN_TO_END if end == len(text) else "")


def _soup(text: str) -> BeautifulSoup:
    elements = text.count("<")
    if elements > MAX_ELEMENTS:
        raise PageError(f"page of the archive's site with about {elements:,} elements once its styles are cut "
                        f"out (the limit is {MAX_ELEMENTS:,}): not a page the site makes")
    soup = BeautifulSoup(text, "html.parser")
    for tag in soup.find_all(["style", "script", "svg", "noscript", "template"]):
        if not tag.decomposed:
            tag.decompose()  # an unclosed one the pattern could not cut out
    return soup


def _open_at_end(soup: BeautifulSoup) -> frozenset[int]:
    """The elements still open where the file ends: those around its last node (ids)."""
    node: Tag | NavigableString = soup
    while isinstance(node, Tag) and node.contents:
        last = node.contents[-1]
        if not isinstance(last, (Tag, NavigableString)):
            break
        node = last
    return frozenset(id(tag) for tag in [node, *node.parents])


# -- the document ----------------------------------------------------------------------------------------
def _document(soup: BeautifulSoup, cut: frozenset[int], truncated: bool, tabs: str | None) -> RawRecord:
    heading = soup.select_one("h1.title")
    if heading is None or id(heading) in cut:
        if truncated:
            raise PageError("a document page of the archive cut off before its title ends: nothing to store")
        raise PageError("not a document page of the archive: it has no title heading")
    title = _collapse(heading.get_text())
    if not title:
        raise PageError("a document page of the archive with an empty title")
    date_tag = soup.select_one("h2.date")
    date_text = _collapse(date_tag.get_text()) if date_tag is not None else ""
    line = read_date(date_text) if date_text else None
    block = soup.select_one(".text-block")
    summary = " ".join(_paragraphs(block)) if block is not None else ""
    info = _info(soup, cut, tabs, truncated)
    record = RawRecord(
        date_text=date_text,
        date=line.date if line else UNDATED,
        title=title,
        summary=summary,
        url=info.canonical_url,
        summary_partial=block is not None and id(block) in cut and bool(summary),
        day_impossible=line is not None and line.impossible_day,
        info=info,
    )
    capped = within_caps(record)
    if capped is None:
        raise PageError("a document page whose title is over the length any title has")
    return capped


def _info(soup: BeautifulSoup, cut: frozenset[int], tabs: str | None, truncated: bool) -> DocumentInfo:
    values: dict[str, str | tuple[str, ...]] = {}
    for block in soup.select("section.document-information .information-block"):
        label_tag, value_tag = block.select_one(".sub-title"), block.select_one("div.text")
        if label_tag is None or value_tag is None or id(value_tag) in cut:
            continue  # cut off inside its value: a part of a Record ID is another document's
        name = _INFO_FIELDS.get(_collapse(label_tag.get_text()).rstrip(":").lower())
        if name is None or name in values:
            continue
        items = _pill_names(value_tag)
        if name in _LIST_FIELDS:
            values[name] = items or tuple(_cap(p) for p in _split_list(_paragraphs(value_tag)))
        else:
            values[name] = "; ".join(items) if items else _cap("\n\n".join(_paragraphs(value_tag)))
    for block in soup.select(".pill-block"):
        label_tag = block.find(["h2", "h3"])
        name = _PILL_FIELDS.get(_collapse(label_tag.get_text()).lower()) if label_tag is not None else None
        if name is not None and name not in values:
            values[name] = _pill_names(block, cut)
    text, text_partial = _document_text(tabs, truncated)
    record_id = values.pop("record_id", "")
    return DocumentInfo(
        record_id=str(record_id) if record_id and str(record_id).isdigit() else None,
        canonical_url=_canonical(soup),
        authors=_authors(soup, cut),
        text=text,
        text_partial=text_partial,
        scan_url=_scan_url(tabs),
        **values,  # type: ignore[arg-type]
    )


def _canonical(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("link", href=True):
        if "canonical" in [rel.lower() for rel in link.get_attribute_list("rel")]:
            return document_url(_attr(link, "href"))
    return None


def _authors(soup: BeautifulSoup, cut: frozenset[int]) -> tuple[str, ...]:
    """The names after "Author(s):", as written ("Zhou, Enlai"; "China. Ministry of Foreign Affairs")."""
    for heading in soup.find_all(["h2", "h3"]):
        if _collapse(heading.get_text()).rstrip(":").lower() in ("author(s)", "authors", "author"):
            box = heading.find_next_sibling(["ul", "div"])
            return _pill_names(box, cut) if isinstance(box, Tag) else ()
    return ()


def _pill_names(box: Tag, cut: frozenset[int] = frozenset()) -> tuple[str, ...]:
    """The names of a list of pills (links), each whole; one cut off at the end of the file is left out."""
    names: list[str] = []
    for pill in box.find_all("a", class_="pill"):
        if id(pill) in cut:
            break
        name_tag = pill.select_one(".name") or pill
        name = _collapse(name_tag.get_text())
        if name and name not in names:
            names.append(_cap(name))
        if len(names) == MAX_ITEMS:
            break
    return tuple(names)


def _panes(tabs: str) -> list[tuple[str, str, bool]]:
    """The tab panes of a document's tabs: (id, markup up to the next pane, whether it runs to the end)."""
    starts = list(_PANE.finditer(tabs))
    panes = []
    for number, start in enumerate(starts):
        end = starts[number + 1].start() if number + 1 < len(starts) else len(tabs)
        pane_id = _PANE_ID.search(start.group())
        panes.append((pane_id.group(1) if pane_id else "", tabs[start.end():end], end == len(tabs)))
    return panes


def _document_text(tabs: str | None, truncated: bool) -> tuple[str, bool]:
    """The document's own text from its tabs (an English translation first, else the first pane with text),
    and whether the file ended inside it."""
    texts = [(pane_id, "\n\n".join(_html_paragraphs(markup)), last) for pane_id, markup, last in _panes(tabs or "")]
    texts = [pane for pane in texts if pane[1]]
    if not texts:
        return "", False
    _, text, last = next((pane for pane in texts if "english" in pane[0].lower()), texts[0])
    partial = truncated and last and (tabs or "").endswith(_OPEN_TO_END)
    if len(text) > MAX_TEXT:
        text, partial = text[:MAX_TEXT].rstrip(), True
    return text, partial


def _scan_url(tabs: str | None) -> str | None:
    """The scan: the original's PDF when the page shows one, else its first PDF (a transcript's)."""
    panes = sorted(_panes(tabs or ""), key=lambda pane: pane[0] != "original")
    found = next((match for _, markup, _ in panes for match in [_PDF.search(markup)] if match), None)
    data = _DATA.search(found.group()) if found else None
    if data is None:
        return None
    url = urljoin(ARCHIVE_URL + "/", html.unescape(data.group(1)).strip())
    return url if urlsplit(url).scheme in ("http", "https") else None


# -- rows ------------------------------------------------------------------------------------------------
def _rows(soup: BeautifulSoup, cut: frozenset[int]) -> Iterator[RawRecord | None]:
    """Each row of a "Related Documents" table or a search listing; None for a row cut off in its title."""
    for cell in soup.select("td.document"):
        link = next((a for a in cell.find_all("a", href=True) if document_url(_attr(a, "href"))), None)
        if link is None:
            continue
        title_tag = link.select_one(".sub-title") or link
        if id(title_tag) in cut:
            yield None
            continue
        title = _collapse(title_tag.get_text())
        if not title:
            continue
        row = cell.find_parent("tr")
        date_tag = row.select_one("td.date") if isinstance(row, Tag) else None
        date_text = _collapse(date_tag.get_text()) if date_tag is not None else ""
        line = read_date(date_text) if date_text else None
        text_tag = link.select_one("div.text") or cell.select_one("div.text")
        summary = " ".join(_paragraphs(text_tag)) if text_tag is not None else ""
        record = within_caps(RawRecord(
            date_text=date_text,
            date=line.date if line else UNDATED,
            title=title,
            summary=summary,
            url=document_url(_attr(link, "href")),
            summary_partial=text_tag is not None and id(text_tag) in cut and bool(summary),
            day_impossible=line is not None and line.impossible_day,
        ))
        yield record


# -- text ------------------------------------------------------------------------------------------------
def _paragraphs(tag: Tag) -> list[str]:
    """The text of `tag` as paragraphs (split at block elements), each with its spacing collapsed."""
    return _html_paragraphs(tag.decode_contents())


def _html_paragraphs(markup: str) -> list[str]:
    """The paragraphs of a piece of HTML, without building a tree (a document's text can be most of a page)."""
    text = _TAG.sub("", _BLOCK_BREAK.sub("\n", _NOT_TEXT.sub("", markup)))
    return [line for line in (_collapse(html.unescape(line)) for line in text.replace(_OPEN_TO_END, "").split("\n"))
            if line]


def _split_list(paragraphs: list[str]) -> list[str]:
    """A plain-text list value ("A; B" or one per paragraph) as its items."""
    return [item.strip() for paragraph in paragraphs for item in paragraph.split(";") if item.strip()][:MAX_ITEMS]


def _cap(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1].rstrip() + "…"


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)
