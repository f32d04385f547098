"""The plain data that crosses module boundaries: what a page yields, and what the archive stores."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from .dates import ArchiveDate


class Role(StrEnum):
    """A person's part in a document; the order is the strength of the role (authors first).

    The first three took part (wrote, received, or were in the conversation or meeting the document records);
    MENTIONED is only named: in the summary, in a quoted subject, or as what the title is about ("on X's visit").
    """

    AUTHOR = "author"
    RECIPIENT = "recipient"
    PARTICIPANT = "participant"
    MENTIONED = "mentioned"


TOOK_PART = (Role.AUTHOR, Role.RECIPIENT, Role.PARTICIPANT)  # the roles of a record's `participants`


class EntityKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class DocumentInfo:
    """What the archive's own page of a document says of it beyond a listing entry (issue 11).

    Every field is as the page writes it; empty when the page has no such block. A listing entry has none
    (`RawRecord.info` / `Record.info` is None); a richer source fills fields in and never erases them.
    """

    record_id: str | None = None  # the archive's Record ID: its stable link is /document/<record_id>
    canonical_url: str | None = None  # <link rel="canonical">: /document/<slug>
    authors: tuple[str, ...] = ()  # as the page lists them: "Zhou, Enlai", "China. Ministry of Foreign Affairs"
    places: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    associated: tuple[str, ...] = ()  # "Associated People & Organizations"
    source: str = ""
    original_archive: str = ""
    doc_type: str = ""  # "Type": Memorandum of Conversation, Telegram, ...
    languages: tuple[str, ...] = ()
    rights: str = ""
    donors: tuple[str, ...] = ()
    classification: str = ""  # "Original Classification"
    uploaded: str = ""  # "Original Uploaded Date", as written
    text: str = ""  # the document's own text (translation or transcript) when the page has it
    text_partial: bool = False  # the page was cut off inside the text
    scan_url: str | None = None  # the scan (object.pdf-preview[data])


@dataclass(frozen=True)
class RawRecord:
    """One listing entry as a page shows it, before names are resolved.

    `summary_partial` is set when the page was cut off inside the summary: the text is a prefix of the
    real summary and must never replace a longer one already stored. `day_impossible` is set when the date
    line named a day its month lacks ('February 30, 1958'): `date` holds the month it named, `date_text` the
    line as written. `fields_cut` is set when a field was over its cap (see `within_caps`) and was cut.
    """

    date_text: str
    date: ArchiveDate
    title: str
    summary: str = ""
    notes: tuple[str, ...] = ()
    url: str | None = None
    summary_partial: bool = False
    day_impossible: bool = False
    fields_cut: bool = False
    info: DocumentInfo | None = None  # from a document page; None from a listing entry


# Field caps, the same for every parser. The archive's longest summary is about 1,200 characters; a 10 MB one
# would be stored and searched on every question. A longer title is not a title (the record is dropped); a
# longer summary is cut at a word and marked `summary_partial`; a longer note or date ends in "…".
MAX_TITLE = 2000
MAX_SUMMARY = 8000
MAX_NOTE = 2000
MAX_NOTES = 10
MAX_DATE_TEXT = 80
CUT_MARK = "…"


def within_caps(raw: RawRecord) -> RawRecord | None:
    """The record with every field within its cap (`fields_cut` says if any was cut); None if the title is over."""
    if len(raw.title) > MAX_TITLE:
        return None
    summary = _cut(raw.summary, MAX_SUMMARY)
    notes = tuple(_cut(note, MAX_NOTE - 1) + CUT_MARK if len(note) > MAX_NOTE else note
                  for note in raw.notes[:MAX_NOTES])
    date_text = raw.date_text if len(raw.date_text) <= MAX_DATE_TEXT else raw.date_text[:MAX_DATE_TEXT - 1] + CUT_MARK
    if (summary, notes, date_text) == (raw.summary, raw.notes, raw.date_text):
        return raw
    return replace(raw, summary=summary, notes=notes, date_text=date_text, fields_cut=True,
                   summary_partial=raw.summary_partial or summary != raw.summary)


def _cut(text: str, cap: int) -> str:
    """At most `cap` characters, ending at a word when there is one in the last fifth."""
    if len(text) <= cap:
        return text
    space = text.rfind(" ", cap * 4 // 5, cap + 1)
    return text[:space if space > 0 else cap].rstrip()


class RepairKind(StrEnum):
    """What ingest mended or flagged in a file rather than refuse it; each front end words it."""

    BYTES_REPLACED = "bytes_replaced"  # bytes that are not text in the page's encoding, now U+FFFD
    IMPOSSIBLE_DAY = "impossible_day"  # date lines naming a day their month lacks, kept at month precision
    FIELD_CUT = "field_cut"  # records with a field over its cap (see `within_caps`), stored cut and marked
    METADATA_CUT = "metadata_cut"  # document pages cut off before their document information ends: stored as far
    # as they go (a cut value is left out), to be filled in by a whole copy


@dataclass(frozen=True)
class Repair:
    kind: RepairKind
    count: int  # bytes for BYTES_REPLACED, records for the others


@dataclass(frozen=True)
class Participant:
    """A canonical person or body with its part in the document: author, recipient, participant or mentioned."""

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
    """A stored document, as every later stage (index, answers, citations, export) sees it.

    `participants` took part (authors, recipients, participants); `mentioned` are only named (role MENTIONED).
    """

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
    mentioned: tuple[Participant, ...] = ()
    info: DocumentInfo | None = None  # what the document's own page says; None when only listings were seen
