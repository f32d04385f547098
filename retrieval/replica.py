"""A local read replica of a PostgreSQL archive: an SQLite file every bot process searches, kept in step with
PostgreSQL, the one source of truth.

Why: searches stay in-process and fast (the index is memory-mapped from local files, retrieval/search.py), and
the search machinery that follows an SQLite archive (its signature, the delta segments refreshed in the
background) works on the replica unchanged.

In step: PostgreSQL stamps every record with the transaction that last changed it or anything of it
(retrieval/pg.py, `records.generation`, in commit order). A sync reads, in one snapshot, the records stamped
after the replica's last stamp with all their participants, sources, document details and links, and replaces
them in the replica in one SQLite transaction (readers see all of it or none). PostgreSQL tells the replica when
such a transaction commits (LISTEN), so a change reaches every process within moments, without polling. The
replica records which PostgreSQL archive it copies (`generation.archive`) and up to which stamp; a replica of
another archive, or one that cannot be opened, is copied again whole.
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import asyncpg

from .pg import CHANGES_CHANNEL, Postgres
from .reroles import ROLES_KEY, ROLES_VERSION
from .store import SqliteArchiveStore, StoreError
from .transfer import ARCHIVE_TABLES, RECORD_CHILDREN, PgSide, SqliteSide, sqlite_wal_files

log = logging.getLogger(__name__)

REPLICA_SUFFIX = ".replica.db"
ARCHIVE_KEY = "replica.archive"  # the PostgreSQL archive's id (generation.archive)
STAMP_KEY = "replica.stamp"  # the last of its stamps the replica holds
SYNC_EVERY = 2.0  # seconds between syncs at most often, and between looks when PostgreSQL cannot tell of changes
IDLE_EVERY = 60.0  # seconds between looks while PostgreSQL tells of changes (in case a word was lost)
BACKOFF_MAX = 60.0  # seconds between attempts while PostgreSQL cannot be reached


def replica_path(archive_db: Path) -> Path:
    """data/archive.db -> data/archive.replica.db: beside the configured archive, never that file itself."""
    return archive_db.with_suffix(REPLICA_SUFFIX)


@dataclass(frozen=True)
class SyncReport:
    full: bool  # copied whole (a new replica, another archive's, or a damaged one)
    records: int  # records copied or replaced
    stamp: int  # PostgreSQL's stamp the replica is now at
    seconds: float

    def summary_line(self) -> str:
        kind = "full copy" if self.full else "changes"
        return f"{kind}: {self.records:,} records synced in {self.seconds:.2f} s (PostgreSQL stamp {self.stamp})"


async def _damage(store: SqliteArchiveStore) -> str | None:
    """What SQLite's quick check finds wrong with the replica's pages (about 0.7 s for 100,000 records), if any:
    a replica is only a copy, so a damaged one is simply made again."""
    try:
        async with store.conn.execute("PRAGMA quick_check") as cur:
            found = [str(row[0]) async for row in cur]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if found == ["ok"] else found[0]


async def _new_replica(path: Path, why: str) -> SqliteArchiveStore:
    log.warning("replica %s cannot be used (%s); copying the archive again", path, why[:200])
    for leftover in sqlite_wal_files(path):
        with suppress(FileNotFoundError):
            leftover.unlink()
    return await SqliteArchiveStore.open(path)


class Replica:
    """One process's replica: PostgreSQL (a pool) and the replica's SQLite file (a writing connection)."""

    def __init__(self, db: Postgres, store: SqliteArchiveStore) -> None:
        self.db = db
        self.store = store

    @classmethod
    async def open(cls, url: str, path: Path) -> Replica:
        """Connect to PostgreSQL (its failures are StoreError: one line) and open the replica, replacing a file
        that is not a usable archive."""
        db = await Postgres.open(url)
        try:
            try:
                store = await SqliteArchiveStore.open(path)
            except StoreError as exc:
                store = await _new_replica(path, str(exc))
            else:
                damage = await _damage(store)
                if damage is not None:
                    await store.close()
                    store = await _new_replica(path, damage)
        except BaseException:
            await db.close()
            raise
        return cls(db, store)

    @property
    def path(self) -> Path:
        return self.store.path

    async def close(self) -> None:
        await self.store.close()
        await self.db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def sync(self) -> SyncReport:
        """Bring the replica up to PostgreSQL's latest committed state."""
        started = time.perf_counter()
        async with self.db.conn() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            row = await conn.fetchrow("SELECT value, archive FROM generation")  # the snapshot starts here
            stamp, archive = int(row["value"]), str(row["archive"])
            if await self._held() == (archive, stamp):
                return SyncReport(False, 0, stamp, time.perf_counter() - started)
            pg, local = PgSide(conn), SqliteSide(self.store.conn)
            async with self.store.transaction():
                held, since = await self._held()  # again under the write lock: another process may share the file
                full = held != archive or since > stamp  # another archive, or this one restored to an earlier state
                if full:
                    records = await self._copy_all(pg, local)
                else:
                    records = await self._copy_changed(pg, local, since)
                await self.store.put_state(ARCHIVE_KEY, archive)
                await self.store.put_state(STAMP_KEY, str(stamp))
                # the roles are PostgreSQL's as they are: carrying them forward is the writers' (reroles.py)
                await self.store.put_state(ROLES_KEY, str(ROLES_VERSION))
        return SyncReport(full, records, stamp, time.perf_counter() - started)

    async def _held(self) -> tuple[str | None, int]:
        """Which PostgreSQL archive the replica copies, and up to which stamp."""
        stamp = await self.store.get_state(STAMP_KEY)
        return await self.store.get_state(ARCHIVE_KEY), int(stamp) if stamp is not None else -1

    @staticmethod
    async def _copy_all(pg: PgSide, local: SqliteSide) -> int:
        for table in reversed(ARCHIVE_TABLES):
            await local.conn.execute(f"DELETE FROM {table.name}")
        records = 0
        async with local.bulk():
            for table in ARCHIVE_TABLES:
                async for rows in pg.chunks(table):
                    await local.write(table, rows)
                    records += len(rows) if table.name == "records" else 0
        return records

    @staticmethod
    async def _copy_changed(pg: PgSide, local: SqliteSide, since: int) -> int:
        """The records stamped after `since`, with everything of theirs, in place of the replica's."""
        records_table, *_ = ARCHIVE_TABLES
        records = 0
        async for rows in pg.chunks(records_table, "WHERE generation > $1", (since,)):
            ids = [(row[0],) for row in rows]
            for table in RECORD_CHILDREN:
                await local.conn.executemany(f"DELETE FROM {table.name} WHERE record_id = ?", ids)
            await local.write(records_table, rows, verb="INSERT OR REPLACE")
            records += len(rows)
        for table in RECORD_CHILDREN:
            async for rows in pg.chunks(table, "WHERE record_id IN (SELECT id FROM records WHERE generation > $1)",
                                        (since,)):
                await local.write(table, rows, verb="INSERT OR REPLACE")  # a link may have moved to this record
        return records

    async def follow(self, changed: Callable[[SyncReport], Awaitable[None]], every: float = SYNC_EVERY,
                     idle: float = IDLE_EVERY) -> None:
        """Sync until cancelled, telling `changed` of each sync that brought something. PostgreSQL says when a
        transaction that changed the archive commits (pg.CHANGES_CHANNEL, LISTEN): the sync follows at once, at
        most one per `every` seconds (a long ingest commits batch after batch), and one every `idle` seconds
        regardless. Without that connection (it could not be made, or was lost) it looks every `every` seconds and
        listens again after its next sync. While PostgreSQL cannot be reached the replica keeps serving as it is;
        attempts back off up to BACKOFF_MAX."""
        heard = asyncio.Event()
        listener: asyncpg.Connection | None = None
        wait, failing, deaf, last = every, False, False, time.monotonic()
        try:
            while True:
                if not failing and listener is not None and not listener.is_closed():
                    with suppress(TimeoutError):
                        async with asyncio.timeout(idle):
                            await heard.wait()
                    await asyncio.sleep(last + every - time.monotonic())
                else:
                    await asyncio.sleep(wait)
                heard.clear()
                last = time.monotonic()
                try:
                    report = await self.sync()
                except StoreError as exc:
                    wait = min(max(wait * 2, every), BACKOFF_MAX)
                    log.warning("replica: cannot sync (%s); searches go on from the replica, next try in %g s",
                                exc, wait)
                    failing = True
                    continue
                if failing:
                    log.info("replica: PostgreSQL is back")
                wait, failing = every, False
                if listener is None or listener.is_closed():
                    listener = await self._listen(heard, every, quiet=deaf)
                    deaf = listener is None
                if report.records:
                    log.info("replica %s: %s", self.path, report.summary_line())
                    await changed(report)
        finally:
            if listener is not None:
                listener.terminate()

    async def _listen(self, heard: asyncio.Event, every: float, quiet: bool) -> asyncpg.Connection | None:
        """The connection PostgreSQL tells of changes on, or None (said once, not at every attempt)."""
        try:
            return await self.db.listen(CHANGES_CHANNEL, heard.set)
        except StoreError as exc:
            if not quiet:
                log.warning("replica: cannot listen for PostgreSQL's changes (%s); looking every %g s instead", exc,
                            every)
            return None
