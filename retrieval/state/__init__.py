"""What the bot keeps of its own, behind one interface with two implementations: the daily subscriptions and
posting ledger (`DailyStore`, retrieval/daily/ledger.py) and a small key-value state (the hash of the last
synced command set).

SQLite, in the archive's own database, is the default (one process, one machine); PostgreSQL
(`DATABASE_URL=postgresql://...`) is for several processes, on one machine or many, sharing one state: the
ledger's claims are decided by the database there too, so each daily post goes out once whichever process
runs it.
"""
from __future__ import annotations

from abc import abstractmethod

from ..daily.ledger import DailyStore
from ..dburl import is_postgres_url, safe_url
from ..store import SqliteArchiveStore

IDENTIFY_KEY = "identify:{bucket}"  # state: the unix time (the database's clock) of the bucket's last IDENTIFY

__all__ = ["BotState", "is_postgres_url", "open_state", "safe_url"]


class BotState(DailyStore):
    """Subscriptions, the ledger, and key-value state in one place."""

    @abstractmethod
    async def get_state(self, key: str) -> str | None: ...

    @abstractmethod
    async def set_state(self, key: str, value: str) -> None: ...

    @abstractmethod
    async def identify_turn(self, bucket: int, interval: float) -> float | None:
        """Take Discord's IDENTIFY turn of rate-limit `bucket` when no process sharing this state took it in the
        last `interval` seconds (None: taken), else the seconds until it is free. Decided by the database, on
        its clock, so processes on several machines starting their shards take turns as Discord requires."""

    @abstractmethod
    async def close(self) -> None:
        """Give back what the state holds of its own (a pool); the archive's connection stays open."""

    @abstractmethod
    def describe(self) -> str:
        """Where the state is, for the log: never a password."""


async def open_state(store: SqliteArchiveStore, database_url: str | None = None, owner: str | None = None) -> BotState:
    """PostgreSQL when `database_url` names it, else the archive's SQLite database (`store`)."""
    if database_url is None:
        from .sqlite import SqliteState

        return SqliteState(store, owner)
    from .postgres import PostgresState

    return await PostgresState.open(database_url, owner)
