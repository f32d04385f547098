"""What the bot tests share: the bot running against the stand-in for Discord, and reading its replies."""
from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from bot.app import ArchiveBot
from bot.config import Settings
from retrieval.search import Archive
from testing.fakediscord import FakeDiscord

from ..conftest import PEOPLE, StateBackend

EPHEMERAL = 64
BOT_TEST_TIMEOUT = 60.0


async def start_bot(db: Path, backend: StateBackend | None = None, **kwargs) -> ArchiveBot:
    """The bot on `db`, its own state in `backend` (default: the archive's SQLite database)."""
    archive = await Archive.open(db, PEOPLE)
    if backend is not None:
        kwargs["state"] = await backend.open(archive.store)
    return ArchiveBot(archive, Settings(archive_db=db), run_scheduler=False, **kwargs)


@contextlib.asynccontextmanager
async def running_bot(db: Path, backend: StateBackend | None = None,
                      **kwargs) -> AsyncIterator[tuple[FakeDiscord, ArchiveBot]]:
    """The bot logged in to a fresh stand-in; a hung test fails after a minute instead of hanging the run."""
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        bot = await start_bot(db, backend, **kwargs)
        try:
            async with fake.running(bot):
                yield fake, bot
        finally:
            await bot.archive.close()


def embed_text(request) -> str:
    return "\n".join(f"{e.get('title', '')}\n{e.get('description', '')}\n" +
                     "\n".join(f"{f['name']}: {f['value']}" for f in e.get("fields", []))
                     + "\n" + e.get("footer", {}).get("text", "")
                     for e in request.embeds or [])


async def answer(fake: FakeDiscord, name: str, options=None, **kwargs):
    payload = await fake.send_slash(name, options, **kwargs)
    response = await fake.wait_for_response(payload["id"])
    return payload, response


@contextlib.asynccontextmanager
async def cli_process(*args: str, cwd: Path, env: dict[str, str],
                      stdin: int = asyncio.subprocess.DEVNULL) -> AsyncIterator[asyncio.subprocess.Process]:
    """`archive-bot ARGS` as a real process (stdout and stderr piped); killed on the way out if the test left it
    running, so a failed assertion never leaves it behind."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", *args, cwd=cwd, env=env,
                                                   stdin=stdin, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.PIPE)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
