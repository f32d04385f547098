"""The posting ledger and the subscriptions table, in the archive's SQLite database (tables: store.py,
migration 3). Every SQL statement of the daily posts lives here."""
from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..store import ArchiveStore
from .subscription import Subscription, Target

LEASE = timedelta(minutes=10)
ERROR_MAX = 500


class PostStatus(enum.StrEnum):
    """A day's row: `claimed` (being sent), `sent`, `failed` (will be retried), `unknown` (a claim taken
    over whose post could not be looked for: never sent again)."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Claim:
    subscription_id: int
    local_date: date
    record_id: int | None
    status: PostStatus
    owner: str
    takeover: bool = False  # the claim may have been sent already: look for the post before sending


@dataclass(frozen=True)
class Entry:
    """One (subscription, day) row of the ledger."""

    record_id: int | None
    status: PostStatus
    owner: str
    claimed_at: datetime


@dataclass(frozen=True)
class LastPost:
    local_date: date
    record_id: int | None
    sent_at: datetime | None
    message_id: int | None


class DailyStore:
    """Subscriptions and the posting ledger. `owner` names this process in the claims it makes."""

    def __init__(self, store: ArchiveStore, owner: str | None = None) -> None:
        self.store = store
        self.conn = store.conn
        self.owner = owner or uuid.uuid4().hex[:12]

    async def subscribe(self, *, target: Target, guild_id: int | None, created_by: int, post_time: str, zone: str,
                        now: datetime | None = None) -> Subscription:
        """Create or change the subscription for `target`; changing it also un-pauses it."""
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
    async def claim(self, sub: Subscription, day: date, record_id: int | None, now: datetime) -> Claim | None:
        """Claim (sub, day) for this process; None when it is sent, unknown, or another live process has it."""
        async with self.store.transaction():
            cur = await self.conn.execute(
                """INSERT OR IGNORE INTO daily_posts (subscription_id, local_date, record_id, status, owner, claimed_at)
                   VALUES (?, ?, ?, ?, ?, ?)""",
                (sub.id, day.isoformat(), record_id, PostStatus.CLAIMED, self.owner, now.isoformat()),
            )
            if cur.rowcount == 1:
                return Claim(sub.id, day, record_id, PostStatus.CLAIMED, self.owner)
            row = await self.entry(sub, day)
            if row is None or row.status in (PostStatus.SENT, PostStatus.UNKNOWN):
                return None
            if row.owner == self.owner:  # our own earlier try: if it failed, a send may still have landed
                return Claim(sub.id, day, row.record_id, row.status, self.owner,
                             takeover=row.status is PostStatus.FAILED)
            if row.status is PostStatus.FAILED or row.claimed_at + LEASE <= now:
                await self.conn.execute(
                    "UPDATE daily_posts SET owner = ?, claimed_at = ?, status = ? "
                    "WHERE subscription_id = ? AND local_date = ?",
                    (self.owner, now.isoformat(), PostStatus.CLAIMED, sub.id, day.isoformat()),
                )
                return Claim(sub.id, day, row.record_id, PostStatus.CLAIMED, self.owner,
                             takeover=row.status is PostStatus.CLAIMED)
            return None

    async def mark_sent(self, sub: Subscription, day: date, message_id: int | None, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE daily_posts SET status = ?, sent_at = ?, message_id = ?, attempts = attempts + 1, "
            "error = NULL WHERE subscription_id = ? AND local_date = ? AND owner = ?",
            (PostStatus.SENT, now.isoformat(), message_id, sub.id, day.isoformat(), self.owner),
        )

    async def mark(self, sub: Subscription, day: date, status: PostStatus, error: str) -> None:
        await self.conn.execute(
            "UPDATE daily_posts SET status = ?, error = ?, attempts = attempts + 1 "
            "WHERE subscription_id = ? AND local_date = ? AND owner = ?",
            (status, error[:ERROR_MAX], sub.id, day.isoformat(), self.owner),
        )

    async def sent_records(self, sub: Subscription) -> set[int]:
        async with self.conn.execute(
            "SELECT record_id FROM daily_posts WHERE subscription_id = ? AND status = ? "
            "AND record_id IS NOT NULL", (sub.id, PostStatus.SENT),
        ) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def entry(self, sub: Subscription, day: date) -> Entry | None:
        async with self.conn.execute(
            "SELECT record_id, status, owner, claimed_at FROM daily_posts "
            "WHERE subscription_id = ? AND local_date = ?", (sub.id, day.isoformat()),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        record_id, status, owner, claimed_at = row
        return Entry(record_id, PostStatus(status), owner, datetime.fromisoformat(claimed_at))

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
