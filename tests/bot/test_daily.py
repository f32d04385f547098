"""Daily posts with a controllable clock, through the real bot and the Discord stand-in: DST in two zones,
restarts, two schedulers on one database, a crash between claim and send, failing channels, empty days."""
from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.app import ArchiveBot
from bot.daily import DiscordPoster
from retrieval import pg
from retrieval.daily import (
    LEASE,
    Choice,
    DailyPost,
    DailyScheduler,
    FailureKind,
    PostError,
    Subscription,
    Target,
    choose,
)
from retrieval.search import Archive
from testing.database import every_record
from testing.fakediscord import ALICE_ID, BOB_ID, GENERAL_ID, GUILD_ID, OWNER_ID, READ_ONLY_ID, FakeDiscord
from testing.postgres import postgres_server

from ..conftest import StateBackend
from .conftest import BOT_TEST_TIMEOUT, EPHEMERAL, PEOPLE, answer, embed_text, running_bot, start_bot


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, local: str, zone: str) -> None:
        self.now = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


async def no_sleep(seconds: float) -> None:
    await asyncio.sleep(0)


def make_fast(bot: ArchiveBot) -> None:
    bot.scheduler.sleep = no_sleep


async def subscribe_channel(bot: ArchiveBot, channel_id: int = GENERAL_ID, time: str = "09:00",
                            zone: str = "UTC") -> Subscription:
    return await bot.ledger.subscribe(target=Target.channel(channel_id), guild_id=GUILD_ID, created_by=OWNER_ID,
                                      post_time=time, zone=zone, now=datetime(2026, 1, 1, tzinfo=UTC))


async def subscribe_dm(bot: ArchiveBot, user_id: int = BOB_ID, time: str = "09:00", zone: str = "UTC"):
    return await bot.ledger.subscribe(target=Target.dm(user_id), guild_id=None, created_by=user_id, post_time=time,
                                      zone=zone, now=datetime(2026, 1, 1, tzinfo=UTC))


def daily_posts(fake: FakeDiscord) -> list:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages") and r.ok
            and any(custom_id.startswith("daily:") for custom_id in r.custom_ids)]


@pytest.mark.slow
async def test_dst_changes_in_two_zones_post_at_nine_local_once_a_day(db):
    clock = Clock(datetime(2026, 3, 5, tzinfo=UTC))
    async with running_bot(db, clock=clock) as (fake, bot):
        make_fast(bot)
        berlin = await subscribe_channel(bot, zone="Europe/Berlin")
        new_york = await subscribe_dm(bot, zone="America/New_York")
        # 06:00 UTC is before 09:00 in both zones, so neither window starts with a catch-up post
        for start, end in ((datetime(2026, 3, 5, 6), datetime(2026, 4, 1, 6)),
                           (datetime(2026, 10, 22, 6), datetime(2026, 11, 4, 6))):
            clock.now = start.replace(tzinfo=UTC)
            while clock.now < end.replace(tzinfo=UTC):
                await bot.scheduler.tick()
                clock.now += timedelta(minutes=15)
        async with bot.archive.store.conn.execute(
                "SELECT subscription_id, local_date, sent_at, status FROM daily_posts ORDER BY 1, 2") as cur:
            rows = await cur.fetchall()
        for sub in (berlin, new_york):
            mine = [r for r in rows if r[0] == sub.id]
            days = [r[1] for r in mine]
            assert len(days) == len(set(days))  # once a day
            assert all(status == "sent" for *_, status in mine)
            for _, day, sent_at, _ in mine:
                local = datetime.fromisoformat(sent_at).astimezone(ZoneInfo(sub.timezone))
                assert local.date().isoformat() == day
                assert (local.hour, local.minute // 15) == (9, 0), (sub.timezone, day, local)
            # every day of both windows, including the DST days in both zones
            assert {"2026-03-08", "2026-03-29", "2026-10-25", "2026-11-01"} <= set(days)
        assert len(daily_posts(fake)) == len(rows)


async def test_a_restart_mid_day_posts_nothing_twice_and_missed_earlier_days_are_not_flooded(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 5, tzinfo=UTC))
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        first = await start_bot(db, backend, clock=clock)
        try:
            async with fake.running(first):
                make_fast(first)
                await subscribe_channel(first)
                assert [o.result for o in await first.scheduler.tick()] == ["sent"]
        finally:
            await first.archive.close()
        clock.now = datetime(2026, 9, 27, 15, 0, tzinfo=UTC)
        second = await start_bot(db, backend, clock=clock)  # a new process: new ledger owner, same database
        try:
            async with fake.running(second):
                make_fast(second)
                assert await second.scheduler.tick() == []
                clock.now = datetime(2026, 9, 30, 10, 0, tzinfo=UTC)  # down for two days
                outcomes = await second.scheduler.tick()
                assert [(o.day, o.result) for o in outcomes] == [(date(2026, 9, 30), "sent")]
        finally:
            await second.archive.close()
        assert len(daily_posts(fake)) == 2
        first_post = daily_posts(fake)[0]
        assert "On this day in 1958" in embed_text(first_post)  # 27 September 1958 is in the seeds


async def test_two_schedulers_on_one_database_post_once(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 1, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        make_fast(bot)
        await subscribe_channel(bot)
        other_archive = await Archive.open(db, PEOPLE)  # a second connection, as a second process has
        try:
            other = DailyScheduler(other_archive, await backend.open(other_archive.store), DiscordPoster(bot),
                                   clock=clock, sleep=no_sleep)
            results = await asyncio.gather(*(s.tick() for s in [bot.scheduler, other] * 3))
        finally:
            await other_archive.close()
        sent = [o for batch in results for o in batch if o.result == "sent"]
        assert len(sent) == 1
        assert len(daily_posts(fake)) == 1


async def leases_run_out(bot: ArchiveBot, clock: Clock, backend: StateBackend) -> None:
    """A lease's worth of time passes, for the bot's clock and the database's (leases are measured on it)."""
    clock.now += LEASE + timedelta(minutes=1)
    await backend.age_claims(bot.state, LEASE + timedelta(minutes=1))


async def test_a_crash_between_claim_and_send(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 0, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        make_fast(bot)
        sub = await subscribe_channel(bot)
        dead = await backend.open(bot.archive.store, "crashed-process")
        day = date(2026, 9, 27)
        assert await dead.claim(sub, day, None) is not None  # ... and then the process died
        clock.now += timedelta(minutes=5)
        assert await bot.scheduler.tick() == []  # the claim is still within its lease: hands off
        await leases_run_out(bot, clock, backend)
        outcomes = await bot.scheduler.tick()
        assert [o.result for o in outcomes] == ["sent"]  # nothing in the channel: the post goes out once
        assert len(daily_posts(fake)) == 1
        assert await bot.scheduler.tick() == []

        # The other case: the dead process had sent the post before dying. Its marker is found; no repost.
        next_day = date(2026, 9, 28)
        clock.now = datetime(2026, 9, 28, 9, 0, tzinfo=UTC)
        assert await dead.claim(sub, next_day, None) is not None  # claims and sends ...
        await DiscordPoster(bot).send(sub, DailyPost(Choice(None, exact=False), next_day, sub.marker(next_day)))
        # ... but died before marking it sent
        await leases_run_out(bot, clock, backend)
        outcomes = await bot.scheduler.tick()
        assert [o.result for o in outcomes] == ["found"]
        assert len(daily_posts(fake)) == 2

        # If the history cannot be read, nothing is posted (never a blind resend): the subscription is paused
        # and its creator told that the bot needs Read Message History.
        clock.now = datetime(2026, 9, 29, 9, 0, tzinfo=UTC)
        assert await dead.claim(sub, date(2026, 9, 29), None) is not None
        fake.hide_history(GENERAL_ID)
        await leases_run_out(bot, clock, backend)
        assert [o.result for o in await bot.scheduler.tick()] == ["paused"]
        assert len(daily_posts(fake)) == 2
        note = await fake.wait_for(lambda r: r.method == "POST" and r.path.endswith("/messages")
                                   and "is paused" in (r.content or ""))
        assert "Read Message History" in note.content


class LostResponses(DiscordPoster):
    """The real poster, but the first `lose` posts that reach the stand-in come back as a transient error, as
    when the connection drops after Discord has created the message."""

    def __init__(self, bot: ArchiveBot, lose: int) -> None:
        super().__init__(bot)
        self.lose = lose

    async def send(self, sub: Subscription, post: DailyPost) -> int:
        message_id = await super().send(sub, post)
        if self.lose:
            self.lose -= 1
            raise PostError(FailureKind.TRANSIENT, "connection reset")
        return message_id


async def test_lost_responses_and_a_row_left_failed_by_another_process_post_once(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 0, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        make_fast(bot)
        await subscribe_channel(bot)
        other_archive = await Archive.open(db, PEOPLE)  # another process, on its own connection
        try:
            other = DailyScheduler(other_archive, await backend.open(other_archive.store), LostResponses(bot, lose=1),
                                   clock=clock, sleep=no_sleep, retries=1)
            assert [o.result for o in await other.tick()] == ["retry"]  # posted, but it could not know: failed
        finally:
            await other_archive.close()
        assert [o.result for o in await bot.scheduler.tick()] == ["found"]
        bot.scheduler.poster = LostResponses(bot, lose=3)  # the next day, three responses in a row are lost
        clock.now += timedelta(days=1)
        assert [o.result for o in await bot.scheduler.tick()] == ["found"]
        assert len(daily_posts(fake)) == 2


async def test_a_forbidden_channel_pauses_and_tells_the_creator_while_others_post(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 30, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        make_fast(bot)
        forbidden = await subscribe_channel(bot)
        fine = await subscribe_dm(bot)
        fake.forbid_channel(GENERAL_ID)
        outcomes = {o.subscription_id: o for o in await bot.scheduler.tick()}
        assert outcomes[forbidden.id].result == "paused"
        assert outcomes[fine.id].result == "sent"
        paused = await bot.ledger.by_target(forbidden.target)
        assert paused.paused and "not allowed to post" in paused.paused
        note = await fake.wait_for(lambda r: r.method == "POST" and r.path.endswith("/messages")
                                   and "is paused" in (r.content or ""))
        assert "Send Messages" in note.content and "/daily set" in note.content
        clock.now += timedelta(days=1)
        later = await bot.scheduler.tick()
        assert [o.subscription_id for o in later] == [fine.id]  # the paused one stays quiet


async def test_a_deleted_channel_and_transient_errors(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 30, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        make_fast(bot)
        sub = await subscribe_channel(bot)
        fake.fail_next("POST", rf"^/channels/{GENERAL_ID}/messages$", 503, count=2)
        outcomes = await bot.scheduler.tick()
        assert [o.result for o in outcomes] == ["sent"]  # retried with backoff, posted once
        assert len(daily_posts(fake)) == 1
        fake.fail_next("POST", rf"^/channels/{GENERAL_ID}/messages$", 503, count=4)  # one tick's attempts
        clock.now += timedelta(days=1)
        assert [o.result for o in await bot.scheduler.tick()] == ["retry"]
        assert [o.result for o in await bot.scheduler.tick()] == ["sent"]  # the next tick gets through
        assert len(daily_posts(fake)) == 2
        fake.delete_channel(GENERAL_ID)
        bot.get_channel(GENERAL_ID).guild._channels.pop(GENERAL_ID, None)  # as CHANNEL_DELETE would
        clock.now += timedelta(days=1)
        assert [o.result for o in await bot.scheduler.tick()] == ["paused"]
        assert (await bot.ledger.by_target(sub.target)).paused == "the channel was deleted"


async def test_a_day_with_no_match_says_so_and_offers_the_nearest(db, backend):
    clock = Clock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        make_fast(bot)
        await subscribe_channel(bot)
        await bot.scheduler.tick()
        post = daily_posts(fake)[0]
        text = embed_text(post)
        assert "Nothing in the archive is dated 23 November; the nearest is November 22, 1956" in text
        assert "Bak Uiwan" in text


async def test_the_choice_is_deterministic_and_prefers_documents_not_yet_sent(db):
    async with asyncio.timeout(BOT_TEST_TIMEOUT):
        archive = await Archive.open(db, PEOPLE)
        try:
            records = every_record(archive)[:6]
            day = date(2026, 9, 27)
            first = choose(records, "channel:1", day, set())
            assert choose(records, "channel:1", day, set()) == first
            assert choose(list(reversed(records)), "channel:1", day, set()) == first
            assert choose(records, "channel:1", day, {first.id}) != first
            everything = {r.id for r in records}
            assert choose(records, "channel:1", day, everything) == first  # all sent: start over, same order
        finally:
            await archive.close()


async def test_daily_set_checks_permissions_and_status_shows_discord_timestamps(db, backend):
    clock = Clock(datetime(2026, 9, 27, 8, 0, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        _, refused = await answer(fake, "daily", {"channel": READ_ONLY_ID}, subcommand="set", user_id=OWNER_ID)
        assert refused.flags & EPHEMERAL and "I need Send Messages, Embed Links there" in embed_text(refused)
        assert await bot.ledger.by_target(Target.channel(READ_ONLY_ID)) is None
        _, bad_zone = await answer(fake, "daily", {"channel": GENERAL_ID, "timezone": "Mars/Olympus"},
                                   subcommand="set", user_id=OWNER_ID)
        assert "is not a time zone" in embed_text(bad_zone)
        _, ok = await answer(fake, "daily", {"channel": GENERAL_ID, "time": "18:30", "timezone": "Europe/Berlin"},
                             subcommand="set", user_id=OWNER_ID)
        assert ok.flags & EPHEMERAL and "Every day at 18:30 Europe/Berlin" in embed_text(ok)
        sub = await bot.ledger.by_target(Target.channel(GENERAL_ID))
        assert (sub.post_time, sub.timezone, sub.created_by) == ("18:30", "Europe/Berlin", OWNER_ID)
        _, status = await answer(fake, "daily", subcommand="status", user_id=OWNER_ID)
        due = int(datetime(2026, 9, 27, 16, 30, tzinfo=UTC).timestamp())
        assert f"<t:{due}:F>" in embed_text(status) and "none yet" in embed_text(status)
        _, preview = await answer(fake, "daily", subcommand="preview", user_id=OWNER_ID)
        assert preview.flags & EPHEMERAL and "On this day in 1958" in embed_text(preview)
        payload = await fake.send_autocomplete("daily", "timezone", "berl", subcommand="set")
        zones = (await fake.wait_for_response(payload["id"])).json["data"]["choices"]
        assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in zones
        _, dm = await answer(fake, "daily", subcommand="set", guild=False, user_id=ALICE_ID)
        assert "in this DM" in embed_text(dm)
        assert (await bot.ledger.by_target(Target.dm(ALICE_ID))).user_id == ALICE_ID
        _, off = await answer(fake, "daily", subcommand="off", user_id=OWNER_ID)
        assert "No more daily posts" in embed_text(off)
        assert await bot.ledger.by_target(Target.channel(GENERAL_ID)) is None


async def test_onthisday_shows_the_days_pick_first(db, backend):
    async with running_bot(db, backend) as (fake, bot):
        _, reply = await answer(fake, "onthisday", {"date": "27 September"})
        assert "On this day in 1958" in embed_text(reply)
        assert "Letter, Central Committee of the Communist Party of the Soviet Union" in embed_text(reply)


async def test_the_shared_database_out_of_reach_is_said_plainly_and_nothing_is_half_saved(db, monkeypatch):
    monkeypatch.setattr(pg, "CONNECT_BACKOFF", (0.2, 0.4))
    with postgres_server() as server:
        backend = StateBackend("postgres", server.url)
        try:
            async with running_bot(db, backend) as (fake, bot):
                await asyncio.to_thread(server.stop)
                _, away = await answer(fake, "daily", {"channel": GENERAL_ID}, subcommand="set", user_id=OWNER_ID)
                assert away.flags & EPHEMERAL
                assert "can't reach my database" in embed_text(away) and "nothing was saved" in embed_text(away)
                await asyncio.to_thread(server.start)
                assert await bot.ledger.by_target(Target.channel(GENERAL_ID)) is None
                _, ok = await answer(fake, "daily", {"channel": GENERAL_ID}, subcommand="set", user_id=OWNER_ID)
                assert "Every day at" in embed_text(ok)
        finally:
            await backend.close()
