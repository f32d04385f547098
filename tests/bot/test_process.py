"""`archive-bot run` as a real process, reaching a local stand-in for Discord through DISCORD_API_BASE and
DISCORD_GATEWAY_URL: it logs in, syncs, answers a slash command and a DM, and stops cleanly on SIGTERM."""
from __future__ import annotations

import asyncio
import os
import signal

import pytest

from testing.fakediscord import BOB_ID, FakeDiscord

from .conftest import cli_process

TOKEN = "MTAwMA" + "x" * 20 + ".abcdef." + "y" * 27  # the shape of a bot token, good only for the stand-in


@pytest.mark.slow
async def test_the_bot_process_logs_in_syncs_answers_and_stops_cleanly(tmp_path):
    async with FakeDiscord() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ARCHIVE_"))}
        env.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
                   ARCHIVE_DB=str(tmp_path / "archive.db"), LOG_LEVEL="INFO")
        async with cli_process("run", cwd=tmp_path, env=env) as process:
            await fake.wait_ready(timeout=60)
            await fake.wait_for_request("PUT", r"^/applications/\d+/commands$", timeout=30)
            await asyncio.sleep(2.5)  # discord.py waits for more servers before it calls itself ready
            payload = await fake.send_slash("search", {"query": "Filippov insects"})
            response = await fake.wait_for_response(payload["id"], timeout=15)
            assert "Cable, Mao Zedong to Filippov \\[Stalin\\]" in response.embeds[0]["description"]
            await fake.send_message("khrushchev letter to zhou on nuclear testing", guild=False, user_id=BOB_ID)
            dm = await fake.wait_for(lambda r: r.method == "POST" and r.path.endswith("/messages")
                                     and "Khrushchev" in str(r.embeds), timeout=15)
            assert dm.allowed_mentions == {"parse": []}
            process.send_signal(signal.SIGTERM)
            status = await asyncio.wait_for(process.wait(), 20)
        assert process.stderr is not None
        stderr = (await process.stderr.read()).decode()
        assert status == 0, stderr
        assert "was empty; added the bundled seed pages" in stderr
        assert "synced 11 application commands (global)" in stderr
        assert "archive ready: 55 documents" in stderr
        assert "stopped cleanly" in stderr
        assert TOKEN not in stderr and TOKEN.split(".")[0] not in stderr
        await fake.wait_disconnected(timeout=5)
