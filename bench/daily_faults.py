"""Daily posts under injected faults: how many posts went out exactly once, twice, or not at all.

    python bench/daily_faults.py [--subscriptions 200] [--days 3] [--seed 9]

Two schedulers (two connections to one temporary SQLite database, as two processes have; the second one's
clock 15 minutes ahead, more than the lease) tick every simulated 10 minutes over a few days. Each talks to a
fake channel store through a poster that, with a fixed seed, fails before the post lands, loses the response
after it landed, is slow (longer than the send timeout: either still queued on our side, or landed with the
answer late), and cannot read the history. Each simulated day the clocks step back 20 minutes once (an NTP
correction), and now and then a scheduler "crashes": its tick is cancelled, its connection closed, and a new
process (a new ledger owner on a new connection) takes its place. Database time is kept in step with the
simulated clock by moving every claim's lease start back as the clock moves forward.

A post is expected for every (subscription, local day) whose posting time falls between the start and one
hour before the end. Printed: subscriptions, posts expected, posted exactly once, duplicates (extra copies of
any day's post), missed (expected, never posted), the faults injected, and the wall time.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from retrieval.daily import DailyPost, DailyScheduler, DailyStore, FailureKind, PostError, Subscription, Target
from retrieval.dates import ArchiveDate
from retrieval.records import Record
from retrieval.store import SqliteArchiveStore

START = datetime(2026, 3, 27, 0, 0, tzinfo=UTC)  # the European DST change falls inside a 3-day run
STEP = timedelta(minutes=10)
SKEW = timedelta(minutes=15)  # the second process's clock is ahead by more than the lease
STEP_BACK = timedelta(minutes=20)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati", "Pacific/Pago_Pago")
SEND_TIMEOUT = 0.01  # real seconds: the bound a slow send is cut off at
SLOW = 0.03  # real seconds a slow send takes
RECORDS = [Record(id=n, date=ArchiveDate(1950 + n % 40, 1 + n % 12, 1 + n % 28), date_text="", title=f"Document {n}",
                  summary="") for n in range(1, 400)]


class Documents:
    async def show(self, record_id: int) -> Record | None:
        return RECORDS[record_id - 1] if 0 < record_id <= len(RECORDS) else None

    def on_this_day(self, month: int, day: int) -> list[Record]:
        return [r for r in RECORDS if (r.date.month, r.date.day) == (month, day)]

    def nearest_dated(self, month: int, day: int) -> list[Record]:
        return RECORDS[:5]


@dataclass
class Channels:
    """What the fake Discord holds: every landed post, by marker."""

    posts: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    next_id: int = 1

    def land(self, marker: str) -> int:
        self.posts[marker] += 1
        self.next_id += 1
        return self.next_id


class FaultyPoster:
    def __init__(self, channels: Channels, rng: random.Random) -> None:
        self.channels = channels
        self.rng = rng

    async def send(self, sub: Subscription, post: DailyPost) -> int:
        roll = self.rng.random()
        await asyncio.sleep(0)
        if roll < 0.10:
            self.channels.faults["failed before landing"] += 1
            raise PostError(FailureKind.TRANSIENT, "503")
        if roll < 0.20:
            self.channels.land(post.marker)
            self.channels.faults["landed, response lost"] += 1
            raise PostError(FailureKind.TRANSIENT, "connection reset")
        if roll < 0.25:
            self.channels.faults["slow, still queued"] += 1
            await asyncio.sleep(SLOW)  # cut off here: never left
            return self.channels.land(post.marker)
        if roll < 0.30:
            self.channels.faults["slow, landed, answer late"] += 1
            message_id = self.channels.land(post.marker)
            await asyncio.sleep(SLOW)
            return message_id
        return self.channels.land(post.marker)

    async def find(self, sub: Subscription, marker: str) -> int | None:
        await asyncio.sleep(0)
        if self.rng.random() < 0.05:
            self.channels.faults["history unreadable"] += 1
            raise PostError(FailureKind.TRANSIENT, "history: 503")
        return 1 if self.channels.posts[marker] else None

    async def notify(self, sub: Subscription, error: PostError) -> None:
        self.channels.faults[f"paused: {error.kind}"] += 1


class Clock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.true = START
        self.offset = offset

    def __call__(self) -> datetime:
        return self.true + self.offset


async def no_sleep(seconds: float) -> None:
    await asyncio.sleep(0)


@dataclass
class Process:
    """One scheduler process: its own connection, ledger owner and clock."""

    store: SqliteArchiveStore
    scheduler: DailyScheduler

    @classmethod
    async def start(cls, db: Path, poster: FaultyPoster, clock: Clock) -> Process:
        store = await SqliteArchiveStore.open(db)
        scheduler = DailyScheduler(Documents(), DailyStore(store), poster, clock=clock, sleep=no_sleep)
        scheduler.send_timeout = SEND_TIMEOUT
        return cls(store, scheduler)


async def tick_or_crash(process: Process, crash: bool, after: float) -> bool:
    """One tick; or, when `crash`, the process dies `after` seconds into it: its tick is cancelled and its
    connection closed at once (a dead process holds no lock). True when it died."""
    tick = asyncio.create_task(process.scheduler.tick())
    if crash:
        await asyncio.sleep(after)
        tick.cancel()
    try:
        await tick
    except asyncio.CancelledError:
        await process.store.close()
        return True
    return False


async def subscribe(db: Path, count: int, rng: random.Random) -> list[Subscription]:
    async with await SqliteArchiveStore.open(db) as store:
        ledger = DailyStore(store)
        return [await ledger.subscribe(target=Target.channel(10_000 + n), guild_id=1, created_by=7,
                                       post_time=f"{rng.randrange(24):02d}:{rng.randrange(60):02d}",
                                       zone=rng.choice(ZONES), now=START - timedelta(days=1))
                for n in range(count)]


def expected(subs: list[Subscription], end: datetime) -> set[str]:
    """The markers of every post due between START and an hour before `end`."""
    markers = set()
    for sub in subs:
        day: date = sub.local_date(START) - timedelta(days=1)
        while (due := sub.due_at(day)) <= end - timedelta(hours=1):
            if due >= START:
                markers.add(sub.marker(day))
            day += timedelta(days=1)
    return markers


async def run(count: int, days: int, seed: int) -> None:
    rng = random.Random(seed)
    channels = Channels()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "daily.db"
        subs = await subscribe(db, count, rng)
        clocks = [Clock(), Clock(SKEW)]
        posters = [FaultyPoster(channels, random.Random(seed * 10 + n)) for n in range(2)]
        processes = [await Process.start(db, posters[n], clocks[n]) for n in range(2)]
        end = START + timedelta(days=days)
        crashes = step_backs = 0
        stepped_back_on: set[date] = set()
        while clocks[0].true < end:
            crashed = await asyncio.gather(*(tick_or_crash(p, rng.random() < 0.01, rng.random() * 0.003)
                                             for p in processes))
            for n, died in enumerate(crashed):
                if died:  # a new process starts on the same database
                    crashes += 1
                    processes[n] = await Process.start(db, posters[n], clocks[n])
            forward = STEP
            today = clocks[0].true.date()
            if today not in stepped_back_on and clocks[0].true.hour == 12:
                stepped_back_on.add(today)
                forward = -STEP_BACK
                step_backs += 1
            for clock in clocks:
                clock.true += forward
            if forward > timedelta(0):  # the database's clock moves on with the simulated one
                await processes[0].store.conn.execute(
                    "UPDATE daily_posts SET claimed_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', claimed_at, ?)",
                    (f"-{forward.total_seconds()} seconds",))
        for process in processes:
            await process.store.close()
    seconds = time.perf_counter() - started
    wanted = expected(subs, end)
    once = sum(1 for m in wanted if channels.posts[m] == 1)
    missed = sum(1 for m in wanted if channels.posts[m] == 0)
    duplicates = sum(n - 1 for n in channels.posts.values() if n > 1)
    print(f"subscriptions        {count} ({days} days, 2 schedulers, second clock {SKEW} ahead)")
    print(f"posts expected       {len(wanted)}")
    print(f"posted exactly once  {once}")
    print(f"duplicates           {duplicates}")
    print(f"missed               {missed}")
    print(f"faults injected      {sum(channels.faults.values())}: "
          + ", ".join(f"{kind} {n}" for kind, n in sorted(channels.faults.items())))
    print(f"crashes, step-backs  {crashes}, {step_backs}")
    print(f"time                 {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=200)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the schedulers' warnings about each injected fault are expected
    asyncio.run(run(args.subscriptions, args.days, args.seed))


if __name__ == "__main__":
    main()
