"""Starting and stopping: logging, the archive on first start, the bot or the console, clean shutdown."""
from __future__ import annotations

import asyncio
import logging
import logging.handlers
import re
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import TextIO

from retrieval.dburl import safe_url
from retrieval.ingest import ingest_if_empty
from retrieval.people import PeopleDirectory
from retrieval.replica import Replica, SyncReport, replica_path
from retrieval.search import Archive
from retrieval.state import open_state
from retrieval.stores import open_store

from .commands import Commands
from .config import TOKEN_LIKE, Settings
from .console import run_console
from .text_render import visible
from .wording import Front

log = logging.getLogger("archive-bot")

NO_TOKEN_HELP = """\
No DISCORD_TOKEN is configured, so here is the local console instead (same commands, same answers).
To put archive-bot on Discord:
  1. https://discord.com/developers/applications -> New Application -> Bot -> Reset Token; copy it.
  2. Put it in a file named .env beside where you run the bot:  DISCORD_TOKEN=...   (see .env.example)
  3. Invite the bot with the link in the README (scopes bot + applications.commands), then run it again.
"""


class Redactor:
    """Replaces secrets in text: each one whole, its long dot-separated parts alone, and anything shaped like a
    bot token (even cut short), so neither a token echoed in an error body nor a stale one slips through."""

    MARK = "[redacted]"

    def __init__(self, *secrets: str | None) -> None:
        pieces = {piece for secret in secrets if secret
                  for piece in (secret, *(part for part in secret.split(".") if len(part) >= 20))}
        patterns = [TOKEN_LIKE.pattern, *(re.escape(p) for p in sorted(pieces, key=len, reverse=True))]
        self._pattern = re.compile("|".join(patterns))

    def __call__(self, text: str) -> str:
        return self._pattern.sub(self.MARK, text)


class SafeFormatter(logging.Formatter):
    """Formats a record, then redacts secrets and shows control characters in the whole text: the message, its
    arguments, the exception chain and the stack. Every handler uses it, so no output path goes around it."""

    def __init__(self, fmt: str, redact: Redactor) -> None:
        super().__init__(fmt)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        try:
            text = super().format(record)
        except (TypeError, ValueError) as exc:  # arguments that do not fit: logging would dump them raw
            record.msg, record.args = f"unformattable log message {record.msg!r} {record.args!r}: {exc}", None
            text = super().format(record)
        # The record keeps the cleaned text too: logging's own error report and other formatters reuse it.
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return visible(self.redact(text))


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """An exception no code caught goes through the log (and its redaction) instead of raw to stderr."""
    log.critical("uncaught exception", exc_info=(kind, exc, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        log.critical("uncaught exception in thread %s", args.thread.name if args.thread else "?",
                     exc_info=(args.exc_type, args.exc_value, args.exc_traceback))


def setup_logging(settings: Settings, stream: TextIO = sys.stderr) -> None:
    """One format for stderr and LOG_FILE; everything written is redacted, then the start-up warnings."""
    handlers: list[logging.Handler] = [logging.StreamHandler(stream)]
    if settings.log_file is not None:
        settings.log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(settings.log_file, maxBytes=5 << 20, backupCount=3,
                                                             encoding="utf-8"))
    formatter = SafeFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s",
                              Redactor(settings.discord_token, settings.database_password))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(settings.log_level)
    logging.getLogger("discord").setLevel(max(logging.INFO, root.level))
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    for warning in settings.warnings:
        log.warning("%s", warning)


async def open_archive(settings: Settings, announce: Callable[[str], None] | None = None, *,
                       background: bool = False) -> Archive:
    """The archive, created on first start and filled with the bundled seed pages when empty; `background`: its
    index is built (or loaded) while the caller goes on (`Archive.loaded()`). With DATABASE_URL, the archive is
    PostgreSQL's, served from the local replica (retrieval/replica.py), synced first."""
    say = announce or log.info
    people = await asyncio.to_thread(PeopleDirectory.load)
    target = settings.database_url or settings.archive_db
    shown = safe_url(target) if isinstance(target, str) else str(target)
    waiting = f"waiting for another process writing to {shown} to finish…"
    async with await open_store(target, on_wait=lambda: say(waiting)) as store:
        report = await ingest_if_empty(store, people, settings.seeds)
    if report is not None:
        say(f"{shown} was empty; added the bundled seed pages ({report.summary_line()})")
    if settings.database_url is not None:
        return await Archive.open(await synced_replica(settings), people, background=background)
    return await Archive.open(settings.archive_db, people, background=background)


async def synced_replica(settings: Settings) -> Path:
    """The local replica of the PostgreSQL archive (DATABASE_URL), brought up to date: the file to read."""
    assert settings.database_url is not None
    path = replica_path(settings.archive_db)
    async with await Replica.open(settings.database_url, path) as replica:
        report = await replica.sync()
    log.info("replica %s of %s: %s", path, safe_url(settings.database_url), report.summary_line())
    return path


@asynccontextmanager
async def following(settings: Settings, archive: Archive) -> AsyncIterator[None]:
    """With DATABASE_URL: the replica synced in the background while the caller runs, and the index refreshed
    after each sync that brought changes (searches go on meanwhile), so an ingest into PostgreSQL by any
    process shows up without a restart."""
    if settings.database_url is None:
        yield
        return
    replica = await Replica.open(settings.database_url, replica_path(settings.archive_db))

    async def changed(report: SyncReport) -> None:
        if await archive.refresh_if_changed():
            log.info("archive changed; index refreshed (%d documents)", archive.size)

    task = asyncio.create_task(replica.follow(changed), name="replica-sync")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await replica.close()


def _on_signals(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no signals here
            pass


def _out_of_reach(exc: BaseException | None) -> bool:
    """Discord could not be reached at all (no network, DNS, a proxy down, its servers failing): an operator's
    problem to fix outside the bot, said in one line rather than a traceback."""
    import aiohttp
    import discord

    return isinstance(exc, (OSError, aiohttp.ClientError, TimeoutError, discord.GatewayNotFound,
                            discord.DiscordServerError))


async def run_bot(settings: Settings) -> int:
    """Run on Discord until SIGINT/SIGTERM; returns the exit status."""
    import discord

    from .app import make_bot, use_discord_endpoints  # discord.py loads only when the bot runs

    assert settings.discord_token
    use_discord_endpoints(settings)
    started = time.perf_counter()
    # The bot connects while the index loads, so what arrives on a cold start is acknowledged in time.
    archive = await open_archive(settings, background=True)
    try:
        state = await open_state(archive.store, settings.database_url)
    except BaseException:
        await archive.close()  # aiosqlite's thread would otherwise keep the process alive
        raise
    log.info("the bot's state (subscriptions, daily ledger, command sync) is in %s", state.describe())
    try:
        bot = make_bot(archive, settings, state=state)
    except BaseException:
        await state.close()
        await archive.close()
        raise
    stop = asyncio.Event()
    _on_signals(asyncio.get_running_loop(), stop)
    runner = asyncio.create_task(bot.start(settings.discord_token))
    stopper = asyncio.create_task(stop.wait())
    loading = asyncio.create_task(archive.loaded())
    status = 0
    try:
        async with following(settings, archive):
            done, _ = await asyncio.wait({runner, stopper, loading}, return_when=asyncio.FIRST_COMPLETED)
            if done == {loading} and loading.exception() is None:
                log.info("archive ready: %d documents, %.1f s after start", archive.size,
                         time.perf_counter() - started)
                done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if loading in done and loading.exception() is not None:
                log.error("the archive's index could not be built: %s", loading.exception())
                status = 1
            elif runner in done and runner.exception() is not None:
                exc = runner.exception()
                if isinstance(exc, discord.LoginFailure):
                    log.error("Discord refused the token (DISCORD_TOKEN): reset it in the Developer Portal")
                elif _out_of_reach(exc):
                    log.error("cannot reach Discord: %s; check this machine's network (and DISCORD_API_BASE if "
                              "set), then start the bot again", exc)
                else:
                    log.error("the bot stopped: %s", exc, exc_info=exc)
                status = 1
            else:
                log.info("shutting down")
    finally:
        stopper.cancel()
        loading.cancel()
        await bot.close()
        if not runner.done():
            runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await state.close()
        await archive.close()
    log.info("stopped cleanly")
    return status


async def run_console_app(settings: Settings, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    archive = await open_archive(settings)
    stop = asyncio.Event()
    try:
        async with following(settings, archive):
            await run_console(Commands(archive, front=Front.CONSOLE), stdin, stdout, stop)
    finally:
        await archive.close()
    return 0
