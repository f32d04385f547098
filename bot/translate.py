"""Slash commands in the user's language: English is the source (every name and description as written is the
key), and a locale's TOML file in bot/locales/ (named after Discord's locale code, e.g. de.toml) gives what
Discord shows instead. A string a file leaves out stays English, so a partial translation is never wrong."""
from __future__ import annotations

import tomllib
from importlib.resources import files

import discord
from discord import app_commands

LOCALES = files("bot") / "locales"


def load_strings() -> dict[discord.Locale, dict[str, str]]:
    """Each locale's translations, English source -> translated text, from the files shipped with the bot."""
    tables: dict[discord.Locale, dict[str, str]] = {}
    for entry in LOCALES.iterdir():
        if entry.name.endswith(".toml"):
            locale = discord.Locale(entry.name.removesuffix(".toml"))
            tables[locale] = dict(tomllib.loads(entry.read_text(encoding="utf-8"))["strings"])
    return tables


class ArchiveTranslator(app_commands.Translator):
    """discord.py asks this for every command's and option's name and description when it syncs."""

    def __init__(self, strings: dict[discord.Locale, dict[str, str]] | None = None) -> None:
        self.strings = load_strings() if strings is None else strings

    async def translate(self, string: app_commands.locale_str, locale: discord.Locale,
                        context: app_commands.TranslationContextTypes) -> str | None:
        return self.strings.get(locale, {}).get(string.message)
