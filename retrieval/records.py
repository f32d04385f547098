"""The plain data that crosses module boundaries: what a page yields, and what the archive stores."""
from __future__ import annotations

from dataclasses import dataclass, field

from .dates import ArchiveDate


@dataclass(frozen=True)
class RawRecord:
    """One listing entry as a page shows it, before names are resolved.

    `summary_partial` is set when the page was cut off inside the summary: the text is a prefix of the
    real summary and must never replace a longer one already stored.
    """

    date_text: str
    date: ArchiveDate
    title: str
    summary: str = ""
    notes: tuple[str, ...] = ()
    url: str | None = None
    summary_partial: bool = False


@dataclass(frozen=True)
class Participant:
    """A canonical person or body with its part in the document: author, recipient or participant."""

    name: str
    role: str = "participant"
    kind: str = "person"  # person | organization


@dataclass
class ParsedPage:
    """What one file held: its records, the layout recognised, and whether it was cut off."""

    layout: str
    records: list[RawRecord] = field(default_factory=list)
    truncated: bool = False
    dropped: int = 0  # entries seen but not kept (cut off mid-title, no title)


class PageError(ValueError):
    """A file that is not a listing of the archive; the message is shown to the user as the reason."""
