"""Help that helps: `/help` lists every command, `/help command:` explains one (its options and an example), the
same words answer `help` in a DM, a mention and the console, and the invite link (from the application's ID,
with only the permissions the bot needs) shows in /help and /about wherever the application is known."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import discord

from bot.commands import Commands, run_text_command
from bot.help import BY_NAME, COMMANDS, INVITE_PERMISSIONS, invite_url
from bot.text_render import render_reply
from retrieval.search import Archive
from testing.fakediscord import APP_ID, GENERAL_ID

from ..conftest import PEOPLE
from .conftest import EPHEMERAL, answer, embed_text, running_bot

INVITE = invite_url(APP_ID)


def test_the_invite_asks_for_the_commands_and_only_the_permissions_the_bot_needs():
    query = parse_qs(urlsplit(INVITE).query)
    assert query["client_id"] == [str(APP_ID)]
    assert query["scope"] == ["bot applications.commands"]
    needed = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True)
    assert int(query["permissions"][0]) == INVITE_PERMISSIONS == needed.value


async def test_help_lists_every_command_with_the_invite_and_explains_one(db):
    async with running_bot(db) as (fake, bot):
        _, listed = await answer(fake, "help")
        text = embed_text(listed)
        assert all(f"`/{c.name}" in text for c in COMMANDS) and INVITE in text
        _, about = await answer(fake, "about")
        assert INVITE in embed_text(about)
        _, one = await answer(fake, "help", {"command": "search"})
        text = embed_text(one)
        assert "/search" in text and "`from` (optional): only documents from this year on" in text
        assert "Example: `/search query: nuclear test from: 1958 to: 1963`" in text
        assert not (one.flags or 0) & EPHEMERAL


async def test_the_help_option_offers_each_command_and_slash_options_are_described_from_the_same_table(db):
    async with running_bot(db) as (fake, bot):
        synced = {c["name"]: c for c in fake.command_syncs[0][1]}
        choices = synced["help"]["options"][0]["choices"]
        assert [c["value"] for c in choices] == [c.name for c in COMMANDS]
        search = {o["name"]: o["description"] for o in synced["search"]["options"]}
        assert search == {o.name: o.what for o in BY_NAME["search"].options}


async def test_help_in_a_dm_and_a_mention_says_the_same(db):
    async with running_bot(db) as (fake, bot):
        _, slash = await answer(fake, "help", {"command": "doc"})
        await fake.send_message("help doc", mentions_bot=True)
        mention = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{GENERAL_ID}/messages")
        await fake.send_message("help /doc", guild=False)
        dm = await fake.wait_for(lambda r: r.method == "POST" and r.path.endswith("/messages")
                                 and r.path != f"/channels/{GENERAL_ID}/messages")
        assert embed_text(slash) == embed_text(mention) == embed_text(dm)
        assert "Example: `/doc id: 42`" in embed_text(dm)


async def test_the_console_gives_the_same_help_without_an_invite(seeded_db):
    archive = await Archive.open(seeded_db, PEOPLE)
    try:
        layer = Commands(archive)
        listed = render_reply(await run_text_command(layer, "help"))
        assert "/person name" in listed and "oauth2" not in listed
        one = render_reply(await run_text_command(layer, "help onthisday"))
        assert "• date (optional): MM-DD or 27 September" in one and "Example: /onthisday date: 27 September" in one
        unknown = render_reply(await run_text_command(layer, "/help frobnicate"))
        assert unknown.startswith("Sorry: There is no frobnicate command. The commands: ask, search,")
        question = render_reply(await run_text_command(layer, "help me find letters from Mao"))
        assert "== Answer ==" in question  # `help` and words that name no command: a question
    finally:
        await archive.close()


async def test_help_names_the_message_menus_and_the_document_buttons_as_synced_and_both_installs(db):
    async with running_bot(db) as (fake, bot):
        menus = [c["name"] for c in fake.command_syncs[0][1] if c.get("type") == 3]
        assert menus  # "Search the archive", "Ask the archive"
        _, listed = await answer(fake, "help")
        text = embed_text(listed)
        assert all(f"**{name}**" in text for name in menus)
        assert "**Cite**" in text and "**More like this**" in text
        assert invite_url(APP_ID, user=True) in text and INVITE in text
