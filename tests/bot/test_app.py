"""The real bot (discord.py's HTTP client, gateway, parsers, command tree and views) against a local
stand-in for Discord: each command in a server and in a DM, mentions, DMs, paging, cooldowns, expired
interactions, channels the bot may not write in, hostile input."""
from __future__ import annotations

import asyncio

import discord
import pytest

from bot.cooldown import Cooldown
from bot.discord_ui import ReplyView
from testing.fakediscord import ALICE_ID, BOB_ID, BOT_ID, GENERAL_ID, READ_ONLY_ID, FakeDiscord

from .conftest import EPHEMERAL, answer, embed_text, running_bot, start_bot


async def test_commands_are_synced_once_and_skipped_when_unchanged(db):
    async with FakeDiscord() as fake:
        for expected in ("global", "skipped"):
            bot = await start_bot(db)
            try:
                async with fake.running(bot):
                    assert bot.synced == expected
            finally:
                await bot.archive.close()
        assert len(fake.command_syncs) == 1
        names = {c["name"] for c in fake.command_syncs[0][1]}
        assert names == {"ask", "search", "doc", "person", "onthisday", "random", "about", "help", "daily",
                         "Search the archive", "Ask the archive"}
        daily = next(c for c in fake.command_syncs[0][1] if c["name"] == "daily")
        assert int(daily["default_member_permissions"]) == discord.Permissions(manage_guild=True).value


@pytest.mark.parametrize("guild", [True, False], ids=["server", "dm"])
async def test_every_command_answers_in_a_server_and_in_a_dm(db, guild):
    async with running_bot(db) as (fake, bot):
        cases = [
            ("ask", {"question": "why did the soviets halt nuclear assistance to china"}, "Temporary Halt"),
            ("search", {"query": "Filippov insects"}, "Cable, Mao Zedong to Filippov \\[Stalin\\]"),  # as escaped
            ("doc", {"id": "3"}, "Record of Conversation between Mao Zedong and A.A. Gromyko"),
            ("person", {"name": "Chou En-lai"}, "Zhou Enlai"),
            ("onthisday", {"date": "10-05"}, "On this day in 1958"),
            ("random", None, "Cite as"),
            ("about", None, "55 documents"),
            ("help", None, "/person name"),
        ]
        for name, options, expected in cases:
            _, response = await answer(fake, name, options, guild=guild)
            assert response.callback_type == 4, (name, response.summary())
            assert expected in embed_text(response), (name, embed_text(response))
            assert response.allowed_mentions == {"parse": []}
            assert not (response.flags or 0) & EPHEMERAL


async def test_person_autocomplete_offers_at_most_25_names_and_aliases(db):
    async with running_bot(db) as (fake, bot):
        payload = await fake.send_autocomplete("person", "name", "chou")
        response = await fake.wait_for_response(payload["id"])
        choices = response.json["data"]["choices"]
        assert {"name": "Zhou Enlai (Chou En-lai)", "value": "Zhou Enlai"} in choices
        payload = await fake.send_autocomplete("person", "name", "a")
        response = await fake.wait_for_response(payload["id"])
        assert len(response.json["data"]["choices"]) == 25


async def test_a_mention_in_a_server_and_a_plain_dm_are_questions(db):
    async with running_bot(db) as (fake, bot):
        await fake.send_message("what did khrushchev write to zhou about nuclear testing?", mentions_bot=True)
        reply = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{GENERAL_ID}/messages")
        assert "Letter from Nikita Khrushchev to Zhou Enlai" in embed_text(reply)
        assert reply.json["message_reference"]["fail_if_not_exists"] is False
        await fake.send_message("Filippov insects North Korea", guild=False, user_id=BOB_ID)
        dm = await fake.wait_for(lambda r: r.method == "POST" and r.path.startswith("/channels/")
                                 and r.path != f"/channels/{GENERAL_ID}/messages")
        assert "Cable, Mao Zedong to Filippov \\[Stalin\\]" in embed_text(dm)
        await fake.send_message("just chatting, no mention")  # ignored
        await asyncio.sleep(0.3)
        assert len([r for r in fake.requests if r.method == "POST" and "/messages" in r.path]) == 2


async def test_pages_turn_for_the_asker_only_and_disable_on_timeout(db, monkeypatch):
    monkeypatch.setattr(ReplyView, "default_timeout", 1.0)

    async with running_bot(db) as (fake, bot):
        payload, response = await answer(fake, "person", {"name": "Mao Zedong"})
        assert "Page 1 of" in response.embeds[0]["footer"]["text"]
        message_id = int(response.message["id"])
        next_id = next(c["custom_id"] for row in response.components for c in row["components"]
                       if c.get("label") == "Next ▶")
        other = await fake.send_button(next_id, message_id, user_id=BOB_ID)
        refused = await fake.wait_for_response(other["id"])
        assert refused.flags & EPHEMERAL and "Only the person who asked" in refused.content
        mine = await fake.send_button(next_id, message_id, user_id=ALICE_ID)
        turned = await fake.wait_for_response(mine["id"])
        assert turned.callback_type == 7  # UPDATE_MESSAGE
        assert "Page 2 of" in turned.embeds[0]["footer"]["text"]
        edit = await fake.wait_for(lambda r: r.method == "PATCH" and "messages/@original" in r.path, timeout=5)
        buttons = [c for row in edit.json["components"] for c in row["components"] if c.get("style") != 5]
        assert buttons and all(c.get("disabled") for c in buttons)


async def test_cooldown_answers_privately_with_the_wait(db):
    async with running_bot(db, cooldown=Cooldown(rate=2, per=60)) as (fake, bot):
        for _ in range(2):
            _, ok = await answer(fake, "search", {"query": "mao"})
            assert not (ok.flags or 0) & EPHEMERAL
        _, slow = await answer(fake, "search", {"query": "mao"})
        assert slow.flags & EPHEMERAL
        assert "Try again in" in embed_text(slow)
        _, other_user = await answer(fake, "search", {"query": "mao"}, user_id=BOB_ID)
        assert not (other_user.flags or 0) & EPHEMERAL


async def test_an_expired_interaction_gets_its_answer_in_the_channel(db):
    async with running_bot(db) as (fake, bot):
        payload = fake.slash("search", {"query": "Filippov insects"})
        fake.expire_interaction(int(payload["id"]))
        await fake.dispatch("INTERACTION_CREATE", payload)
        posted = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{GENERAL_ID}/messages")
        assert f"<@{ALICE_ID}>" in posted.content and "Filippov" in embed_text(posted)
        assert posted.json["allowed_mentions"]["users"] == [str(ALICE_ID)] or \
            posted.json["allowed_mentions"]["users"] == [ALICE_ID]


async def test_a_channel_the_bot_may_not_write_in(db):
    async with running_bot(db) as (fake, bot):
        _, response = await answer(fake, "search", {"query": "Filippov insects"}, channel_id=READ_ONLY_ID)
        assert response.flags & EPHEMERAL
        assert "can't post in this channel" in response.content
        await fake.send_message("Filippov insects", channel_id=READ_ONLY_ID, mentions_bot=True)
        dm = await fake.wait_for(lambda r: r.method == "POST" and r.path.startswith("/channels/")
                                 and r.path.endswith("/messages") and str(READ_ONLY_ID) not in r.path)
        assert "can't post in #read-only" in dm.content and "Filippov" in embed_text(dm)
        assert not any(r.path == f"/channels/{READ_ONLY_ID}/messages" for r in fake.requests)


@pytest.mark.parametrize("query", ["@everyone **hi** <@4002> mao", "", "🙂" * 300, "'; DROP TABLE records; --",
                                   "x" * 500])
async def test_hostile_input_never_pings_and_never_breaks(db, query):
    async with running_bot(db) as (fake, bot):
        _, response = await answer(fake, "search", {"query": query} if query else {"query": " "})
        assert response.status in (200, 204)
        assert response.allowed_mentions == {"parse": []}
        text = embed_text(response)
        assert "@everyone" not in text and "<@4002>" not in text
        _, doc = await answer(fake, "doc", {"id": query[:20] or "x"})
        assert doc.flags & EPHEMERAL


async def test_an_unexpected_error_is_logged_and_answered_briefly(db, caplog):
    async with running_bot(db) as (fake, bot):
        async def broken(*args, **kwargs):
            raise RuntimeError("boom")
        bot.commands_layer.about = broken  # type: ignore[method-assign]
        _, response = await answer(fake, "about")
        assert response.flags & EPHEMERAL and "Something went wrong" in embed_text(response)
        assert "boom" not in embed_text(response)
    assert any(r.exc_info and "boom" in repr(r.exc_info[1]) for r in caplog.records if r.levelname == "ERROR")


async def test_slow_work_is_deferred_before_discord_gives_up(db, monkeypatch):
    import bot.send as send

    monkeypatch.setattr(send, "DEFER_AFTER", 0.05)

    async with running_bot(db) as (fake, bot):
        original = bot.commands_layer.about

        async def slow(**kwargs):
            await asyncio.sleep(0.3)
            return await original(**kwargs)
        bot.commands_layer.about = slow  # type: ignore[method-assign]
        payload, first = await answer(fake, "about")
        assert first.callback_type == 5  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
        followup = await fake.wait_for(lambda r: r.kind in ("followup", "original_edit")
                                       and "documents" in embed_text(r))
        assert "About archive-bot" in embed_text(followup)


async def test_bot_ignores_itself_and_other_bots(db):
    async with running_bot(db) as (fake, bot):
        await fake.send_message("mao", guild=False, user_id=BOT_ID)
        await asyncio.sleep(0.3)
        assert not [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]


async def test_errors_are_red_and_answers_in_the_archives_colour(db):
    async with running_bot(db) as (fake, bot):
        _, failed = await answer(fake, "doc", {"id": "999999"})
        _, found = await answer(fake, "doc", {"id": "3"})
    assert failed.embeds[0]["color"] == 0xED4245 and failed.flags & EPHEMERAL
    assert found.embeds[0]["color"] == 0x8B1E1E
