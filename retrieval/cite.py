"""Citations as plain data, in the style the archive suggests: "Title," Month DD, YYYY, Archive, URL."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from .records import Record
from .site import ARCHIVE_NAME, ARCHIVE_URL


@dataclass(frozen=True)
class Citation:
    title: str
    date: str  # as precise as the source: "September 27, 1958", "February 1950", "1966", "undated"
    participants: tuple[str, ...]
    archive: str
    url: str
    link_is_search: bool  # no link was seen at ingest: the URL searches the archive for the title

    @property
    def text(self) -> str:
        return f"\u201c{self.title},\u201d {self.date}, {self.archive}, {self.url}."


def search_url(title: str) -> str:
    return f"{ARCHIVE_URL}/search?{urlencode({'search_api_fulltext': title})}"


def cite(record: Record) -> Citation:
    return Citation(
        title=record.title,
        date=record.date.human(),
        participants=tuple(p.name for p in record.participants),
        archive=ARCHIVE_NAME,
        url=record.url or search_url(record.title),
        link_is_search=record.url is None,
    )
