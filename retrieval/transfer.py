"""Copying everything the bot keeps between SQLite and PostgreSQL (`archive-bot migrate`), and the table-by-table
copy the local read replica of a PostgreSQL archive is made with (retrieval/replica.py).

Both databases have the same tables and columns (retrieval/pg.py), except that each stamps `records.generation`
itself (so it is not copied), and SQLite keeps times and days as text where PostgreSQL has TIMESTAMPTZ and DATE:
rows travel as Python values (datetime, date), converted at each side, so nothing is lost either way.

A migration reads the source in one snapshot and writes the destination in one transaction, a chunk at a time
(COPY into PostgreSQL, executemany into SQLite); before committing it reads the destination back and compares
each table's row count and a checksum over a canonical form of its rows with the source's. Any difference, or
any failure, rolls the destination back: it is written whole or not at all.
"""
from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, closing, nullcontext, suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiosqlite
import asyncpg

from .dburl import PROBLEM_TEXT, UrlProblem, safe_url, url_problem
from .fetch.frontier import RUN_KEY
from .pg import Postgres
from .reroles import ROLES_KEY
from .store import SCHEMA_VERSION, SqliteArchiveStore, StoreError, StoreProblem

CHUNK = 5000  # rows per read and per write: the archive is never held whole
SQLITE_PREFIX = "sqlite:"

Row = tuple[Any, ...]


class Kind(Enum):
    """How a column's values are kept: the same on both sides, or as text in SQLite only."""

    PLAIN = "plain"
    TIMESTAMP = "timestamp"  # TIMESTAMPTZ in PostgreSQL, ISO 8601 text in SQLite
    DATE = "date"  # DATE in PostgreSQL, YYYY-MM-DD in SQLite


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.PLAIN
    sqlite: str = ""  # SQLite's name for it when that differs (sources.seq is SQLite's rowid)

    @property
    def sqlite_name(self) -> str:
        return self.sqlite or self.name


@dataclass(frozen=True)
class Table:
    """One table as it is copied: its columns, the order rows are read in (the same on both sides: text keys
    compared byte by byte), and the PostgreSQL identity columns advanced after a copy."""

    name: str
    columns: tuple[Column, ...]
    order: str  # PostgreSQL's ORDER BY; text keys COLLATE "C", byte order, which is SQLite's
    identities: tuple[str, ...] = ()
    archive: bool = True  # part of the archive (what a replica holds), else the bot's own state
    only: str = ""  # an SQL condition (the same on both sides) on the rows copied; "" for all

    def where(self, where: str = "") -> str:
        """`where` (a WHERE clause or "") narrowed to the rows this table copies."""
        if not self.only:
            return where
        return f"{where} AND ({self.only})" if where else f"WHERE {self.only}"

    def sqlite_order(self) -> str:
        renamed = {c.name: c.sqlite_name for c in self.columns}
        return ", ".join(renamed.get(key, key) for key in self.order.replace(' COLLATE "C"', "").split(", "))


def _columns(*names: str) -> tuple[Column, ...]:
    return tuple(Column(name) for name in names)


# In the order they are written (a row's references are written before it). `records.generation` is each side's.
TABLES: tuple[Table, ...] = (
    Table("records", _columns("id", "record_key", "base_key", "date_iso", "date_text", "precision", "year", "month",
                              "day", "title", "summary", "summary_partial", "notes", "url", "created_at",
                              "updated_at", "people_input"), "id", ("id",)),
    Table("participants", _columns("record_id", "position", "name", "role", "kind"),
          'record_id, position, name COLLATE "C"'),
    Table("sources", (*_columns("record_id", "source", "first_seen"), Column("seq", sqlite="rowid")), "seq",
          ("seq",)),
    Table("documents", _columns("record_id", "archive_id", "canonical_url", "authors", "places", "topics",
                                "subjects", "associated", "source", "original_archive", "doc_type", "languages",
                                "rights", "donors", "classification", "uploaded", "text", "text_partial",
                                "scan_url"), "record_id"),
    Table("document_links", _columns("link", "record_id"), 'link COLLATE "C"'),
    Table("fetch_pages", (*_columns("site", "path", "kind", "state", "file", "etag", "last_modified", "run",
                                    "ingested", "attempts", "error", "fetched_at"), Column("seq", sqlite="rowid")),
          "seq", ("seq",), archive=False),
    Table("bot_state", _columns("key", "value"), 'key COLLATE "C"', archive=False),
    Table("subscriptions", _columns("id", "target", "guild_id", "channel_id", "user_id", "created_by", "post_time",
                                    "timezone", "paused", "created_at"), "id", ("id",), archive=False),
    Table("daily_posts", (*_columns("subscription_id"), Column("local_date", Kind.DATE),
                          *_columns("record_id", "status", "owner"), Column("claimed_at", Kind.TIMESTAMP),
                          Column("sent_at", Kind.TIMESTAMP), *_columns("message_id", "attempts", "error", "token")),
          "subscription_id, local_date", archive=False),
)
ARCHIVE_TABLES = tuple(t for t in TABLES if t.archive and t.name != "fetch_pages")
"""What a replica copies: the records and all that belongs to them (not the crawl state, nor the bot's own)."""
RECORD_CHILDREN = tuple(t for t in ARCHIVE_TABLES if t.name != "records")
STATE_TABLES = ("bot_state", "subscriptions", "daily_posts")
ARCHIVE_ONLY: tuple[Table, ...] = (
    *(t for t in TABLES if t.name not in STATE_TABLES),
    # of the key-value state, what belongs to the archive: the roles' version and each site's crawl run
    replace(next(t for t in TABLES if t.name == "bot_state"),
            only=f"key = '{ROLES_KEY}' OR key LIKE '{RUN_KEY.format(site='')}%'"),
)
"""What `migrate --archive-only` copies: into a PostgreSQL that already holds the bot's own state (subscriptions,
the ledger: kept there since DATABASE_URL was first set) while the archive was still in SQLite."""


class TransferProblem(StrEnum):
    BAD_ENDPOINT = "bad_endpoint"  # neither sqlite:PATH nor postgresql://...
    SAME = "same"  # the source is the destination
    MISSING = "missing"  # no SQLite file there
    NOT_ARCHIVE = "not_archive"  # a file that is not an archive-bot database
    NOT_EMPTY = "not_empty"  # the destination holds data already
    MISMATCH = "mismatch"  # what was read back differs from what was read
    BAD_VALUE = "bad_value"  # a stored value that cannot be converted (a time that is not one)


class TransferError(StoreError):
    """A migration that cannot be done; the message is one line for the user."""

    def __init__(self, message: str, problem: TransferProblem) -> None:
        super().__init__(message, StoreProblem.UNUSABLE)
        self.transfer_problem = problem


# -- values between the two sides -------------------------------------------------------------------------
def _from_text(table: Table, column: Column, value: Any) -> Any:
    if value is None or column.kind is Kind.PLAIN:
        return value
    try:
        if column.kind is Kind.DATE:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise TransferError(f"{table.name}.{column.name}: {str(value)[:40]!r} is not a "
                            f"{'day' if column.kind is Kind.DATE else 'time'}", TransferProblem.BAD_VALUE) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # the ledger writes UTC


def _to_text(column: Column, value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _canonical(value: Any) -> Any:
    """The form a time is compared in: UTC to the microsecond, whichever side it came from."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class Digest:
    """A table's row count and a SHA-256 over the canonical form of its rows (each row's repr: both sides give
    the same Python types, times aside), in the table's order."""

    table: Table
    rows: int = 0
    _hash: Any = field(default_factory=hashlib.sha256)

    def add(self, rows: Sequence[Row]) -> None:
        self.rows += len(rows)
        times = [i for i, c in enumerate(self.table.columns) if c.kind is not Kind.PLAIN]
        if times:
            rows = [tuple(_canonical(v) if i in times else v for i, v in enumerate(row)) for row in rows]
        self._hash.update("".join(f"{row!r}\n" for row in rows).encode())

    @property
    def hex(self) -> str:
        return self._hash.hexdigest()


# -- the two sides ----------------------------------------------------------------------------------------
class Side(Protocol):
    def chunks(self, table: Table, where: str = "", args: Sequence[Any] = ()) -> AsyncIterator[list[Row]]: ...

    async def write(self, table: Table, rows: list[Row]) -> None: ...

    async def count(self, table: Table) -> int: ...


class SqliteSide:
    """Rows of an SQLite archive (`where` with ? parameters); writes inside a transaction the caller holds."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def chunks(self, table: Table, where: str = "", args: Sequence[Any] = ()) -> AsyncIterator[list[Row]]:
        names = ", ".join(c.sqlite_name for c in table.columns)
        converted = [(i, c) for i, c in enumerate(table.columns) if c.kind is not Kind.PLAIN]
        sql = f"SELECT {names} FROM {table.name} {table.where(where)} ORDER BY {table.sqlite_order()}"
        async with self.conn.execute(sql, tuple(args)) as cur:
            while rows := await cur.fetchmany(CHUNK):
                if not converted:
                    yield [tuple(row) for row in rows]
                    continue
                out = []
                for row in rows:
                    values = list(row)
                    for i, column in converted:
                        values[i] = _from_text(table, column, values[i])
                    out.append(tuple(values))
                yield out

    async def write(self, table: Table, rows: list[Row], verb: str = "INSERT") -> None:
        names = ", ".join(c.sqlite_name for c in table.columns)
        marks = ", ".join("?" * len(table.columns))
        if any(c.kind is not Kind.PLAIN for c in table.columns):
            rows = [tuple(_to_text(c, v) for c, v in zip(table.columns, row, strict=True)) for row in rows]
        await self.conn.executemany(f"{verb} INTO {table.name} ({names}) VALUES ({marks})", rows)

    async def count(self, table: Table) -> int:
        async with self.conn.execute(f"SELECT COUNT(*) FROM {table.name} {table.where()}") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def bulk(self) -> AsyncIterator[None]:
        """A whole archive written at once (inside the caller's transaction): the change-stamp triggers, which
        cost four statements a row, are set aside and put back as they were (their text is SQLite's own), and
        every record is stamped with one new generation, as the index expects of records it has not seen."""
        async with self.conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'") as cur:
            triggers = [(str(name), str(sql)) async for name, sql in cur]
        for name, _ in triggers:
            await self.conn.execute(f"DROP TRIGGER {name}")
        yield  # on an error the caller's transaction rolls back, and the triggers with it
        for _, sql in triggers:
            await self.conn.execute(sql)
        await self.conn.execute("UPDATE generation SET value = value + 1")
        await self.conn.execute("UPDATE records SET generation = (SELECT value FROM generation)")


class PgSide:
    """Rows of a PostgreSQL archive (`where` with $n parameters), read inside a transaction the caller holds
    (a cursor needs one); writes are COPY."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def chunks(self, table: Table, where: str = "", args: Sequence[Any] = ()) -> AsyncIterator[list[Row]]:
        names = ", ".join(c.name for c in table.columns)
        cursor = await self.conn.cursor(f"SELECT {names} FROM {table.name} {table.where(where)} ORDER BY {table.order}",
                                        *args)
        while rows := await cursor.fetch(CHUNK):
            yield [tuple(row) for row in rows]

    async def write(self, table: Table, rows: list[Row]) -> None:
        await self.conn.copy_records_to_table(table.name, records=rows, columns=[c.name for c in table.columns])

    async def count(self, table: Table) -> int:
        return int(await self.conn.fetchval(f"SELECT COUNT(*) FROM {table.name} {table.where()}"))

    async def advance_identities(self, tables: Sequence[Table]) -> None:
        """Move each identity past the largest value copied, so the next insert takes a new one."""
        for table in tables:
            for column in table.identities:
                await self.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column}'), "
                    f"COALESCE(max({column}), 0) + 1, false) FROM {table.name}")


# -- where an archive is ------------------------------------------------------------------------------------
class EndKind(Enum):
    SQLITE = "sqlite"
    POSTGRES = "postgres"


@dataclass(frozen=True)
class Endpoint:
    """`sqlite:PATH` or `postgresql://user:password@host/db`."""

    kind: EndKind
    where: str  # the path, or the URL (with its password: never shown, see `describe`)

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        problem = url_problem(text)
        if problem is None:
            return cls(EndKind.POSTGRES, text)
        if problem is not UrlProblem.NOT_POSTGRES:
            raise TransferError(f"the PostgreSQL URL {PROBLEM_TEXT[problem]}", TransferProblem.BAD_ENDPOINT)
        if text.startswith(SQLITE_PREFIX) and text[len(SQLITE_PREFIX):]:
            return cls(EndKind.SQLITE, text[len(SQLITE_PREFIX):].removeprefix("//"))
        raise TransferError(f"{safe_url(text)[:80]!r} is neither sqlite:PATH nor postgresql://user:password@host/db",
                            TransferProblem.BAD_ENDPOINT)

    @property
    def path(self) -> Path:
        return Path(self.where)

    def describe(self) -> str:
        return f"{SQLITE_PREFIX}{self.where}" if self.kind is EndKind.SQLITE else safe_url(self.where)

    def same_as(self, other: Endpoint) -> bool:
        if self.kind is not other.kind:
            return False
        if self.kind is EndKind.SQLITE:
            return self.path.resolve() == other.path.resolve()
        mine, theirs = urlsplit(self.where), urlsplit(other.where)
        return ((mine.hostname, mine.port or 5432, mine.path.strip("/"), mine.query)
                == (theirs.hostname, theirs.port or 5432, theirs.path.strip("/"), theirs.query))


def _sqlite_version(path: Path) -> int:
    """The schema version of an existing SQLite file (0: a database of no one's, or an empty file); read only."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.Error as exc:
        raise TransferError(f"{path}: not an archive-bot database ({exc})", TransferProblem.NOT_ARCHIVE) from None
    if version == 0 and tables:
        raise TransferError(f"{path}: not an archive-bot database (an SQLite database of something else)",
                            TransferProblem.NOT_ARCHIVE)
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: made by a newer archive-bot (schema {version}, this one knows {SCHEMA_VERSION}); "
                         "upgrade archive-bot", StoreProblem.NEWER)
    return version


def sqlite_wal_files(path: Path) -> tuple[Path, ...]:
    """The database file and SQLite's files beside it."""
    return (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))


# -- the migration ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableReport:
    table: str
    source: Digest
    destination: Digest

    @property
    def matches(self) -> bool:
        return self.source.rows == self.destination.rows and self.source.hex == self.destination.hex


@dataclass(frozen=True)
class MigrateReport:
    source: str
    destination: str
    tables: tuple[TableReport, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.source.rows for t in self.tables)


Progress = Callable[[str, int, int], None]  # table, rows copied, rows in it


async def migrate(source: Endpoint, destination: Endpoint, progress: Progress | None = None,
                  tables: Sequence[Table] = TABLES) -> MigrateReport:
    """Copy `tables` (everything, or ARCHIVE_ONLY) from `source` into `destination`, where they must be empty,
    compare, and commit; or raise and leave the destination as it was (a new SQLite file is removed)."""
    started = time.perf_counter()
    if source.same_as(destination):
        raise TransferError(f"{source.describe()} is both the source and the destination", TransferProblem.SAME)
    if source.kind is EndKind.SQLITE:
        if not source.path.is_file():
            raise TransferError(f"{source.path}: no such archive file", TransferProblem.MISSING)
        if _sqlite_version(source.path) == 0:
            raise TransferError(f"{source.path}: not an archive-bot database (empty)", TransferProblem.NOT_ARCHIVE)
    created = destination.kind is EndKind.SQLITE and not destination.path.exists()
    if destination.kind is EndKind.SQLITE and not created:
        _sqlite_version(destination.path)
    try:
        async with AsyncExitStack() as stack:
            reader = await _open_side(stack, source, writing=False)
            writer = await _open_side(stack, destination, writing=True)
            full = {t.name: n for t in tables if (n := await writer.count(t))}
            if full:
                held = ", ".join(f"{name}: {n:,} rows" for name, n in list(full.items())[:3])
                hint = ("; to copy the archive alone into a database that holds only the bot's own state, add "
                        "--archive-only" if tables is TABLES and full.keys() <= set(STATE_TABLES) else "")
                raise TransferError(f"{destination.describe()} already holds data ({held}); migrate copies into an "
                                    f"empty database only{hint}", TransferProblem.NOT_EMPTY)
            reports = await _copy(reader, writer, progress, tables)
    except BaseException:
        if created:
            for leftover in sqlite_wal_files(destination.path):
                with suppress(FileNotFoundError):
                    leftover.unlink()
        raise
    return MigrateReport(source.describe(), destination.describe(), reports, time.perf_counter() - started)


async def _open_side(stack: AsyncExitStack, end: Endpoint, *, writing: bool) -> Side:
    """The endpoint opened inside one transaction (a snapshot to read, or the one write), closed by `stack`."""
    if end.kind is EndKind.SQLITE:
        store = await SqliteArchiveStore.open(end.path)
        stack.push_async_callback(store.close)
        if writing:
            await stack.enter_async_context(store.transaction())
        else:
            await store.conn.execute("BEGIN")  # one snapshot of the source: WAL keeps it while others write
            stack.push_async_callback(store.conn.execute, "ROLLBACK")
        return SqliteSide(store.conn)
    db = await Postgres.open(end.where)
    stack.push_async_callback(db.close)
    conn = await stack.enter_async_context(db.conn())
    await stack.enter_async_context(conn.transaction() if writing
                                    else conn.transaction(isolation="repeatable_read", readonly=True))
    return PgSide(conn)


async def _copy(reader: Side, writer: Side, progress: Progress | None,
                tables: Sequence[Table]) -> tuple[TableReport, ...]:
    read: dict[str, Digest] = {}
    async with writer.bulk() if isinstance(writer, SqliteSide) else nullcontext():
        for table in tables:
            total, digest = await reader.count(table), Digest(table)
            async for rows in reader.chunks(table):
                digest.add(rows)
                await writer.write(table, rows)
                if progress is not None:
                    progress(table.name, digest.rows, total)
            read[table.name] = digest
    if isinstance(writer, PgSide):
        await writer.advance_identities(tables)
    reports = []
    for table in tables:
        written = Digest(table)
        async for rows in writer.chunks(table):
            written.add(rows)
        reports.append(TableReport(table.name, read[table.name], written))
    different = [r for r in reports if not r.matches]
    if different:
        first = different[0]
        raise TransferError(f"the copy differs from the source in {first.table} ({first.source.rows:,} rows read, "
                            f"{first.destination.rows:,} written, checksums {first.source.hex[:12]} and "
                            f"{first.destination.hex[:12]}); nothing was written", TransferProblem.MISMATCH)
    return tuple(reports)
