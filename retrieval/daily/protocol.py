"""The scheduler: each tick, every active subscription whose local time has come gets the day's document,
claimed first, then sent through a `Poster` (the front end), then marked sent. Only today counts: after
downtime today's missed post goes out, earlier days are not flooded.

A target that cannot work (a `PostError` whose kind is permanent) pauses that subscription and the poster
tells whoever set it up; transient errors are retried with backoff, and again on the next tick. A subscription
that fails in any other way (a stored time zone that is not one, a bug) is paused and reported the same way:
one subscription never stops the others. Database errors are the process's, not the subscription's: that
subscription is tried again on the next tick.

Each send happens under a claim (ledger.py) whose lease is renewed, and whose fencing token is checked, right
before the send; the send is cut off after SEND_TIMEOUT, well inside LEASE, so no send of ours is still under
way when the lease it was made under runs out. Anything that may already have gone out (a retry, a row taken
over) is first looked for in the channel.
"""
from __future__ import annotations

import asyncio
import enum
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from ..store import StoreError
from .choice import Choice, Documents, todays_choice
from .ledger import LEASE, Claim, DailyStore, PostStatus
from .shards import Shards
from .subscription import SettingError, Subscription

log = logging.getLogger(__name__)

TICK = 30.0  # seconds between looks at the clock (a post is due within this of its minute)
RETRIES = 4
BACKOFF = 2.0  # seconds before the second attempt; doubled for each one after
SEND_TIMEOUT = 120.0  # seconds a send or a look may take before it counts as failed (maybe sent: looked for)
assert SEND_TIMEOUT < LEASE.total_seconds() / 2
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
    BAD_ZONE = "bad_zone"  # stored by an older version that accepted names that are not zones
    BROKEN = "broken"  # anything unforeseen while posting (a bug): logged, and the subscription paused
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
    FOUND = "found"  # an earlier attempt, or the row's earlier holder, had sent it: found in the channel
    SKIPPED = "skipped"  # sent, being sent by another process, or a day before one already claimed
    PAUSED = "paused"
    RETRY = "retry"  # transient failures used up this tick's attempts
    UNKNOWN = "unknown"  # the channel could not be read to look for an earlier post: not sent, looked again later
    SUPERSEDED = "superseded"  # our lease ran out and another process took the claim over (it looks first)


@dataclass(frozen=True)
class Outcome:
    subscription_id: int
    day: date | None  # None: the day could not be worked out (a stored zone that is not one)
    result: Result
    detail: str = ""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class DailyScheduler:
    def __init__(self, archive: Documents, ledger: DailyStore, poster: Poster, *, clock: Clock = _utc_now,
                 sleep: Sleep = asyncio.sleep, retries: int = RETRIES, backoff: float = BACKOFF,
                 send_timeout: float = SEND_TIMEOUT, shards: Shards | None = None) -> None:
        self.archive = archive
        self.shards = shards  # only these shards' subscriptions are this process's (None: all)
        self.ledger = ledger
        self.poster = poster
        self.clock = clock
        self.sleep = sleep
        self.retries = retries
        self.backoff = backoff
        self.send_timeout = send_timeout

    async def run(self) -> None:
        """Forever: tick, then wait until the next due post or TICK, whichever is sooner."""
        while True:
            wait = TICK
            try:
                await self.tick()
                wait = await self._until_next()
            except Exception:  # one bad tick must not end the daily posts
                log.exception("daily tick failed")
            await self.sleep(wait)

    async def _until_next(self) -> float:
        now = self.clock()
        waits = [(sub.next_due(now) - now).total_seconds() for sub in await self._mine()]
        return max(1.0, min([TICK, *waits]))

    async def _mine(self) -> list[Subscription]:
        """The active subscriptions of the shards this process runs."""
        return [sub for sub in await self.ledger.active() if self.shards is None or self.shards.owns(sub)]

    async def tick(self) -> list[Outcome]:
        now = self.clock()
        outcomes = []
        for sub in await self._mine():
            try:
                outcome = await self._tick_one(sub, now)
            except Exception as exc:  # the database, or even pausing failed: the others still post
                log.exception("daily post for subscription %s failed", sub.id)
                outcome = Outcome(sub.id, None, Result.RETRY, str(exc))
            if outcome is not None and outcome.result is not Result.SKIPPED:
                outcomes.append(outcome)
        return outcomes

    async def _tick_one(self, sub: Subscription, now: datetime) -> Outcome | None:
        """`sub`'s post if it is due; any failure of its own pauses it."""
        day: date | None = None
        try:
            day = sub.is_due(now)
            if day is None:
                return None
            return await self.post(sub, day)
        except SettingError as exc:
            return await self._pause(sub, day, None, PostError(FailureKind.BAD_ZONE,
                                                               f"{exc.typed[:40]!r} is not a time zone"))
        except (sqlite3.Error, StoreError):
            raise  # the database's trouble, not this subscription's: tried again on the next tick
        except Exception as exc:
            log.exception("daily post for subscription %s failed; pausing it", sub.id)
            return await self._pause(sub, day, None, PostError(FailureKind.BROKEN,
                                                               f"an internal error ({type(exc).__name__})"))

    async def _pause(self, sub: Subscription, day: date | None, claim: Claim | None, error: PostError) -> Outcome:
        if claim is not None:
            await self.ledger.mark(claim, PostStatus.FAILED, error.detail)
        await self.ledger.pause(sub.id, error.detail)
        log.warning("subscription %s paused: %s", sub.id, error.detail)
        await self.poster.notify(sub, error)
        return Outcome(sub.id, day, Result.PAUSED, error.detail)

    async def post(self, sub: Subscription, day: date) -> Outcome:
        if await self.ledger.settled(sub, day):
            return Outcome(sub.id, day, Result.SKIPPED)
        choice = await todays_choice(self.archive, day, ledger=self.ledger, sub=sub)
        record_id = choice.record.id if choice.record else None
        claim = await self.ledger.claim(sub, day, record_id)
        if claim is None:
            return Outcome(sub.id, day, Result.SKIPPED)
        if claim.record_id != record_id:  # another process chose first: post what it chose
            choice = await todays_choice(self.archive, day, ledger=self.ledger, sub=sub)
        post = DailyPost(choice, day, sub.marker(day))
        last = ""
        for attempt in range(self.retries):
            if attempt:
                await self.sleep(self.backoff * 2 ** (attempt - 1))
            if attempt or claim.look_first:  # it may have gone out (a lost response, an earlier holder): look
                looked = await self._look(sub, claim, post.marker)
                if looked is not None:
                    return looked
            if not await self.ledger.renew(claim):  # the fence: our lease ran out and the claim was taken over
                return self._superseded(sub, day)
            try:
                async with asyncio.timeout(self.send_timeout):
                    message_id = await self.poster.send(sub, post)
            except TimeoutError:
                last = f"no answer within {self.send_timeout:g} s"
                log.info("subscription %s: %s (attempt %d)", sub.id, last, attempt + 1)
                continue
            except PostError as exc:
                if exc.permanent:
                    return await self._pause(sub, day, claim, exc)
                log.info("subscription %s: %s (attempt %d)", sub.id, exc.detail, attempt + 1)
                last = exc.detail
                continue
            if not await self.ledger.mark_sent(claim, message_id, self.clock()):
                return self._superseded(sub, day)
            return Outcome(sub.id, day, Result.SENT)
        await self.ledger.mark(claim, PostStatus.FAILED, f"{self.retries} attempts failed, last: {last}")
        return Outcome(sub.id, day, Result.RETRY, last)

    async def _look(self, sub: Subscription, claim: Claim, marker: str) -> Outcome | None:
        """Look for the post in the channel: an Outcome when that settles the day (found, or unreadable), None
        when it is not there and may be sent."""
        day = claim.local_date
        try:
            async with asyncio.timeout(self.send_timeout):
                found = await self.poster.find(sub, marker)
        except TimeoutError:
            return await self._unreadable(sub, claim, f"no answer within {self.send_timeout:g} s")
        except PostError as exc:
            if exc.permanent:
                return await self._pause(sub, day, claim, exc)
            return await self._unreadable(sub, claim, exc.detail)
        if found is None:
            return None
        if not await self.ledger.mark_sent(claim, found, self.clock()):
            return self._superseded(sub, day)
        return Outcome(sub.id, day, Result.FOUND)

    async def _unreadable(self, sub: Subscription, claim: Claim, detail: str) -> Outcome:
        """Not knowing whether it went out, send nothing now; the next tick takes the row over and looks again."""
        await self.ledger.mark(claim, PostStatus.UNKNOWN, f"could not look for an earlier post: {detail}")
        log.warning("subscription %s, %s: could not look for an earlier post; not posting", sub.id,
                    claim.local_date)
        return Outcome(sub.id, claim.local_date, Result.UNKNOWN, detail)

    def _superseded(self, sub: Subscription, day: date) -> Outcome:
        log.warning("subscription %s, %s: claim taken over by another process", sub.id, day)
        return Outcome(sub.id, day, Result.SUPERSEDED)
