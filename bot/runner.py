"""Starting and stopping: logging, the archive on first start, the bot or the console, clean shutdown."""
from __future__ import annotations

import asyncio
import logging
import logging.handlers
import signal
import sys
from collections.abc import Callable
from typing import TextIO

from retrieval.ingest import ingest_if_empty
from retrieval.people import PeopleDirectory
from retrieval.search import Archive
from retrieval.store import ArchiveStore

from .commands import Commands
from .config import Settings
from .console import run_console
from .wording import Front

log = logging.getLogger("archive-bot")

NO_TOKEN_HELP = """\
No DISCORD_TOKEN is configured, so here is the local console instead (same commands, same answers).
To put archive-bot on Discord:
  1. https://discord.com/developers/applications -> New Application -> Bot -> Reset Token; copy it.
  2. Put it in a file named .env beside where you run the bot:  DISCORD_TOKEN=...   (see .env.example)
  3. Invite the bot with the link in the README (scopes bot + applications.commands), then run it again.
"""


class RedactSecrets(logging.Filter):
    """A last line of defence: a secret that reaches a log record anyway is replaced before it is written."""

    def __init__(self, *secrets: str | None) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(s in message for s in self.secrets):
                for secret in self.secrets:
                    message = message.replace(secret, "[redacted]")
                record.msg, record.args = message, None
        return True


def setup_logging(settings: Settings, stream: TextIO = sys.stderr) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(stream)]
    if settings.log_file is not None:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(settings.log_file, maxBytes=5 << 20, backupCount=3,
                                                             encoding="utf-8"))
    redact = RedactSecrets(settings.discord_token)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
        handler.addFilter(redact)
        root.addHandler(handler)
    root.setLevel(settings.log_level)
    logging.getLogger("discord").setLevel(max(logging.INFO, root.level))


async def open_archive(settings: Settings, announce: Callable[[str], None] | None = None) -> Archive:
    """The archive, created on first start and filled with the bundled seed pages when empty."""
    say = announce or log.info
    people = await asyncio.to_thread(PeopleDirectory.load)
    waiting = f"waiting for another process writing to {settings.archive_db} to finish…"
    async with await ArchiveStore.open(settings.archive_db, on_wait=lambda: say(waiting)) as store:
        report = await ingest_if_empty(store, people, settings.seeds)
    if report is not None:
        say(f"{settings.archive_db} was empty; added the bundled seed pages ({report.summary_line()})")
    return await Archive.open(settings.archive_db, people)


def _on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass


async def run_bot(settings: Settings) -> int:
    """Run on Discord until SIGINT/SIGTERM; returns the exit status."""
    import discord

    from .app import ArchiveBot, use_discord_endpoints  # discord.py loads only when the bot runs

    assert settings.discord_token
    use_discord_endpoints(settings)
    archive = await open_archive(settings)
    try:
        bot = ArchiveBot(archive, settings)
    except BaseException:
        await archive.close()  # aiosqlite's thread would otherwise keep the process alive
        raise
    stop = asyncio.Event()
    _on_signals(asyncio.get_running_loop(), stop)
    runner = asyncio.create_task(bot.start(settings.discord_token))
    stopper = asyncio.create_task(stop.wait())
    status = 0
    try:
        done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner in done and runner.exception() is not None:
            exc = runner.exception()
            if isinstance(exc, discord.LoginFailure):
                log.error("Discord refused the token (DISCORD_TOKEN): reset it in the Developer Portal")
            else:
                log.error("the bot stopped: %s", exc, exc_info=exc)
            status = 1
        else:
            log.info("shutting down")
    finally:
        stopper.cancel()
        await bot.close()
        if not runner.done():
            runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await archive.close()
    log.info("stopped cleanly")
    return status


async def run_console_app(settings: Settings, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    archive = await open_archive(settings)
    stop = asyncio.Event()
    try:
        await run_console(Commands(archive, front=Front.CONSOLE), stdin, stdout, stop)
    finally:
        await archive.close()
    return 0
