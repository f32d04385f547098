"""A running `archive-bot` process with DATABASE_URL serves the PostgreSQL archive from its local replica and
finds a record inserted into PostgreSQL by someone else after it started, without a restart: the console (a real
process on a pipe) and the bot (a real process against the local stand-in for Discord)."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from retrieval.transfer import Endpoint, migrate
from testing.fakediscord import FakeDiscord

from ..retrieval.test_replica import _new_record
from .conftest import cli_process, embed_text
from .test_process import TOKEN

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Letter, Ulbricht to Khrushchev"
FOLLOW_WAIT = 30.0  # seconds a change may take to reach the process (it looks every 2 s)


@pytest.fixture
async def pg_archive(db: Path, pg_database: str) -> str:
    await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(pg_database))
    return pg_database


def _env(home: Path, url: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ARCHIVE_", "DATABASE_"))}
    env.update(PYTHONPATH=str(ROOT), DATABASE_URL=url, ARCHIVE_DB=str(home / "archive.db"), LOG_LEVEL="INFO",
               **more)
    return env


async def _insert(url: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await _new_record(conn, TITLE)
    finally:
        await conn.close()


async def _answer(process: asyncio.subprocess.Process, line: str) -> str:
    """The console's answer to one line (it ends with a blank line when read from a pipe)."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(line.encode() + b"\n")
    await process.stdin.drain()
    lines = []
    while (got := await asyncio.wait_for(process.stdout.readline(), 60)) not in (b"\n", b""):
        lines.append(got.decode())
    return "".join(lines)


async def _console_until_found(home: Path, env: dict[str, str], add: Callable[[], Awaitable[object]]) -> str:
    """A console process with DATABASE_URL that knows the seeds, then is asked until it finds what `add` puts into
    PostgreSQL meanwhile (within FOLLOW_WAIT); returns its log once it has quit cleanly."""
    async with cli_process("console", cwd=home, env=env, stdin=asyncio.subprocess.PIPE) as process:
        assert "Filippov" in await _answer(process, "/search Filippov insects")
        assert TITLE not in await _answer(process, "/search zanzibarite")
        await add()
        deadline = time.monotonic() + FOLLOW_WAIT
        while TITLE not in (found := await _answer(process, "/search zanzibarite")):
            assert time.monotonic() < deadline, found
            await asyncio.sleep(0.5)
        assert process.stdin is not None
        process.stdin.close()
        status = await asyncio.wait_for(process.wait(), 30)
    assert process.stderr is not None
    log = (await process.stderr.read()).decode()
    assert status == 0, log
    return log


@pytest.mark.slow
async def test_the_console_finds_what_was_added_to_postgresql_after_it_started(pg_archive: str,
                                                                               tmp_path: Path) -> None:
    home = tmp_path / "bot"  # not the test's own folder, where the seeded archive it migrated lies
    home.mkdir()
    log = await _console_until_found(home, _env(home, pg_archive), lambda: _insert(pg_archive))
    assert "full copy:" in log and "changes: 1 records synced in" in log
    assert "archive.replica.db" in log
    assert not (home / "archive.db").exists()  # the configured archive is never written: only its replica
    assert (home / "archive.replica.db").is_file()


@pytest.mark.slow
async def test_the_bot_finds_what_was_added_to_postgresql_after_it_started(pg_archive: str, tmp_path: Path) -> None:
    home = tmp_path / "bot"
    home.mkdir()
    async with FakeDiscord() as fake:
        env = _env(home, pg_archive, DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base,
                   DISCORD_GATEWAY_URL=fake.gateway_url)
        async with cli_process("run", cwd=home, env=env) as process:
            await fake.wait_ready(timeout=60)
            await asyncio.sleep(2.5)  # discord.py waits for more servers before it calls itself ready
            payload = await fake.send_slash("search", {"query": "Filippov insects"})
            assert "Filippov" in embed_text(await fake.wait_for_response(payload["id"], timeout=15))
            await _insert(pg_archive)
            deadline = time.monotonic() + FOLLOW_WAIT
            while True:
                payload = await fake.send_slash("search", {"query": "zanzibarite"})
                text = embed_text(await fake.wait_for_response(payload["id"], timeout=15))
                if TITLE in text:
                    break
                assert time.monotonic() < deadline, text
                await asyncio.sleep(1)
            process.send_signal(signal.SIGTERM)
            status = await asyncio.wait_for(process.wait(), 20)
        assert process.stderr is not None
        log = (await process.stderr.read()).decode()
        assert status == 0, log
        assert "changes: 1 records synced in" in log and "stopped cleanly" in log
        assert not (home / "archive.db").exists()


def _cli(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=home, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
async def test_the_read_commands_read_postgresql_through_the_replica(pg_archive: str, tmp_path: Path) -> None:
    home = tmp_path / "bot"
    home.mkdir()
    await _insert(pg_archive)
    env = _env(home, pg_archive)
    found = await asyncio.to_thread(_cli, home, env, "search", "zanzibarite", "--json")
    assert found.returncode == 0, found.stderr
    rid = json.loads(found.stdout)["hits"][0]["id"]
    shown = await asyncio.to_thread(_cli, home, env, "show", str(rid))
    assert TITLE in shown.stdout
    exported = await asyncio.to_thread(_cli, home, env, "export")
    assert TITLE in exported.stdout and exported.stdout.count("\n") > 50
    del env["DATABASE_URL"]  # --database-url says the same
    flagged = await asyncio.to_thread(_cli, home, env, "search", "--database-url", pg_archive, "zanzibarite")
    assert TITLE in flagged.stdout
    assert not (home / "archive.db").exists() and (home / "archive.replica.db").is_file()


@pytest.mark.parametrize("url", ["postgresql://archive:not-the-password-xyz@127.0.0.1:{port}/postgres",
                                 "postgresql://archive:pw-xyz@127.0.0.1:9/none"])
async def test_postgresql_refusing_or_unreachable_is_one_line(url: str, postgres, tmp_path: Path) -> None:
    env = _env(tmp_path, url.format(port=postgres.port))
    for command in (("search", "mao"), ("console",)):
        done = await asyncio.to_thread(_cli, tmp_path, env, *command)
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("archive-bot: "), done.stderr
        assert "xyz" not in done.stderr and "Traceback" not in done.stderr


NEW_LISTING = """Results:

1 - 1 of 1

Documents

March 3, 1961

Letter, Ulbricht to Khrushchev on the zanzibarite question

Walter Ulbricht writes to Nikita Khrushchev about the zanzibarite question and the Berlin border.
"""


@pytest.mark.slow
async def test_an_empty_postgresql_is_seeded_and_an_ingest_by_another_process_reaches_the_console(
        pg_database: str, tmp_path: Path) -> None:
    """The whole path of several processes: the first start fills an empty PostgreSQL archive with the seed
    pages (as SQLite's first start does), and `archive-bot ingest` in another process, into PostgreSQL, shows up in
    the running console's searches without a restart."""
    home = tmp_path / "bot"
    home.mkdir()
    env = _env(home, pg_database)
    listing = tmp_path / "new.txt"
    listing.write_text(NEW_LISTING, encoding="utf-8")

    async def ingest() -> None:
        done = await asyncio.to_thread(_cli, tmp_path, env, "ingest", str(listing))
        assert done.returncode == 0, done.stderr

    log = await _console_until_found(home, env, ingest)
    assert "was empty; added the bundled seed pages" in log
    assert "changes: 1 records synced in" in log
    assert not (home / "archive.db").exists()
