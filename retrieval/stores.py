"""Which store a target names: a postgresql:// URL is the archive in PostgreSQL, anything else a SQLite file."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .dburl import is_postgres_url
from .store import WRITE_WAIT, ArchiveStore, SqliteArchiveStore


async def open_store(target: str | Path, *, write_wait: float = WRITE_WAIT,
                     on_wait: Callable[[], None] | None = None) -> ArchiveStore:
    """The archive at `target`, created or migrated (StoreError, one line without a password, when it cannot be)."""
    if isinstance(target, str) and is_postgres_url(target):
        from .pgstore import PostgresArchiveStore  # asyncpg only when PostgreSQL is used: a faster start without

        return await PostgresArchiveStore.open(target, write_wait=write_wait, on_wait=on_wait)
    return await SqliteArchiveStore.open(target, write_wait=write_wait, on_wait=on_wait)
