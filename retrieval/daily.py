"""Daily "on this date" posts without Discord: subscriptions, when each is due, which document, and the
ledger that makes every post happen once.

Exactly once, and what a crash means
------------------------------------
A post is *claimed* before it is sent: one row per (subscription, local date), inserted in a write
transaction, so of two processes on one database only one ever wins the day. The claim stores the document
chosen, so a retry or a restart sends the same one. After sending, the row is marked `sent` with the
message id.

A process that dies between claim and send leaves a `claimed` row. Once its lease (LEASE) has run out,
another process (or the same one restarted) takes the claim over, and before sending it looks in the
channel's recent messages for the post (every post carries a marker naming its subscription and day). Found:
the row is marked `sent`, nothing is posted again. Not found: it is sent. If the channel's history cannot be
read, the row is marked `unknown` and nothing is sent: for a daily post, missing one day is better than
posting twice.
"""
from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from typing import TYPE_CHECKING

from .records import Record
from .store import ArchiveStore

if TYPE_CHECKING:
    from .search import Archive

LEASE = timedelta(minutes=10)
DEFAULT_TIME = "09:00"
DEFAULT_ZONE = "UTC"
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


class DailyError(ValueError):
    """A setting a user typed that cannot work (a time, a zone); the message says what to type."""


def parse_time(text: str | None) -> str:
    value = (text or DEFAULT_TIME).strip().lower()
    m = _HHMM.match(value)
    if not m:
        raise DailyError(f"`{value[:20]}` is not a time: use 24-hour HH:MM, e.g. 09:00 or 18:30.")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_zone(text: str | None) -> str:
    name = (text or DEFAULT_ZONE).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = [z for z in zone_names() if name.lower() in z.lower()][:3]
        hint = f" Did you mean {', '.join(close)}?" if close else " Use an IANA name like Europe/Berlin."
        raise DailyError(f"`{name[:40]}` is not a time zone.{hint}") from None
    return name


def zone_names() -> list[str]:
    return sorted(available_timezones())


def complete_zone(typed: str, limit: int = 25) -> list[str]:
    typed = typed.strip().lower().replace(" ", "_")
    names = zone_names()
    starts = [z for z in names if z.lower().startswith(typed) or z.lower().split("/")[-1].startswith(typed)]
    inside = [z for z in names if typed in z.lower() and z not in starts]
    return (starts + inside)[:limit]


@dataclass(frozen=True)
class Subscription:
    id: int
    target: str  # "channel:<id>" | "dm:<user id>"
    guild_id: int | None
    channel_id: int | None
    user_id: int | None
    created_by: int
    post_time: str
    timezone: str
    paused: str | None = None
    created_at: str = ""

    @property
    def is_dm(self) -> bool:
        return self.target.startswith("dm:")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def due_at(self, day: date) -> datetime:
        """The moment (UTC) the post for local `day` is due: HH:MM local wall time.

        A wall time that happens twice (clocks going back) is due at its first occurrence; one skipped by
        clocks going forward is read the standard way (PEP 495, fold=0): 02:30 on that night is 03:30.
        """
        hour, minute = (int(p) for p in self.post_time.split(":"))
        wall = datetime.combine(day, time(hour, minute), tzinfo=self.zone).replace(fold=0)
        return wall.astimezone(timezone.utc)

    def is_due(self, now: datetime) -> date | None:
        """The local day whose post is due now, if any: its time has come, and it came after this
        subscription was set up (a new subscription starts with the next due time, not a catch-up)."""
        day = self.local_date(now)
        due = self.due_at(day)
        if now < due or (self.created_at and datetime.fromisoformat(self.created_at) > due):
            return None
        return day

    def next_due(self, now: datetime) -> datetime:
        today = self.local_date(now)
        due = self.due_at(today)
        return due if due > now else self.due_at(today + timedelta(days=1))

    def marker(self, day: date) -> str:
        """Stamped on every post, so a restart can tell whether a claimed post already went out."""
        return f"daily {self.id} {day.isoformat()}"


@dataclass(frozen=True)
class Claim:
    subscription_id: int
    local_date: date
    record_id: int | None
    status: str
    owner: str
    takeover: bool = False  # a dead process's expired claim: check the channel before sending


@dataclass(frozen=True)
class Choice:
    record: Record | None
    exact: bool  # dated this month and day; False: the nearest dated document instead


def choose(candidates: list[Record], key: str, day: date, sent: set[int]) -> Record | None:
    """A deterministic pick for (subscriber, day), preferring documents this subscriber has not been sent."""
    if not candidates:
        return None

    def rank(record: Record) -> str:
        return hashlib.sha256(f"{key}|{day.isoformat()}|{record.id}".encode()).hexdigest()

    fresh = [r for r in candidates if r.id not in sent]
    return min(fresh or candidates, key=rank)


def years_ago(record: Record, day: date) -> int:
    return day.year - (record.date.year or day.year)


class DailyStore:
    """Subscriptions and the posting ledger, in the archive's SQLite database."""

    def __init__(self, store: ArchiveStore, owner: str | None = None) -> None:
        self.store = store
        self.conn = store.conn
        self.owner = owner or uuid.uuid4().hex[:12]

    async def subscribe(self, *, target: str, guild_id: int | None, channel_id: int | None, user_id: int | None,
                        created_by: int, post_time: str, zone: str, now: datetime | None = None) -> Subscription:
        """Create or change the subscription for `target`; changing it also un-pauses it."""
        created = (now or _now()).isoformat()
        await self.conn.execute(
            """INSERT INTO subscriptions (target, guild_id, channel_id, user_id, created_by, post_time, timezone,
                                          paused, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)
               ON CONFLICT (target) DO UPDATE SET created_by = excluded.created_by, post_time = excluded.post_time,
                   timezone = excluded.timezone, paused = NULL""",
            (target, guild_id, channel_id, user_id, created_by, post_time, zone, created),
        )
        found = await self.by_target(target)
        assert found is not None
        return found

    async def unsubscribe(self, target: str) -> bool:
        cur = await self.conn.execute("DELETE FROM subscriptions WHERE target = ?", (target,))
        return cur.rowcount > 0

    async def by_target(self, target: str) -> Subscription | None:
        rows = await self._subs("WHERE target = ?", (target,))
        return rows[0] if rows else None

    async def in_guild(self, guild_id: int) -> list[Subscription]:
        return await self._subs("WHERE guild_id = ?", (guild_id,))

    async def active(self) -> list[Subscription]:
        return await self._subs("WHERE paused IS NULL", ())

    async def pause(self, subscription_id: int, reason: str) -> None:
        await self.conn.execute("UPDATE subscriptions SET paused = ? WHERE id = ?", (reason, subscription_id))

    async def _subs(self, where: str, params: tuple) -> list[Subscription]:
        async with self.conn.execute(
            f"SELECT id, target, guild_id, channel_id, user_id, created_by, post_time, timezone, paused, created_at "
            f"FROM subscriptions {where} ORDER BY id", params,
        ) as cur:
            return [Subscription(*row) for row in await cur.fetchall()]

    # -- the ledger ------------------------------------------------------------------------------
    async def claim(self, sub: Subscription, day: date, record_id: int | None, now: datetime) -> Claim | None:
        """Claim (sub, day) for this process; None when it is sent, unknown, or another live process has it."""
        async with self.store.transaction():
            cur = await self.conn.execute(
                """INSERT OR IGNORE INTO daily_posts (subscription_id, local_date, record_id, status, owner, claimed_at)
                   VALUES (?, ?, ?, 'claimed', ?, ?)""",
                (sub.id, day.isoformat(), record_id, self.owner, now.isoformat()),
            )
            if cur.rowcount == 1:
                return Claim(sub.id, day, record_id, "claimed", self.owner)
            row = await self._row(sub.id, day)
            if row is None or row["status"] in ("sent", "unknown"):
                return None
            if row["owner"] == self.owner:  # our own earlier try: if it failed, a send may still have landed
                return Claim(sub.id, day, row["record_id"], row["status"], self.owner,
                             takeover=row["status"] == "failed")
            if row["status"] == "failed" or datetime.fromisoformat(row["claimed_at"]) + LEASE <= now:
                await self.conn.execute(
                    "UPDATE daily_posts SET owner = ?, claimed_at = ?, status = 'claimed' "
                    "WHERE subscription_id = ? AND local_date = ?",
                    (self.owner, now.isoformat(), sub.id, day.isoformat()),
                )
                return Claim(sub.id, day, row["record_id"], "claimed", self.owner,
                             takeover=row["status"] == "claimed")
            return None

    async def mark_sent(self, sub: Subscription, day: date, message_id: int | None, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE daily_posts SET status = 'sent', sent_at = ?, message_id = ?, attempts = attempts + 1, "
            "error = NULL WHERE subscription_id = ? AND local_date = ? AND owner = ?",
            (now.isoformat(), message_id, sub.id, day.isoformat(), self.owner),
        )

    async def mark(self, sub: Subscription, day: date, status: str, error: str) -> None:
        await self.conn.execute(
            "UPDATE daily_posts SET status = ?, error = ?, attempts = attempts + 1 "
            "WHERE subscription_id = ? AND local_date = ? AND owner = ?",
            (status, error[:500], sub.id, day.isoformat(), self.owner),
        )

    async def sent_records(self, sub: Subscription) -> set[int]:
        async with self.conn.execute(
            "SELECT record_id FROM daily_posts WHERE subscription_id = ? AND status = 'sent' "
            "AND record_id IS NOT NULL", (sub.id,),
        ) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def entry(self, sub: Subscription, day: date) -> dict | None:
        return await self._row(sub.id, day)

    async def last_sent(self, sub: Subscription) -> dict | None:
        async with self.conn.execute(
            "SELECT local_date, record_id, sent_at, message_id FROM daily_posts "
            "WHERE subscription_id = ? AND status = 'sent' ORDER BY local_date DESC LIMIT 1", (sub.id,),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else dict(zip(("local_date", "record_id", "sent_at", "message_id"), row))

    async def _row(self, subscription_id: int, day: date) -> dict | None:
        async with self.conn.execute(
            "SELECT record_id, status, owner, claimed_at, attempts FROM daily_posts "
            "WHERE subscription_id = ? AND local_date = ?", (subscription_id, day.isoformat()),
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else dict(zip(("record_id", "status", "owner", "claimed_at", "attempts"), row))


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def todays_choice(archive: "Archive", day: date, key: str = "", ledger: DailyStore | None = None,
                        sub: Subscription | None = None) -> Choice:
    """What posts for `key` (a subscription's target) on `day`: the claimed document once the day is claimed,
    else the deterministic pick, preferring documents the subscription has not been sent."""
    sent: set[int] = set()
    if ledger is not None and sub is not None:
        key = sub.target
        entry = await ledger.entry(sub, day)
        if entry is not None and entry["record_id"] is not None:
            record = await archive.show(entry["record_id"])
            if record is not None:
                return Choice(record, (record.date.month, record.date.day) == (day.month, day.day))
        sent = await ledger.sent_records(sub)
    exact = archive.on_this_day(day.month, day.day)
    pool = exact or archive.nearest_dated(day.month, day.day)
    return Choice(choose(pool, key, day, sent), bool(exact))
