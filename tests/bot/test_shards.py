"""Several bot processes serving one application: each runs a range of shards (discord.py's AutoShardedClient)
against the Discord stand-in, all sharing one PostgreSQL. Each daily post goes out once, from the process
running its guild's shard (DMs: shard 0's); only shard 0's process syncs commands; overlapping ranges are
warned about and still post once."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import ArchiveBot, IdentifyGate, ShardedArchiveBot, make_bot
from bot.cli import main
from bot.config import ConfigError, Settings, parse_shards
from retrieval.daily import Shards, Target
from retrieval.search import Archive
from retrieval.state.sqlite import SqliteState
from testing.fakediscord import FakeDiscord

from ..conftest import PEOPLE, StateBackend
from .conftest import BOT_TEST_TIMEOUT, answer, embed_text
from .test_daily import Clock, daily_posts, make_fast, subscribe_channel, subscribe_dm


@pytest.mark.parametrize(("text", "count", "ids"), [("0-3", "8", (0, 1, 2, 3)), ("0,2,5", "8", (0, 2, 5)),
                                                    ("3", "4", (3,)), ("0-1,1-2", "3", (0, 1, 2))])
def test_shard_ranges_and_lists_are_read(text, count, ids):
    assert parse_shards(text, count) == Shards(ids, int(count))


@pytest.mark.parametrize(("text", "count", "says"), [
    ("0-8", "8", "shard 8 is out of range: with ARCHIVE_SHARD_COUNT=8 the shards are 0 to 7"),
    ("3-1", "8", "the range 3-1 runs backwards"),
    ("a-b", "8", "must be a range like 0-3 or a list like 0,2,5"),
    ("0-3", "0", "must be a whole number from 1 to"),
    ("0-3", None, "ARCHIVE_SHARDS and ARCHIVE_SHARD_COUNT go together"),
])
def test_bad_shard_settings_are_one_clear_line(text, count, says):
    with pytest.raises(ConfigError) as caught:
        parse_shards(text, count)
    assert says in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("args", "says"), [
    (["--shards", "0-9", "--shard-count", "8"], "archive-bot: --shards: shard 9 is out of range"),
    (["--shards", "0-3"], "archive-bot: --shards and --shard-count go together"),
    (["--database-url", "mysql://root:hunter22@db/x"], "archive-bot: --database-url must be a postgresql://"),
    (["--database-url", "postgresql://root:hunter22@[::1/x"], "archive-bot: --database-url cannot be read"),
    (["--database-url", "postgresql://root:hunter22@db:99999/x"], "archive-bot: --database-url has a port that"),
    (["--database-url", "postgresql://root:hunter22@/x"], "archive-bot: --database-url must be a postgresql://"),
])
def test_bad_run_options_stop_with_one_line_and_never_echo_a_password(args, says, capsys, tmp_path):
    assert main(["run", "--db", str(tmp_path / "a.db"), *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(says) and "\n" not in err and "hunter22" not in err


def test_a_guilds_shard_owns_its_subscriptions_and_shard_0_the_dms():
    from retrieval.daily import Subscription, Target, shard_of

    assert shard_of(81_384_788_765_712_384, 4) == (81_384_788_765_712_384 >> 22) % 4
    first, second = Shards((0, 1), 4), Shards((2, 3), 4)
    in_guild = Subscription(1, Target.channel(5), 3 << 22, 7, "09:00", "UTC")
    dm = Subscription(2, Target.dm(7), None, 7, "09:00", "UTC")
    assert (first.owns(in_guild), second.owns(in_guild)) == (False, True)
    assert (first.owns(dm), second.owns(dm)) == (True, False)
    assert first.describe() == "shards 0-1 of 4" and Shards((0, 2, 5), 8).describe() == "shards 0,2,5 of 8"
    assert Shards((3,), 8).describe() == "shard 3 of 8"


@contextlib.asynccontextmanager
async def process(fake: FakeDiscord, db: Path, backend: StateBackend, shards: Shards | None,
                  clock: Clock) -> AsyncIterator[ArchiveBot]:
    """One bot process's client, on its own archive connection and its own pool to the shared state."""
    archive = await Archive.open(db, PEOPLE)
    try:
        state = await backend.open(archive.store)
        bot = make_bot(archive, Settings(archive_db=db, shards=shards), run_scheduler=False, state=state,
                       clock=clock)
        async with fake.running(bot, ready_timeout=15):
            make_fast(bot)
            yield bot
    finally:
        await archive.close()


@pytest.fixture(autouse=True)
def quick_identify_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Discord's 5 s between IDENTIFYs of a bucket, as a fifth of a second: processes still take turns."""
    monkeypatch.setattr("bot.app.IDENTIFY_INTERVAL", 0.2)


@pytest.fixture
def on_postgres(pg_database: str) -> StateBackend:
    return StateBackend("postgres", pg_database)


SHARD_1_GUILD = 1 << 22  # (1 << 22 >> 22) % 2 == 1: shard 1 of 2; the stand-in's own guild is on shard 0
SHARD_1_CHANNEL = 3100


async def test_two_processes_split_the_shards_post_each_once_and_only_shard_0s_syncs(db, on_postgres):
    clock = Clock(datetime(2026, 9, 27, 9, 1, tzinfo=UTC))
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        fake.add_guild(SHARD_1_GUILD, "Second Server", SHARD_1_CHANNEL)
        async with process(fake, db, on_postgres, Shards((0,), 2), clock) as first, \
                process(fake, db, on_postgres, Shards((1,), 2), clock) as second:
            assert isinstance(first, ShardedArchiveBot) and isinstance(second, ShardedArchiveBot)
            assert [p.get("shard") for p in fake.identify_payloads] == [[0, 2], [1, 2]]
            assert first.get_guild(fake.GUILD_ID) is not None and second.get_guild(fake.GUILD_ID) is None
            assert first.get_guild(SHARD_1_GUILD) is None and second.get_guild(SHARD_1_GUILD) is not None
            await subscribe_channel(first)
            await subscribe_dm(first)
            await second.ledger.subscribe(target=Target.channel(SHARD_1_CHANNEL), guild_id=SHARD_1_GUILD,
                                          created_by=fake.OWNER_ID, post_time="09:00", zone="UTC",
                                          now=datetime(2026, 1, 1, tzinfo=UTC))
            posted: list[list] = [[], []]
            for _ in range(3):
                batches = await asyncio.gather(first.scheduler.tick(), second.scheduler.tick())
                for mine, batch in zip(posted, batches, strict=True):
                    mine.extend(batch)
            # each process posted only what its shards own: the two on shard 0 (a channel and a DM) and the
            # second guild's channel on shard 1
            assert len(posted[0]) == 2 and len(posted[1]) == 1
            posts = daily_posts(fake)
            assert [r.path for r in posts].count(f"/channels/{SHARD_1_CHANNEL}/messages") == 1
            assert len(posts) == 3
            assert (first.synced, second.synced) != (None, None) and second.synced == "elsewhere"
        assert len(fake.command_syncs) == 1


async def test_overlapping_ranges_are_warned_about_and_still_post_once(db, on_postgres, caplog):
    clock = Clock(datetime(2026, 9, 27, 9, 1, tzinfo=UTC))
    caplog.set_level(logging.WARNING, logger="bot.app")
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        async with process(fake, db, on_postgres, Shards((0, 1), 2), clock) as first:
            assert "also run by another process" not in caplog.text
            async with process(fake, db, on_postgres, Shards((0,), 2), clock) as second:
                assert "shard(s) 0 of 2 are also run by another process" in caplog.text
                await subscribe_channel(first)
                await subscribe_dm(first)
                for _ in range(3):
                    await asyncio.gather(first.scheduler.tick(), second.scheduler.tick())
                assert len(daily_posts(fake)) == 2


async def test_about_shows_the_process_shards_and_latency(db, on_postgres):
    clock = Clock(datetime(2026, 9, 27, 9, 1, tzinfo=UTC))
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        async with process(fake, db, on_postgres, Shards((0, 1), 8), clock) as bot:
            assert "shards 0-1 of 8, gateway latency" in bot.process_status()
            _, response = await answer(fake, "about")
            assert "This process: shards 0-1 of 8, gateway latency" in embed_text(response)


def test_the_database_password_is_redacted_from_every_log_line():
    import io

    from bot.runner import setup_logging

    out = io.StringIO()
    url = "postgresql://bot:Pg-s3cret-77@db.example/archive"
    setup_logging(Settings(database_url=url), out)
    logging.getLogger("anything").warning("connecting to %s failed", url)
    assert "Pg-s3cret-77" not in out.getvalue() and "connecting to postgresql://bot:" in out.getvalue()
    assert "Pg-s3cret-77" not in repr(Settings(database_url=url))


async def test_identifies_wait_only_for_their_own_bucket_whichever_process_took_its_turn(db, backend):
    interval = 0.6  # Discord's is 5 s; the turns are measured the same way on the database's clock
    first_archive, second_archive = await Archive.open(db, PEOPLE), await Archive.open(db, PEOPLE)
    try:
        one, other = await backend.open(first_archive.store), await backend.open(second_archive.store)
        gate, other_gate = IdentifyGate(2, one, interval=interval), IdentifyGate(2, other, interval=interval)
        started = time.monotonic()
        await gate.wait(0)
        await other_gate.wait(1)  # another bucket: at once, though another process took bucket 0's turn
        assert time.monotonic() - started < interval / 2
        await other_gate.wait(2)  # bucket 0 again, from the other process: waits out the first one's turn
        assert time.monotonic() - started >= interval
        both = time.monotonic()
        await asyncio.gather(gate.wait(4), other_gate.wait(6))  # both want bucket 0 at once: one turn each
        assert time.monotonic() - both >= 2 * interval - 0.05
    finally:
        await first_archive.close()
        await second_archive.close()


async def test_a_long_ingest_holding_the_archive_does_not_hold_a_shards_turn_to_connect(db):
    """An ingest holds the archive's write lock for its whole file (minutes at a million records): the turns are
    taken beside the archive, not behind that lock, so a process starting meanwhile still connects in turn."""
    archive = await Archive.open(db, PEOPLE)
    ingest = sqlite3.connect(db, isolation_level=None)
    try:
        ingest.execute("BEGIN IMMEDIATE")  # what `archive-bot ingest` holds while it writes a file
        gate = IdentifyGate(1, SqliteState(archive.store), interval=0.4)
        async with asyncio.timeout(5):  # the archive's writers wait up to WRITE_WAIT (120 s) for that lock
            started = time.monotonic()
            await gate.wait(0)
            await gate.wait(1)  # the same bucket: the second waits out the first's turn, as without the ingest
        assert time.monotonic() - started >= 0.4
    finally:
        ingest.execute("ROLLBACK")
        ingest.close()
        await archive.close()


async def test_a_shard_still_connects_when_the_shared_state_is_away(db, on_postgres, caplog):
    archive = await Archive.open(db, PEOPLE)
    try:
        state = await on_postgres.open(archive.store)
        await state.close()  # PostgreSQL out of reach: the pool is gone
        started = time.monotonic()
        await IdentifyGate(1, state, interval=0.3).wait(0)
        assert time.monotonic() - started >= 0.3  # spaced as if the process were alone
        assert "could not take shard 0's turn to connect" in caplog.text
    finally:
        await archive.close()


async def test_two_processes_starting_together_identify_in_turn_as_discord_requires(db, on_postgres, monkeypatch):
    monkeypatch.setattr("bot.app.IDENTIFY_INTERVAL", 1.0)
    clock = Clock(datetime(2026, 9, 27, 9, 1, tzinfo=UTC))
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord(identify_interval=1.0) as fake:
        fake.add_guild(SHARD_1_GUILD, "Second Server", SHARD_1_CHANNEL)
        async with contextlib.AsyncExitStack() as stack:
            first, second = await asyncio.gather(
                stack.enter_async_context(process(fake, db, on_postgres, Shards((0,), 2), clock)),
                stack.enter_async_context(process(fake, db, on_postgres, Shards((1,), 2), clock)))
            assert first.get_guild(fake.GUILD_ID) is not None and second.get_guild(SHARD_1_GUILD) is not None
            assert sorted(p["shard"][0] for p in fake.identify_payloads) == [0, 1]
            assert fake.identify_refusals == 0  # each waited for the other's turn: none was sent too soon


async def test_a_process_with_four_shards_uses_the_concurrency_discord_allows(db, on_postgres):
    clock = Clock(datetime(2026, 9, 27, 9, 1, tzinfo=UTC))
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord(max_concurrency=4) as fake:
        async with process(fake, db, on_postgres, Shards((0, 1, 2, 3), 4), clock) as bot:
            assert isinstance(bot, ShardedArchiveBot) and bot.identify_gate is not None
            assert bot.identify_gate.max_concurrency == 4
            assert sorted(p["shard"][0] for p in fake.identify_payloads) == [0, 1, 2, 3]
