"""What a fetched page is: the archive's search listing (and the documents it links), one of its document pages,
an anti-bot challenge, or some other site's HTML. Only what the crawler needs to go on; what a page *says* is
the parser's business (retrieval/parse/), reached through ingest.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from ..site import ARCHIVE_HOST, ARCHIVE_NAME

# The listing's (and a document page's "Related Documents") row: `td.document a[href^="/document/"]`; the href
# may also be written absolute. A slug is what the site writes: letters, digits, '-' and '_' (a Record ID is
# digits), never a path: anything else is not saved under the mirror.
ROW_LINKS = 'td.document a[href*="/document/"]'
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,199}")
# Anti-bot services' interstitials (Cloudflare's "Just a moment...", its challenge-platform scripts, and the
# older "Attention Required!" page; the same words from other vendors' pages).
CHALLENGE_MARKS = ("cf-challenge", "challenge-platform", "cf_chl_", "just a moment...", "attention required! |",
                   "checking your browser", "ddos protection by", "captcha")
CHALLENGE_STATUSES = frozenset({403, 429, 503})
_SNIFF = 64 * 1024  # a challenge page says what it is near its top


class PageKind(StrEnum):
    LISTING = "listing"
    DOCUMENT = "document"


class Verdict(StrEnum):
    """What a page turned out to be, for the crawler to act on."""

    ARCHIVE = "archive"  # a page of the archive, of the kind asked for
    CHALLENGE = "challenge"  # an anti-bot interstitial instead of the page
    FOREIGN = "foreign"  # HTML, but not the archive's (another site, a login or error page)


@dataclass(frozen=True)
class Listing:
    """One listing page: the documents its rows link to (slugs, in page order), and whether it is the archive's."""

    slugs: tuple[str, ...]
    verdict: Verdict


def is_challenge(status: int, headers: dict[str, str], body: bytes) -> bool:
    """An anti-bot service answered instead of the site: Cloudflare says so in a header; others by their page
    (on an error status, or on a 200 that carries a challenge script)."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    head = body[:_SNIFF].decode("utf-8", "replace").lower()
    marked = any(mark in head for mark in CHALLENGE_MARKS)
    return marked and (status in CHALLENGE_STATUSES or "<title>just a moment" in head or "cf_chl_" in head)


def document_slug(href: str) -> str | None:
    """`/document/<slug>` (or the same written absolute) -> slug; None for anything else."""
    path = urlsplit(href).path
    if not path.startswith("/document/"):
        return None
    slug = path[len("/document/"):].strip("/")
    return slug if SLUG.fullmatch(slug) else None


def read_listing(body: bytes) -> Listing:
    """The document links of a listing page. A page with rows is the archive's; one without rows is the
    listing's end only when it is still the archive's own page (its name in the title, or its host named)."""
    soup = BeautifulSoup(body, "html.parser")
    slugs: list[str] = []
    for anchor in soup.select(ROW_LINKS):
        slug = document_slug(str(anchor.get("href", "")))
        if slug is not None and slug not in slugs:
            slugs.append(slug)
    verdict = Verdict.ARCHIVE if slugs or _names_archive(soup) else Verdict.FOREIGN
    return Listing(tuple(slugs), verdict)


def read_document(body: bytes) -> Verdict:
    """A document page declares its canonical `/document/` address or carries the archive's name and title."""
    end = body.find(b"</head>")  # the canonical link is in the head: a 700 KB page need not be parsed whole
    head = BeautifulSoup(body[:end] if end > 0 else body, "html.parser")
    canonical = head.find("link", rel="canonical")
    if canonical is not None and "/document/" in str(canonical.get("href", "")):
        return Verdict.ARCHIVE
    soup = BeautifulSoup(body, "html.parser")
    return Verdict.ARCHIVE if _names_archive(soup) and soup.select_one("h1") is not None else Verdict.FOREIGN


def _names_archive(soup: BeautifulSoup) -> bool:
    title = soup.title.get_text() if soup.title is not None else ""
    if ARCHIVE_NAME.lower() in title.lower():
        return True
    site = soup.find("meta", attrs={"property": "og:site_name"})
    if site is not None and ARCHIVE_NAME.lower() in str(site.get("content", "")).lower():
        return True
    return any(ARCHIVE_HOST in str(link.get("href", "")) for link in soup.find_all("link", rel="canonical"))
