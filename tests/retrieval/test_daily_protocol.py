"""The exactly-once daily protocol with a fake Poster: no Discord, a tmp SQLite file, a controllable clock."""
from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from retrieval.daily import (
    LEASE,
    Choice,
    DailyPost,
    DailyScheduler,
    DailyStore,
    FailureKind,
    PostError,
    PostStatus,
    Result,
    SettingError,
    SettingProblem,
    Subscription,
    Target,
    choose,
    parse_time,
    parse_zone,
    zone_names,
)
from retrieval.dates import ArchiveDate
from retrieval.records import Record
from retrieval.store import ArchiveStore

DAY = date(2026, 9, 27)
NINE = datetime(2026, 9, 27, 9, 0, 30, tzinfo=UTC)
RECORDS = [Record(id=n, date=ArchiveDate(1950 + n, 9, 27), date_text="", title=f"Document {n}", summary="")
           for n in (1, 2, 3)]


class Documents:
    async def show(self, record_id: int) -> Record | None:
        return next((r for r in RECORDS if r.id == record_id), None)

    def on_this_day(self, month: int, day: int) -> list[Record]:
        return [r for r in RECORDS if (r.date.month, r.date.day) == (month, day)]

    def nearest_dated(self, month: int, day: int) -> list[Record]:
        return RECORDS


class FakePoster:
    """A channel per subscription: what was posted (with its marker), and failures to raise on demand."""

    def __init__(self) -> None:
        self.posts: list[tuple[int, DailyPost, int]] = []  # (subscription id, post, message id)
        self.failures: dict[int, list[Exception]] = {}  # raised by send, in order, per subscription id
        self.history_error: PostError | None = None
        self.looked: list[str] = []
        self.notified: list[tuple[int, FailureKind]] = []
        self.attempts = 0

    async def send(self, sub: Subscription, post: DailyPost) -> int:
        self.attempts += 1
        await asyncio.sleep(0)  # let a concurrent scheduler run in between, as a network call would
        pending = self.failures.get(sub.id)
        if pending:
            raise pending.pop(0)
        message_id = 1000 + len(self.posts)
        self.posts.append((sub.id, post, message_id))
        return message_id

    async def find(self, sub: Subscription, marker: str) -> int | None:
        self.looked.append(marker)
        if self.history_error is not None:
            raise self.history_error
        return next((m for s, post, m in self.posts if s == sub.id and post.marker == marker), None)

    async def notify(self, sub: Subscription, error: PostError) -> None:
        self.notified.append((sub.id, error.kind))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Sleeps:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


class World:
    def __init__(self, store: ArchiveStore) -> None:
        self.store = store
        self.ledger = DailyStore(store, owner="me")
        self.poster = FakePoster()
        self.clock = Clock(NINE)
        self.sleeps = Sleeps()
        self.scheduler = self.scheduler_for(self.ledger)

    def scheduler_for(self, ledger: DailyStore) -> DailyScheduler:
        return DailyScheduler(Documents(), ledger, self.poster, clock=self.clock, sleep=self.sleeps)

    async def subscribe(self, channel_id: int = 10) -> Subscription:
        return await self.ledger.subscribe(target=Target.channel(channel_id), guild_id=1, created_by=7,
                                           post_time="09:00", zone="UTC", now=datetime(2026, 1, 1, tzinfo=UTC))


@contextlib.asynccontextmanager
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """A World on a fresh database; a hung test fails after ten seconds instead of hanging the run."""
    async with asyncio.timeout(10), await ArchiveStore.open(tmp_path / "daily.db") as store:
        yield World(store)


def results(outcomes) -> list[Result]:
    return [o.result for o in outcomes]


async def test_a_due_post_goes_out_once(tmp_path):
    async with world(tmp_path) as w:
        sub = await w.subscribe()
        w.clock.now = NINE - timedelta(minutes=1)
        assert await w.scheduler.tick() == []  # not due yet
        w.clock.now = NINE
        assert results(await w.scheduler.tick()) == [Result.SENT]
        assert results(await w.scheduler.tick()) == []  # the day is sent: nothing again
        assert [(s, post.marker, post.day) for s, post, _ in w.poster.posts] == [(sub.id, sub.marker(DAY), DAY)]
        entry = await w.ledger.entry(sub, DAY)
        assert entry is not None and entry.status is PostStatus.SENT
        last = await w.ledger.last_sent(sub)
        assert last is not None and last.message_id == w.poster.posts[0][2]


async def test_two_schedulers_on_one_database_post_once(tmp_path):
    async with world(tmp_path) as w:
        await w.subscribe()
        async with await ArchiveStore.open(w.store.path) as second:  # another process's connection
            other = w.scheduler_for(DailyStore(second, owner="other"))
            batches = await asyncio.gather(w.scheduler.tick(), other.tick())
            assert sorted(results(b) for b in batches) == [[], [Result.SENT]]  # the loser skips, it does not fail
            assert results(await other.tick()) == []
        assert len(w.poster.posts) == 1


async def crashed_claim(w: World, sub: Subscription, record_id: int) -> None:
    """Another process claimed today (choosing `record_id`) and died before marking anything."""
    dead = DailyStore(w.store, owner="crashed")
    assert await dead.claim(sub, DAY, record_id, w.clock()) is not None


async def test_a_crashed_claim_is_left_alone_within_its_lease_then_taken_over_and_sent(tmp_path):
    async with world(tmp_path) as w:
        sub = await w.subscribe()
        await crashed_claim(w, sub, record_id=3)
        w.clock.now += LEASE - timedelta(seconds=1)
        assert await w.scheduler.tick() == []  # still the other process's
        assert w.poster.looked == [] and w.poster.posts == []
        w.clock.now += timedelta(seconds=1)
        assert results(await w.scheduler.tick()) == [Result.SENT]
        assert w.poster.looked == [sub.marker(DAY)]  # looked before sending
        [(_, post, _)] = w.poster.posts
        assert post.choice.record is not None and post.choice.record.id == 3  # the claimed document, not a new pick


async def test_a_taken_over_claim_whose_post_is_found_is_not_sent_again(tmp_path):
    async with world(tmp_path) as w:
        sub = await w.subscribe()
        await crashed_claim(w, sub, record_id=1)
        w.poster.posts.append((sub.id, DailyPost(Choice(RECORDS[0], True), DAY, sub.marker(DAY)), 77))
        w.clock.now += LEASE
        assert results(await w.scheduler.tick()) == [Result.FOUND]
        assert len(w.poster.posts) == 1 and w.poster.attempts == 0
        last = await w.ledger.last_sent(sub)
        assert last is not None and last.message_id == 77


async def test_a_taken_over_claim_with_unreadable_history_is_never_sent(tmp_path):
    async with world(tmp_path) as w:
        sub = await w.subscribe()
        await crashed_claim(w, sub, record_id=1)
        w.poster.history_error = PostError(FailureKind.TRANSIENT, "history hidden")
        w.clock.now += LEASE
        assert results(await w.scheduler.tick()) == [Result.UNKNOWN]
        w.poster.history_error = None
        w.clock.now += LEASE
        assert await w.scheduler.tick() == []  # unknown is final: a missed day, never a double post
        assert w.poster.attempts == 0
        entry = await w.ledger.entry(sub, DAY)
        assert entry is not None and entry.status is PostStatus.UNKNOWN


async def test_a_claim_made_between_choosing_and_claiming_posts_the_claimed_document(tmp_path):
    class Late(DailyStore):
        """Its first look at the day finds nothing: the other process's claim lands just after it."""

        looks = 0

        async def entry(self, sub: Subscription, day: date):
            self.looks += 1
            return None if self.looks == 1 else await super().entry(sub, day)

    async with world(tmp_path) as w:
        sub = await w.subscribe()
        ours = choose(RECORDS, sub.target.key, DAY, set())
        theirs = next(r.id for r in RECORDS if r is not ours)
        other = DailyStore(w.store, owner="other")
        await other.claim(sub, DAY, theirs, w.clock())
        await other.mark(sub, DAY, PostStatus.FAILED, "503")  # failed: anyone may take it over at once
        assert results(await w.scheduler_for(Late(w.store, owner="me")).tick()) == [Result.SENT]
        [(_, post, _)] = w.poster.posts
        assert post.choice.record is not None and post.choice.record.id == theirs


async def test_a_permanent_failure_pauses_and_notifies_without_retrying(tmp_path):
    async with world(tmp_path) as w:
        sub = await w.subscribe()
        w.poster.failures[sub.id] = [PostError(FailureKind.MISSING_PERMISSIONS, "no Send Messages")]
        outcomes = await w.scheduler.tick()
        assert results(outcomes) == [Result.PAUSED] and outcomes[0].detail == "no Send Messages"
        assert w.poster.attempts == 1 and w.sleeps.seconds == []
        assert w.poster.notified == [(sub.id, FailureKind.MISSING_PERMISSIONS)]
        paused = await w.ledger.by_target(sub.target)
        assert paused is not None and paused.paused == "no Send Messages"
        w.clock.now += timedelta(days=1)
        assert await w.scheduler.tick() == []  # paused: quiet until set up again


async def test_transient_failures_are_retried_with_backoff_then_on_the_next_tick(tmp_path):
    async with world(tmp_path) as w:
        sub = await w.subscribe()
        busy = PostError(FailureKind.TRANSIENT, "503")
        w.poster.failures[sub.id] = [busy, busy]
        assert results(await w.scheduler.tick()) == [Result.SENT]
        assert w.sleeps.seconds == [2.0, 4.0] and len(w.poster.posts) == 1

        w.clock.now += timedelta(days=1)
        w.sleeps.seconds.clear()
        w.poster.failures[sub.id] = [busy] * 4
        assert results(await w.scheduler.tick()) == [Result.RETRY]  # this tick's attempts are used up
        assert w.sleeps.seconds == [2.0, 4.0, 8.0]  # no wait after the last attempt
        assert w.poster.notified == [] and (await w.ledger.by_target(sub.target)).paused is None
        assert results(await w.scheduler.tick()) == [Result.SENT]  # the next tick gets through
        assert len(w.poster.posts) == 2


async def test_one_bad_subscription_does_not_stop_the_others(tmp_path):
    async with world(tmp_path) as w:
        broken, forbidden, fine = [await w.subscribe(n) for n in (10, 11, 12)]
        w.poster.failures[broken.id] = [RuntimeError("a bug in the poster")]
        w.poster.failures[forbidden.id] = [PostError(FailureKind.CHANNEL_DELETED, "deleted")]
        outcomes = {o.subscription_id: o.result for o in await w.scheduler.tick()}
        assert outcomes == {broken.id: Result.RETRY, forbidden.id: Result.PAUSED, fine.id: Result.SENT}
        assert [s for s, _, _ in w.poster.posts] == [fine.id]


def test_only_transient_failures_are_temporary():
    assert [k for k in FailureKind if not PostError(k, "").permanent] == [FailureKind.TRANSIENT]


def test_a_target_has_one_text_form():
    assert Target.channel(5).key == "channel:5" and Target.dm(5).key == "dm:5"
    for target in (Target.channel(5), Target.dm(6)):
        assert Target.parse(target.key) == target
    assert Target.dm(6).is_dm and not Target.channel(5).is_dm


def test_settings_come_back_as_a_problem_and_values_not_wording():
    assert parse_time(None) == "09:00" and parse_time("9.05") == "09:05" and parse_time("18h30") == "18:30"
    with pytest.raises(SettingError) as bad_time:
        parse_time("25:00")
    assert (bad_time.value.problem, bad_time.value.typed) == (SettingProblem.TIME, "25:00")
    with pytest.raises(SettingError) as bad_zone:
        parse_zone("berlin")
    assert bad_zone.value.problem is SettingProblem.ZONE and bad_zone.value.suggestions == ("Europe/Berlin",)
    assert parse_zone(" Europe/Berlin ") == "Europe/Berlin"
    assert zone_names() is zone_names()  # read once, not on every keystroke
