"""The bot's state in PostgreSQL, shared by every process of one application (retrieval/pg.py: the schema, a pool).

Leases are measured on the server's clock (`now()`), and a claim is one statement deciding on the row's unique
key (`INSERT ... ON CONFLICT ... DO UPDATE ... WHERE`, the token compared in the same statement), after the
subscription's row is locked so that the "no later day" check and the claim are one decision. A statement that
met a lost connection is not repeated: the error goes up, and the ledger's leases and the look before any resend
settle it.
"""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import asyncpg

from ..daily.ledger import ERROR_MAX, LEASE, Claim, Entry, LastPost, PostStatus
from ..daily.subscription import Subscription, Target
from ..pg import Postgres
from . import IDENTIFY_KEY, BotState

_SUB_COLUMNS = "id, target, guild_id, created_by, post_time, timezone, paused, created_at"


def _sub(row: asyncpg.Record) -> Subscription:
    return Subscription(row["id"], Target.parse(row["target"]), row["guild_id"], row["created_by"],
                        row["post_time"], row["timezone"], row["paused"], row["created_at"])


class PostgresState(BotState):
    def __init__(self, db: Postgres, owner: str | None = None) -> None:
        super().__init__(owner)
        self.db = db
        self._conn = db.conn

    @classmethod
    async def open(cls, url: str, owner: str | None = None) -> PostgresState:
        return cls(await Postgres.open(url), owner)

    async def close(self) -> None:
        await self.db.close()

    def describe(self) -> str:
        return self.db.describe()

    async def schema_version(self) -> int:
        return await self.db.schema_version()

    # -- key-value state ---------------------------------------------------------------------------
    async def get_state(self, key: str) -> str | None:
        async with self._conn() as conn:
            value = await conn.fetchval("SELECT value FROM bot_state WHERE key = $1", key)
        return None if value is None else str(value)

    async def set_state(self, key: str, value: str) -> None:
        async with self._conn() as conn:
            await conn.execute("INSERT INTO bot_state (key, value) VALUES ($1, $2) "
                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value)

    async def identify_turn(self, bucket: int, interval: float) -> float | None:
        key = IDENTIFY_KEY.format(bucket=bucket)
        async with self._conn() as conn:
            # A second process blocks on the row until the first commits, then sees its time: one turn each.
            if await conn.fetchval(
                "INSERT INTO bot_state (key, value) VALUES ($1, extract(epoch FROM clock_timestamp())::text) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value "
                "WHERE bot_state.value::float8 <= excluded.value::float8 - $2 RETURNING true", key, interval):
                return None
            left = await conn.fetchval("SELECT value::float8 + $2 - extract(epoch FROM clock_timestamp()) "
                                       "FROM bot_state WHERE key = $1", key, interval)
        return max(0.0, float(left or 0.0))

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
