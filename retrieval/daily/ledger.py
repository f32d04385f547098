"""The posting ledger and the subscriptions: what every place that keeps them guarantees (`DailyStore`), and
the rows they hand out. The SQL is the implementations': SQLite in the archive's database (retrieval/state/
sqlite.py, the default) and PostgreSQL shared by many processes (retrieval/state/postgres.py)."""
from __future__ import annotations

import enum
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .subscription import Subscription, Target

LEASE = timedelta(minutes=10)  # how long a claim is its holder's alone; measured on the database's clock
ERROR_MAX = 500


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


class DailyStore(ABC):
    """Subscriptions and the posting ledger. `owner` names this process in the claims it makes.

    Every implementation keeps these promises, which the scheduler (protocol.py) builds exactly-once on:
    a (subscription, day) row is created by one claim only (a unique key, decided by the database); leases are
    measured on the database's clock, read in the statement that compares it; every takeover increments the
    row's token, and renewing and marking change the row only while the token is the caller's."""

    def __init__(self, owner: str | None = None) -> None:
        self.owner = owner or uuid.uuid4().hex[:12]

    @abstractmethod
    async def subscribe(self, *, target: Target, guild_id: int | None, created_by: int, post_time: str, zone: str,
                        now: datetime | None = None) -> Subscription:
        """Create or change the subscription for `target`; changing it also un-pauses it."""

    @abstractmethod
    async def unsubscribe(self, target: Target) -> bool: ...

    @abstractmethod
    async def by_target(self, target: Target) -> Subscription | None: ...

    @abstractmethod
    async def in_guild(self, guild_id: int) -> list[Subscription]: ...

    @abstractmethod
    async def active(self) -> list[Subscription]: ...

    @abstractmethod
    async def pause(self, subscription_id: int, reason: str) -> None: ...

    @abstractmethod
    async def settled(self, sub: Subscription, day: date) -> bool:
        """Sent, or past (a later day has a row): a read, so the ticks after a day's post take no write lock.
        `claim` decides again inside its transaction."""

    @abstractmethod
    async def claim(self, sub: Subscription, day: date, record_id: int | None) -> Claim | None:
        """Claim (sub, day) for this process; None when it is sent, when a later day has been claimed (the
        clock stepped back: a day is never posted after the next one), or while another claim's lease runs.
        A row taken over (failed, unknown, or its lease run out) comes with its stored record and `look_first`."""

    @abstractmethod
    async def renew(self, claim: Claim) -> bool:
        """Right before a send: True when the claim is still ours, its lease now starting afresh."""

    @abstractmethod
    async def mark_sent(self, claim: Claim, message_id: int | None, now: datetime) -> bool:
        """Record the post; False when the claim was taken over meanwhile (the new holder looks before sending)."""

    @abstractmethod
    async def mark(self, claim: Claim, status: PostStatus, error: str) -> bool: ...

    @abstractmethod
    async def sent_records(self, sub: Subscription) -> set[int]: ...

    @abstractmethod
    async def entry(self, sub: Subscription, day: date) -> Entry | None: ...

    @abstractmethod
    async def last_sent(self, sub: Subscription) -> LastPost | None: ...
