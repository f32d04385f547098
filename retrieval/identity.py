"""Which stored document an incoming listing entry is, and how the two merge: the archive's identity rules.

One document per (title, date), however a page wrote them, except that one file may list several distinct
documents under the same title and date (numbered by `OccurrenceCounter`). A cut-off summary never replaces
the whole one it is a prefix of, and a damaged text (characters lost to U+FFFD, or UTF-8 read as
Windows-1252: 'â€™' for '’') never replaces the clean one it is a copy of; a damaged title finds the clean
stored one through `TitlePattern`. Pure decisions, no SQL: `ArchiveStore.upsert` reads the candidate rows,
asks `plan_upsert` what to do, and writes the plan.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .dates import ArchiveDate
from .records import DocumentInfo, Participant, RawRecord
from .text import ascii_spaced, fold


@dataclass(frozen=True, init=False)
class Incoming:
    """A parsed record with its participants resolved, ready to upsert.

    `occurrence` numbers the distinct documents one file lists under the same title and date (the archive
    has such pairs: same title, same day, different summaries); a plain repeat of a record is occurrence 1.
    `people_input` is a digest of what `participants` were found from (`ingest.people_input`), stored with them:
    a record seen again with the same one is given the stored participants instead of finding them again.
    `base_key` is `record_key` of its title and date: computed here unless given (an ingest computes it where
    the record was parsed, in another process for a large file).
    """

    raw: RawRecord
    participants: tuple[Participant, ...] = ()
    occurrence: int = 1
    people_input: bytes | None = None
    base_key: str = ""
    links: frozenset[str] = field(init=False, repr=False, compare=False)  # see `document_links`

    def __init__(self, raw: RawRecord, participants: tuple[Participant, ...] = (), occurrence: int = 1,
                 people_input: bytes | None = None, base_key: str = "") -> None:
        """The fields set at once: a frozen dataclass's own `__init__` sets each through `object.__setattr__`, twice
        the time, for a record by the thousand. `base_key` and `links` are asked for by the store and the plan:
        set once here (a cached_property takes a lock each time); a key is never empty (it ends in '|' and the
        date)."""
        self.__dict__.update(raw=raw, participants=participants, occurrence=occurrence, people_input=people_input,
                             base_key=base_key or record_key(raw.title, raw.date),
                             links=document_links(raw.url, raw.info))

    @property
    def title_pattern(self) -> TitlePattern | None:
        return title_pattern(self.raw.title, self.raw.date)



@dataclass
class UpsertCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged


_NO_LINKS: frozenset[str] = frozenset()


def document_links(url: str | None, info: DocumentInfo | None) -> frozenset[str]:
    """What names one document whatever page it was seen on: 'id:<Record ID>' and 'slug:<slug>' (the archive
    links `/document/<Record ID>` and `/document/<slug>`; a listing links one of them, a document page says both)."""
    if url is None and info is None:  # a text listing's entries: nothing to parse, no set to make
        return _NO_LINKS
    links = {f"id:{info.record_id}"} if info is not None and info.record_id else set()
    for address in (url, info.canonical_url if info is not None else None):
        if not address:  # most listing entries link nothing: no parse
            continue
        path = urlsplit(address).path
        at = path.find("/document/")
        segment = next((s for s in path[at + len("/document/"):].split("/") if s), "") if at >= 0 else ""
        if segment:
            segment = unquote(segment).lower()
            links.add(f"id:{segment}" if segment.isdigit() else f"slug:{segment}")
    return frozenset(links)


def links_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Do two sets of links name different documents (another Record ID, or another slug)?"""
    if not a or not b:  # most listing entries link nothing
        return False
    kinds = {link.split(":", 1)[0] for link in a} & {link.split(":", 1)[0] for link in b}
    return any({x for x in a if x.startswith(kind + ":")}.isdisjoint({y for y in b if y.startswith(kind + ":")})
               for kind in kinds)


def merge_info(old: DocumentInfo | None, new: DocumentInfo | None) -> DocumentInfo | None:
    """A document's page seen again: each field the new copy has replaces the old one, an empty one never
    erases it, and a cut-off text never replaces the whole one."""
    if old is None or new is None:
        return new or old
    values = {f.name: getattr(new, f.name) or getattr(old, f.name) for f in fields(DocumentInfo)}
    values["text"], values["text_partial"] = merge_summary(old.text, old.text_partial, new.text, new.text_partial)
    return DocumentInfo(**values)


def record_key(title: str, date: ArchiveDate) -> str:
    """Identity of a document: its title with case, accents, quotes, spacing and mojibake folded, and its date."""
    return f"{_key_words(unmojibake(title))}|{date.iso() or ''}"


def _key_words(text: str) -> str:
    """The text folded, its words (of `\\w`) joined by single spaces."""
    if text.isascii():  # most titles: one translate and one split in C, no pattern
        return " ".join(text.encode("ascii").translate(_ASCII_KEY).decode("ascii").split())
    return _NON_WORD.sub(" ", fold(text)).strip()


_NON_WORD = re.compile(r"[^\w]+")
# ASCII letters lowercased (as `fold` does), digits and "_" (the word characters of `\w`), every other byte a space.
_ASCII_KEY = ascii_spaced(keep="_").lower()


# UTF-8 read as Windows-1252: a lead byte's character followed by as many continuation bytes' characters as
# it announces ('â€™' is the three bytes of '’').
_CONTINUATION = "[" + re.escape(bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")) + "]"
_MOJIBAKE = re.compile(f"[\u00c2-\u00df]{_CONTINUATION}|[\u00e0-\u00ef]{_CONTINUATION}{{2}}"
                       f"|[\u00f0-\u00f4]{_CONTINUATION}{{3}}")


# The same with a byte Windows-1252 leaves undefined, already U+FFFD ('â€\ufffd' was '”'): past repair.
_BROKEN_MOJIBAKE = re.compile(f"[\u00c2-\u00f4]{_CONTINUATION}{{0,2}}\ufffd")


def unmojibake(text: str) -> str:
    """The text with every run that is UTF-8 read as Windows-1252 read again as UTF-8; a run that lost a
    byte to U+FFFD becomes one U+FFFD, a character lost like any other."""
    if text.isascii():
        return text
    return _BROKEN_MOJIBAKE.sub("\ufffd", _MOJIBAKE.sub(_reread, text))


def _reread(match: re.Match[str]) -> str:
    try:
        return match.group().encode("cp1252").decode("utf-8")
    except UnicodeError:
        return match.group()


def damaged_copy(damaged: str, clean: str) -> bool:
    """Is `damaged` the `clean` text with characters lost to U+FFFD or turned to mojibake, and nothing else?"""
    if damaged.isascii():  # neither U+FFFD nor mojibake is ASCII: the common case, decided before any copy
        return False
    damaged, clean = " ".join(damaged.split()), " ".join(clean.split())
    repaired = unmojibake(damaged)
    if repaired == clean:
        return repaired != damaged
    if "\ufffd" not in repaired or "\ufffd" in clean:
        return False
    # One U+FFFD per unreadable byte, or one for a cut-off sequence: each run stands for a few characters.
    pieces = re.split("(\ufffd+)", repaired)
    pattern = "".join(f".{{0,{2 * len(piece)}}}" if piece.startswith("\ufffd") else re.escape(piece)
                      for piece in pieces)
    return re.fullmatch(pattern, clean, re.DOTALL) is not None


@dataclass(frozen=True)
class TitlePattern:
    """A title with characters lost to U+FFFD, as a GLOB that finds every stored base key it may stand for
    and a pattern that `pick`s the one it does (none when it could be several)."""

    glob: str
    regex: re.Pattern[str]

    def pick(self, base_keys: Iterable[str]) -> str | None:
        found = {key for key in base_keys if self.regex.fullmatch(key)}
        return found.pop() if len(found) == 1 else None


def title_pattern(title: str, date: ArchiveDate) -> TitlePattern | None:
    """The pattern of a damaged title's base key (see TitlePattern); None for a title without U+FFFD."""
    if "\ufffd" not in title:
        return None
    pieces = [_key_words(piece) for piece in re.split("\ufffd+", unmojibake(title))]
    tail = f"|{date.iso() or ''}"
    regex = r"[\w ]{0,4}".join(re.escape(piece) for piece in pieces) + re.escape(tail)
    return TitlePattern("*".join(pieces) + tail, re.compile(regex))


def summaries_agree(a: str, b: str) -> bool:
    """Could two listings' summaries be the same document's? Equal, one cut off from the other, one missing,
    or one a damaged copy of the other."""
    if a == b:
        return True
    a, b = " ".join(a.split()), " ".join(b.split())
    return not a or not b or a.startswith(b) or b.startswith(a) or damaged_copy(a, b) or damaged_copy(b, a)


class OccurrenceCounter:
    """Numbers same-title-same-date documents within one file, across its batches.

    Such pairs sit next to each other on a listing page, so only the most recent keys are remembered: memory
    stays bounded on a 100,000-record file, and a repeat further away is still matched by its summary.
    """

    def __init__(self, window: int = 10_000) -> None:
        self._seen: OrderedDict[str, list[str]] = OrderedDict()
        self._window = window

    def number(self, base_key: str, summary: str) -> int:
        summaries = self._seen.get(base_key)
        if summaries is None:
            summaries = self._seen[base_key] = []
            if len(self._seen) > self._window:
                self._seen.popitem(last=False)
        for index, seen in enumerate(summaries):
            if summaries_agree(seen, summary):
                if len(summary) > len(seen):
                    summaries[index] = summary
                return index + 1
        summaries.append(summary)
        return len(summaries)


def merge_summary(old: str, old_partial: bool, new: str, new_partial: bool) -> tuple[str, bool]:
    """Pick the summary to keep: a cut-off capture never replaces the whole text it is a prefix of, nor a
    damaged copy the clean text."""
    if new == old:
        return old, old_partial and new_partial
    if not new or damaged_copy(new, old):
        return old, old_partial
    if new_partial and old.startswith(new.rstrip()):
        return old, old_partial
    if old_partial and new.startswith(old.rstrip()):
        return new, new_partial
    if new_partial and not old_partial and old:
        return old, old_partial  # a cut-off text that differs: keep the whole one
    return new, new_partial


def merge_incoming(first: Incoming, second: Incoming) -> Incoming:
    """One record seen twice before it is stored: the later sighting wins, except over a whole summary."""
    raw1, raw2 = first.raw, second.raw
    if raw1.info is not None and raw2.info is None:  # a page's own data wins over a listing's, whatever the order
        first, second = second, first
        raw1, raw2 = raw2, raw1
    summary, partial = merge_summary(raw1.summary, raw1.summary_partial, raw2.summary, raw2.summary_partial)
    merged = RawRecord(
        date_text=raw1.date_text,
        date=raw1.date,
        title=raw1.title,
        summary=summary,
        notes=raw2.notes or raw1.notes,
        url=raw2.url or raw1.url,
        summary_partial=partial,
        info=merge_info(raw1.info, raw2.info),
    )
    found = second if summary == raw2.summary or raw2.info is not None else first
    return Incoming(merged, found.participants, first.occurrence, found.people_input)


NOT_STORED = -1  # the id of a row an earlier record of the batch is to insert


@dataclass
class StoredRow:
    """A stored document as far as identity needs it: its key and the fields a merge may change."""

    id: int
    key: str
    summary: str
    summary_partial: bool
    notes: tuple[str, ...] = ()
    url: str | None = None
    participants: tuple[Participant, ...] = ()
    info: DocumentInfo | None = None  # what its own page said, if it was seen
    links: frozenset[str] = frozenset()  # see `document_links`
    people_input: bytes | None = None  # what its participants were found from (`Incoming.people_input`)


def choose_row(rows: Sequence[StoredRow], summary: str, occurrence: int) -> StoredRow | None:
    """The stored document an incoming one is: the one whose summary agrees, else its slot, else none."""
    agreeing = [r for r in rows if summaries_agree(r.summary, summary)]
    if agreeing:
        return agreeing[min(occurrence, len(agreeing)) - 1]
    if occurrence == 1 and len(rows) == 1:
        return rows[0]  # the one known document under this title and date: its summary changed
    return None


def new_key(base: str, occurrence: int, taken: set[str]) -> str:
    """The key of a document not stored yet: the plain key for the first, `base#2`, `base#3`... for others."""
    if occurrence == 1 and base not in taken:
        return base
    number = max(occurrence, 2)
    while f"{base}#{number}" in taken:
        number += 1
    return f"{base}#{number}"


class Insert(NamedTuple):
    """A new record's row. One a new record: a NamedTuple is made in a fraction of a frozen dataclass's time (no
    `object.__setattr__` per field)."""

    key: str
    base_key: str
    item: Incoming


@dataclass(frozen=True)
class Update:
    """New values for a stored row's mergeable fields."""

    row_id: int
    summary: str
    summary_partial: bool
    notes: tuple[str, ...]
    url: str | None


@dataclass
class UpsertPlan:
    """What one batch does to the archive.

    `landed` has every key the batch lands on (stored or new), with the item whose participants the row
    takes, or None where the row keeps its own; each of them gains the batch's source. `documents` has the
    page data to write per key (new or merged), `links` the links each key gains. `found_from` has the digest
    to store for rows that keep their participants, which the incoming record's would be too (a row stored
    before digests were, or under another of its sightings). `ids` has the id of every stored row the batch
    lands on: only the new rows' are read back once written.
    """

    inserts: list[Insert] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    landed: dict[str, Incoming | None] = field(default_factory=dict)
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    documents: dict[str, DocumentInfo] = field(default_factory=dict)
    links: dict[str, frozenset[str]] = field(default_factory=dict)
    found_from: dict[int, bytes] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)


def plan_upsert(batch: Sequence[Incoming], stored: Mapping[str, Sequence[StoredRow]],
                aliases: Mapping[str, str] | None = None,
                linked: Mapping[str, tuple[str, str]] | None = None) -> UpsertPlan:
    """Match each incoming record to a stored row (`stored` maps base keys to their rows) and merge.

    A record with links (`document_links`) is the row holding one of them (`linked` maps a link to that row's
    base key and key, whose rows `stored` holds); else, as one without, the row its title and date find,
    among those whose links name no other document. `aliases` maps the base key of a damaged title to the
    stored one its `TitlePattern` picked. Repeats within the batch are merged first; later records in the
    batch see the effect of earlier ones.
    """
    aliases = aliases or {}
    linked = linked or {}
    return _plan(batch, stored, aliases, linked, _shared_bases(batch, stored, aliases, linked))


def _shared_bases(batch: Sequence[Incoming], stored: Mapping[str, Sequence[StoredRow]], aliases: Mapping[str, str],
                  linked: Mapping[str, tuple[str, str]]) -> set[str]:
    """The base keys whose candidates more than one record of the batch, or a stored row, may be: a record
    without links under any other base key is new, and alone (most records of a new archive), and `_plan`
    inserts it without looking for the row it would merge into."""
    shared = {*stored, *aliases, *aliases.values(), *(base for base, _ in linked.values())}
    seen: set[str] = set()
    for item in batch:
        base = item.base_key
        if base in seen:
            shared.add(base)
        else:
            seen.add(base)
    return shared


def _plan(batch: Sequence[Incoming], stored: Mapping[str, Sequence[StoredRow]], aliases: Mapping[str, str],
          linked: Mapping[str, tuple[str, str]], shared: Container[str]) -> UpsertPlan:
    """`plan_upsert`, with the records without links whose base key is not in `shared` inserted at once (what
    the general way decides for them: no row to merge into, no repeat to merge first, a key of their own)."""
    found = dict(linked)
    merged: dict[tuple[str, int], Incoming] = {}
    for item in batch:
        slot = (min(item.links), 0) if item.links else (aliases.get(item.base_key, item.base_key), item.occurrence)
        previous = merged.get(slot)
        merged[slot] = item if previous is None else merge_incoming(previous, item)
    candidates = {base: list(rows) for base, rows in stored.items()}  # the caller's rows are never changed
    plan = UpsertPlan()
    for (base, occurrence), item in merged.items():
        raw = item.raw
        if not item.links and base not in shared:
            _add_new(plan, found, base, new_key(base, occurrence, set()), item)
            continue
        if item.links:
            base, occurrence = aliases.get(item.base_key, item.base_key), item.occurrence
        linked_to = _linked_row(item.links, found, candidates)
        row: StoredRow | None
        if linked_to is not None:
            base, row = linked_to
        else:
            rows = [r for r in candidates.setdefault(base, []) if not links_conflict(r.links, item.links)]
            row = choose_row(rows, raw.summary, occurrence)
        if row is None:
            base = item.base_key  # a damaged title that is none of the documents its pattern found: its own
            rows = candidates.setdefault(base, [])
            key = new_key(base, occurrence, {r.key for r in rows})
            rows.append(StoredRow(NOT_STORED, key, raw.summary, raw.summary_partial, info=raw.info, links=item.links))
            _add_new(plan, found, base, key, item)
            continue
        _merge_into(plan, found, candidates[base], base, row, item)
    return plan


def _add_new(plan: UpsertPlan, found: dict[str, tuple[str, str]], base: str, key: str, item: Incoming) -> None:
    plan.inserts.append(Insert(key, base, item))
    plan.landed[key] = item
    _note_links(plan, found, base, key, item.links, item.raw.info)
    plan.counts.new += 1


def _linked_row(links: frozenset[str], found: Mapping[str, tuple[str, str]],
                candidates: Mapping[str, list[StoredRow]]) -> tuple[str, StoredRow] | None:
    """The base key and row that hold one of `links`, if any does."""
    for link in sorted(links):
        if link in found:
            base, key = found[link]
            row = next((r for r in candidates.get(base, ()) if r.key == key), None)
            if row is not None:
                return base, row
    return None


def _note_links(plan: UpsertPlan, found: dict[str, tuple[str, str]], base: str, key: str,
                links: frozenset[str], info: DocumentInfo | None) -> None:
    if links:
        plan.links[key] = links
        found.update({link: (base, key) for link in links})
    if info is not None:
        plan.documents[key] = info


def _merge_into(plan: UpsertPlan, found: dict[str, tuple[str, str]], rows: list[StoredRow], base: str,
                row: StoredRow, item: Incoming) -> None:
    """A record seen again. A document's page is richer than a listing's row of it: a row fills in what the
    page left empty and replaces none of it (summary, link, participants); a page replaces a row's."""
    raw = item.raw
    if row.id != NOT_STORED:
        plan.ids[row.key] = row.id
    poorer = row.info is not None and raw.info is None
    if poorer:
        summary, partial = (row.summary, row.summary_partial) if row.summary else (raw.summary, raw.summary_partial)
    else:
        summary, partial = merge_summary(row.summary, row.summary_partial, raw.summary, raw.summary_partial)
    notes = row.notes if _damaged_notes(raw.notes, row.notes) else raw.notes or row.notes
    url = row.url if poorer and row.url else raw.url or row.url
    info = merge_info(row.info, raw.info)
    links = row.links | item.links
    if raw.info is not None:
        same_people = row.participants == item.participants
    else:
        same_people = poorer or summary != raw.summary or row.participants == item.participants
    _note_links(plan, found, base, row.key, links - row.links, info if info != row.info else None)
    if (summary, partial, notes, url, info, links) == (row.summary, row.summary_partial, row.notes, row.url,
                                                       row.info, row.links) and same_people:
        plan.counts.unchanged += 1
        plan.landed.setdefault(row.key, None)
        if item.people_input not in (None, row.people_input) and row.participants == item.participants:
            plan.found_from[row.id] = item.people_input
        return
    rows[rows.index(row)] = replace(row, summary=summary, summary_partial=partial, notes=notes, url=url, info=info,
                                    links=links)
    plan.updates.append(Update(row.id, summary, partial, notes, url))
    if poorer:
        plan.landed.setdefault(row.key, None)  # keeps the participants its page gave it
    else:
        plan.landed[row.key] = item
    plan.counts.updated += 1


def _damaged_notes(new: tuple[str, ...], old: tuple[str, ...]) -> bool:
    """Are the incoming notes the stored ones with some of them damaged (see `damaged_copy`)?"""
    if len(new) != len(old) or new == old:
        return False
    return all(a == b or damaged_copy(a, b) for a, b in zip(new, old, strict=True))
