"""The bot's state in PostgreSQL, shared by every process of one application (asyncpg, a pool per process).

Schema versions as for SQLite: MIGRATIONS is appended to, never edited, and applied once under an advisory
lock, so processes starting together migrate once. Leases are measured on the server's clock (`now()`), and a
claim is one statement deciding on the row's unique key (`INSERT ... ON CONFLICT ... DO UPDATE ... WHERE`,
the token compared in the same statement), after the subscription's row is locked so that the "no later day"
check and the claim are one decision.

Connections: a lost one is dropped from the pool, and the next use connects again, waiting with backoff
(CONNECT_BACKOFF) for a server that is restarting. A statement is never repeated after a lost connection (it may
have committed): the error goes up, and the ledger's leases and the look before any resend settle it.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import asyncpg

from ..daily.ledger import ERROR_MAX, LEASE, Claim, Entry, LastPost, PostStatus
from ..daily.subscription import Subscription, Target
from ..store import StoreError, StoreProblem
from . import BotState, safe_url

log = logging.getLogger(__name__)

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        "CREATE TABLE bot_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE subscriptions (
        id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        target       TEXT NOT NULL UNIQUE,          -- "channel:<id>" or "dm:<user id>"
        guild_id     BIGINT,
        channel_id   BIGINT,
        user_id      BIGINT,                        -- the DM recipient
        created_by   BIGINT NOT NULL,
        post_time    TEXT NOT NULL,                 -- HH:MM, local
        timezone     TEXT NOT NULL,                 -- IANA name
        paused       TEXT,                          -- why posting stopped, or NULL
        created_at   TEXT NOT NULL
    )""",
        "CREATE INDEX subscriptions_guild ON subscriptions (guild_id)",
        """CREATE TABLE daily_posts (
        subscription_id BIGINT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
        local_date      DATE NOT NULL,              -- the subscriber's calendar day
        record_id       BIGINT,                     -- the document chosen (NULL: the archive had none)
        status          TEXT NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'unknown')),
        owner           TEXT NOT NULL,              -- which process claimed it
        claimed_at      TIMESTAMPTZ NOT NULL,       -- the lease's start, on the server's clock
        sent_at         TIMESTAMPTZ,
        message_id      BIGINT,
        attempts        INTEGER NOT NULL DEFAULT 0,
        error           TEXT,
        token           BIGINT NOT NULL,            -- the fencing token: incremented by every takeover
        PRIMARY KEY (subscription_id, local_date)
    )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
MIGRATION_LOCK = 0x61726368  # the advisory lock held while migrating ("arch")
CONNECT_TIMEOUT = 10.0  # seconds for one connection attempt
CONNECT_BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)  # seconds between attempts to reach a server that went away
POOL_SIZE = 5
_SUB_COLUMNS = "id, target, guild_id, created_by, post_time, timezone, paused, created_at"
# The errors that say the server cannot be reached now (as opposed to a statement it refused).
_LOST = (OSError, asyncio.TimeoutError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
         asyncpg.InterfaceError)


def store_error(url: str, exc: BaseException) -> StoreError:
    """One clear line for a PostgreSQL failure; the URL in it never carries the password."""
    where = safe_url(url)
    if isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        return StoreError(f"{where}: PostgreSQL refused the user name or password in DATABASE_URL",
                          StoreProblem.REFUSED)
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return StoreError(f"{where}: no such database on that PostgreSQL server (create it first)",
                          StoreProblem.REFUSED)
    detail = str(exc)
    password = urlsplit(url).password
    if password:
        detail = detail.replace(password, "***")
    if isinstance(exc, _LOST):
        return StoreError(f"{where}: cannot reach PostgreSQL ({type(exc).__name__}: {detail})",
                          StoreProblem.UNREACHABLE)
    return StoreError(f"{where}: PostgreSQL failed: {detail}")


def _sub(row: asyncpg.Record) -> Subscription:
    return Subscription(row["id"], Target.parse(row["target"]), row["guild_id"], row["created_by"],
                        row["post_time"], row["timezone"], row["paused"], row["created_at"])


class PostgresState(BotState):
    def __init__(self, pool: asyncpg.Pool, url: str, owner: str | None = None) -> None:
        super().__init__(owner)
        self.pool = pool
        self.url = url

    @classmethod
    async def open(cls, url: str, owner: str | None = None) -> PostgresState:
        """Connect (one attempt: a server that is not there at start is the operator's to fix) and migrate."""
        try:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=POOL_SIZE, timeout=CONNECT_TIMEOUT)
        except (asyncpg.PostgresError, *_LOST) as exc:
            raise store_error(url, exc) from None
        except ValueError as exc:  # a URL asyncpg cannot read
            raise StoreError(f"{safe_url(url)}: not a usable DATABASE_URL ({type(exc).__name__})") from None
        state = cls(pool, url, owner)
        try:
            await state._migrate()
        except BaseException:
            await pool.close()
            raise
        return state

    async def close(self) -> None:
        await self.pool.close()

    def describe(self) -> str:
        return f"PostgreSQL ({safe_url(self.url)})"

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection; PostgreSQL's failures come out as StoreError. Only getting the connection is
        retried (with backoff): a statement that met a lost connection may have committed."""
        conn: asyncpg.Connection | None = None
        for attempt, wait in enumerate((*CONNECT_BACKOFF, None)):
            try:
                conn = await self.pool.acquire()
                break
            except (asyncpg.PostgresError, *_LOST) as exc:
                if wait is None or not isinstance(exc, _LOST):
                    raise store_error(self.url, exc) from None
                log.warning("PostgreSQL unreachable (attempt %d); trying again in %g s", attempt + 1, wait)
                await asyncio.sleep(wait)
        assert conn is not None
        try:
            yield conn
        except (asyncpg.PostgresError, *_LOST) as exc:
            raise store_error(self.url, exc) from None
        finally:
            await self.pool.release(conn)

    async def _migrate(self) -> None:
        async with self._conn() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = await conn.fetchval("SELECT max(version) FROM schema_version") or 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"{safe_url(self.url)}: made by a newer archive-bot (schema {version}, this one "
                                 f"knows {SCHEMA_VERSION}); upgrade archive-bot", StoreProblem.NEWER)
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    await conn.execute(statement)
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", number + 1)

    async def schema_version(self) -> int:
        async with self._conn() as conn:
            return int(await conn.fetchval("SELECT max(version) FROM schema_version") or 0)

    # -- key-value state ---------------------------------------------------------------------------
    async def get_state(self, key: str) -> str | None:
        async with self._conn() as conn:
            value = await conn.fetchval("SELECT value FROM bot_state WHERE key = $1", key)
        return None if value is None else str(value)

    async def set_state(self, key: str, value: str) -> None:
        async with self._conn() as conn:
            await conn.execute("INSERT INTO bot_state (key, value) VALUES ($1, $2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)

    # -- subscriptions -----------------------------------------------------------------------------
    async def subscribe(self, *, target: Target, guild_id: int | None, created_by: int, post_time: str, zone: str,
                        now: datetime | None = None) -> Subscription:
        created = (now or datetime.now(UTC)).isoformat()
        async with self._conn() as conn:
            row = await conn.fetchrow(
                f"""INSERT INTO subscriptions (target, guild_id, channel_id, user_id, created_by, post_time,
                                               timezone, paused, created_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)
                    ON CONFLICT (target) DO UPDATE SET created_by = excluded.created_by,
                        post_time = excluded.post_time, timezone = excluded.timezone, paused = NULL
                    RETURNING {_SUB_COLUMNS}""",
                target.key, guild_id, None if target.is_dm else target.id, target.id if target.is_dm else None,
                created_by, post_time, zone, created)
        return _sub(row)

    async def unsubscribe(self, target: Target) -> bool:
        async with self._conn() as conn:
            return await conn.execute("DELETE FROM subscriptions WHERE target = $1", target.key) != "DELETE 0"

    async def by_target(self, target: Target) -> Subscription | None:
        rows = await self._subs("WHERE target = $1", target.key)
        return rows[0] if rows else None

    async def in_guild(self, guild_id: int) -> list[Subscription]:
        return await self._subs("WHERE guild_id = $1", guild_id)

    async def active(self) -> list[Subscription]:
        return await self._subs("WHERE paused IS NULL")

    async def pause(self, subscription_id: int, reason: str) -> None:
        async with self._conn() as conn:
            await conn.execute("UPDATE subscriptions SET paused = $1 WHERE id = $2", reason, subscription_id)

    async def _subs(self, where: str, *params: Any) -> list[Subscription]:
        async with self._conn() as conn:
            rows = await conn.fetch(f"SELECT {_SUB_COLUMNS} FROM subscriptions {where} ORDER BY id", *params)
        return [_sub(row) for row in rows]

    # -- the ledger --------------------------------------------------------------------------------
    async def settled(self, sub: Subscription, day: date) -> bool:
        async with self._conn() as conn:
            return bool(await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM daily_posts WHERE subscription_id = $1 "
                "AND (local_date > $2 OR (local_date = $2 AND status = $3)))", sub.id, day, PostStatus.SENT.value))

    async def claim(self, sub: Subscription, day: date, record_id: int | None) -> Claim | None:
        async with self._conn() as conn, conn.transaction():
            # The subscription's row lock makes "no later day" and the claim one decision among processes.
            if await conn.fetchval("SELECT id FROM subscriptions WHERE id = $1 FOR UPDATE", sub.id) is None:
                return None  # unsubscribed meanwhile
            if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM daily_posts WHERE subscription_id = $1 "
                                   "AND local_date > $2)", sub.id, day):
                return None
            row = await conn.fetchrow(
                """INSERT INTO daily_posts (subscription_id, local_date, record_id, status, owner, claimed_at, token)
                   VALUES ($1, $2, $3, 'claimed', $4, now(), 1)
                   ON CONFLICT (subscription_id, local_date) DO UPDATE
                       SET owner = excluded.owner, claimed_at = now(), status = 'claimed',
                           token = daily_posts.token + 1
                       WHERE daily_posts.status IN ('failed', 'unknown')
                          OR (daily_posts.status = 'claimed' AND daily_posts.claimed_at <= now() - $5::interval)
                   RETURNING record_id, token, xmax = 0 AS inserted""",
                sub.id, day, record_id, self.owner, LEASE)
        if row is None:
            return None
        return Claim(sub.id, day, row["record_id"], row["token"], look_first=not row["inserted"])

    async def renew(self, claim: Claim) -> bool:
        async with self._conn() as conn:
            done = await conn.execute(
                "UPDATE daily_posts SET claimed_at = now(), attempts = attempts + 1 "
                "WHERE subscription_id = $1 AND local_date = $2 AND token = $3 AND status = 'claimed'",
                claim.subscription_id, claim.local_date, claim.token)
        return bool(done == "UPDATE 1")

    async def mark_sent(self, claim: Claim, message_id: int | None, now: datetime) -> bool:
        async with self._conn() as conn:
            done = await conn.execute(
                "UPDATE daily_posts SET status = 'sent', sent_at = $4, message_id = $5, error = NULL "
                "WHERE subscription_id = $1 AND local_date = $2 AND token = $3",
                claim.subscription_id, claim.local_date, claim.token, now, message_id)
        return bool(done == "UPDATE 1")

    async def mark(self, claim: Claim, status: PostStatus, error: str) -> bool:
        async with self._conn() as conn:
            done = await conn.execute(
                "UPDATE daily_posts SET status = $4, error = $5 "
                "WHERE subscription_id = $1 AND local_date = $2 AND token = $3",
                claim.subscription_id, claim.local_date, claim.token, status.value, error[:ERROR_MAX])
        return bool(done == "UPDATE 1")

    async def sent_records(self, sub: Subscription) -> set[int]:
        async with self._conn() as conn:
            rows = await conn.fetch("SELECT record_id FROM daily_posts WHERE subscription_id = $1 AND status = 'sent' "
                                    "AND record_id IS NOT NULL", sub.id)
        return {row[0] for row in rows}

    async def entry(self, sub: Subscription, day: date) -> Entry | None:
        async with self._conn() as conn:
            row = await conn.fetchrow("SELECT record_id, status, owner, claimed_at, token FROM daily_posts "
                                      "WHERE subscription_id = $1 AND local_date = $2", sub.id, day)
        if row is None:
            return None
        return Entry(row["record_id"], PostStatus(row["status"]), row["owner"], row["claimed_at"], row["token"])

    async def last_sent(self, sub: Subscription) -> LastPost | None:
        async with self._conn() as conn:
            row = await conn.fetchrow(
                "SELECT local_date, record_id, sent_at, message_id FROM daily_posts "
                "WHERE subscription_id = $1 AND status = 'sent' ORDER BY local_date DESC LIMIT 1", sub.id)
        if row is None:
            return None
        return LastPost(row["local_date"], row["record_id"], row["sent_at"], row["message_id"])
