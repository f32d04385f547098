"""The bot's state in the archive's SQLite database (tables: retrieval/store.py, migrations 2 to 4): the
default, for one process. Every SQL statement of the daily posts on SQLite lives here."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import aiosqlite

from ..daily.ledger import ERROR_MAX, LEASE, Claim, Entry, LastPost, PostStatus
from ..daily.subscription import Subscription, Target
from ..store import SqliteArchiveStore
from . import BotState

# The database's clock, read inside the statement that uses it: every process on one database measures leases on
# the same clock, whatever its own says.
DB_NOW = "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')"
DB_EPOCH = "((julianday('now') - 2440587.5) * 86400.0)"  # unix time, on the database's clock
LEASE_DAYS = LEASE.total_seconds() / 86400  # julianday() counts days
TURNS_SUFFIX = ".turns"  # beside the archive: the shards' IDENTIFY turns (`SqliteState.identify_turn`)
TURNS_WAIT_MS = 10_000


class SqliteState(BotState):
    """On the archive's connection: one process, or several on one machine (SQLite's write lock serialises
    the claims)."""

    def __init__(self, store: SqliteArchiveStore, owner: str | None = None) -> None:
        super().__init__(owner)
        self.store = store
        self.conn = store.conn
        self._turns_conn: aiosqlite.Connection | None = None

    async def get_state(self, key: str) -> str | None:
        return await self.store.get_state(key)

    async def set_state(self, key: str, value: str) -> None:
        await self.store.set_state(key, value)

    async def identify_turn(self, bucket: int, interval: float) -> float | None:
        """Taken in a small file of their own beside the archive (`TURNS_SUFFIX`): an ingest holds the archive's
        write lock for a whole file, minutes at a million records, and a shard starting meanwhile must not wait
        for it to connect."""
        turns = await self._turns()
        await turns.execute("BEGIN IMMEDIATE")
        try:
            cur = await turns.execute(
                f"INSERT INTO turns (bucket, taken) VALUES (?, {DB_EPOCH}) "
                "ON CONFLICT (bucket) DO UPDATE SET taken = excluded.taken WHERE taken <= excluded.taken - ?",
                (bucket, interval))
            if cur.rowcount == 1:
                return None
            async with turns.execute(f"SELECT taken + ? - {DB_EPOCH} FROM turns WHERE bucket = ?",
                                     (interval, bucket)) as cur:
                row = await cur.fetchone()
            return max(0.0, float(row[0])) if row is not None else 0.0
        finally:
            await turns.execute("COMMIT")

    async def _turns(self) -> aiosqlite.Connection:
        if self._turns_conn is None:
            conn = await aiosqlite.connect(f"{self.store.path}{TURNS_SUFFIX}", isolation_level=None)
            try:
                await conn.execute(f"PRAGMA busy_timeout = {TURNS_WAIT_MS}")  # only other processes' turns: moments
                await conn.execute("CREATE TABLE IF NOT EXISTS turns (bucket INTEGER PRIMARY KEY, taken REAL NOT NULL)")
            except BaseException:
                await conn.close()
                raise
            self._turns_conn = conn
        return self._turns_conn

    async def close(self) -> None:
        """The turns' file, when this process took turns; the archive's connection stays open."""
        if self._turns_conn is not None:
            await self._turns_conn.close()
            self._turns_conn = None

    def describe(self) -> str:
        return f"SQLite ({self.store.path})"

    async def subscribe(self, *, target: Target, guild_id: int | None, created_by: int, post_time: str, zone: str,
                        now: datetime | None = None) -> Subscription:
        created = (now or datetime.now(UTC)).isoformat()
        channel_id = None if target.is_dm else target.id
        user_id = target.id if target.is_dm else None
        await self.conn.execute(
            """INSERT INTO subscriptions (target, guild_id, channel_id, user_id, created_by, post_time, timezone,
                                          paused, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
               ON CONFLICT (target) DO UPDATE SET created_by = excluded.created_by, post_time = excluded.post_time,
                   timezone = excluded.timezone, paused = NULL""",
            (target.key, guild_id, channel_id, user_id, created_by, post_time, zone, created),
        )
        found = await self.by_target(target)
        assert found is not None
        return found

    async def unsubscribe(self, target: Target) -> bool:
        cur = await self.conn.execute("DELETE FROM subscriptions WHERE target = ?", (target.key,))
        return cur.rowcount > 0

    async def by_target(self, target: Target) -> Subscription | None:
        rows = await self._subs("WHERE target = ?", (target.key,))
        return rows[0] if rows else None

    async def in_guild(self, guild_id: int) -> list[Subscription]:
        return await self._subs("WHERE guild_id = ?", (guild_id,))

    async def active(self) -> list[Subscription]:
        return await self._subs("WHERE paused IS NULL", ())

    async def pause(self, subscription_id: int, reason: str) -> None:
        await self.conn.execute("UPDATE subscriptions SET paused = ? WHERE id = ?", (reason, subscription_id))

    async def _subs(self, where: str, params: tuple[Any, ...]) -> list[Subscription]:
        async with self.conn.execute(
            f"SELECT id, target, guild_id, created_by, post_time, timezone, paused, created_at "
            f"FROM subscriptions {where} ORDER BY id", params,
        ) as cur:
            return [Subscription(row[0], Target.parse(row[1]), *row[2:]) for row in await cur.fetchall()]

    # -- the ledger ------------------------------------------------------------------------------
    def _row(self, claim: Claim) -> tuple[int, str, int]:
        return claim.subscription_id, claim.local_date.isoformat(), claim.token

    async def settled(self, sub: Subscription, day: date) -> bool:
        async with self.conn.execute(
            "SELECT 1 FROM daily_posts WHERE subscription_id = ? "
            "AND (local_date > ? OR (local_date = ? AND status = ?)) LIMIT 1",
            (sub.id, day.isoformat(), day.isoformat(), PostStatus.SENT),
        ) as cur:
            return await cur.fetchone() is not None

    async def claim(self, sub: Subscription, day: date, record_id: int | None) -> Claim | None:
        async with self.store.transaction():
            async with self.conn.execute(
                "SELECT 1 FROM daily_posts WHERE subscription_id = ? AND local_date > ? LIMIT 1",
                (sub.id, day.isoformat()),
            ) as cur:
                if await cur.fetchone() is not None:
                    return None
            cur = await self.conn.execute(
                f"""INSERT OR IGNORE INTO daily_posts (subscription_id, local_date, record_id, status, owner,
                                                       claimed_at, token)
                    VALUES (?, ?, ?, ?, ?, {DB_NOW}, 1)""",
                (sub.id, day.isoformat(), record_id, PostStatus.CLAIMED, self.owner),
            )
            if cur.rowcount == 1:
                return Claim(sub.id, day, record_id, token=1)
            async with self.conn.execute(
                "SELECT record_id, status, token, julianday('now') - julianday(claimed_at) >= ? FROM daily_posts "
                "WHERE subscription_id = ? AND local_date = ?", (LEASE_DAYS, sub.id, day.isoformat()),
            ) as cur:
                row = await cur.fetchone()
            assert row is not None  # the insert was ignored because it is there, in this same transaction
            chosen, status, token, expired = row
            if status == PostStatus.SENT or (status == PostStatus.CLAIMED and not expired):
                return None
            await self.conn.execute(
                f"UPDATE daily_posts SET owner = ?, claimed_at = {DB_NOW}, status = ?, token = ? "
                "WHERE subscription_id = ? AND local_date = ?",
                (self.owner, PostStatus.CLAIMED, token + 1, sub.id, day.isoformat()),
            )
            return Claim(sub.id, day, chosen, token + 1, look_first=True)

    async def renew(self, claim: Claim) -> bool:
        cur = await self.conn.execute(
            f"UPDATE daily_posts SET claimed_at = {DB_NOW}, attempts = attempts + 1 "
            "WHERE subscription_id = ? AND local_date = ? AND token = ? AND status = ?",
            (*self._row(claim), PostStatus.CLAIMED),
        )
        return cur.rowcount == 1

    async def mark_sent(self, claim: Claim, message_id: int | None, now: datetime) -> bool:
        cur = await self.conn.execute(
            "UPDATE daily_posts SET status = ?, sent_at = ?, message_id = ?, error = NULL "
            "WHERE subscription_id = ? AND local_date = ? AND token = ?",
            (PostStatus.SENT, now.isoformat(), message_id, *self._row(claim)),
        )
        return cur.rowcount == 1

    async def mark(self, claim: Claim, status: PostStatus, error: str) -> bool:
        cur = await self.conn.execute(
            "UPDATE daily_posts SET status = ?, error = ? WHERE subscription_id = ? AND local_date = ? AND token = ?",
            (status, error[:ERROR_MAX], *self._row(claim)),
        )
        return cur.rowcount == 1

    async def sent_records(self, sub: Subscription) -> set[int]:
        async with self.conn.execute(
            "SELECT record_id FROM daily_posts WHERE subscription_id = ? AND status = ? "
            "AND record_id IS NOT NULL", (sub.id, PostStatus.SENT),
        ) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def entry(self, sub: Subscription, day: date) -> Entry | None:
        async with self.conn.execute(
            "SELECT record_id, status, owner, claimed_at, token FROM daily_posts "
            "WHERE subscription_id = ? AND local_date = ?", (sub.id, day.isoformat()),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        record_id, status, owner, claimed_at, token = row
        return Entry(record_id, PostStatus(status), owner, datetime.fromisoformat(claimed_at), token)

    async def last_sent(self, sub: Subscription) -> LastPost | None:
        async with self.conn.execute(
            "SELECT local_date, record_id, sent_at, message_id FROM daily_posts "
            "WHERE subscription_id = ? AND status = ? ORDER BY local_date DESC LIMIT 1", (sub.id, PostStatus.SENT),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        local_date, record_id, sent_at, message_id = row
        return LastPost(date.fromisoformat(local_date), record_id,
                        datetime.fromisoformat(sent_at) if sent_at else None, message_id)
