"""The Archive facade every front end uses: search, ask, show, refresh. It knows nothing of Discord.

The index is an immutable snapshot: a refresh builds a new one in a worker thread and swaps the reference,
so searches running meanwhile finish on the old one and none waits. CPU work never runs on the event loop; a
large archive's new base index is built by a child process (retrieval/build_index.py), one at a time per index
folder.
"""
from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import compress, islice
from pathlib import Path

import numpy as np
import pysbd
from pysbd.lang.english import English

from . import shown
from .build_index import ChildBuild, Outcome, build_in_child
from .cite import Citation, cite
from .daterange import DateRange
from .dates import ArchiveDate
from .index import Scores, SearchIndex, own_terms
from .indexfiles import Built, IndexUnusable, building, index_folder, load, remove_leftovers, save
from .intent import Intent, Request, requested
from .people import PeopleDirectory
from .query import ParsedQuery, QueryParser, english_zipf
from .reader import FILL_PER_REFRESH, ArchiveState, RecordReader
from .records import Record
from .reroles import carry_roles_forward
from .segment import UNDATED_KEY, Segment, build, date_of_key
from .spelling import SpellingIndex
from .store import SqliteArchiveStore
from .text import fold, tokenize, words
from .thesaurus import Thesaurus
from .titles import TitleLookup

log = logging.getLogger(__name__)

MAX_LIMIT = 100
MAX_BROWSE = 500  # a browse lists at most this many documents (100 pages of 5); it says how many there are
SOURCE_FLOOR = 0.6  # an answer's supporting documents score at least this share of the best one
# What changed since the base index was built is searched as a delta beside it, until it holds more than this
# many records and this share of the base: then a new base is built (by a child process from CHILD_FROM on).
DELTA_MIN = 5000
DELTA_SHARE = 20
# While the new base builds, the old one answers with up to this many changed records as a delta, so they are
# found at once: a delta costs the bot about 0.2 ms of CPU and 4 KiB at its peak per record (a segment of 55,000
# built alone: 10.7 s, +220 MiB; `bench/scale.py --large-refresh 55000` at 1,000,000: found after 24 s instead
# of 408). Past it, or after deletions, the old snapshot answers until the new base is mapped.
INTERIM_DELTA = 60_000
# Archives this large build a new base in a child process (~0.6 s to start; a million records take minutes and
# ~3 GB at the peak, which the bot's own process then never holds); smaller ones build it in a worker thread.
CHILD_FROM = 50_000
REBUILDS = 2  # new bases built in a row when an ingest outgrows each one before it is mapped


@dataclass(frozen=True)
class Hit:
    record: Record
    score: float
    citation: Citation
    matched: tuple[str, ...]  # the words of the record that matched the question, for emphasis


class NoticeKind(StrEnum):
    """What is said before the hits (each front end words it)."""

    NO_TERMS = "no_terms"  # the question had no words to search for
    DATE_RELAXED = "date_relaxed"  # nothing at the question's date: the best matches at any date follow
    NOTHING_FOUND = "nothing_found"


class Constraint(StrEnum):
    """One of the things a result must meet, so a notice can say which of them nothing met."""

    WORDS = "words"  # the words searched for
    DATES = "dates"  # a date or range the question names
    YEARS = "years"  # the from/to filter
    PERSON = "person"  # the person filter, or a person a browse names


@dataclass(frozen=True)
class Count:
    """How many documents of the whole archive meet one constraint on its own."""

    constraint: Constraint
    value: str  # the words, a date range described, or a person's canonical name
    documents: int


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    dates: DateRange | None = None  # DATE_RELAXED: the date nothing matched
    searched: str = ""  # NOTHING_FOUND: what was searched for
    counts: tuple[Count, ...] = ()  # each constraint on its own, so the notice can say which had no match


class HintKind(StrEnum):
    """A way to find something when nothing matched."""

    UNKNOWN_WORD = "unknown_word"  # `value` is not in the archive; `close` are its nearest words
    WIDEN_YEARS = "widen_years"  # the from/to filter
    DROP_PERSON = "drop_person"  # `value` is the person filter
    DROP_DATE = "drop_date"  # the date named in the question
    FEWER_WORDS = "fewer_words"


@dataclass(frozen=True)
class Hint:
    kind: HintKind
    value: str = ""
    close: tuple[str, ...] = ()


@dataclass
class SearchResult:
    query: str
    understood: ParsedQuery
    hits: list[Hit] = field(default_factory=list)
    notice: Notice | None = None
    suggestions: list[Hint] = field(default_factory=list)
    intent: Intent = Intent.SEARCH
    total: int = 0  # documents that matched; a browse lists the first of them in date order
    browsed: tuple[Count, ...] = ()  # a browse's constraints: its dates, people and filters

    @property
    def relaxed(self) -> bool:
        """The question's own date was dropped to find anything."""
        return self.notice is not None and self.notice.kind is NoticeKind.DATE_RELAXED


@dataclass(frozen=True)
class Sentence:
    """A sentence of a summary; `cut_off` when it is the last of a summary the archive has only cut off."""

    text: str
    cut_off: bool = False


@dataclass
class Answer:
    result: SearchResult
    sentence: str | None = None  # the summary sentence that answers, or None when nothing does
    cut_off: bool = False  # the sentence is where a cut-off summary stops: it may go on
    intent: Intent = Intent.SEARCH
    person: PersonCard | None = None  # the person intent's card

    @property
    def record(self) -> Record | None:
        return self.result.hits[0].record if self.result.hits else None

    @property
    def text(self) -> str | None:
        if self.sentence is None or self.record is None:
            return None
        return f"{self.sentence}{'…' if self.cut_off else ''} ({self.record.date.human()})"


@dataclass(frozen=True)
class Similar:
    """The documents nearest to `record` by BM25, its own title and summary the query; never itself."""

    record: Record
    hits: list[Hit]


def _delta_limit(base: Segment) -> int:
    """The most changed records searched as a delta beside `base`; past it a new base is built."""
    return max(DELTA_MIN, base.size // DELTA_SHARE)


def _serves(base: Segment, changed: list[int], state: ArchiveState) -> bool:
    """Whether `base` with a delta of the `changed` records (ids) is the archive as it is, to keep: not when the
    delta outgrew its limit, nor when records were deleted since."""
    return len(changed) <= _delta_limit(base) and _whole(base, changed, state)


def _whole(base: Segment, changed: list[int], state: ArchiveState) -> bool:
    """Whether `base` with a delta of the `changed` records holds the archive's records, no more: not when
    records were deleted since (the base would still find them)."""
    held_again = int(np.isin(base.ids, changed).sum()) if changed else 0
    return base.size - held_again + len(changed) == state.records


@dataclass(frozen=True)
class ArchiveStats:
    documents: int
    earliest: ArchiveDate | None
    latest: ArchiveDate | None
    people: int  # people and bodies with at least one document


@dataclass(frozen=True)
class PersonDocuments:
    """A person's documents: those they wrote, received or took part in, and those that only mention them."""

    name: str  # canonical
    took_part: list[Record]  # date order, undated last
    mentioned: list[Record]

    @property
    def years(self) -> tuple[int, int] | None:
        """The first and last year of the dated documents they took part in (mentions say nothing of a life)."""
        years = [r.date.year for r in self.took_part if r.date.year is not None]
        return (min(years), max(years)) if years else None


@dataclass(frozen=True)
class PersonCard:
    """Who someone is in the archive: the people file's line, the name asked by, and their documents."""

    name: str
    typed: str  # the name as the question wrote it (a pseudonym, an old spelling)
    aliases: tuple[str, ...]  # the other ways the archive writes the name
    note: str
    documents: PersonDocuments

    @property
    def records(self) -> list[Record]:
        """Those they took part in first, then the mentions, each in date order."""
        return self.documents.took_part + self.documents.mentioned


def _day_of_year(month: int, day: int) -> int:
    return date(2000, month, day).timetuple().tm_yday  # a leap year, so 29 February has its place


class QueryProblem(StrEnum):
    REVERSED_YEARS = "reversed_years"  # values: (from, to)
    UNKNOWN_PERSON = "unknown_person"  # values: (name, *close names)


class QueryError(ValueError):
    """A filter the user gave cannot work; the front end words `problem` and `values`."""

    def __init__(self, problem: QueryProblem, *values: str | int) -> None:
        super().__init__(f"{problem}: {values}")
        self.problem = problem
        self.values = values


class _Snapshot:
    """Index, query parser, spelling and the calendar of one state of the archive.

    Everything a command needs that would otherwise scan every record (the documents of a day of the year,
    the archive's span, the documents with a summary) is derived here from the index's arrays, in the worker
    thread that makes the snapshot, so no command scans the archive on the event loop. No record is held:
    positions are read from the store when shown (`records`).
    """

    def __init__(self, index: SearchIndex, people: PeopleDirectory, thesaurus: Thesaurus) -> None:
        self.index = index
        self.rank = index.rank  # rank[i]: where record i falls in date order, so a browse sorts positions alone
        live = index.live_positions()
        dated = live[index.month_day[live] > 0]
        dated = dated[np.argsort(index.rank[dated], kind="stable")]
        days = index.month_day[dated]
        by_day = np.argsort(days, kind="stable")
        keys, starts = np.unique(days[by_day], return_index=True)
        self.by_month_day: dict[tuple[int, int], np.ndarray] = {
            divmod(int(key), 32): part for key, part in zip(keys.tolist(), np.split(dated[by_day], starts[1:]),
                                                            strict=True)}
        summarised = live[index.has_summary[live]]
        self.with_summary = summarised if summarised.size else live
        self.titles = TitleLookup(index)  # autocomplete's lookups by number and title
        keys_live = index.chrono[live]
        dated_keys = keys_live[keys_live != UNDATED_KEY]
        self.stats = ArchiveStats(
            documents=index.count,
            earliest=date_of_key(int(dated_keys.min())) if dated_keys.size else None,
            latest=date_of_key(int(dated_keys.max())) if dated_keys.size else None,
            people=len(index.names()),
        )
        counts = index.base.spelling()
        if index.delta is not None:
            counts.update(index.delta.spelling())
        aliases = [fold(w) for entity in people.entities for alias in entity.written_forms
                   for w in words(alias)]
        self.spelling = SpellingIndex(aliases, counts)
        english_zipf("the")  # the word list loads here, in the worker thread, not on a user's first question
        self.parser = QueryParser(people, self.spelling, index, thesaurus)

    @classmethod
    def of(cls, records: list[Record], people: PeopleDirectory, thesaurus: Thesaurus) -> _Snapshot:
        """A snapshot of records held in memory (tests, small scripts)."""
        return cls(SearchIndex.of(records), people, thesaurus)

    def records(self, positions: Iterable[int]) -> list[Record]:
        """The records at these positions, read from the store, in this order."""
        return [record for _, record in self.index.records_at(positions)]

    def in_date_order(self, positions: np.ndarray) -> list[Record]:
        return self.records(positions[np.argsort(self.rank[positions], kind="stable")].tolist())


class Archive:
    def __init__(self, store: SqliteArchiveStore, people: PeopleDirectory, thesaurus: Thesaurus | None = None) -> None:
        self.store = store
        self.people = people
        self.thesaurus = thesaurus or Thesaurus.load()
        self.reader = RecordReader(store.path)
        self.index_folder = index_folder(store.path)
        self._base: tuple[Segment, Built] | None = None  # the saved base segment, memory-mapped
        self._snapshot: _Snapshot | None = None
        self._signature: tuple = ()
        self._refresh_lock = asyncio.Lock()
        self._loading: asyncio.Task[None] | None = None
        self._building: asyncio.Task[ChildBuild] | None = None  # the child process building a new base
        self.builder_pid: int | None = None  # that child's process id while it runs

    @classmethod
    async def open(cls, db: str | Path, people: PeopleDirectory | None = None, *,
                   background: bool = False) -> Archive:
        """The archive with its index; `background`: return at once and build (or load) the index meanwhile, so
        a bot can connect and acknowledge what arrives (`loaded()` waits for it)."""
        archive = await cls._without_index(db, people)
        archive._loading = asyncio.create_task(archive.refresh(), name="archive-index")
        if not background:
            try:
                await archive._loading
            except BaseException:
                await archive.close()
                raise
        return archive

    @classmethod
    async def _without_index(cls, db: str | Path, people: PeopleDirectory | None) -> Archive:
        """The archive open, its roles current (they are what the index reads), no index yet."""
        store = await SqliteArchiveStore.open(db)
        try:
            if people is None:
                people = await asyncio.to_thread(PeopleDirectory.load)
            await carry_roles_forward(store, people)
            return cls(store, people)
        except BaseException:
            await store.close()  # aiosqlite's thread would otherwise keep the process alive
            raise

    async def loaded(self) -> None:
        """Wait until the first index is ready; raises what stopped it being built."""
        if self._loading is not None:
            await asyncio.shield(self._loading)

    @property
    def is_loaded(self) -> bool:
        return self._snapshot is not None

    async def close(self) -> None:
        """Stops a first load and a build under way (its child process ended and waited for: none is left
        building for minutes after the bot stops)."""
        for task in (self._loading, self._building):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self.reader.close()
        await self.store.close()

    async def __aenter__(self) -> Archive:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def refresh(self) -> None:
        """Bring the index up to the store (after an ingest): the saved base, and a delta of what changed since
        it was built, or a new base when there is none, it is not this archive's, or the delta has grown.
        Searches keep running on the old snapshot meanwhile; a new base is built by a child process, and until
        it is mapped the old base answers with what changed as a larger delta (up to INTERIM_DELTA records)."""
        async with self._refresh_lock:
            await asyncio.to_thread(self.reader.fill, FILL_PER_REFRESH)  # before the signature: its writes are seen
            signature = await self.store.signature()
            snapshot, stale = await asyncio.to_thread(self._next_snapshot)
            if snapshot is not None:
                self._snapshot = snapshot
            if stale is not None:
                snapshot = await self._rebuilt(stale)
                if snapshot is None:
                    return  # the previous snapshot answers; the next refresh tries again
                self._snapshot = snapshot
            self._signature = signature

    def _next_snapshot(self, limit: int = INTERIM_DELTA) -> tuple[_Snapshot | None, int | None]:
        """(Worker thread.) The saved base with a delta of what changed since it was built (up to `limit`
        records), or None; and, when a new base is due, the generation of the base that no longer serves (-1:
        none serves). Everything read in one read transaction: one committed state of the archive."""
        with self.reader.reading() as conn:
            state = RecordReader.state(conn)
            base = self._current_base(state)
            if base is None:
                return None, -1
            changed = list(islice(RecordReader.indexed(conn, base[1].generation), limit + 1))
        ids = [r.id for r in changed]
        if len(changed) > limit or not _whole(base[0], ids, state):
            return None, base[1].generation
        self._base = base
        delta = build(changed) if changed else None
        snapshot = _Snapshot(SearchIndex(base[0], self.reader, delta), self.people, self.thesaurus)
        return snapshot, None if _serves(base[0], ids, state) else base[1].generation

    async def _rebuilt(self, stale: int) -> _Snapshot | None:
        """A new base built by a child process (or the one another process was building when this one asked:
        the index folder's lock), mapped with what changed since as a delta; None when the child failed and a
        previous snapshot answers meanwhile. Without one (a first start), it is built here as before."""
        for _ in range(REBUILDS):
            done = await self._build(stale)
            if done.outcome in (Outcome.NOT_SAVED, Outcome.FAILED):
                if self._snapshot is not None:
                    log.warning("search index not rebuilt (%s); the previous one answers until the next refresh",
                                done.reason)
                    return None
                log.warning("search index not built by a process of its own (%s); building it here, kept in memory",
                            done.reason)
                return await asyncio.to_thread(self._built_here)
            self._base = None  # map the saved one
            snapshot, stale_again = await asyncio.to_thread(self._next_snapshot, INTERIM_DELTA)
            if snapshot is not None and stale_again is None:
                return snapshot
            stale = -1 if stale_again is None else stale_again
            if snapshot is not None:
                self._snapshot = snapshot
        log.warning("search index: the archive changed faster than new bases were built; the previous one "
                    "answers until the next refresh")
        return None if self._snapshot is not None else await asyncio.to_thread(self._built_here)

    async def _build(self, stale: int) -> ChildBuild:
        """A new base saved by a child process from CHILD_FROM records on; below, here in a worker thread (a few
        seconds and a few hundred MB at most, about what starting a child costs), under the same lock."""
        if await self.store.count() < CHILD_FROM:
            try:
                built = await asyncio.to_thread(self._prepare, stale)
            except OSError as exc:
                return ChildBuild(Outcome.NOT_SAVED, reason=exc.strerror or str(exc), pid=os.getpid())
            return ChildBuild(Outcome.CURRENT if built is None else Outcome.BUILT, built or 0, pid=os.getpid())
        # the rows of records without one are not written there: at a million that would keep the new base from
        # answering for another ~100 s; each refresh writes a share (FILL_PER_REFRESH), `archive-bot index` all
        self._building = asyncio.create_task(build_in_child(self.store.path, stale, self._started_build, fill=False))
        try:
            return await self._building
        finally:
            self._building, self.builder_pid = None, None

    def _started_build(self, pid: int) -> None:
        self.builder_pid = pid
        log.info("building a new search index in process %d", pid)

    def _built_here(self) -> _Snapshot:
        """(Worker thread.) A new base built in this process and kept in memory (the child could not save one):
        the fallback when no snapshot answers yet."""
        with self.reader.reading() as conn:
            state = RecordReader.state(conn)
            segment = build(RecordReader.indexed(conn, stop=self.reader.closing))
        self._base = segment, Built(state.archive, state.generation, segment.size)
        return _Snapshot(SearchIndex(segment, self.reader, None), self.people, self.thesaurus)

    @classmethod
    async def prepare_index(cls, db: str | Path, people: PeopleDirectory | None = None, *,
                            stale: int = -1, fill: bool = True) -> int | None:
        """Build and save a new base now when the saved one would not serve the next start (there is none, it is
        another archive's, what changed since outgrew a delta, or it is no newer than generation `stale`, which
        a running bot found outgrown), so that start maps it in about a second instead of building it (minutes
        at a million records). One build at a time per index folder: a call while another process builds waits
        for it, then builds nothing when that one serves. What the child process of `retrieval.build_index`
        runs. Then, with `fill`, every record's shown row (a bot's child leaves them to its refreshes). The
        documents it holds when one was built; OSError when it could not be saved."""
        archive = await cls._without_index(db, people)
        try:
            built = await asyncio.to_thread(archive._prepare, stale)
            if fill:
                await asyncio.to_thread(archive.reader.fill)  # every record's shown row, after an ingest
            return built
        finally:
            await archive.close()

    @classmethod
    async def index_serves(cls, db: str | Path, people: PeopleDirectory | None = None) -> bool:
        """Whether the saved index serves the next start as it is (with a delta of what changed): a check of a
        few milliseconds, so that only an archive that needs a new base starts a process to build one."""
        archive = await cls._without_index(db, people)
        try:
            return await asyncio.to_thread(archive._serves_now)
        finally:
            await archive.close()

    @staticmethod
    async def write_shown(db: str | Path) -> shown.FillReport:
        """The shown rows of the records that have none, all written: `prepare_index`'s fill, for an ingest after
        which the saved index still serves and nothing is built (what it changed: < 5 % of the archive)."""
        reader = RecordReader(Path(db))
        try:
            return await asyncio.to_thread(reader.fill)
        finally:
            reader.close()

    def _serves_now(self) -> bool:
        with self.reader.reading() as conn:
            return self._serving(conn, RecordReader.state(conn))

    def _serving(self, conn: sqlite3.Connection, state: ArchiveState) -> bool:
        """(Worker thread.) The saved base serves `state`: the changed records' ids alone decide it."""
        base = self._current_base(state)
        return base is not None and _serves(base[0], RecordReader.changed_ids(conn, base[1].generation), state)

    def _prepare(self, stale: int) -> int | None:
        """(Worker thread.) `prepare_index`, holding the index folder's lock, in one read transaction."""
        with building(self.index_folder), self.reader.reading() as conn:
            state = RecordReader.state(conn)
            saved = self._current_base(state, say=False)  # why it builds was said by whoever asked for it
            if saved is not None and saved[1].generation > stale and self._serving(conn, state):
                return None
            self._save(build(RecordReader.indexed(conn, stop=self.reader.closing)), state)
        return state.records

    def _current_base(self, state: ArchiveState, *, say: bool = True) -> tuple[Segment, Built] | None:
        """The base segment in use, else the saved one, when it was built from this archive as it was then; `say`:
        log why not."""
        base = self._base
        if base is None:
            try:
                base = load(self.index_folder)
            except IndexUnusable as exc:
                if say:
                    log.info("building the search index: %s", exc)
                return None
        built = base[1]
        if built.archive != state.archive or built.generation > state.generation:
            if say:
                log.info("building the search index: %s was built from another archive", self.index_folder)
            return None
        return base

    def _save(self, segment: Segment, state: ArchiveState) -> None:
        """(Holding `building`: no other build is under way, so any temporary folder is a killed one's.)"""
        remove_leftovers(self.index_folder, older_than=0)
        save(self.index_folder, segment, Built(state.archive, state.generation, segment.size))

    async def refresh_if_changed(self) -> bool:
        """Refresh when the database changed since the last build (an ingest by any process)."""
        if await self.store.signature() == self._signature:
            return False
        await self.refresh()
        return True

    @property
    def snapshot(self) -> _Snapshot:
        if self._snapshot is None:
            raise RuntimeError("Archive.refresh() has not run")
        return self._snapshot

    @property
    def size(self) -> int:
        return self.snapshot.index.count

    # -- the commands ----------------------------------------------------------------------------
    async def search(self, query: str, limit: int = 10, date_from: int | None = None, date_to: int | None = None,
                     person: str | None = None, browse_limit: int | None = None) -> SearchResult:
        return await asyncio.to_thread(self.search_now, query, limit, date_from, date_to, person, browse_limit)

    async def ask(self, question: str, today: date | None = None) -> Answer:
        return await asyncio.to_thread(self.ask_now, question, today)

    async def show(self, record_id: int) -> Record | None:
        if not 0 < record_id < 2**63:  # SQLite's integers: anything else is no document
            return None
        return await self.store.get(record_id)

    async def similar(self, record_id: int, limit: int = 10) -> Similar | None:
        """The documents most like document `record_id`; None when there is no such document."""
        record = await self.show(record_id)
        if record is None:
            return None
        return await asyncio.to_thread(self.similar_now, record, limit)

    def documents_of(self, name: str) -> PersonDocuments:
        """A person's documents, those they took part in and those that only mention them, each in date order
        (undated last); `name` in any spelling the archive knows."""
        canonical = self.people.resolve(name)
        if canonical is None:
            raise self._unknown_person(name)
        snapshot = self.snapshot
        index = snapshot.index
        return PersonDocuments(canonical, snapshot.in_date_order(index.took_part(canonical)),
                               snapshot.in_date_order(index.mentioned_only(canonical)))

    def on_this_day(self, month: int, day: int) -> list[Record]:
        """Documents dated to the day (never a month or year only) on this month and day, oldest first."""
        snapshot = self.snapshot
        return snapshot.records(snapshot.by_month_day.get((month, day), np.zeros(0, dtype=np.int64)).tolist())

    def nearest_dated(self, month: int, day: int) -> list[Record]:
        """Day-dated documents on the nearest month-and-day to this one that has any (either side)."""
        snapshot = self.snapshot
        target = _day_of_year(month, day)
        best: dict[int, list[np.ndarray]] = {}
        for key, positions in snapshot.by_month_day.items():  # at most 366 days of the year
            offset = (_day_of_year(*key) - target) % 366
            best.setdefault(min(offset, 366 - offset), []).append(positions)
        if not best:
            return []
        return snapshot.in_date_order(np.concatenate(best[min(best)]))

    def random_record(self, rng: random.Random | None = None) -> Record | None:
        snapshot = self.snapshot
        candidates = snapshot.with_summary
        if not candidates.size:
            return None
        found = snapshot.records([int((rng or random).choice(candidates))])
        return found[0] if found else None

    def stats(self) -> ArchiveStats:
        return self.snapshot.stats

    # -- synchronous cores (run in a worker thread, or directly by batch scripts) ----------------
    def search_now(self, query: str, limit: int = 10, date_from: int | None = None, date_to: int | None = None,
                   person: str | None = None, browse_limit: int | None = None) -> SearchResult:
        """Ranked documents for the words asked; a browse in date order when the question names only dates
        and people (or nothing but the filters), up to `browse_limit` (default `limit`) of them."""
        snapshot = self.snapshot
        index = snapshot.index
        limit = max(1, min(int(limit), MAX_LIMIT))
        understood = snapshot.parser.parse(query)
        result = SearchResult(query=query, understood=understood)
        filters = self._filters(index, date_from, date_to, person)
        if understood.browsing or (understood.empty and filters):
            browsed = self._browse(result, filters, max(1, min(int(browse_limit or limit), MAX_BROWSE)))
            if browsed.hits:
                return browsed
            if understood.empty:
                browsed.suggestions = self._hints(understood, date_from, date_to, person)
                return browsed
            # No document names all these people at these dates: rank by the names, saying what had no match.
            result = SearchResult(query=query, understood=understood)
        if understood.empty:  # nothing to search for, or only words no document uses
            result.notice = Notice(NoticeKind.NOTHING_FOUND, searched=understood.text) if understood.absent \
                else Notice(NoticeKind.NO_TERMS)
            return result
        mask = _all(m for _, m in filters)
        scores = index.scored(understood.terms, understood.expansions)
        keep = None if mask is None else mask[scores.docs]
        strict = self._top(index, scores, limit, keep, understood)
        if understood.dates is not None:
            in_dates = index.within(understood.dates, scores.docs)
            found = self._top(index, scores, limit, in_dates if keep is None else keep & in_dates, understood)
            if not found and strict:
                words = Count(Constraint.WORDS, understood.text, scores.matched)
                dates = _count(Constraint.DATES, understood.dates.describe(), index.date_mask(understood.dates))
                result.notice = Notice(NoticeKind.DATE_RELAXED, dates=understood.dates, counts=(words, dates))
                found = strict
        else:
            found = strict
        scored = dict(found)
        terms = understood.matching_terms
        result.hits = [self._hit(record, citation, scored[i], terms) for i, record, citation in index.cited_at(scored)]
        result.total = len(result.hits)
        if not result.hits:
            counts = [Count(Constraint.WORDS, understood.text or understood.original, scores.matched)]
            if understood.dates is not None:
                counts.append(_count(Constraint.DATES, understood.dates.describe(), index.date_mask(understood.dates)))
            counts += [count for count, _ in filters]
            result.notice = Notice(NoticeKind.NOTHING_FOUND, searched=counts[0].value, counts=tuple(counts))
            result.suggestions = self._hints(understood, date_from, date_to, person)
        return result

    def similar_now(self, record: Record, limit: int = 10) -> Similar:
        """BM25 with the record's own index terms as the query (rank-bm25's scores), best first, itself left out."""
        index = self.snapshot.index
        terms = own_terms(record)
        scores = index.scored(terms)
        position = index.position_of(record.id)
        if position is not None:
            scores = scores.without(position)
        shared = set(terms)
        found = dict(scores.best(max(1, min(int(limit), MAX_LIMIT))))
        return Similar(record, [self._hit(r, citation, found[i], shared) for i, r, citation in index.cited_at(found)])

    def ask_now(self, question: str, today: date | None = None) -> Answer:
        """The answering sentence of the best document; or help, the day's documents, a person card, or a
        browse when the question asks for one of those instead."""
        request = requested(question, self.people)
        if request is not None:
            return self._requested(question, request, today or datetime.now(UTC).date())
        result = self.search_now(question, limit=5, browse_limit=MAX_BROWSE)
        answer = Answer(result, intent=result.intent)
        if result.hits and result.intent is Intent.SEARCH:
            best = result.hits[0].score
            result.hits = [h for h in result.hits if h.score >= SOURCE_FLOOR * best]
            sentence = best_sentence(result.hits[0].record, result.understood.matching_terms, self.snapshot.index)
            answer.sentence, answer.cut_off = sentence.text, sentence.cut_off
        return answer

    def person_card(self, name: str, typed: str | None = None) -> PersonCard:
        """`name` in any spelling the archive knows; QueryError for anyone else."""
        documents = self.documents_of(name)
        entity = self.people.get(documents.name)
        aliases = tuple(a for a in entity.aliases if a != documents.name) if entity is not None else ()
        note = (entity.note or "") if entity is not None else ""
        return PersonCard(documents.name, typed or name, aliases, note, documents)

    # -- helpers -----------------------------------------------------------------------------------
    def _filters(self, index: SearchIndex, date_from: int | None, date_to: int | None,
                 person: str | None) -> list[tuple[Count, np.ndarray]]:
        """The from/to and person filters, each with the documents it lets through."""
        filters = []
        if date_from is not None or date_to is not None:
            if date_from is not None and date_to is not None and date_from > date_to:
                raise QueryError(QueryProblem.REVERSED_YEARS, date_from, date_to)
            years = DateRange.years(date_from, date_to)
            filters.append(_counted(Constraint.YEARS, years.describe(), index.date_mask(years)))
        if person:
            name = self.people.resolve(person)
            if name is None:
                raise self._unknown_person(person)
            filters.append(_counted(Constraint.PERSON, name, index.person_mask([name])))
        return filters

    def _browse(self, result: SearchResult, filters: list[tuple[Count, np.ndarray]], limit: int) -> SearchResult:
        """Every document meeting all the dates and people named and the filters, in date order."""
        index, understood = self.snapshot.index, result.understood
        parts = list(filters) + [_counted(Constraint.PERSON, name, index.person_mask([name]))
                                 for name in understood.people if all(c.value != name for c, _ in filters)]
        if understood.dates is not None:
            parts.append(_counted(Constraint.DATES, understood.dates.describe(), index.date_mask(understood.dates)))
        mask = _all(m for _, m in parts)
        assert mask is not None  # a browse names a date or a person, or has a filter
        result.intent = Intent.BROWSE
        result.browsed = tuple(count for count, _ in parts)
        positions = np.flatnonzero(mask)
        result.total = int(positions.size)
        if positions.size > limit:  # only the first `limit` in date order are listed: the rest are not sorted
            positions = positions[np.argpartition(self.snapshot.rank[positions], limit - 1)[:limit]]
        positions = positions[np.argsort(self.snapshot.rank[positions])]  # ranks are distinct: no ties to keep
        result.hits = [Hit(r, 0.0, citation, ()) for _, r, citation in self.snapshot.index.cited_at(positions.tolist())]
        if not result.hits:
            result.notice = Notice(NoticeKind.NOTHING_FOUND, counts=result.browsed)
        return result

    def _requested(self, question: str, request: Request, today: date) -> Answer:
        result = SearchResult(query=question, understood=self.snapshot.parser.parse(""))
        answer = Answer(result, intent=request.intent)
        terms = result.understood.matching_terms
        if request.intent is Intent.PERSON:
            assert request.person is not None
            answer.person = self.person_card(request.person, request.typed)
            result.hits = [self._hit(r, cite(r), 0.0, terms) for r in answer.person.records[:MAX_BROWSE]]
        elif request.intent is Intent.ONTHISDAY:
            result.hits = [self._hit(r, cite(r), 0.0, terms) for r in self.on_this_day(today.month, today.day)]
        result.total = len(result.hits)
        return answer

    @staticmethod
    def _top(index: SearchIndex, scores: Scores, limit: int, keep: np.ndarray | None,
             understood: ParsedQuery) -> list[tuple[int, float]]:
        """The best `limit` documents; those written the way the question's direction says first."""
        if understood.direction is None:
            return scores.best(limit, keep)
        return scores.best_preferring(limit, keep, index.direction_mask(understood.direction)[scores.docs])

    def _unknown_person(self, name: str) -> QueryError:
        return QueryError(QueryProblem.UNKNOWN_PERSON, name, *self.people.suggest(name)[:3])

    @staticmethod
    def _hit(record: Record, citation: Citation, score: float, terms: set[str]) -> Hit:
        """`terms`: the question's `matching_terms`, made once for all its hits; `citation`: the record's shown
        row's, read with it."""
        return Hit(record, score, citation, matched_words(record, terms))

    def _hints(self, understood: ParsedQuery, date_from: int | None, date_to: int | None,
               person: str | None) -> list[Hint]:
        """Ways to find something when nothing matched: a word to check, a filter to drop."""
        spelling = self.snapshot.spelling
        hints = [Hint(HintKind.UNKNOWN_WORD, word, tuple(spelling.candidates(fold(word))[:3]))
                 for word in understood.unknown]
        if date_from is not None or date_to is not None:
            hints.append(Hint(HintKind.WIDEN_YEARS))
        if person:
            hints.append(Hint(HintKind.DROP_PERSON, person))
        if understood.dates is not None and (understood.terms or person or date_from or date_to):
            hints.append(Hint(HintKind.DROP_DATE))  # unless the date is all the question asks
        if len(understood.topic) > 3:
            hints.append(Hint(HintKind.FEWER_WORDS))
        return hints


def _counted(constraint: Constraint, value: str, mask: np.ndarray) -> tuple[Count, np.ndarray]:
    return _count(constraint, value, mask), mask


def _count(constraint: Constraint, value: str, mask: np.ndarray) -> Count:
    return Count(constraint, value, int(np.count_nonzero(mask)))


def _all(masks: Iterable[np.ndarray]) -> np.ndarray | None:
    """The documents every mask lets through; None when there is no mask (everything)."""
    combined = None
    for mask in masks:
        combined = mask if combined is None else combined & mask
    return combined


def matched_words(record: Record, terms: set[str]) -> tuple[str, ...]:
    """The words of the title and summary whose index term the question shares, as written, each once."""
    found = words(f"{record.title} {record.summary}")  # the loop runs in C: a hit's summary is some 50 words
    try:
        looked_up = list(map(_WORD_TERMS.__getitem__, found))
    except KeyError:  # a word not seen before
        looked_up = _learn(found)
    return tuple(dict.fromkeys(compress(found, map(terms.__contains__, looked_up))))


# Each word's index term (None for a stop word) as written, kept: every hit's summary asks again for the same
# words (the archive's vocabulary), and a dict's lookup in C is a third of an lru_cache's. Emptied when full.
_WORD_TERMS: dict[str, str | None] = {}
WORD_TERMS_MAX = 200_000


def _learn(found: list[str]) -> list[str | None]:
    """The terms of `found`, those not known yet found and kept. Each is taken as it is found, never read back:
    another thread answering at once may empty the dict in between."""
    if len(_WORD_TERMS) + len(found) > WORD_TERMS_MAX:
        _WORD_TERMS.clear()
    terms: list[str | None] = []
    for word in found:
        term = _WORD_TERMS.get(word, _UNKNOWN)
        if term is _UNKNOWN:
            stems = tokenize(word)
            term = _WORD_TERMS[word] = stems[0] if stems else None
        terms.append(term)
    return terms


_UNKNOWN = ""  # no term is empty: a word `_WORD_TERMS` does not hold yet


# pysbd's rules know initials ("S.F. Antonov"), titles ("Mr."), "U.S.", "p.m." and "No. 5", which a regex
# split after; built once. Its `segment` keeps the text on the instance, so the worker threads that answer
# take turns (a split is a millisecond or two).
_SEGMENTER = pysbd.Segmenter(language="en", clean=False)


class _ArchiveEnglish(English):
    """pysbd's English, knowing too the archive's transliterated Russian before a name: "Cde." (comrade), "Yu."."""

    class Abbreviation(English.Abbreviation):
        _BEFORE_NAMES = ["cde", "cdes", "yu"]
        ABBREVIATIONS = English.Abbreviation.ABBREVIATIONS + _BEFORE_NAMES
        PREPOSITIVE_ABBREVIATIONS = English.Abbreviation.PREPOSITIVE_ABBREVIATIONS + _BEFORE_NAMES


_SEGMENTER.language_module = _ArchiveEnglish
_SEGMENTING = threading.Lock()
_CLOSING = re.compile(r"[\"”’)\]]+(?=\s|$)")  # quotes and brackets before a space close, never open


def sentences(text: str) -> list[str]:
    """The sentences of a summary as written, closing quotes and brackets staying with their sentence."""
    with _SEGMENTING:
        pieces = _SEGMENTER.segment(text)
    whole: list[str] = []
    for piece in pieces:
        # pysbd starts the next sentence with a straight quote that closes a curly one (“two Chinas." He ...).
        closing = _CLOSING.match(piece)
        if whole and closing:
            whole[-1] += closing.group()
            piece = piece[closing.end():]
        whole.append(piece)
    return [s.strip() for s in whole if s.strip()]


def best_sentence(record: Record, terms: set[str], index: SearchIndex) -> Sentence:
    """The summary sentence sharing the most (idf-weighted) words with the question; the title if no summary.

    The last sentence of a cut-off summary (`summary_partial`) answers only when no whole one does, and then
    says it is cut off.
    """
    parts = sentences(record.summary)
    if not parts:
        return Sentence(record.title)
    cut = len(parts) - 1 if record.summary_partial else -1

    def rank(at: int) -> tuple[bool, float, bool, int]:
        weight = sum(index.idf(t) for t in set(tokenize(parts[at])) & terms)
        return (weight > 0 and at != cut, weight, at != cut, -at)

    best = max(range(len(parts)), key=rank)
    return Sentence(parts[best], cut_off=best == cut)
