"""The scheduler: each tick, every active subscription whose local time has come gets the day's document,
claimed first, then sent through a `Poster` (the front end), then marked sent. Only today counts: after
downtime today's missed post goes out, earlier days are not flooded.

A target that cannot work (a `PostError` whose kind is permanent) pauses that subscription and the poster
tells whoever set it up; transient errors are retried with backoff, and again on the next tick.
"""
from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from .choice import Choice, Documents, todays_choice
from .ledger import DailyStore, PostStatus
from .subscription import Subscription

log = logging.getLogger(__name__)

TICK = 30.0  # seconds between looks at the clock (a post is due within this of its minute)
RETRIES = 4
BACKOFF = 2.0  # seconds before the second attempt; doubled for each one after
Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


class FailureKind(enum.StrEnum):
    """Why a post could not go out. Every kind but TRANSIENT stays broken until someone fixes it."""

    MISSING_PERMISSIONS = "missing_permissions"
    CHANNEL_DELETED = "channel_deleted"
    CHANNEL_HIDDEN = "channel_hidden"
    LEFT_SERVER = "left_server"
    DMS_CLOSED = "dms_closed"
    USER_GONE = "user_gone"
    TRANSIENT = "transient"

    @property
    def permanent(self) -> bool:
        return self is not FailureKind.TRANSIENT


class PostError(Exception):
    """A poster could not send or look; `detail` is the poster's own account, kept as the pause reason."""

    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail

    @property
    def permanent(self) -> bool:
        return self.kind.permanent


@dataclass(frozen=True)
class DailyPost:
    """What one day's post shows; the poster turns it into a message that carries `marker` findably."""

    choice: Choice
    day: date
    marker: str


class Poster(Protocol):
    """A front end's way to a subscription's target. Each method raises PostError when it cannot."""

    async def send(self, sub: Subscription, post: DailyPost) -> int:
        """Post it; the message id."""
        ...

    async def find(self, sub: Subscription, marker: str) -> int | None:
        """The id of a recent post carrying `marker`, if there is one."""
        ...

    async def notify(self, sub: Subscription, error: PostError) -> None:
        """Tell whoever set up `sub` that it is paused, and why."""
        ...


class Result(enum.StrEnum):
    SENT = "sent"
    FOUND = "found"  # a taken-over claim had been sent already
    SKIPPED = "skipped"  # sent, or being sent by another process
    PAUSED = "paused"
    RETRY = "retry"  # transient failures used up this tick's attempts
    UNKNOWN = "unknown"  # a taken-over claim whose post could not be looked for: not sent


@dataclass(frozen=True)
class Outcome:
    subscription_id: int
    day: date
    result: Result
    detail: str = ""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DailyScheduler:
    def __init__(self, archive: Documents, ledger: DailyStore, poster: Poster, *, clock: Clock = _utc_now,
                 sleep: Sleep = asyncio.sleep, retries: int = RETRIES, backoff: float = BACKOFF) -> None:
        self.archive = archive
        self.ledger = ledger
        self.poster = poster
        self.clock = clock
        self.sleep = sleep
        self.retries = retries
        self.backoff = backoff

    async def run(self) -> None:
        """Forever: tick, then wait until the next due post or TICK, whichever is sooner."""
        while True:
            try:
                await self.tick()
            except Exception:  # one bad tick must not end the daily posts
                log.exception("daily tick failed")
            await self.sleep(await self._until_next())

    async def _until_next(self) -> float:
        now = self.clock()
        waits = [(sub.next_due(now) - now).total_seconds() for sub in await self.ledger.active()]
        return max(1.0, min([TICK, *waits]))

    async def tick(self) -> list[Outcome]:
        now = self.clock()
        outcomes = []
        for sub in await self.ledger.active():
            day = sub.is_due(now)
            if day is None:
                continue
            try:
                outcome = await self.post(sub, day)
            except Exception as exc:  # isolate: every other subscription still posts
                log.exception("daily post for subscription %s failed", sub.id)
                outcome = Outcome(sub.id, day, Result.RETRY, str(exc))
            if outcome.result is not Result.SKIPPED:
                outcomes.append(outcome)
        return outcomes

    async def post(self, sub: Subscription, day: date) -> Outcome:
        choice = await todays_choice(self.archive, day, ledger=self.ledger, sub=sub)
        record_id = choice.record.id if choice.record else None
        claim = await self.ledger.claim(sub, day, record_id, self.clock())
        if claim is None:
            return Outcome(sub.id, day, Result.SKIPPED)
        if claim.record_id != record_id:  # another process chose first: post what it chose
            choice = await todays_choice(self.archive, day, ledger=self.ledger, sub=sub)
        marker = sub.marker(day)
        if claim.takeover:
            try:
                found = await self.poster.find(sub, marker)
            except PostError as exc:
                await self.ledger.mark(sub, day, PostStatus.UNKNOWN, f"could not check for an earlier post: {exc}")
                log.warning("subscription %s, %s: claim taken over but history unreadable; not posting", sub.id, day)
                return Outcome(sub.id, day, Result.UNKNOWN, exc.detail)
            if found is not None:
                await self.ledger.mark_sent(sub, day, found, self.clock())
                return Outcome(sub.id, day, Result.FOUND)
        post = DailyPost(choice, day, marker)
        last = ""
        for attempt in range(self.retries):
            try:
                message_id = await self.poster.send(sub, post)
            except PostError as exc:
                if exc.permanent:
                    await self.ledger.mark(sub, day, PostStatus.FAILED, exc.detail)
                    await self.ledger.pause(sub.id, exc.detail)
                    log.warning("subscription %s paused: %s", sub.id, exc.detail)
                    await self.poster.notify(sub, exc)
                    return Outcome(sub.id, day, Result.PAUSED, exc.detail)
                log.info("subscription %s: %s (attempt %d)", sub.id, exc.detail, attempt + 1)
                last = exc.detail
                if attempt + 1 < self.retries:
                    await self.sleep(self.backoff * 2 ** attempt)
                continue
            await self.ledger.mark_sent(sub, day, message_id, self.clock())
            return Outcome(sub.id, day, Result.SENT)
        await self.ledger.mark(sub, day, PostStatus.FAILED, f"{self.retries} attempts failed, last: {last}")
        return Outcome(sub.id, day, Result.RETRY, last)
