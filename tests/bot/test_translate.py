"""Slash commands localised through discord.py's Translator: English is the source, a locale's file adds what
Discord shows instead, and the translations reach the payload the bot syncs."""
from __future__ import annotations

import re

import discord
from discord import app_commands

from bot.translate import ArchiveTranslator, load_strings

from .conftest import running_bot

GERMAN = discord.Locale.german  # "de"
NAME = re.compile(r"^[-_\w]{1,32}$")


def strings_of(commands: list[dict], top: bool = True) -> tuple[set[str], set[str], set[str]]:
    """Every command's, subcommand's and option's English name and description in a sync payload, and the
    message menus' names (which Discord shows as written: capitals and spaces allowed)."""
    names, descriptions, menus = set(), set(), set()
    for item in commands:
        (menus if top and item.get("type") == 3 else names).add(item["name"])  # an option's 3 is a string
        descriptions.add(item.get("description", ""))
        more = strings_of(item.get("options") or [], top=False)
        names |= more[0]
        descriptions |= more[1]
    return names, descriptions, menus


async def test_german_strings_reach_the_synced_commands_and_the_rest_stays_english(db):
    async with running_bot(db) as (fake, bot):
        synced = {c["name"]: c for c in fake.command_syncs[0][1]}
    search = synced["search"]
    assert search["name_localizations"] == {GERMAN.value: "suche"}
    assert search["description_localizations"][GERMAN.value].startswith("Dokumente zu einer Suchanfrage")
    query = next(o for o in search["options"] if o["name"] == "query")
    assert query["name_localizations"] == {GERMAN.value: "anfrage"}
    assert synced["Search the archive"]["name_localizations"] == {GERMAN.value: "Im Archiv suchen"}
    partial = ArchiveTranslator({GERMAN: {"search": "suche"}})  # a string a file leaves out stays English
    assert await partial.translate(app_commands.locale_str("doc"), GERMAN,
                                   app_commands.TranslationContext(app_commands.TranslationContextLocation.command_name,
                                                                   None)) is None


async def test_every_translation_names_an_english_string_the_bot_has_and_keeps_discords_limits(db):
    async with running_bot(db) as (fake, bot):
        names, descriptions, menus = strings_of(fake.command_syncs[0][1])
    for locale, table in load_strings().items():
        assert table, locale
        for source, shown in table.items():
            assert source in names | descriptions | menus, (locale, source)  # a stale key would do nothing
            if source in names:
                assert NAME.match(shown) and shown == shown.lower(), (locale, shown)
            elif source in menus:
                assert 1 <= len(shown) <= 32, (locale, shown)
            else:
                assert 1 <= len(shown) <= 100, (locale, shown)
