"""A cold start: the bot connects while the archive's index is still being built (minutes on a million
records without a saved index), so what arrives meanwhile is acknowledged within Discord's 3 seconds and
answered once the index is ready."""
from __future__ import annotations

import asyncio
import logging
import socket

import discord

from bot.app import ArchiveBot
from bot.config import Settings
from bot.runner import run_bot
from retrieval.search import Archive
from testing.fakediscord import FakeDiscord

from ..conftest import PEOPLE
from .conftest import BOT_TEST_TIMEOUT, embed_text


async def test_commands_arriving_while_the_index_builds_are_acknowledged_then_answered(db, monkeypatch):
    building = asyncio.Event()
    build = Archive.refresh

    async def slow_first_build(self: Archive) -> None:
        await building.wait()  # the index of a large archive, still being built
        await build(self)

    monkeypatch.setattr(Archive, "refresh", slow_first_build)
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        archive = await Archive.open(db, PEOPLE, background=True)
        assert not archive.is_loaded
        bot = ArchiveBot(archive, Settings(archive_db=db), run_scheduler=False)
        try:
            async with fake.running(bot):
                asked = await fake.send_slash("search", {"query": "Filippov insects"})
                first = await fake.wait_for_response(asked["id"], timeout=2.9)
                assert first.callback_type == 5  # deferred: Discord shows "thinking…" instead of failing
                typed = await fake.send_autocomplete("doc", "id", "insects")
                offered = await fake.wait_for_response(typed["id"], timeout=2.9)
                assert offered.callback_type == 8 and offered.json["data"]["choices"] == []
                await fake.send_message("Filippov insects", guild=False)
                await asyncio.sleep(0.2)
                assert not [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]

                building.set()
                answered = await fake.wait_for(lambda r: r.kind in ("followup", "original_edit")
                                               and "Filippov" in embed_text(r), timeout=10)
                assert "insects" in embed_text(answered).lower()
                dm = await fake.wait_for(lambda r: r.method == "POST" and r.path.endswith("/messages"), timeout=10)
                assert "Filippov" in embed_text(dm)
        finally:
            await archive.close()


async def test_an_index_that_cannot_be_built_stops_the_bot_with_one_line(db, monkeypatch, caplog):
    async def broken(self: Archive) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Archive, "refresh", broken)
    caplog.set_level(logging.INFO)
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        settings = Settings(archive_db=db, discord_token="fake-bot-token", api_base=fake.api_base,
                            gateway_url=fake.gateway_url)
        assert await run_bot(settings) == 1
    assert "the archive's index could not be built: [Errno 28] No space left on device" in caplog.text
    assert "stopped cleanly" in caplog.text


async def test_discord_out_of_reach_at_start_stops_the_bot_with_one_line_and_no_traceback(db, caplog, monkeypatch):
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)  # as in a fresh process without PyNaCl
    with socket.socket() as closed:  # a port nothing listens on: the connection is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    caplog.set_level(logging.INFO)
    settings = Settings(archive_db=db, discord_token="fake-bot-token", api_base=f"http://127.0.0.1:{port}/api/v10",
                        gateway_url=f"ws://127.0.0.1:{port}/")
    async with asyncio.timeout(BOT_TEST_TIMEOUT):
        assert await run_bot(settings) == 1
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info is None, [r.getMessage() for r in errors]
    assert errors[0].getMessage().startswith("cannot reach Discord: ")
    assert f"127.0.0.1:{port}" in errors[0].getMessage()
    assert "voice" not in caplog.text  # the bot never joins voice: no warnings about its libraries
