"""/daily in the command layer, without Discord: plain values in, replies out; moments shown per front end."""
from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.autocomplete import complete_zone
from bot.commands import Commands, Moment, Reply, TimeStyle
from bot.text_render import clock_time, render_reply
from retrieval.daily import Target
from retrieval.search import Archive

from ..conftest import StateBackend
from .conftest import BOT_TEST_TIMEOUT, PEOPLE

NOW = datetime(2026, 9, 27, 8, 0, tzinfo=UTC)
DUE = datetime(2026, 9, 27, 16, 30, tzinfo=UTC)  # 18:30 in Berlin (summer time)
HERE = Target.channel(10)
GUILD = 1


def shown(reply: Reply) -> str:
    """The lead with each moment written as style@time, to check the values a front end is given."""
    return reply.lead_text(lambda m: f"[{m.style}@{m.when:%Y-%m-%d %H:%M}]") or ""


@contextlib.asynccontextmanager
async def command_layer(db, backend: StateBackend) -> AsyncIterator[Commands]:
    """The command layer over the archive, capped like the bot tests so a hang fails instead of stalling the run."""
    async with asyncio.timeout(BOT_TEST_TIMEOUT):
        archive = await Archive.open(db, PEOPLE)
        try:
            yield Commands(archive, ledger=await backend.open(archive.store))
        finally:
            await archive.close()


async def test_set_status_off_in_a_channel(db, backend):
    async with command_layer(db, backend) as layer:
        set_reply = await layer.daily_set(HERE, guild_id=GUILD, user_id=7, time="18:30", zone="Europe/Berlin", now=NOW)
        assert set_reply.private and set_reply.kind == "info"
        assert shown(set_reply) == (
            "Every day at 18:30 Europe/Berlin ([time@2026-09-27 16:30] your time) I'll post a document written on "
            "that day in <#10>. Next: [full@2026-09-27 16:30] ([relative@2026-09-27 16:30]).")
        sub = await layer.ledger.by_target(HERE)
        assert sub is not None and (sub.post_time, sub.timezone, sub.created_by) == ("18:30", "Europe/Berlin", 7)

        status = await layer.daily_status(Target.channel(11), GUILD, NOW)  # another channel: the server's one
        assert "**Where:** <#10>" in shown(status) and "**Next post:** [full@2026-09-27 16:30]" in shown(status)
        assert "**Last post:** none yet" in shown(status)
        await layer.ledger.pause(sub.id, "the channel was deleted")
        paused = shown(await layer.daily_status(HERE, GUILD, NOW))
        assert "**Next post:** paused" in paused and "**Paused because:** the channel was deleted" in paused

        off = await layer.daily_off(HERE, GUILD)
        assert shown(off) == "No more daily posts in <#10>." and await layer.ledger.by_target(HERE) is None
        assert (await layer.daily_off(HERE, GUILD)).kind == "error"
        assert (await layer.daily_status(HERE, GUILD, NOW)).kind == "error"


async def test_set_in_a_dm_and_settings_that_cannot_work(db, backend):
    async with command_layer(db, backend) as layer:
        dm = await layer.daily_set(Target.dm(5), guild_id=None, user_id=5, time=None, zone=None, now=NOW)
        assert "Every day at 09:00 UTC" in shown(dm) and "in this DM" in shown(dm)
        assert (await layer.ledger.by_target(Target.dm(5))).user_id == 5
        bad_time = await layer.daily_set(HERE, guild_id=GUILD, user_id=7, time="25:00", zone=None, now=NOW)
        assert bad_time.kind == "error" and shown(bad_time) == (
            "\u201c25:00\u201d is not a time: use 24-hour HH:MM, e.g. 09:00 or 18:30.")
        bad_zone = await layer.daily_set(HERE, guild_id=GUILD, user_id=7, time=None, zone="berlin", now=NOW)
        assert shown(bad_zone) == "\u201cberlin\u201d is not a time zone. Did you mean Europe/Berlin?"
        unknown = await layer.daily_set(HERE, guild_id=GUILD, user_id=7, time=None, zone="Mars/Olympus", now=NOW)
        assert shown(unknown) == "\u201cMars/Olympus\u201d is not a time zone. Use an IANA name like Europe/Berlin."
        assert await layer.ledger.by_target(HERE) is None


async def test_names_that_are_not_zones_are_refused_and_a_stored_one_is_one_clear_line(db, backend):
    async with command_layer(db, backend) as layer:
        for name in ("posixrules", "localtime", "right/UTC", "Europe", "x" * 300):
            refused = await layer.daily_set(HERE, guild_id=GUILD, user_id=7, time=None, zone=name, now=NOW)
            assert refused.kind == "error" and "is not a time zone" in shown(refused), name
        assert await layer.ledger.by_target(HERE) is None
        # stored by an older version, which accepted it
        await layer.ledger.subscribe(target=HERE, guild_id=GUILD, created_by=7, post_time="09:00", zone="posixrules")
        for reply in (await layer.daily_status(HERE, GUILD, NOW), await layer.daily_preview(HERE, GUILD, NOW)):
            assert reply.kind == "error" and shown(reply) == (
                "\u201cposixrules\u201d is not a time zone. Use an IANA name like Europe/Berlin. "
                "Run `/daily set` again to fix the daily post here.")


async def test_preview_is_the_days_pick_for_that_target(db, backend):
    async with command_layer(db, backend) as layer:
        day = datetime(2026, 9, 27, 12, tzinfo=UTC)
        preview = await layer.daily_preview(HERE, GUILD, day)
        pick = await layer.onthisday("27 September", today=day.date(), target=HERE)
        assert preview.private and preview.kind == "daily"
        assert preview.cards[0].record.id == pick.cards[0].record.id
        assert (await layer.daily_preview(None, None, day)).kind == "daily"  # the console's: no target


@pytest.fixture
def utc_machine(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_console_shows_moments_as_named_local_times(utc_machine):
    assert clock_time(Moment(DUE, TimeStyle.FULL)) == "Sunday 27 September 2026, 16:30 UTC"
    assert clock_time(Moment(DUE, TimeStyle.TIME)) == "16:30 UTC"
    assert clock_time(Moment(DUE, TimeStyle.RELATIVE), now=NOW) == "in 8 hours"
    assert clock_time(Moment(NOW, TimeStyle.RELATIVE), now=DUE) == "8 hours ago"
    reply = Reply(kind="info", title="Daily post", timed_lead=("Next: ", Moment(DUE, TimeStyle.TIME), "."))
    assert render_reply(reply) == "== Daily post ==\n\nNext: 16:30 UTC."


def test_zone_autocomplete_puts_names_that_start_with_the_text_first():
    assert complete_zone("berl", 25)[0] == "Europe/Berlin"
    ranked = complete_zone("ber", 25)
    assert ranked.index("Europe/Berlin") < ranked.index("Australia/Canberra")  # "ber" inside a name comes later
    assert complete_zone("new york", 25)[0] == "America/New_York"
    assert len(complete_zone("", 25)) == 25
