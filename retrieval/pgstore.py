"""The archive in PostgreSQL (tables: pg.py, migration 2): the same store as SQLite's (store.ArchiveStore holds
every decision), with PostgreSQL's SQL.

Writes are whole statements over arrays (`unnest`), one round trip per table and batch instead of one per row.
A transaction takes the archive's write lock (an advisory lock, released at commit or rollback), so ingests by
several processes on several machines go one after another as they do on SQLite's BEGIN IMMEDIATE; a writer
waits at most `write_wait` seconds for it. Statements run on the transaction's connection while one is open in
this task, else on any pooled connection.
"""
from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import fields
from typing import Any

import asyncpg

from .identity import TitlePattern, UpsertPlan
from .pg import Postgres
from .records import DocumentInfo, Participant, Record
from .store import (
    _DOCUMENT_COLUMNS,
    LAST_ID,
    NAMED_ORDER,
    NAMED_SELECT,
    RECORD_COLUMNS,
    RECORD_SELECT,
    SOURCES_SELECT,
    WRITE_WAIT,
    ArchiveStore,
    _document_values,
    _insert_values,
    _now,
    assemble_records,
)

WRITE_LOCK = 0x61726377  # the advisory lock every archive write holds ("arcw"; pg.MIGRATION_LOCK is "arch")
SOURCES_ORDER = "ORDER BY record_id, seq"  # the order sources were seen in (SQLite's rowid)
# The array type of each documents column, in _DOCUMENT_COLUMNS' order (booleans are stored as 0/1).
_DOCUMENT_ARRAYS = tuple("int[]" if f.type == "bool" else "text[]" for f in fields(DocumentInfo))
_RECORD_ARRAYS = ("text[]", "text[]", "text[]", "text[]", "text[]", "int[]", "int[]", "int[]", "text[]", "text[]",
                  "int[]", "text[]", "text[]", "bytea[]", "text[]", "text[]")  # RECORD_COLUMNS' types


def _unnest(types: Sequence[str], first: int = 1) -> str:
    """`unnest($1::t1, $2::t2, ...)`: rows from one array per column."""
    return "unnest(" + ", ".join(f"${n}::{t}" for n, t in enumerate(types, first)) + ")"


def _columns(rows: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    """Rows as one list per column, the arguments of `_unnest`."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def like_pattern(glob: str) -> str:
    """SQLite's GLOB `*` and `?` as a LIKE pattern; LIKE's own wildcards and escape are taken literally."""
    escaped = glob.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


class PostgresArchiveStore(ArchiveStore):
    """The archive in a PostgreSQL database, shared by processes on several machines."""

    def __init__(self, db: Postgres, write_wait: float = WRITE_WAIT,
                 on_wait: Callable[[], None] | None = None) -> None:
        super().__init__(write_wait, on_wait)
        self.db = db
        self._held: ContextVar[asyncpg.Connection | None] = ContextVar(f"archive-tx-{id(self)}", default=None)

    @classmethod
    async def open(cls, url: str, *, write_wait: float = WRITE_WAIT,
                   on_wait: Callable[[], None] | None = None) -> PostgresArchiveStore:
        """Connect and migrate (pg.Postgres); failures are one StoreError line without the password."""
        return cls(await Postgres.open(url), write_wait, on_wait)

    @property
    def where(self) -> str:
        return self.db.describe()

    async def close(self) -> None:
        await self.db.close()

    async def schema_version(self) -> int:
        return await self.db.schema_version()

    @asynccontextmanager
    async def conn(self) -> AsyncIterator[asyncpg.Connection]:
        """The open transaction's connection, or a pooled one (failures as StoreError)."""
        held = self._held.get()
        if held is not None:
            yield held
            return
        async with self.db.conn() as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self, wait: float | None = None) -> AsyncIterator[None]:
        async with self.db.conn() as conn, conn.transaction():
            await self._lock(conn, self.write_wait if wait is None else wait)
            # What a transaction writes is invisible to the planner's statistics until it commits, and a new
            # archive has none: left to itself the planner scans all of `records` for each batch's lookups
            # (quadratic over a file). Every lookup a write makes is by an indexed column.
            await conn.execute("SET LOCAL enable_seqscan = off")
            token = self._held.set(conn)
            try:
                yield
            finally:
                self._held.reset(token)

    async def _lock(self, conn: asyncpg.Connection, wait: float) -> None:
        async def attempt() -> bool:
            return bool(await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", WRITE_LOCK))

        await self._take_write_lock(attempt, wait)

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection whose statements all see one moment of the archive (a record and its participants
        from the same commit)."""
        if self._held.get() is not None:
            async with self.conn() as conn:
                yield conn
            return
        async with self.db.conn() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            yield conn

    async def signature(self) -> tuple[int, int]:
        """The archive's change stamp (pg.py: every transaction that writes records moves it)."""
        async with self.conn() as conn:
            return (int(await conn.fetchval("SELECT value FROM generation WHERE id = 1")), 0)

    # -- writing -----------------------------------------------------------------------------------
    async def _write(self, plan: UpsertPlan, source: str) -> None:
        now = _now()
        async with self.conn() as conn:
            if plan.inserts:
                await conn.execute(
                    f"INSERT INTO records ({RECORD_COLUMNS}) SELECT * FROM "
                    + _unnest(_RECORD_ARRAYS),  # ids in the plan's order, as SQLite's
                    *_columns([(*_insert_values(i), now, now) for i in plan.inserts], len(_RECORD_ARRAYS)))
            if plan.updates:
                await conn.execute(
                    "UPDATE records r SET summary = u.summary, summary_partial = u.partial, notes = u.notes, "
                    "url = u.url, updated_at = $5 FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], "
                    "$6::bigint[]) u (summary, partial, notes, url, id) WHERE r.id = u.id",
                    [u.summary for u in plan.updates], [int(u.summary_partial) for u in plan.updates],
                    [json.dumps(list(u.notes)) for u in plan.updates], [u.url for u in plan.updates], now,
                    [u.row_id for u in plan.updates])
            if plan.found_from:
                await self._set_found_from(conn, plan.found_from)
            ids = await self._landed_ids(plan)
            refresh = {ids[key]: item for key, item in plan.landed.items() if item is not None}
            if refresh:
                await conn.execute("DELETE FROM participants WHERE record_id = ANY($1::bigint[])", list(refresh))
                inserted = {ids[i.key] for i in plan.inserts}
                await self._set_found_from(conn, {rid: item.people_input for rid, item in refresh.items()
                                                  if rid not in inserted})
                await self._insert_participants(conn, {rid: item.participants for rid, item in refresh.items()})
            await conn.execute(
                "INSERT INTO sources (record_id, source, first_seen) SELECT unnest($1::bigint[]), $2, $3 "
                "ON CONFLICT DO NOTHING", list(ids.values()), source, now)
            if plan.documents:
                await conn.execute(
                    f"INSERT INTO documents (record_id, {', '.join(_DOCUMENT_COLUMNS)}) SELECT * FROM "
                    f"{_unnest(('bigint[]', *_DOCUMENT_ARRAYS))} ON CONFLICT (record_id) DO UPDATE SET "
                    + ", ".join(f"{column} = excluded.{column}" for column in _DOCUMENT_COLUMNS),
                    *_columns([(ids[key], *_document_values(info)) for key, info in plan.documents.items()],
                              len(_DOCUMENT_ARRAYS) + 1))
            if plan.links:
                links = [(link, ids[key]) for key, named in plan.links.items() for link in sorted(named)]
                await conn.execute("INSERT INTO document_links (link, record_id) SELECT * FROM "
                                   "unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING", *_columns(links, 2))

    @staticmethod
    async def _set_found_from(conn: asyncpg.Connection, found: Mapping[int, bytes | None]) -> None:
        if found:
            await conn.execute("UPDATE records r SET people_input = u.found FROM unnest($1::bytea[], $2::bigint[]) "
                               "u (found, id) WHERE r.id = u.id", list(found.values()), list(found))

    @staticmethod
    async def _insert_participants(conn: asyncpg.Connection, people: Mapping[int, Sequence[Participant]]) -> None:
        rows = [(rid, position, p.name, str(p.role), str(p.kind)) for rid, named in people.items()
                for position, p in enumerate(named)]
        if rows:
            await conn.execute("INSERT INTO participants (record_id, position, name, role, kind) SELECT * FROM "
                               "unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[]) "
                               "ON CONFLICT DO NOTHING", *_columns(rows, 5))

    async def replace_participants(self, people: Mapping[int, Sequence[Participant]]) -> None:
        async with self.conn() as conn:
            await conn.execute("DELETE FROM participants")
            await conn.execute("UPDATE records SET people_input = NULL")  # found by other rules than the stored
            await self._insert_participants(conn, people)

    async def get_state(self, key: str) -> str | None:
        async with self.conn() as conn:
            value = await conn.fetchval("SELECT value FROM bot_state WHERE key = $1", key)
        return None if value is None else str(value)

    async def put_state(self, key: str, value: str) -> None:
        async with self.conn() as conn:
            await conn.execute("INSERT INTO bot_state (key, value) VALUES ($1, $2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)

    async def _select_in(self, sql: str, values: Sequence[object]) -> list[Sequence[Any]]:
        """One statement for all `values` (as an array): PostgreSQL has no cap that SQLite's batches avoid."""
        if not values:
            return []
        async with self.conn() as conn:
            return list(await conn.fetch(sql.replace("IN ({marks})", "= ANY($1)"), list(values)))

    async def _base_keys_like(self, pattern: TitlePattern) -> list[str]:
        async with self.conn() as conn:
            rows = await conn.fetch("SELECT DISTINCT base_key FROM records WHERE base_key LIKE $1",
                                    like_pattern(pattern.glob))
        return [str(row[0]) for row in rows]

    # -- reading -----------------------------------------------------------------------------------
    async def count(self) -> int:
        async with self.conn() as conn:
            return int(await conn.fetchval("SELECT count(*) FROM records"))

    async def has_records(self) -> bool:
        async with self.conn() as conn:
            return bool(await conn.fetchval("SELECT EXISTS (SELECT 1 FROM records)"))

    async def record_texts(self) -> list[tuple[int, str, str]]:
        async with self.conn() as conn:
            rows = await conn.fetch("SELECT id, title, summary FROM records ORDER BY id")
        return [(int(rid), str(title), str(summary)) for rid, title, summary in rows]

    async def record_authors(self) -> dict[int, tuple[str, ...]]:
        async with self.conn() as conn:
            rows = await conn.fetch("SELECT record_id, authors FROM documents WHERE authors <> '[]'")
        return {int(rid): tuple(json.loads(authors)) for rid, authors in rows}

    async def _load(self, first: int, last: int = LAST_ID, limit: int = -1) -> list[Record]:
        async with self._snapshot() as conn:
            rows = await conn.fetch(f"{RECORD_SELECT} WHERE r.id BETWEEN $1 AND $2 ORDER BY r.id LIMIT $3",
                                    first, last, None if limit < 0 else limit)
            if not rows:
                return []
            lo, hi = rows[0][0], rows[-1][0]
            named = await conn.fetch(f"{NAMED_SELECT} WHERE record_id BETWEEN $1 AND $2 {NAMED_ORDER}", lo, hi)
            sources = await conn.fetch(f"{SOURCES_SELECT} WHERE record_id BETWEEN $1 AND $2 {SOURCES_ORDER}", lo, hi)
        return assemble_records(rows, named, sources)
