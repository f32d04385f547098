"""The plain data that crosses module boundaries: what a page yields, and what the archive stores."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .dates import ArchiveDate


class Role(StrEnum):
    """A participant's part in a document; the order is the strength of the role (authors first)."""

    AUTHOR = "author"
    RECIPIENT = "recipient"
    PARTICIPANT = "participant"


class EntityKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class RawRecord:
    """One listing entry as a page shows it, before names are resolved.

    `summary_partial` is set when the page was cut off inside the summary: the text is a prefix of the
    real summary and must never replace a longer one already stored. `day_impossible` is set when the date
    line named a day its month lacks ('February 30, 1958'): `date` holds the month it named, `date_text` the
    line as written.
    """

    date_text: str
    date: ArchiveDate
    title: str
    summary: str = ""
    notes: tuple[str, ...] = ()
    url: str | None = None
    summary_partial: bool = False
    day_impossible: bool = False


@dataclass(frozen=True)
class Participant:
    """A canonical person or body with its part in the document: author, recipient or participant."""

    name: str
    role: Role = Role.PARTICIPANT
    kind: EntityKind = EntityKind.PERSON


@dataclass
class ParsedPage:
    """What one file held: its records, the layout recognised, and whether it was cut off."""

    layout: str
    records: list[RawRecord] = field(default_factory=list)
    truncated: bool = False
    dropped: int = 0  # entries seen but not kept (cut off mid-title, no title)


class PageError(ValueError):
    """A file that is not a listing of the archive; the message is shown to the user as the reason."""


@dataclass(frozen=True)
class Record:
    """A stored document, as every later stage (index, answers, citations, export) sees it."""

    id: int
    date: ArchiveDate
    date_text: str
    title: str
    summary: str
    notes: tuple[str, ...] = ()
    url: str | None = None
    participants: tuple[Participant, ...] = ()
    sources: tuple[str, ...] = ()
    summary_partial: bool = False
