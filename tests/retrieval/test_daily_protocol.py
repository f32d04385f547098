"""The exactly-once daily protocol with a fake Poster: no Discord, a tmp SQLite file, a controllable clock."""
from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from importlib import resources
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
    Shards,
    Subscription,
    Target,
    choose,
    parse_time,
    parse_zone,
    zone_names,
)
from retrieval.dates import ArchiveDate
from retrieval.records import Record
from retrieval.state import BotState
from retrieval.state.sqlite import SqliteState
from retrieval.store import MIGRATIONS, SqliteArchiveStore

from ..conftest import StateBackend

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
    """A channel per subscription: what was posted (with its marker), and the faults that happen: failures
    before the post lands, posts that land but whose response is lost, and slow sends."""

    def __init__(self) -> None:
        self.posts: list[tuple[int, DailyPost, int]] = []  # (subscription id, post, message id)
        self.failures: dict[int, list[Exception]] = {}  # raised by send, in order, per subscription id
        self.lose = 0  # this many next sends land, then fail as if the response was lost
        self.held: asyncio.Event | None = None  # the next send waits for this before it lands (a slow send)
        self.sending = asyncio.Event()  # set once a held send is waiting
        self.history_error: PostError | None = None
        self.looked: list[str] = []
        self.notified: list[tuple[int, FailureKind]] = []
        self.attempts = 0

    async def send(self, sub: Subscription, post: DailyPost) -> int:
        self.attempts += 1
        await asyncio.sleep(0)  # let a concurrent scheduler run in between, as a network call would
        if self.held is not None:
            held, self.held = self.held, None
            self.sending.set()
            await held.wait()  # cancelled here, it never leaves (as a request still queued on our side)
        pending = self.failures.get(sub.id)
        if pending:
            raise pending.pop(0)
        message_id = 1000 + len(self.posts)
        self.posts.append((sub.id, post, message_id))
        if self.lose:
            self.lose -= 1
            raise PostError(FailureKind.TRANSIENT, "connection reset (the post went out)")
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
    def __init__(self, store: SqliteArchiveStore, ledger: DailyStore, backend: StateBackend) -> None:
        self.store = store
        self.backend = backend
        self.ledger = ledger
        self.poster = FakePoster()
        self.clock = Clock(NINE)
        self.sleeps = Sleeps()
        self.scheduler = self.scheduler_for(self.ledger)

    def scheduler_for(self, ledger: DailyStore) -> DailyScheduler:
        return DailyScheduler(Documents(), ledger, self.poster, clock=self.clock, sleep=self.sleeps)

    async def subscribe(self, channel_id: int = 10, post_time: str = "09:00") -> Subscription:
        return await self.ledger.subscribe(target=Target.channel(channel_id), guild_id=1, created_by=7,
                                           post_time=post_time, zone="UTC", now=datetime(2026, 1, 1, tzinfo=UTC))

    async def time_passes(self, span: timedelta = LEASE) -> None:
        """`span` passes for this world's clock and for the database's (leases are on its clock: every claim
        started `span` earlier)."""
        self.clock.now += span
        await self.backend.age_claims(self.ledger, span)

    async def process(self, owner: str, store: SqliteArchiveStore | None = None) -> BotState:
        """Another process's view of the state (on `store`, its own connection to the archive, for SQLite)."""
        return await self.backend.open(store or self.store, owner)


@contextlib.asynccontextmanager
async def world(tmp_path: Path, backend: StateBackend) -> AsyncIterator[World]:
    """A World on a fresh database; a hung test fails after ten seconds instead of hanging the run."""
    async with asyncio.timeout(10), await SqliteArchiveStore.open(tmp_path / "daily.db") as store:
        yield World(store, await backend.open(store, "me"), backend)


def results(outcomes) -> list[Result]:
    return [o.result for o in outcomes]


async def test_a_due_post_goes_out_once(tmp_path, backend):
    async with world(tmp_path, backend) as w:
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


async def test_two_schedulers_on_one_database_post_once(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        await w.subscribe()
        async with await SqliteArchiveStore.open(w.store.path) as second:  # another process's connection
            other = w.scheduler_for(await w.process("other", second))
            batches = await asyncio.gather(w.scheduler.tick(), other.tick())
            assert sorted(results(b) for b in batches) == [[], [Result.SENT]]  # the loser skips, it does not fail
            assert results(await other.tick()) == []
        assert len(w.poster.posts) == 1


async def crashed_claim(w: World, sub: Subscription, record_id: int) -> None:
    """Another process claimed today (choosing `record_id`) and died before marking anything."""
    dead = await w.process("crashed")
    assert await dead.claim(sub, DAY, record_id) is not None


async def test_a_crashed_claim_is_left_alone_within_its_lease_then_taken_over_and_sent(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        sub = await w.subscribe()
        await crashed_claim(w, sub, record_id=3)
        await w.time_passes(LEASE - timedelta(seconds=5))
        assert await w.scheduler.tick() == []  # still the other process's
        assert w.poster.looked == [] and w.poster.posts == []
        await w.time_passes(timedelta(seconds=5))
        assert results(await w.scheduler.tick()) == [Result.SENT]
        assert w.poster.looked == [sub.marker(DAY)]  # looked before sending
        [(_, post, _)] = w.poster.posts
        assert post.choice.record is not None and post.choice.record.id == 3  # the claimed document, not a new pick


async def test_a_taken_over_claim_whose_post_is_found_is_not_sent_again(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        sub = await w.subscribe()
        await crashed_claim(w, sub, record_id=1)
        w.poster.posts.append((sub.id, DailyPost(Choice(RECORDS[0], True), DAY, sub.marker(DAY)), 77))
        await w.time_passes()
        assert results(await w.scheduler.tick()) == [Result.FOUND]
        assert len(w.poster.posts) == 1 and w.poster.attempts == 0
        last = await w.ledger.last_sent(sub)
        assert last is not None and last.message_id == 77


async def test_a_taken_over_claim_is_not_sent_until_its_channel_can_be_read(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        sub = await w.subscribe()
        await crashed_claim(w, sub, record_id=1)
        w.poster.history_error = PostError(FailureKind.TRANSIENT, "history unavailable")
        await w.time_passes()
        assert results(await w.scheduler.tick()) == [Result.UNKNOWN]
        entry = await w.ledger.entry(sub, DAY)
        assert entry is not None and entry.status is PostStatus.UNKNOWN
        assert results(await w.scheduler.tick()) == [Result.UNKNOWN]  # looked again, still unreadable
        assert w.poster.attempts == 0  # never sent blind: a missed day, never a double post
        w.poster.history_error = None
        assert results(await w.scheduler.tick()) == [Result.SENT]  # readable, and not there: sent once
        assert len(w.poster.posts) == 1 and len(w.poster.looked) == 3


async def test_history_that_can_never_be_read_pauses_the_subscription(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        sub = await w.subscribe()
        await crashed_claim(w, sub, record_id=1)
        w.poster.history_error = PostError(FailureKind.MISSING_PERMISSIONS, "no Read Message History")
        await w.time_passes()
        assert results(await w.scheduler.tick()) == [Result.PAUSED]
        assert w.poster.attempts == 0 and w.poster.notified == [(sub.id, FailureKind.MISSING_PERMISSIONS)]


async def test_a_claim_made_between_choosing_and_claiming_posts_the_claimed_document(tmp_path, backend):
    class Late:
        """Its first look at the day finds nothing: the other process's claim lands just after it."""

        def __init__(self, ledger: DailyStore) -> None:
            self.ledger = ledger
            self.looks = 0

        def __getattr__(self, name: str):
            return getattr(self.ledger, name)

        async def entry(self, sub: Subscription, day: date):
            self.looks += 1
            return None if self.looks == 1 else await self.ledger.entry(sub, day)

    async with world(tmp_path, backend) as w:
        sub = await w.subscribe()
        ours = choose(RECORDS, sub.target.key, DAY, set())
        theirs = next(r.id for r in RECORDS if r is not ours)
        other = await w.process("other")
        claim = await other.claim(sub, DAY, theirs)
        assert claim is not None
        await other.mark(claim, PostStatus.FAILED, "503")  # failed: anyone may take it over at once
        assert results(await w.scheduler_for(Late(w.ledger)).tick()) == [Result.SENT]  # type: ignore[arg-type]
        [(_, post, _)] = w.poster.posts
        assert post.choice.record is not None and post.choice.record.id == theirs


async def test_a_permanent_failure_pauses_and_notifies_without_retrying(tmp_path, backend):
    async with world(tmp_path, backend) as w:
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


async def test_transient_failures_are_retried_with_backoff_then_on_the_next_tick(tmp_path, backend):
    async with world(tmp_path, backend) as w:
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


async def test_one_bad_subscription_does_not_stop_the_others(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        broken, forbidden, fine = [await w.subscribe(n) for n in (10, 11, 12)]
        w.poster.failures[broken.id] = [RuntimeError("a bug in the poster")]
        w.poster.failures[forbidden.id] = [PostError(FailureKind.CHANNEL_DELETED, "deleted")]
        outcomes = {o.subscription_id: o.result for o in await w.scheduler.tick()}
        assert outcomes == {broken.id: Result.PAUSED, forbidden.id: Result.PAUSED, fine.id: Result.SENT}
        assert [s for s, _, _ in w.poster.posts] == [fine.id]


# -- exactly once under the faults that happen (issue 9, item 6) -------------------------------------------
@contextlib.asynccontextmanager
async def other_process(w: World, clock: Clock | None = None) -> AsyncIterator[DailyScheduler]:
    """A second scheduler on its own connection to the same database, as another process has."""
    async with await SqliteArchiveStore.open(w.store.path) as second:
        yield DailyScheduler(Documents(), await w.process("other", second), w.poster, clock=clock or w.clock,
                             sleep=w.sleeps)


async def test_a_row_left_failed_by_another_process_is_looked_for_before_it_is_sent(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        sub = await w.subscribe()
        async with other_process(w) as other:
            other.retries = 1
            w.poster.lose = 1  # its post went out, the response did not come back: it marks the day failed
            assert results(await other.tick()) == [Result.RETRY]
        entry = await w.ledger.entry(sub, DAY)
        assert entry is not None and entry.status is PostStatus.FAILED
        outcomes = await w.scheduler.tick()
        assert len(w.poster.posts) == 1 and w.poster.looked == [sub.marker(DAY)]
        assert results(outcomes) == [Result.FOUND]


async def test_the_channel_is_looked_at_before_every_resend(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        sub = await w.subscribe()
        w.poster.lose = 3  # three attempts that arrive, whose responses are lost
        outcomes = await w.scheduler.tick()
        assert len(w.poster.posts) == 1 and w.poster.attempts == 1
        assert results(outcomes) == [Result.FOUND]
        last = await w.ledger.last_sent(sub)
        assert last is not None and last.message_id == w.poster.posts[0][2]


async def test_a_send_slower_than_the_lease_is_cut_off_and_not_doubled(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        await w.subscribe()
        w.scheduler.send_timeout = 0.05  # SEND_TIMEOUT, shortened: the bound every send is held to
        w.poster.held = release = asyncio.Event()  # the first send hangs (e.g. queued behind a rate limit)
        mine = asyncio.create_task(w.scheduler.tick())
        await w.poster.sending.wait()
        await asyncio.wait({mine}, timeout=2)
        await w.time_passes()
        async with other_process(w) as other:
            theirs = await other.tick()
        release.set()
        outcomes = await mine
        assert len(w.poster.posts) == 1
        assert results(outcomes) == [Result.SENT] and theirs == []


async def test_two_processes_whose_clocks_differ_by_more_than_the_lease_post_once(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        await w.subscribe()
        w.poster.held = release = asyncio.Event()  # my send is in flight while the other process ticks
        mine = asyncio.create_task(w.scheduler.tick())
        await w.poster.sending.wait()
        async with other_process(w, Clock(NINE + 2 * LEASE)) as ahead:
            theirs = await ahead.tick()
        release.set()
        outcomes = await mine
        assert len(w.poster.posts) == 1
        assert results(outcomes) == [Result.SENT] and theirs == []


async def test_a_claim_taken_over_while_its_holder_waited_is_not_sent_by_the_old_holder(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        sub = await w.subscribe()
        async with other_process(w) as other:
            async def a_long_pause(seconds: float) -> None:  # e.g. a suspended laptop, mid-backoff
                await w.time_passes()
                assert results(await other.tick()) == [Result.SENT]

            w.scheduler.sleep = a_long_pause
            w.poster.failures[sub.id] = [PostError(FailureKind.TRANSIENT, "503")]
            await w.scheduler.tick()
        assert len(w.poster.posts) == 1
        last = await w.ledger.last_sent(sub)
        assert last is not None and last.message_id == w.poster.posts[0][2]


async def test_the_clock_stepping_back_across_midnight_does_not_post_the_previous_day(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        await w.subscribe(post_time="00:00")
        w.clock.now = datetime(2026, 9, 28, 0, 0, 30, tzinfo=UTC)
        assert [(o.day, o.result) for o in await w.scheduler.tick()] == [(date(2026, 9, 28), Result.SENT)]
        w.clock.now -= timedelta(minutes=2)  # NTP steps a clock that ran ahead back to 27 September, 23:58
        assert await w.scheduler.tick() == []
        assert len(w.poster.posts) == 1


async def test_a_claim_left_by_an_older_version_is_taken_over_after_its_lease_and_looked_for(tmp_path):
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:  # schema 3, as the version before fencing tokens left it
        for statement in (s for migration in MIGRATIONS[:3] for s in migration):
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 3")
        conn.execute("INSERT INTO subscriptions (target, guild_id, created_by, post_time, timezone, created_at) "
                     "VALUES ('channel:10', 1, 7, '09:00', 'UTC', '2026-01-01T00:00:00+00:00')")
        stale = (datetime.now(UTC) - LEASE - timedelta(minutes=1)).isoformat()  # its process clock's format
        conn.execute("INSERT INTO daily_posts (subscription_id, local_date, record_id, status, owner, claimed_at) "
                     "VALUES (1, ?, 1, 'claimed', 'old', ?)", (DAY.isoformat(), stale))
    async with asyncio.timeout(10), await SqliteArchiveStore.open(db) as store:
        w = World(store, SqliteState(store, "me"), StateBackend("sqlite", None))
        outcomes = await w.scheduler.tick()
        entry = await w.ledger.entry((await w.ledger.active())[0], DAY)
    assert results(outcomes) == [Result.SENT] and w.poster.looked == ["daily:1:2026-09-27"]
    assert entry is not None and entry.token == 1 and entry.status is PostStatus.SENT


# -- a subscription that cannot work stops only itself (issue 9, item 5) -----------------------------------
class Stop(Exception):
    """Ends DailyScheduler.run() at its first wait."""


async def test_a_stored_zone_that_cannot_be_loaded_pauses_that_subscription_and_the_loop_goes_on(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        fine = await w.subscribe()
        bad = ["Europe", "posixrules", "right/UTC", "x" * 300]
        for n, zone in enumerate(bad):  # stored by an older version, which accepted them
            await w.ledger.subscribe(target=Target.channel(20 + n), guild_id=1, created_by=7, post_time="09:00",
                                     zone=zone)

        async def stop(seconds: float) -> None:
            raise Stop

        w.scheduler.sleep = stop
        with pytest.raises(Stop):
            await w.scheduler.run()
        assert [s for s, _, _ in w.poster.posts] == [fine.id]
        paused = {sub.timezone: sub.paused for sub in await w.ledger.in_guild(1)}
        assert all(paused[zone] for zone in bad) and paused["UTC"] is None
        assert sorted(kind for _, kind in w.poster.notified) == [FailureKind.BAD_ZONE] * len(bad)
        assert await w.scheduler.tick() == []  # paused: quiet, and no longer in the way


async def test_a_subscription_whose_post_raises_is_paused_and_reported(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        broken, fine = await w.subscribe(10), await w.subscribe(11)
        w.poster.failures[broken.id] = [RuntimeError("a bug in the poster")]
        outcomes = {o.subscription_id: o.result for o in await w.scheduler.tick()}
        assert outcomes == {broken.id: Result.PAUSED, fine.id: Result.SENT}
        assert w.poster.notified == [(broken.id, FailureKind.BROKEN)]
        paused = await w.ledger.by_target(broken.target)
        assert paused is not None and paused.paused


def test_only_canonical_zones_of_the_bundled_tzdata_are_accepted():
    bundled = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    assert set(zone_names()) == set(bundled)
    for name in ("posixrules", "localtime", "right/UTC", "Europe", "x" * 300, "../etc/passwd", "Europe/"):
        with pytest.raises(SettingError) as bad:
            parse_zone(name)
        assert bad.value.problem is SettingProblem.ZONE
    assert parse_zone("Europe/Berlin") == "Europe/Berlin" and parse_zone("UTC") == "UTC"


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


async def test_schedulers_running_different_shards_each_post_their_own_subscriptions_once(tmp_path, backend):
    async with world(tmp_path, backend) as w:
        in_guilds = [await w.ledger.subscribe(target=Target.channel(100 + n), guild_id=n << 22, created_by=7,
                                              post_time="09:00", zone="UTC", now=datetime(2026, 1, 1, tzinfo=UTC))
                     for n in range(8)]
        dm = await w.ledger.subscribe(target=Target.dm(7), guild_id=None, created_by=7, post_time="09:00", zone="UTC",
                                      now=datetime(2026, 1, 1, tzinfo=UTC))
        posters = FakePoster(), FakePoster()
        low = DailyScheduler(Documents(), w.ledger, posters[0], clock=w.clock, sleep=w.sleeps, shards=Shards((0, 1), 4))
        async with await SqliteArchiveStore.open(w.store.path) as second:  # the other process's own connection
            high = DailyScheduler(Documents(), await w.process("other", second), posters[1], clock=w.clock,
                                  sleep=w.sleeps, shards=Shards((2, 3), 4))
            for _ in range(2):
                await asyncio.gather(low.tick(), high.tick())
        posted = [sorted(s for s, _, _ in poster.posts) for poster in posters]
        assert posted[0] == sorted([s.id for n, s in enumerate(in_guilds) if n % 4 in (0, 1)] + [dm.id])
        assert posted[1] == [s.id for n, s in enumerate(in_guilds) if n % 4 in (2, 3)]
