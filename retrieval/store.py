"""The archive's store: the interface every caller types against (ArchiveStore, holding all the Python logic),
and its SQLite implementation (schema and migrations, the SQL that writes and reads records, and small state).
The PostgreSQL implementation is pgstore.py; `stores.open_store` picks one.

Which stored document an incoming record is, and how the two merge, is decided in `identity`; this module
only reads the candidates and writes the decisions. Ingesting a file is one transaction
(`async with store.transaction()`).
"""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Container, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext, suppress
from dataclasses import fields
from datetime import UTC, datetime
from enum import Enum, StrEnum
from functools import lru_cache
from itertools import chain, product
from pathlib import Path
from typing import Any, Self

import aiosqlite

from .dates import ArchiveDate
from .frozen import make
from .identity import Incoming, Insert, StoredRow, TitlePattern, UpsertCounts, UpsertPlan, plan_upsert
from .records import DocumentInfo, EntityKind, Participant, Record, Role


def _stamp_trigger(name: str, event: str, row: str) -> str:
    """Migration 8's change stamp: `event` gives the record `row` the next generation."""
    return f"""CREATE TRIGGER {name} AFTER {event} BEGIN
        UPDATE generation SET value = value + 1;
        UPDATE records SET generation = (SELECT value FROM generation) WHERE id = {row};
    END"""


_PARTICIPANT_STAMPS = (("participants_stamp_insert", "INSERT ON participants", "NEW.record_id"),
                       ("participants_stamp_delete", "DELETE ON participants", "OLD.record_id"))

# Each entry moves the schema from version i to i + 1, one statement at a time. Append, never edit:
# databases in the field have run the earlier ones already.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE records (
        id              INTEGER PRIMARY KEY,
        record_key      TEXT NOT NULL UNIQUE,
        base_key        TEXT NOT NULL,
        date_iso        TEXT,
        date_text       TEXT NOT NULL DEFAULT '',
        precision       TEXT NOT NULL CHECK (precision IN ('day', 'month', 'year', 'none')),
        year            INTEGER,
        month           INTEGER,
        day             INTEGER,
        title           TEXT NOT NULL,
        summary         TEXT NOT NULL DEFAULT '',
        summary_partial INTEGER NOT NULL DEFAULT 0,
        notes           TEXT NOT NULL DEFAULT '[]',
        url             TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    )""",
        "CREATE INDEX records_date ON records (year, month, day)",
        "CREATE INDEX records_base_key ON records (base_key)",
        """CREATE TABLE participants (
        record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        name      TEXT NOT NULL,
        role      TEXT NOT NULL CHECK (role IN ('author', 'recipient', 'participant')),
        kind      TEXT NOT NULL DEFAULT 'person',
        PRIMARY KEY (record_id, name)
    )""",
        "CREATE INDEX participants_name ON participants (name)",
        """CREATE TABLE sources (
        record_id  INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        source     TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        PRIMARY KEY (record_id, source)
    )""",
    ),
    # 2: small key-value state the bot keeps between runs (the hash of the last synced command set)
    (
        """CREATE TABLE bot_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    ),
    # 3: daily "on this date" subscriptions, and the ledger that makes each post happen exactly once
    (
        """CREATE TABLE subscriptions (
        id           INTEGER PRIMARY KEY,
        target       TEXT NOT NULL UNIQUE,          -- "channel:<id>" or "dm:<user id>"
        guild_id     INTEGER,
        channel_id   INTEGER,
        user_id      INTEGER,                       -- the DM recipient
        created_by   INTEGER NOT NULL,
        post_time    TEXT NOT NULL,                 -- HH:MM, local
        timezone     TEXT NOT NULL,                 -- IANA name
        paused       TEXT,                          -- why posting stopped, or NULL
        created_at   TEXT NOT NULL
    )""",
        """CREATE TABLE daily_posts (
        subscription_id INTEGER NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
        local_date      TEXT NOT NULL,              -- the subscriber's calendar day
        record_id       INTEGER,                    -- the document chosen (NULL: the archive had none)
        status          TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'unknown')),
        owner           TEXT NOT NULL,              -- which process claimed it
        claimed_at      TEXT NOT NULL,
        sent_at         TEXT,
        message_id      INTEGER,
        attempts        INTEGER NOT NULL DEFAULT 0,
        error           TEXT,
        PRIMARY KEY (subscription_id, local_date)
    )""",
    ),
    # 4: a fencing token on each daily post's claim: every takeover increments it, and only the holder of the
    # current token may renew, mark or send (retrieval/daily/ledger.py)
    (
        "ALTER TABLE daily_posts ADD COLUMN token INTEGER NOT NULL DEFAULT 0",
    ),
    # 5: the role 'mentioned' (named, took no part). SQLite cannot change a CHECK, so the table is rebuilt;
    # which stored participants are only mentioned is re-derived in Python (retrieval/reroles.py).
    (
        """CREATE TABLE participants_5 (
        record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        name      TEXT NOT NULL,
        role      TEXT NOT NULL CHECK (role IN ('author', 'recipient', 'participant', 'mentioned')),
        kind      TEXT NOT NULL DEFAULT 'person',
        PRIMARY KEY (record_id, name)
    )""",
        "INSERT INTO participants_5 (record_id, position, name, role, kind) "
        "SELECT record_id, position, name, role, kind FROM participants",
        "DROP TABLE participants",
        "ALTER TABLE participants_5 RENAME TO participants",
        "CREATE INDEX participants_name ON participants (name)",
    ),
    # 6: what a document's own page says of it (records.DocumentInfo; lists as JSON arrays), and the links
    # that name one document whatever page it was seen on ('id:<Record ID>', 'slug:<slug>': identity.py)
    (
        """CREATE TABLE documents (
        record_id        INTEGER PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
        archive_id       TEXT,                      -- the archive's Record ID
        canonical_url    TEXT,
        authors          TEXT NOT NULL DEFAULT '[]',
        places           TEXT NOT NULL DEFAULT '[]',
        topics           TEXT NOT NULL DEFAULT '[]',
        subjects         TEXT NOT NULL DEFAULT '[]',
        associated       TEXT NOT NULL DEFAULT '[]',
        source           TEXT NOT NULL DEFAULT '',
        original_archive TEXT NOT NULL DEFAULT '',
        doc_type         TEXT NOT NULL DEFAULT '',
        languages        TEXT NOT NULL DEFAULT '[]',
        rights           TEXT NOT NULL DEFAULT '',
        donors           TEXT NOT NULL DEFAULT '[]',
        classification   TEXT NOT NULL DEFAULT '',
        uploaded         TEXT NOT NULL DEFAULT '',
        text             TEXT NOT NULL DEFAULT '',
        text_partial     INTEGER NOT NULL DEFAULT 0,
        scan_url         TEXT
    )""",
        "CREATE INDEX documents_archive_id ON documents (archive_id)",
        """CREATE TABLE document_links (
        link      TEXT PRIMARY KEY,
        record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE
    )""",
        "CREATE INDEX document_links_record ON document_links (record_id)",
    ),
    # 7: fetch's frontier: every page of a site the crawl has found, what became of it, its validators for
    # conditional requests, and the crawl run that last asked for it (retrieval/fetch/frontier.py holds its SQL)
    (
        """CREATE TABLE fetch_pages (
        site          TEXT NOT NULL,                -- the base URL: scheme://host[:port][/prefix]
        path          TEXT NOT NULL,                -- /search?page=N or /document/<slug>
        kind          TEXT NOT NULL CHECK (kind IN ('listing', 'document')),
        state         TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed', 'disallowed')),
        file          TEXT,                         -- where it is saved, relative to the mirror folder
        etag          TEXT,
        last_modified TEXT,
        run           INTEGER NOT NULL DEFAULT 0,   -- the crawl run that last asked for it
        ingested      INTEGER NOT NULL DEFAULT 0,   -- the saved copy is in the archive
        attempts      INTEGER NOT NULL DEFAULT 0,   -- runs that asked for it and got no page
        error         TEXT,
        fetched_at    TEXT,
        PRIMARY KEY (site, path)
    )""",
    ),
    # 8: a change counter for the saved search index (retrieval/index.py): inserting or changing a record, or
    # its participants, stamps the record with the next generation, so a refresh reads only what changed
    # since the index was built; `archive` tells this archive's index from another's
    (
        "ALTER TABLE records ADD COLUMN generation INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX records_generation ON records (generation)",
        """CREATE TABLE generation (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        value   INTEGER NOT NULL,
        archive TEXT NOT NULL
    )""",
        "INSERT INTO generation (id, value, archive) VALUES (1, 0, lower(hex(randomblob(16))))",
        *(_stamp_trigger(name, event, row) for name, event, row in (
            ("records_stamp_insert", "INSERT ON records", "NEW.id"),
            ("records_stamp_update", "UPDATE OF title, summary, year, month, day ON records", "NEW.id"),
            *_PARTICIPANT_STAMPS,
        )),
    ),
    # 9: a digest of what each record's participants were found from (title, summary, authors, people file,
    # roles version: ingest.people_input): a record ingested again unchanged is given its stored participants
    # instead of having them found again, most of an ingest's work. NULL (found again) for older rows.
    (
        "ALTER TABLE records ADD COLUMN people_input BLOB",
        "CREATE INDEX records_people_input ON records (people_input)",
    ),
    # 10: participants WITHOUT ROWID, kept in their key's order (record, name), and without the index by name,
    # which no query uses (participants are read by record; a search finds people in its own index): a row is
    # written into one tree instead of three, and a record's rows are read together. Dropping the table drops its
    # index and its two stamp triggers (migration 8), made again here; the rows are copied unstamped, as they were.
    (
        """CREATE TABLE participants_10 (
        record_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        name      TEXT NOT NULL,
        role      TEXT NOT NULL CHECK (role IN ('author', 'recipient', 'participant', 'mentioned')),
        kind      TEXT NOT NULL DEFAULT 'person',
        PRIMARY KEY (record_id, name)
    ) WITHOUT ROWID""",
        "INSERT INTO participants_10 (record_id, position, name, role, kind) "
        "SELECT record_id, position, name, role, kind FROM participants",
        "DROP TABLE participants",
        "ALTER TABLE participants_10 RENAME TO participants",
        *(_stamp_trigger(name, event, row) for name, event, row in _PARTICIPANT_STAMPS),
    ),
    # 11: each record as shown, packed in one row (retrieval/shown.py), read by its key in one statement. A copy:
    # these triggers delete a record's row whenever anything it shows is written (its record row, participants,
    # sources, document), on every write path, and a record without a row is read as before. A later migration
    # that drops one of these tables makes its triggers again (as 10 did for the stamps).
    (
        "CREATE TABLE shown (record_id INTEGER PRIMARY KEY, packed BLOB NOT NULL)",
        *(f"""CREATE TRIGGER {table}_shown_{event.lower()} AFTER {event}{columns} ON {table} BEGIN
            DELETE FROM shown WHERE record_id = {row};{also}
        END""" for table, key in (("records", "id"), ("participants", "record_id"), ("sources", "record_id"),
                                   ("documents", "record_id"))
          for event, row, columns, also in (
              # INSERT too: INSERT OR REPLACE (the replica's sync) replaces a record without its DELETE trigger
              ("INSERT", f"NEW.{key}", "", ""),
              ("DELETE", f"OLD.{key}", "", ""),
              # a record's own columns that it shows; a child row moved to another record leaves both
              ("UPDATE", f"OLD.{key}", " OF id, year, month, day, date_text, title, summary, summary_partial, "
               "notes, url" if table == "records" else "",
               f"\n            DELETE FROM shown WHERE record_id = NEW.{key};"),
          )),
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
ROLES = {role.value: role for role in Role}  # a dict lookup: Role(value) is slow on 10^5 rows
_MENTIONED = Role.MENTIONED.value
KINDS = {kind.value: kind for kind in EntityKind}


# Rows read back become the same few objects again and again: an archive names the same few thousand people on
# every record, in a few hundred years' dates. They are frozen, so one instance each is shared: making one costs a
# microsecond or two, finding it again a tenth of that (a search's hits hold dozens; an ingest reads thousands).
@lru_cache(maxsize=1 << 16)
def stored_participant(name: str, role: str, kind: str) -> Participant:
    """A participant as stored (role and kind as their values)."""
    return Participant(name, ROLES[role], KINDS[kind])


@lru_cache(maxsize=1 << 16)
def stored_date(year: int | None, month: int | None, day: int | None) -> ArchiveDate:
    return ArchiveDate(year, month, day)


BATCH = 500
LAST_ID = 2**63 - 1  # the largest record id either database can hold
# Migration 8's triggers that stamp each inserted record and each inserted participant row: two UPDATEs per row,
# about half of writing a new record. `upsert` stamps what it writes itself, one generation per batch, with
# these two set aside (for the batch, or for a whole file's batches: `ingesting`) and put back as they were
# inside the caller's transaction: no other connection ever sees them missing, and every other write is stamped
# by them as before. Each drop and create changes the schema, which makes SQLite prepare every statement again.
# With them, migration 11's three that delete a record's shown row when it, a participant row or a source row is
# inserted (26,000 instructions a new record for the first two, ~6 % of the process's work: bench/shown_triggers.py;
# ~5,000 the third): a new record has no row, and `_write_rows` deletes the rows of stored records it gives
# participants or a new source itself.
ROW_TRIGGERS = ("records_stamp_insert", "participants_stamp_insert",
                "records_shown_insert", "participants_shown_insert", "sources_shown_insert")
# Indexes no statement of an ingest reads (dates are read by browsing and daily posts, generations by the index
# refresh): a file bringing more records than the archive holds has them built again once its rows are in,
# sorted in one pass, instead of inserting into them row by row, at random places for the dates.
DEFERRED_INDEXES = ("records_date", "records_generation")
DEFER_FROM = 5_000  # records a file should bring at least for that: a small file's writes are too few to matter
# BLOB_NOTE: sqlite3 binds a `bytes` value (or None) only after looking for an adapter for it, which raises and
# clears an AttributeError: ~3,200 instructions, against ~200 for a `bytearray`, stored as the same BLOB. Digests
# (`people_input`) are bound as bytearrays, two a new record.
ROWS_PER_INSERT = 32  # rows an INSERT of a batch writes at once (32 records' columns: 451 of SQLite's 999 variables)

WRITE_WAIT = 120.0  # seconds a writer waits for another process's transaction (an ingest holds one per file)
WAIT_SLICE = 0.2  # seconds of each attempt at the write lock; between attempts the connection serves reads
STATEMENT_WAIT_MS = int(WRITE_WAIT * 1000)  # SQLite's own wait, for writes outside `transaction()`
# SQLite's page cache per connection (default 2 MB). An ingest inserts into the records' five indexes at random
# places: past ~30,000 records they no longer fit 2 MB, and every batch read their pages back from the OS (writing a
# new record at 100,000: ~110-130 µs of CPU in SQLite, ~85-95 with 32-64 MiB). The cache grows only as pages are
# used; 32 MiB holds a 100,000-record archive's indexes and keeps its ingest's peak well under 150 MB.
WRITE_CACHE_KIB = 32 * 1024
MMAP_BYTES = 1 << 40  # readers map as much of the file as this (it is address space, not memory)


class StoreProblem(StrEnum):
    """Why the database cannot be used or written."""

    BUSY = "busy"  # another process kept the write lock longer than this writer may wait
    READ_ONLY = "read_only"
    FULL = "full"  # the disk, or a file size limit
    DAMAGED = "damaged"  # corrupted pages
    NEWER = "newer"  # made by a newer archive-bot
    FOREIGN = "foreign"  # a schema version archive-bot never writes
    UNUSABLE = "unusable"  # not a database, a folder, a path that cannot be opened, any other failure
    UNREACHABLE = "unreachable"  # a database server (PostgreSQL) that cannot be reached
    REFUSED = "refused"  # a database server that refused the user name, password or database named


class _Code(int, Enum):
    """SQLite's primary result codes that say what went wrong (extended codes carry them in the low byte)."""

    BUSY = 5
    READONLY = 8
    IOERR = 10
    CORRUPT = 11
    FULL = 13


class StoreError(RuntimeError):
    """The database cannot be used or written; the message is for the user, `problem` for code."""

    def __init__(self, message: str, problem: StoreProblem = StoreProblem.UNUSABLE) -> None:
        super().__init__(message)
        self.problem = problem

    @classmethod
    def from_sqlite(cls, path: Path, exc: sqlite3.Error) -> StoreError:
        """One clear line for an SQLite failure on `path`."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == _Code.BUSY:
            return cls(f"{path}: another process is writing to it; try again when it has finished",
                       StoreProblem.BUSY)
        if code == _Code.READONLY:
            return cls(f"{path}: the archive database is read-only: this user may not write to it",
                       StoreProblem.READ_ONLY)
        if code in (_Code.FULL, _Code.IOERR):
            return cls(f"cannot write to {path}: the disk is full or a file size limit was reached",
                       StoreProblem.FULL)
        if code == _Code.CORRUPT:
            return cls(f"{path}: the archive database is damaged ({exc}); restore a backup, or ingest the pages "
                       "again into a new one", StoreProblem.DAMAGED)
        return cls(f"{path}: not a usable archive database ({exc})")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# DocumentInfo's fields as the documents table's columns, in order; the tuples are stored as JSON arrays.
_DOCUMENT_COLUMNS = tuple("archive_id" if f.name == "record_id" else f.name for f in fields(DocumentInfo))
_LIST_COLUMNS = frozenset(f.name for f in fields(DocumentInfo) if f.type == "tuple[str, ...]")
_DOCUMENT_SELECT = ", ".join(f"d.{column}" for column in _DOCUMENT_COLUMNS)


def _document_values(info: DocumentInfo) -> tuple[object, ...]:
    return tuple(json.dumps(list(value)) if f.name in _LIST_COLUMNS else int(value) if isinstance(value, bool)
                 else value for f in fields(DocumentInfo) for value in (getattr(info, f.name),))


_AUTHORS = _DOCUMENT_COLUMNS.index("authors")  # NOT NULL in a documents row: NULL only from the outer join


def _document_info(values: Sequence[object]) -> DocumentInfo | None:
    """A documents row read back (None for a record without one: all its columns NULL from the outer join)."""
    if values[_AUTHORS] is None:
        return None
    read: dict[str, Any] = {
        f.name: tuple(json.loads(str(value))) if f.name in _LIST_COLUMNS else bool(value)
        if f.type == "bool" else value for f, value in zip(fields(DocumentInfo), values, strict=True)
    }
    return DocumentInfo(**read)


def _json_list(values: Sequence[str]) -> str:
    """A JSON array; most records' notes are none, written without the encoder (a few µs a record)."""
    return json.dumps(list(values)) if values else "[]"


def stored_notes(text: str) -> tuple[str, ...]:
    """A record's notes as stored (`_json_list`); most have none, read without the decoder."""
    return () if text == "[]" else tuple(json.loads(text))


def _insert_values(insert: Insert, blob: Callable[[bytes], object] = bytes, null: object = None) -> tuple[object, ...]:
    """A new record's own columns, in RECORD_COLUMNS' order (the times it was made and changed follow), its
    digest as `blob` makes it, and `null` for each missing value (see NULL_MARK)."""
    raw, found_from, url = insert.item.raw, insert.item.people_input, insert.item.raw.url
    iso, precision, year, month, day = _date_columns((date := raw.date).year, date.month, date.day, null)
    return (
        insert.key, insert.base_key, iso, raw.date_text, precision, year, month, day, raw.title, raw.summary,
        int(raw.summary_partial), _json_list(raw.notes), null if url is None else url,
        null if found_from is None else blob(found_from),
    )


@lru_cache(maxsize=1 << 16)
def _date_columns(year: int | None, month: int | None, day: int | None,
                  null: object) -> tuple[object, str, object, object, object]:
    """A date's `date_iso`, `precision`, `year`, `month` and `day` columns, `null` for each it lacks: made once
    per distinct date (an archive has a few thousand), not for each record."""
    iso, precision = (date := stored_date(year, month, day)).iso(), str(date.precision)
    return (null if iso is None else iso, precision, null if year is None else year,
            null if month is None else month, null if day is None else day)


RECORD_COLUMNS = ("record_key, base_key, date_iso, date_text, precision, year, month, day, title, summary, "
                  "summary_partial, notes, url, people_input, created_at, updated_at")
# sqlite3 binds None (NULL) only after looking for an adapter for it, as for `bytes` (BLOB_NOTE): ~1.4 µs a value,
# about one a new record (most listing entries link nothing; some dates lack a day). A new record's row binds
# NULL_MARK instead, and its insert reads it back as NULL: no column it stands in holds a negative integer (they
# hold text, a digest or a date's year, month and day).
NULL_MARK = -1
_NULLABLE = ("date_iso", "year", "month", "day", "url", "people_input")
# A new record's columns as its insert makes them of the values bound (`_insert_values`: RECORD_COLUMNS but the
# times, which every row shares).
_RECORD_SELECT = tuple(f"nullif(column{n}, {NULL_MARK})" if column in _NULLABLE else f"column{n}"
                       for n, column in enumerate(RECORD_COLUMNS.split(", ")[:-2], 1))
# A participant row's role and kind are bound as one small integer (`_PART_CODES`), which its insert writes as
# their values: two texts fewer to bind a row (binding a text costs sqlite3 and SQLite a copy of it).
_PART_CODES = {(role, kind): r * len(EntityKind) + k
               for (r, role), (k, kind) in product(enumerate(Role), enumerate(EntityKind))}
_PART_COLUMNS = ("column1", "column2", "column3",
                 f"CASE column4 / {len(EntityKind)} "
                 + " ".join(f"WHEN {r} THEN '{role.value}'" for r, role in enumerate(Role)) + " END",
                 f"CASE column4 % {len(EntityKind)} "
                 + " ".join(f"WHEN {k} THEN '{kind.value}'" for k, kind in enumerate(EntityKind)) + " END")


class ArchiveStore(ABC):
    """The archive, whichever database holds it (SqliteArchiveStore, or PostgresArchiveStore in pgstore.py).

    Everything decided in Python is here, once: which stored rows an incoming batch is (identity.plan_upsert
    over the candidates read here) and how rows become Records (assemble_records). Each implementation holds
    only its SQL: how a transaction takes the archive's write lock, how a plan is written, how rows are read.
    Records are written only inside `transaction()`, which is all or nothing, and waits at most `write_wait`
    seconds for another process's (then StoreError(BUSY)).
    """

    def __init__(self, write_wait: float, on_wait: Callable[[], None] | None) -> None:
        self.write_wait = write_wait
        self.on_wait = on_wait  # called once per transaction that has to wait for another writer

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    @abstractmethod
    def where(self) -> str:
        """The archive's place, as it may be shown (a path, or a URL without its password)."""

    async def _take_write_lock(self, attempt: Callable[[], Awaitable[bool]], wait: float) -> None:
        """`attempt` (True: the lock is this store's) every WAIT_SLICE / 4 seconds until it succeeds, or
        StoreError(BUSY) once `wait` has passed; `on_wait` is told once, when the first attempt fails."""
        deadline = time.monotonic() + wait
        announced = False
        while not await attempt():
            if time.monotonic() >= deadline:
                raise StoreError(f"{self.where} stayed busy: another process kept writing to it for over {wait:g} "
                                 "s; try again when it has finished", StoreProblem.BUSY)
            if not announced and self.on_wait is not None:
                self.on_wait()
                announced = True
            await asyncio.sleep(WAIT_SLICE / 4)

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    async def schema_version(self) -> int: ...

    @abstractmethod
    def transaction(self, wait: float | None = None) -> AbstractAsyncContextManager[None]:
        """All or nothing, holding the archive's write lock: waits up to `wait` seconds (default `write_wait`)
        for another process's transaction, then raises StoreError(BUSY)."""

    @abstractmethod
    async def signature(self) -> tuple[int, int]:
        """Changes with every commit that wrote records: how a long-running reader notices an ingest."""

    # -- writing -----------------------------------------------------------------------------------
    async def upsert(self, batch: Sequence[Incoming], source: str,
                     held: Container[str] | None = None) -> UpsertCounts:
        """Insert or merge records seen in `source`; call inside a transaction. `held`, when given, has every base
        key the archive has rows under (and perhaps others): the batch's other base keys are not looked up (an
        ingest into a new archive knows them: those of its file's batches before)."""
        linked = await self._linked({link for item in batch for link in item.links})
        bases = {item.base_key for item in batch}
        if held is not None:
            bases = {base for base in bases if base in held}
        stored = await self._rows_by_base(bases | {base for base, _ in linked.values()})
        aliases = await self._damaged_title_aliases([item for item in batch if item.base_key not in stored])
        stored.update(await self._rows_by_base(set(aliases.values()) - stored.keys()))
        plan = plan_upsert(batch, stored, aliases, linked)
        await self._write(plan, source)
        return plan.counts

    def ingesting(self, expected: int) -> AbstractAsyncContextManager[None]:
        """A file's `upsert`s, inside `transaction()`: what a store sets up for writing batches is set up once
        for them all (SQLite's row triggers, and its indexes nothing reads meanwhile when the file brings more
        records than the archive holds), and put back before the transaction ends. `expected`: about how many
        records the file brings."""
        return nullcontext()

    @abstractmethod
    async def _write(self, plan: UpsertPlan, source: str) -> None:
        """Carry out `plan` (rows, participants, the source, document details and links)."""

    @abstractmethod
    async def replace_participants(self, people: Mapping[int, Sequence[Participant]]) -> None:
        """Every record's participants replaced by `people`'s (records missing from it keep none); call
        inside a transaction."""

    @abstractmethod
    async def get_state(self, key: str) -> str | None: ...

    async def set_state(self, key: str, value: str) -> None:
        """A transaction of its own, so it waits its turn like every other write."""
        async with self.transaction():
            await self.put_state(key, value)

    @abstractmethod
    async def put_state(self, key: str, value: str) -> None:
        """`set_state` inside a transaction the caller holds."""

    async def participants_found_from(self, inputs: Sequence[bytes]) -> dict[bytes, tuple[Participant, ...]]:
        """The stored participants of records whose participants were found from one of `inputs`
        (`Incoming.people_input`)."""
        first: dict[bytes, int] = {}  # records with the same title and summary under other dates: one will do
        for rid, found in await self._select_in(
                "SELECT id, people_input FROM records WHERE people_input IN ({marks})", sorted(set(inputs))):
            first.setdefault(found, rid)
        ids = {rid: found for found, rid in first.items()}
        named: dict[bytes, tuple[Participant, ...]] = dict.fromkeys(first, ())
        for rid, name, role, kind in await self._select_in(
            "SELECT record_id, name, role, kind FROM participants WHERE record_id IN ({marks}) "
            "ORDER BY record_id, position", list(ids),
        ):
            named[ids[rid]] += (stored_participant(name, role, kind),)
        return named

    @abstractmethod
    async def _select_in(self, sql: str, values: Sequence[object]) -> list[Sequence[Any]]:
        """Rows of `sql`, whose one `IN ({marks})` is matched against all of `values`: a list, not an async
        iterator (a batch's lookups return thousands of rows, and each step of one costs a microsecond or two)."""

    async def _linked(self, links: set[str]) -> dict[str, tuple[str, str]]:
        """link -> (base key, record key) of the stored record that holds it."""
        return {link: (base, key) for link, base, key in await self._select_in(
            "SELECT l.link, r.base_key, r.record_key FROM document_links l JOIN records r ON r.id = l.record_id "
            "WHERE l.link IN ({marks})", sorted(links))}

    async def _rows_by_base(self, bases: set[str]) -> dict[str, list[StoredRow]]:
        rows: dict[str, list[StoredRow]] = {}
        by_id: dict[int, StoredRow] = {}
        for base, key, rid, summary, partial, notes, url, found_from, *document in await self._select_in(
            "SELECT r.base_key, r.record_key, r.id, r.summary, r.summary_partial, r.notes, r.url, r.people_input, "
            f"{_DOCUMENT_SELECT} "
            "FROM records r LEFT JOIN documents d ON d.record_id = r.id WHERE r.base_key IN ({marks}) ORDER BY r.id",
            sorted(bases),
        ):
            row = StoredRow(rid, key, summary, bool(partial), stored_notes(notes), url,
                            info=_document_info(document), people_input=found_from)
            rows.setdefault(base, []).append(row)
            by_id[rid] = row
        for rid, link in await self._select_in(
            "SELECT record_id, link FROM document_links WHERE record_id IN ({marks})", list(by_id),
        ):
            by_id[rid].links |= {link}
        for rid, name, role, kind in await self._select_in(
            "SELECT record_id, name, role, kind FROM participants WHERE record_id IN ({marks}) "
            "ORDER BY record_id, position", list(by_id),
        ):
            by_id[rid].participants += (stored_participant(name, role, kind),)
        return rows

    async def _damaged_title_aliases(self, batch: Sequence[Incoming]) -> dict[str, str]:
        """A title with characters lost to U+FFFD -> the stored base key it stands for (identity.TitlePattern)."""
        aliases: dict[str, str] = {}
        for item in batch:
            pattern = item.title_pattern
            if pattern is None or item.base_key in aliases:
                continue
            found = pattern.pick(await self._base_keys_like(pattern))
            if found is not None:
                aliases[item.base_key] = found
        return aliases

    @abstractmethod
    async def _base_keys_like(self, pattern: TitlePattern) -> list[str]:
        """The stored base keys `pattern.glob` matches (a superset of those `pattern` may `pick`)."""

    async def _landed_ids(self, plan: UpsertPlan) -> dict[str, int]:
        """The id of every key `plan` lands on, once its new rows are inserted: only theirs are read back."""
        ids = dict(plan.ids)
        ids.update({key: rid for key, rid in await self._select_in(
            "SELECT record_key, id FROM records WHERE record_key IN ({marks})", [i.key for i in plan.inserts])})
        return ids

    # -- reading -----------------------------------------------------------------------------------
    @abstractmethod
    async def count(self) -> int: ...

    @abstractmethod
    async def has_records(self) -> bool:
        """Is any record stored? One row looked at, where `count` reads them all."""

    @abstractmethod
    async def record_texts(self) -> list[tuple[int, str, str]]:
        """(id, title, summary) of every record: what participants are derived from."""

    @abstractmethod
    async def record_authors(self) -> dict[int, tuple[str, ...]]:
        """The authors each record's own page lists, as written, for records whose page was seen."""

    async def get(self, record_id: int) -> Record | None:
        records = await self._load(record_id, record_id)
        return records[0] if records else None

    async def all_records(self) -> list[Record]:
        return await self._load(0)

    async def iter_records(self, chunk: int = 2000) -> AsyncIterator[Record]:
        """Every record in id order, a chunk at a time, so an export never holds the whole archive."""
        last = 0
        while True:
            records = await self._load(last + 1, limit=chunk)
            if not records:
                return
            for record in records:
                yield record
            last = records[-1].id

    @abstractmethod
    async def _load(self, first: int, last: int = LAST_ID, limit: int = -1) -> list[Record]:
        """Records with ids from `first` to `last`, in id order, at most `limit` of them (-1: all)."""


class SqliteArchiveStore(ArchiveStore):
    """The archive in one SQLite file (the default): one connection, writes serialized by BEGIN IMMEDIATE."""

    def __init__(self, conn: aiosqlite.Connection, path: Path, write_wait: float = WRITE_WAIT,
                 on_wait: Callable[[], None] | None = None) -> None:
        super().__init__(write_wait, on_wait)
        self.conn = conn
        self.path = path
        self._commits = 0  # transactions committed through this connection, which data_version does not see
        self._stamps_aside = False  # ROW_TRIGGERS are set aside for a file's batches (`ingesting`)

    @classmethod
    async def open(cls, path: str | Path, *, write_wait: float = WRITE_WAIT,
                   on_wait: Callable[[], None] | None = None) -> SqliteArchiveStore:
        """Open (and create or migrate) the archive; `write_wait` bounds how long a transaction waits for
        another process's, and `on_wait` is told when one starts waiting."""
        path = Path(path)
        try:
            if str(path) != ":memory:":
                if path.is_dir():
                    raise StoreError(f"{path}: is a folder, not a database file")
                path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: cannot open the archive database ({exc})") from None
        store = cls(conn, path, write_wait, on_wait)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {STATEMENT_WAIT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            if str(path) != ":memory:":
                await conn.execute("PRAGMA journal_mode = WAL")  # readers never wait for a writer
            await store._migrate()
        except sqlite3.Error as exc:
            await conn.close()
            raise StoreError.from_sqlite(path, exc) from None
        except BaseException:
            await conn.close()  # aiosqlite's thread would otherwise keep the process alive
            raise
        return store

    @property
    def where(self) -> str:
        return str(self.path)

    async def close(self) -> None:
        await self.conn.close()

    async def _migrate(self) -> None:
        """Bring the schema up to date under the write lock, so processes opening a new database at once
        migrate it once: the version is read again once the lock is held."""
        if self._check_version(await self.schema_version()) == SCHEMA_VERSION:
            return
        async with self.transaction(exclusive=True):
            version = self._check_version(await self.schema_version())
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    await self.conn.execute(statement)
                await self.conn.execute(f"PRAGMA user_version = {number + 1}")

    def _check_version(self, version: int) -> int:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: made by a newer archive-bot (schema {version}, this one knows {SCHEMA_VERSION})",
                StoreProblem.NEWER,
            )
        if version < 0:
            raise StoreError(f"{self.path}: schema version {version} is not one archive-bot writes: "
                             "not an archive-bot database", StoreProblem.FOREIGN)
        return version

    async def schema_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self, wait: float | None = None, exclusive: bool = False) -> AsyncIterator[None]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error: a file goes in whole or not at all.

        Waits up to `wait` seconds (default: the store's `write_wait`) for another process's transaction,
        then raises StoreError(BUSY); SQLite failures come out as StoreError too.
        """
        await self._begin("BEGIN EXCLUSIVE" if exclusive else "BEGIN IMMEDIATE",
                          self.write_wait if wait is None else wait)
        try:
            yield
        except BaseException as exc:
            with suppress(sqlite3.Error):  # SQLite may have rolled back already (disk full, damage)
                await self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError.from_sqlite(self.path, exc) from None
            raise
        try:
            await self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with suppress(sqlite3.Error):
                await self.conn.execute("ROLLBACK")
            raise StoreError.from_sqlite(self.path, exc) from None
        self._commits += 1

    async def _begin(self, statement: str, wait: float) -> None:
        """Take the write lock in short attempts, so this connection's reads run while it waits."""

        async def attempt() -> bool:
            try:
                await self.conn.execute(statement)
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", 0) & 0xFF != _Code.BUSY:
                    raise StoreError.from_sqlite(self.path, exc) from None
                return False
            return True

        await self.conn.execute(f"PRAGMA busy_timeout = {int(WAIT_SLICE * 1000)}")
        try:
            await self._take_write_lock(attempt, wait)
        finally:
            await self.conn.execute(f"PRAGMA busy_timeout = {STATEMENT_WAIT_MS}")

    # -- writing -----------------------------------------------------------------------------------
    async def _write(self, plan: UpsertPlan, source: str) -> None:
        if any(item is not None for item in plan.landed.values()):  # records or participants to write
            async with self._stamping() as stamp:
                await self._write_rows(plan, source, stamp)
        else:  # sources, document pages, summaries (stamped by their trigger): no stamp of the batch's own
            await self._write_rows(plan, source, 0)

    @asynccontextmanager
    async def ingesting(self, expected: int) -> AsyncIterator[None]:
        aside: tuple[str, ...] = ROW_TRIGGERS
        if expected >= DEFER_FROM and await self._last_id() < expected:  # ids approach the count, in O(log n)
            aside += DEFERRED_INDEXES
        async with self._set_aside(aside), self._enums_trusted():
            self._stamps_aside = True
            try:
                yield
            finally:
                self._stamps_aside = False

    @asynccontextmanager
    async def _enums_trusted(self) -> AsyncIterator[None]:
        """CHECK constraints off for a file's batches, on again before its transaction ends. SQLite builds the
        lookup of a CHECK's `IN (...)` list (records' precision, participants' role) for every row it checks (a
        constraint's code is not run once per statement as a query's is): ~2 µs a row, ~4.7 rows a new record.
        The values an ingest writes there are enums' (`Precision`, `Role`: tests keep their values the lists')."""
        await self.conn.execute("PRAGMA ignore_check_constraints = ON")
        try:
            yield
        finally:
            await self.conn.execute("PRAGMA ignore_check_constraints = OFF")

    @asynccontextmanager
    async def _stamping(self) -> AsyncIterator[int]:
        """The next generation, for a batch to stamp the records it inserts or gives new participants, with
        ROW_TRIGGERS set aside meanwhile (unless they are for the file: `ingesting`)."""
        async with nullcontext() if self._stamps_aside else self._set_aside(ROW_TRIGGERS):
            opened = await self.conn.execute_fetchall("UPDATE generation SET value = value + 1 RETURNING value")
            yield int(next(iter(opened))[0])

    @asynccontextmanager
    async def _set_aside(self, names: tuple[str, ...]) -> AsyncIterator[None]:
        """The triggers and indexes `names` dropped inside the caller's transaction, and made again as they were
        before it ends, even when what it does fails."""
        if not self.conn.in_transaction:
            raise RuntimeError("upsert writes inside store.transaction(): its stamps and triggers go in together")
        dropped = await self.conn.execute_fetchall(
            f"SELECT type, name, sql FROM sqlite_master WHERE name IN ({','.join('?' * len(names))})", names)
        for kind, name, _ in dropped:
            await self.conn.execute(f"DROP {kind.upper()} {name}")
        try:
            yield
        finally:
            # SQLite rolls a transaction back by itself on some failures (a full disk), the drop with it: then
            # they are there already, and the failure is the one to report
            if self.conn.in_transaction:
                for *_, sql in dropped:
                    await self.conn.execute(sql)

    async def _write_rows(self, plan: UpsertPlan, source: str, stamp: int) -> None:
        """The plan's rows; records inserted or given new participants carry `stamp` (`_stamping`)."""
        now = _now()
        ids = dict(plan.ids)
        if plan.inserts:
            before = await self._last_id()
            await self._insert_rows(f"INSERT INTO records ({RECORD_COLUMNS}, generation)",
                                    [_insert_values(i, bytearray, NULL_MARK) for i in plan.inserts], (now, now, stamp),
                                    _RECORD_SELECT)
            if await self._last_id() - before == len(plan.inserts):
                # SQLite gives a new row the largest id + 1 (until the largest possible one is taken): these
                # rows are the next ids, in order, and need not be looked up one by one
                ids.update({insert.key: before + n for n, insert in enumerate(plan.inserts, 1)})
            else:
                ids = await self._landed_ids(plan)
        if plan.updates:
            await self.conn.executemany(
                "UPDATE records SET summary = ?, summary_partial = ?, notes = ?, url = ?, updated_at = ? WHERE id = ?",
                [
                    (u.summary, int(u.summary_partial), _json_list(u.notes), u.url, now, u.row_id)
                    for u in plan.updates
                ],
            )
        if plan.found_from:
            await self.conn.executemany("UPDATE records SET people_input = ? WHERE id = ?",
                                        [(found, rid) for rid, found in plan.found_from.items()])
        refresh = {ids[key]: item for key, item in plan.landed.items() if item is not None}
        if refresh:
            inserted = {ids[i.key] for i in plan.inserts}  # a new record has no participants to delete
            stored = [(rid,) for rid in refresh if rid not in inserted]
            if stored:  # none in a new archive: three trips to the connection's thread saved
                await self.conn.executemany("DELETE FROM participants WHERE record_id = ?", stored)
                await self.conn.executemany("DELETE FROM shown WHERE record_id = ?", stored)  # ROW_TRIGGERS are aside
                await self.conn.executemany("UPDATE records SET people_input = ?, generation = ? WHERE id = ?",
                                            [(item.people_input, stamp, rid) for rid, item in refresh.items()
                                             if rid not in inserted])
            await self._insert_participants({rid: item.participants for rid, item in refresh.items()})
        await self._unshow_new_source(list(plan.ids.values()), source)
        await self._insert_rows("INSERT OR IGNORE INTO sources (record_id, source, first_seen)",
                                [(rid,) for rid in ids.values()], (source, now))
        if plan.documents:
            await self.conn.executemany(
                f"INSERT OR REPLACE INTO documents (record_id, {', '.join(_DOCUMENT_COLUMNS)}) "
                f"VALUES (?{', ?' * len(_DOCUMENT_COLUMNS)})",
                [(ids[key], *_document_values(info)) for key, info in plan.documents.items()],
            )
        if plan.links:
            await self.conn.executemany(
                "INSERT OR IGNORE INTO document_links (link, record_id) VALUES (?, ?)",
                [(link, ids[key]) for key, links in plan.links.items() for link in sorted(links)],
            )

    async def _unshow_new_source(self, stored: list[int], source: str) -> None:
        """The shown rows of the stored records `source` is new to go, as `sources_shown_insert` (set aside with
        ROW_TRIGGERS) would delete them: a new record has no row, and a source seen before adds nothing."""
        for start in range(0, len(stored), BATCH):
            chunk = stored[start:start + BATCH]
            await self.conn.execute(
                f"DELETE FROM shown WHERE record_id IN ({','.join('?' * len(chunk))}) AND NOT EXISTS "
                "(SELECT 1 FROM sources s WHERE s.record_id = shown.record_id AND s.source = ?)", [*chunk, source])

    async def _insert_participants(self, people: Mapping[int, Sequence[Participant]]) -> None:
        await self._insert_rows(
            "INSERT OR IGNORE INTO participants (record_id, position, name, role, kind)",
            [(rid, position, p.name, _PART_CODES[p.role, p.kind]) for rid, named in people.items()
             for position, p in enumerate(named)], columns=_PART_COLUMNS)

    async def _insert_rows(self, head: str, rows: Sequence[tuple[object, ...]], same: tuple[object, ...] = (),
                           columns: Sequence[str] = ()) -> None:
        """`head` ('INSERT ... (columns)') with the values of `rows`, in order, then `same`, the values of the last
        columns for every row, bound once a statement. `columns`, when given, has what each column before those is
        made of (`columnN` is a row's Nth value: `_RECORD_SELECT`, `_PART_COLUMNS`). ROWS_PER_INSERT rows to a
        statement: each run of one costs its own binding, reset and cursors, paid once for 32 rows instead of each;
        and binding a value costs SQLite a copy of it, ~800 instructions a text."""
        if not rows:
            return
        width = len(rows[0])
        # ?1... are `same`; the unnumbered marks of VALUES follow them
        select = ", ".join([*(columns or (f"column{n}" for n in range(1, width + 1))),
                            *(f"?{n}" for n in range(1, len(same) + 1))])
        one = f"({','.join('?' * width)})"

        def statement(count: int) -> str:
            return f"{head} SELECT {select} FROM (VALUES {','.join([one] * count)})"

        full = len(rows) - len(rows) % ROWS_PER_INSERT
        if full:
            await self.conn.executemany(statement(ROWS_PER_INSERT),
                                        [(*same, *chain.from_iterable(rows[start:start + ROWS_PER_INSERT]))
                                         for start in range(0, full, ROWS_PER_INSERT)])
        if full < len(rows):
            await self.conn.execute(statement(len(rows) - full), (*same, *chain.from_iterable(rows[full:])))

    async def _last_id(self) -> int:
        rows = await self.conn.execute_fetchall("SELECT coalesce(max(id), 0) FROM records")
        return int(next(iter(rows))[0])

    async def _base_keys_like(self, pattern: TitlePattern) -> list[str]:
        async with self.conn.execute("SELECT DISTINCT base_key FROM records WHERE base_key GLOB ?",
                                     (pattern.glob,)) as cur:
            return [str(row[0]) async for row in cur]

    async def _select_in(self, sql: str, values: Sequence[object]) -> list[Sequence[Any]]:
        """Rows of `sql` (with one `IN ({marks})`) for all `values`, a batch at a time: SQLite caps parameters.
        Each batch's rows come back in one trip to the connection's thread (a cursor's would take one per 64)."""
        rows: list[Sequence[Any]] = []
        for start in range(0, len(values), BATCH):
            chunk = [bytearray(v) if type(v) is bytes else v for v in values[start:start + BATCH]]  # see BLOB_NOTE
            rows.extend(await self.conn.execute_fetchall(sql.format(marks=",".join("?" * len(chunk))), chunk))
        return rows

    async def get_state(self, key: str) -> str | None:
        async with self.conn.execute("SELECT value FROM bot_state WHERE key = ?", (key,)) as cur:
            row = await cur.fetchone()
        return None if row is None else str(row[0])

    async def put_state(self, key: str, value: str) -> None:
        """`set_state` inside a transaction the caller holds."""
        await self.conn.execute(
            "INSERT INTO bot_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def record_texts(self) -> list[tuple[int, str, str]]:
        """(id, title, summary) of every record: what participants are derived from."""
        async with self.conn.execute("SELECT id, title, summary FROM records ORDER BY id") as cur:
            return [(int(rid), str(title), str(summary)) async for rid, title, summary in cur]

    async def record_authors(self) -> dict[int, tuple[str, ...]]:
        """The authors each record's own page lists, as written, for records whose page was seen."""
        async with self.conn.execute("SELECT record_id, authors FROM documents WHERE authors != '[]'") as cur:
            return {int(rid): tuple(json.loads(authors)) async for rid, authors in cur}

    async def replace_participants(self, people: Mapping[int, Sequence[Participant]]) -> None:
        """Every record's participants replaced by `people`'s (records missing from it keep none); call
        inside a transaction."""
        await self.conn.execute("DELETE FROM participants")
        await self.conn.execute("UPDATE records SET people_input = NULL")  # found by other rules than the stored
        await self._insert_participants(people)

    # -- reading -----------------------------------------------------------------------------------
    async def count(self) -> int:
        async with self.conn.execute("SELECT COUNT(*) FROM records") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def has_records(self) -> bool:
        rows = await self.conn.execute_fetchall("SELECT EXISTS (SELECT 1 FROM records)")
        return bool(next(iter(rows))[0])

    async def signature(self) -> tuple[int, int]:
        """Changes with every commit of another connection and every `transaction()` of this one (records are
        only written inside one): how a long-running reader notices an ingest.

        SQLite's data_version moves only when another connection commits, hence `_commits` for this one;
        unlike the records' timestamps, neither misses a second change within the same second.
        """
        async with self.conn.execute("PRAGMA data_version") as cur:
            row = await cur.fetchone()
        return (int(row[0]) if row else 0, self._commits)

    async def _load(self, first: int, last: int = LAST_ID, limit: int = -1) -> list[Record]:
        async with self.conn.execute(f"{RECORD_SELECT} WHERE r.id BETWEEN ? AND ? ORDER BY r.id LIMIT ?",
                                     (first, last, limit)) as cur:
            rows = list(await cur.fetchall())
        if not rows:
            return []
        lo, hi = rows[0][0], rows[-1][0]
        async with self.conn.execute(f"{NAMED_SELECT} WHERE record_id BETWEEN ? AND ? {NAMED_ORDER}", (lo, hi)) as cur:
            named = await cur.fetchall()
        async with self.conn.execute(f"{SOURCES_SELECT} WHERE record_id BETWEEN ? AND ? {SOURCES_ORDER}",
                                     (lo, hi)) as cur:
            sources = await cur.fetchall()
        return assemble_records(rows, named, sources)


RECORD_SELECT = f"""SELECT r.id, r.year, r.month, r.day, r.date_text, r.title, r.summary, r.notes, r.url,
                           r.summary_partial, {_DOCUMENT_SELECT}
                    FROM records r LEFT JOIN documents d ON d.record_id = r.id"""
NAMED_SELECT = "SELECT record_id, name, role, kind FROM participants"
NAMED_ORDER = "ORDER BY record_id, position"
SOURCES_SELECT = "SELECT record_id, source FROM sources"
SOURCES_ORDER = "ORDER BY record_id, rowid"


def assemble_records(rows: Sequence[Sequence[Any]], named: Iterable[Sequence[Any]],
                     sources: Iterable[Sequence[Any]]) -> list[Record]:
    """Records from RECORD_SELECT's rows, with their participants (NAMED_SELECT) and sources (SOURCES_SELECT),
    in the rows' order; participants and sources of other records are ignored.

    A shown record is assembled on every answer (ten a search): lists are made only for the records that have
    participants or sources, and each is looked up once by its id."""
    people: dict[int, list[Participant]] = {}
    mentioned: dict[int, list[Participant]] = {}
    by_source: dict[int, list[str]] = {}
    for rid, name, role, kind in named:
        (mentioned if role == _MENTIONED else people).setdefault(rid, []).append(stored_participant(name, role, kind))
    for rid, source in sources:
        by_source.setdefault(rid, []).append(source)
    return [
        make(
            Record,
            id=rid,
            date=stored_date(year, month, day),
            date_text=date_text,
            title=title,
            summary=summary,
            notes=stored_notes(notes),
            url=url,
            participants=tuple(people.get(rid, ())),
            sources=tuple(by_source.get(rid, ())),
            summary_partial=bool(partial),
            mentioned=tuple(mentioned.get(rid, ())),
            info=_document_info(document),
        )
        for rid, year, month, day, date_text, title, summary, notes, url, partial, *document in rows
    ]
