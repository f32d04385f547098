"""Writing interactions while another process holds the archive's write lock: the bot defers before
Discord's 3 s deadline, waits its turn, then answers (through the local stand-in for Discord)."""
from __future__ import annotations

import time

import pytest

from testing.fakediscord import ALICE_ID

from ..locking import write_lock_held
from .conftest import embed_text, running_bot

pytestmark = pytest.mark.slow  # a lock held by another process for seconds


async def test_daily_set_during_another_write_is_deferred_then_answered(db):
    async with running_bot(db) as (fake, bot):
        with write_lock_held(db, 6):
            started = time.monotonic()
            payload = await fake.send_slash("daily", subcommand="set", guild=False, user_id=ALICE_ID)
            first = await fake.wait_for_response(payload["id"], timeout=10)
            assert time.monotonic() - started < 3
            assert first.callback_type == 5, first.summary()  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
            answered = await fake.wait_for(lambda r: r.kind in ("followup", "original_edit")
                                           and "in this DM" in embed_text(r), timeout=20)
        assert time.monotonic() - started > 5  # it waited for the other writer, and did not fail
        assert "Something went wrong" not in embed_text(answered)


async def test_a_write_that_waits_past_its_bound_says_the_archive_is_busy(db):
    async with running_bot(db) as (fake, bot):
        await bot.archive.store.conn.execute("PRAGMA busy_timeout = 2500")  # the bound, shortened for the test
        with write_lock_held(db, 8):
            payload = await fake.send_slash("daily", subcommand="set", guild=False, user_id=ALICE_ID)
            first = await fake.wait_for_response(payload["id"], timeout=10)
            assert first.callback_type == 5, first.summary()
            answered = await fake.wait_for(lambda r: r.kind in ("followup", "original_edit")
                                           and "busy" in embed_text(r), timeout=20)
        assert "The archive is busy with a long update right now" in embed_text(answered)
        assert "Something went wrong" not in embed_text(answered)
