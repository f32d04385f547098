"""The bot's state in a real PostgreSQL (retrieval/state/postgres.py): claims decided by the database between
OS processes, schema versions, and the faults: a server that is not there, a wrong password, a server that goes
away mid-run and comes back."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from retrieval import pg
from retrieval.daily import DailyScheduler, Result, Target
from retrieval.pg import SCHEMA_VERSION
from retrieval.state import open_state, safe_url
from retrieval.state.postgres import PostgresState
from retrieval.store import StoreError, StoreProblem
from testing.postgres import postgres_server

from ..conftest import ROOT
from .test_daily_protocol import NINE, Clock, Documents, FakePoster

DAY = date(2026, 9, 27)
CLAIMER = """
import asyncio, json, sys
from datetime import date
from retrieval.state.postgres import PostgresState

async def main(url, owner, count):
    state = await PostgresState.open(url, owner)
    won = []
    try:
        subs = await state.active()
        for round in range(3):  # claim every subscription, three times over, racing the other process
            for sub in subs:
                if await state.claim(sub, date(2026, 9, 27), 1) is not None:
                    won.append(sub.id)
    finally:
        await state.close()
    print(json.dumps(won))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def subscribe_many(state: PostgresState, count: int) -> None:
    for n in range(count):
        await state.subscribe(target=Target.channel(100 + n), guild_id=(n << 22), created_by=7, post_time="09:00",
                              zone="UTC")


async def test_two_processes_claiming_the_same_subscriptions_each_win_each_once(pg_database, tmp_path):
    state = await PostgresState.open(pg_database, "setup")
    try:
        await subscribe_many(state, 60)
    finally:
        await state.close()
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, pg_database, f"process-{n}", "60"], cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}) for n in range(2)]
    won = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        won.append(json.loads(out))
    claimed = sorted(won[0] + won[1])
    assert claimed == sorted(set(claimed)) and len(claimed) == 60  # every subscription claimed, each once
    conn = await asyncpg.connect(pg_database)
    try:
        owners = {row[0] for row in await conn.fetch("SELECT owner FROM daily_posts")}
        assert await conn.fetchval("SELECT count(*) FROM daily_posts WHERE token = 1") == 60
    finally:
        await conn.close()
    assert owners <= {"process-0", "process-1"}


async def test_the_schema_is_migrated_once_and_a_newer_one_is_refused(pg_database):
    first, second = await asyncio.gather(PostgresState.open(pg_database), PostgresState.open(pg_database))
    try:
        assert await first.schema_version() == SCHEMA_VERSION == await second.schema_version()
        await first.set_state("commands_hash:global", "abc")
        assert await second.get_state("commands_hash:global") == "abc"
        assert await second.get_state("nothing") is None
        async with first.db.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM schema_version") == SCHEMA_VERSION
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", SCHEMA_VERSION + 1)
    finally:
        await first.close()
        await second.close()
    with pytest.raises(StoreError) as caught:
        await PostgresState.open(pg_database)
    assert caught.value.problem is StoreProblem.NEWER


async def test_a_server_that_is_not_there_is_one_clear_line_without_the_password(postgres):
    with postgres_server() as gone:
        url = gone.url
    with pytest.raises(StoreError) as caught:
        await open_state(None, url)  # type: ignore[arg-type]  # the archive is not needed for PostgreSQL
    text = str(caught.value)
    assert caught.value.problem is StoreProblem.UNREACHABLE and "cannot reach PostgreSQL" in text
    assert "\n" not in text and gone.password not in text and safe_url(url) in text


async def test_a_wrong_password_is_one_clear_line_without_either_password(postgres):
    url = postgres.url.replace(postgres.password, "not-the-password-42")
    with pytest.raises(StoreError) as caught:
        await PostgresState.open(url)
    text = str(caught.value)
    assert caught.value.problem is StoreProblem.REFUSED and "refused the user name or password" in text
    assert "not-the-password-42" not in text and postgres.password not in text and "\n" not in text


@pytest.mark.slow
async def test_a_server_lost_mid_run_is_reconnected_to_and_nothing_is_posted_twice(monkeypatch, tmp_path):
    monkeypatch.setattr(pg, "CONNECT_BACKOFF", (0.2, 0.4))  # the same backoff, shorter: the test waits less
    with postgres_server() as server:
        state = await PostgresState.open(server.url, "me")
        try:
            long_ago = datetime(2026, 1, 1, tzinfo=UTC)
            first = await state.subscribe(target=Target.channel(10), guild_id=1, created_by=7, post_time="09:00",
                                          zone="UTC", now=long_ago)
            await state.subscribe(target=Target.channel(11), guild_id=1, created_by=7, post_time="10:00", zone="UTC",
                                  now=long_ago)
            poster, clock = FakePoster(), Clock(NINE)
            scheduler = DailyScheduler(Documents(), state, poster, clock=clock, sleep=lambda s: asyncio.sleep(0))
            assert [o.result for o in await scheduler.tick()] == [Result.SENT]
            await asyncio.to_thread(server.stop)
            clock.now = NINE + timedelta(hours=1)
            with pytest.raises(StoreError) as caught:  # the tick fails as a whole (run() logs it and goes on)
                await scheduler.tick()
            assert caught.value.problem is StoreProblem.UNREACHABLE
            await asyncio.to_thread(server.start)
            outcomes = await scheduler.tick()  # the pool connects again
            assert [o.result for o in outcomes] == [Result.SENT]
            assert await scheduler.tick() == []
            assert sorted(s for s, _, _ in poster.posts) == [first.id, first.id + 1]  # each once, none paused
            assert all(sub.paused is None for sub in await state.active())
        finally:
            await state.close()


async def test_a_url_shown_never_carries_its_password():
    assert safe_url("postgresql://bot:s3cret@db.example:5432/archive") == "postgresql://bot:***@db.example:5432/archive"
    assert safe_url("postgresql://db.example/archive") == "postgresql://db.example/archive"


