"""Slash commands localised through discord.py's Translator: English is the source, a locale's file adds what
Discord shows instead, and the translations reach the payload the bot syncs."""
from __future__ import annotations

import re

import discord

from bot.translate import load_strings

from .conftest import running_bot

GERMAN = discord.Locale.german  # "de"
NAME = re.compile(r"^[-_\w]{1,32}$")


def strings_of(commands: list[dict]) -> tuple[set[str], set[str]]:
    """Every command's, subcommand's and option's English name and description in a sync payload."""
    names, descriptions = set(), set()
    for item in commands:
        names.add(item["name"])
        descriptions.add(item.get("description", ""))
        more = strings_of(item.get("options") or [])
        names |= more[0]
        descriptions |= more[1]
    return names, descriptions


async def test_german_strings_reach_the_synced_commands_and_the_rest_stays_english(db):
    async with running_bot(db) as (fake, bot):
        synced = {c["name"]: c for c in fake.command_syncs[0][1]}
    search = synced["search"]
    assert search["name_localizations"] == {GERMAN.value: "suche"}
    assert search["description_localizations"][GERMAN.value].startswith("Dokumente zu einer Suchanfrage")
    query = next(o for o in search["options"] if o["name"] == "query")
    assert query["name_localizations"] == {GERMAN.value: "anfrage"}
    assert not synced["doc"].get("name_localizations")  # no German given: Discord shows the English


async def test_every_translation_names_an_english_string_the_bot_has_and_keeps_discords_limits(db):
    async with running_bot(db) as (fake, bot):
        names, descriptions = strings_of(fake.command_syncs[0][1])
    for locale, table in load_strings().items():
        assert table, locale
        for source, shown in table.items():
            assert source in names | descriptions, (locale, source)  # a stale key would silently do nothing
            if source in names:
                assert NAME.match(shown) and shown == shown.lower(), (locale, shown)
            else:
                assert 1 <= len(shown) <= 100, (locale, shown)
