"""The daily post's bookkeeping marker: carried where readers never see it (a button's custom id), found there
after a crash, and still found in the footer of a post an older version made."""
from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import discord

from bot.daily import DiscordPoster
from retrieval.daily import Choice, DailyPost, Subscription
from testing.fakediscord import FakeDiscord

from .conftest import BOT_TEST_TIMEOUT, EPHEMERAL, embed_text, start_bot
from .test_daily import Clock, leases_run_out, make_fast, running_bot, subscribe_channel

DAY = date(2026, 9, 27)


def posts(fake: FakeDiscord) -> list:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages") and r.ok and r.embeds]


async def test_the_post_shows_no_bookkeeping_and_carries_its_marker_in_a_button_id(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 0, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        make_fast(bot)
        sub = await subscribe_channel(bot)
        assert [o.result for o in await bot.scheduler.tick()] == ["sent"]
        [post] = posts(fake)
        text = embed_text(post)
        assert "On this day in 1958" in text
        assert f"daily {sub.id}" not in text and "2026-09-27" not in text  # nothing a reader has no use for
        assert f"daily:{sub.id}:2026-09-27" in post.custom_ids
        labels = [c.get("label") for row in post.components for c in row["components"]]
        assert "About these posts" in labels


class OlderVersion(DiscordPoster):
    """How versions before this one posted: the marker in the footer, no button carrying it."""

    async def send(self, sub: Subscription, post: DailyPost) -> int:
        channel = await self._channel(sub)
        embed = discord.Embed(title="On this day", description="a post of an older version")
        embed.set_footer(text=f"International History Declassified · daily {sub.id} {post.day.isoformat()}")
        message = await channel.send(embed=embed)
        return message.id


async def test_a_post_an_older_version_sent_before_crashing_is_found_by_its_footer(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 0, tzinfo=UTC))
    async with running_bot(db, backend, clock=clock) as (fake, bot):
        make_fast(bot)
        sub = await subscribe_channel(bot)
        old = await backend.open(bot.archive.store, "older-version")
        claim = await old.claim(sub, DAY, None)
        assert claim is not None
        await OlderVersion(bot).send(sub, DailyPost(Choice(None, exact=False), DAY, sub.marker(DAY)))
        await leases_run_out(bot, clock, backend)  # ... and it stopped before marking the post sent
        assert [o.result for o in await bot.scheduler.tick()] == ["found"]
        assert len(posts(fake)) == 1


async def test_the_about_button_explains_daily_posts_to_anyone_even_after_a_restart(db, backend):
    clock = Clock(datetime(2026, 9, 27, 9, 0, tzinfo=UTC))
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        for run in range(2):
            bot = await start_bot(db, backend, clock=clock)
            try:
                async with fake.running(bot):
                    make_fast(bot)
                    if run == 0:
                        sub = await subscribe_channel(bot)
                        await bot.scheduler.tick()
                        [post] = posts(fake)
                        message_id = int(post.message["id"])
                    else:  # a new process holds no view of the post: the custom id is enough
                        pressed = await fake.send_button(sub.marker(DAY), message_id)
                        response = await fake.wait_for_response(pressed["id"])
                        assert response.flags & EPHEMERAL
                        text = embed_text(response)
                        assert "/daily off" in text and "/daily set" in text
            finally:
                await bot.archive.close()
