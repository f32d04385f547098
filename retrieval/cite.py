"""Citations as plain data, in the style the archive suggests: "Title," Month DD, YYYY, Archive, URL."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from .records import Record
from .site import ARCHIVE_NAME, ARCHIVE_URL

URL_MAX = 512  # the longest link a chat platform takes everywhere (Discord refuses longer link buttons)
# A link that is safe to show as it is: http(s), and none of the characters that could open markup, a
# mention or a masked link around it (brackets, parentheses, angle brackets, backticks, backslashes, @, quotes).
SAFE_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f<>\[\]()`\\@\"']+", re.IGNORECASE)


@dataclass(frozen=True)
class Citation:
    title: str
    date: str  # as precise as the source: "September 27, 1958", "February 1950", "1966", "undated"
    participants: tuple[str, ...]
    archive: str
    url: str  # always http(s), at most URL_MAX characters, free of markup and mention characters
    link_is_search: bool  # no usable link was seen at ingest: the URL searches the archive for the title

    @property
    def source(self) -> str:
        """The citation without its URL: "Title," date, archive."""
        return f"\u201c{self.title},\u201d {self.date}, {self.archive}"

    @property
    def text(self) -> str:
        return f"{self.source}, {self.url}."


def search_url(title: str) -> str:
    """The archive's search for `title`, its words dropped from the end until the URL fits URL_MAX."""
    words = title[: URL_MAX + 1].split()  # encoding never shortens text: no more of the title can fit
    while True:
        url = f"{ARCHIVE_URL}/search?{urlencode({'search_api_fulltext': ' '.join(words)})}"
        if len(url) <= URL_MAX:
            return url
        words = words[:-1] if len(words) > 1 else [words[0][: len(words[0]) // 2]]


def usable_url(url: str | None) -> bool:
    """A link the bot can send as is: http(s), short enough, and nothing a chat could read as markup."""
    return url is not None and len(url) <= URL_MAX and SAFE_URL.fullmatch(url) is not None


def cite(record: Record) -> Citation:
    usable = usable_url(record.url)
    return Citation(
        title=record.title,
        date=record.date.human(),
        participants=tuple(p.name for p in record.participants),
        archive=ARCHIVE_NAME,
        url=record.url if usable and record.url is not None else search_url(record.title),
        link_is_search=not usable,
    )
