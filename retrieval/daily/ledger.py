"""The posting ledger and the subscriptions table, in the archive's SQLite database (tables: store.py,
migrations 3 and 4). Every SQL statement of the daily posts lives here."""
from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ..store import ArchiveStore
from .subscription import Subscription, Target

LEASE = timedelta(minutes=10)  # how long a claim is its holder's alone; measured on the database's clock
ERROR_MAX = 500
# The database's clock, read inside the statement that uses it: every process on one database measures leases on
# the same clock, whatever its own says.
DB_NOW = "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')"
LEASE_DAYS = LEASE.total_seconds() / 86400  # julianday() counts days


class PostStatus(enum.StrEnum):
    """A day's row: `claimed` (being sent), `sent`, `failed` (a send failed), `unknown` (the channel could not be
    read to look for an earlier post). A failed or unknown row, or a claim whose lease ran out, is taken over,
    and then looked for in the channel before anything is sent."""

    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Claim:
    """The right to send one day's post, while `token` is the row's: every takeover increments the row's token,
    so a holder whose lease ran out can no longer renew, mark or send."""

    subscription_id: int
    local_date: date
    record_id: int | None
    token: int
    look_first: bool = False  # a row that may have been sent already: look for the post before sending


@dataclass(frozen=True)
class Entry:
    """One (subscription, day) row of the ledger."""

    record_id: int | None
    status: PostStatus
    owner: str
    claimed_at: datetime  # the current lease's start, on the database's clock
    token: int


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
    def _row(self, claim: Claim) -> tuple[int, str, int]:
        return claim.subscription_id, claim.local_date.isoformat(), claim.token

    async def settled(self, sub: Subscription, day: date) -> bool:
        """Sent, or past (a later day has a row): a read, so the ticks after a day's post take no write lock.
        `claim` decides again inside its transaction."""
        async with self.conn.execute(
            "SELECT 1 FROM daily_posts WHERE subscription_id = ? "
            "AND (local_date > ? OR (local_date = ? AND status = ?)) LIMIT 1",
            (sub.id, day.isoformat(), day.isoformat(), PostStatus.SENT),
        ) as cur:
            return await cur.fetchone() is not None

    async def claim(self, sub: Subscription, day: date, record_id: int | None) -> Claim | None:
        """Claim (sub, day) for this process; None when it is sent, when a later day has been claimed (the
        clock stepped back: a day is never posted after the next one), or while another claim's lease runs."""
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
        """Right before a send: True when the claim is still ours, its lease now starting afresh."""
        cur = await self.conn.execute(
            f"UPDATE daily_posts SET claimed_at = {DB_NOW}, attempts = attempts + 1 "
            "WHERE subscription_id = ? AND local_date = ? AND token = ? AND status = ?",
            (*self._row(claim), PostStatus.CLAIMED),
        )
        return cur.rowcount == 1

    async def mark_sent(self, claim: Claim, message_id: int | None, now: datetime) -> bool:
        """Record the post; False when the claim was taken over meanwhile (the new holder looks before sending)."""
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
