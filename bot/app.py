"""The discord.py front end: slash commands, DMs, mentions. Thin: every command goes to the command layer
and every reply through the one send helper.

Intents: only `guilds` (channels and permissions), `guild_messages` and `dm_messages` (mentions and DMs).
The privileged message-content intent is not needed: Discord always gives a bot the text of DMs and of
messages that mention it.
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
import yarl
from discord import app_commands

from retrieval.search import Archive

from .commands import Commands, Reply, error, run_text_command
from .config import Settings
from .cooldown import Cooldown
from .send import reply_to_message, respond, within_deadline

log = logging.getLogger(__name__)

AUTOCOMPLETE_MAX = 25
SYNC_KEY = "commands_hash:{scope}"


def use_discord_endpoints(settings: Settings) -> None:
    """Point discord.py at a REST or gateway proxy (or a local stand-in) when the settings name one."""
    if settings.api_base:
        discord.http.Route.BASE = settings.api_base
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def intents() -> discord.Intents:
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.dm_messages = True
    return chosen


def command_hash(payload: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class ArchiveBot(discord.Client):
    def __init__(self, archive: Archive, settings: Settings, *, cooldown: Cooldown | None = None,
                 extra_setup: list | None = None) -> None:
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none())
        self.archive = archive
        self.settings = settings
        self.commands_layer = Commands(archive)
        self.cooldown = cooldown or Cooldown()
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        self.synced: str | None = None  # "skipped" or the scope synced, for logs and tests
        self._extra_setup = extra_setup or []
        register_commands(self)

    async def setup_hook(self) -> None:
        """Runs once per process (never again on reconnects): sync commands if their definitions changed."""
        await self.sync_commands()
        for hook in self._extra_setup:
            await hook(self)

    async def sync_commands(self) -> None:
        guild = discord.Object(self.settings.dev_guild) if self.settings.dev_guild else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        scope = f"guild:{guild.id}" if guild else "global"
        payload = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = command_hash(payload)
        key = SYNC_KEY.format(scope=scope)
        if await self.archive.store.get_state(key) == digest:
            self.synced = "skipped"
            log.info("application commands unchanged (%s); not syncing", scope)
            return
        await self.tree.sync(guild=guild)
        await self.archive.store.set_state(key, digest)
        self.synced = scope
        log.info("synced %d application commands (%s)", len(payload), scope)

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s) in %d servers", self.user, getattr(self.user, "id", "?"), len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user is None:
            return
        if message.guild is None:
            text = message.content
        elif self.user in message.mentions:
            text = message.content.replace(f"<@{self.user.id}>", " ").replace(f"<@!{self.user.id}>", " ").strip()
            if not text:
                text = "/help"
        else:
            return
        if not text.strip():
            return
        wait = self.cooldown.retry_after(message.author.id)
        try:
            if wait:
                reply = cooldown_reply(wait)
            else:
                reply = await run_text_command(self.commands_layer, text) or await self.commands_layer.help()
        except Exception:
            log.exception("message command failed")
            reply = error("Something went wrong on my side; the details are in my log. Please try again.")
        await reply_to_message(message, reply)

    async def on_app_command_error(self, interaction: discord.Interaction,
                                   exc: app_commands.AppCommandError) -> None:
        if isinstance(exc, app_commands.CheckFailure):
            reply = error(str(exc) or "You can't use this command here.")
        else:
            log.error("/%s failed", getattr(interaction.command, "name", "?"), exc_info=exc)
            reply = error("Something went wrong on my side; the details are in my log. Please try again.")
        try:
            await respond(interaction, reply)
        except discord.HTTPException:
            log.warning("could not report an error to the user of interaction %s", interaction.id)


def cooldown_reply(wait: float) -> Reply:
    return error(f"One moment: you're asking faster than I can look things up. Try again in {max(1, round(wait))} s.")


def register_commands(bot: ArchiveBot) -> None:
    tree, layer = bot.tree, bot.commands_layer
    everywhere = dict(
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
    )

    async def run(interaction: discord.Interaction, work, limited: bool = True) -> None:
        if limited:
            wait = bot.cooldown.retry_after(interaction.user.id)
            if wait:
                await respond(interaction, cooldown_reply(wait))
                return
        reply = await within_deadline(interaction, work)
        await respond(interaction, reply)

    @tree.command(name="ask", description="Ask a question; the answer comes from the best document", **everywhere)
    @app_commands.describe(question="e.g. What did Stalin tell Mao about the Chinese Eastern Railway?")
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 500]) -> None:
        await run(interaction, layer.ask(question))

    @tree.command(name="search", description="Ranked documents for a query", **everywhere)
    @app_commands.describe(query="words, names, dates: zhou enlai nehru 1959", person="only this person's documents",
                           **{"from": "only documents from this year on", "to": "only documents up to this year"})
    @app_commands.rename(date_from="from", date_to="to")
    async def search(interaction: discord.Interaction, query: app_commands.Range[str, 1, 500],
                     date_from: app_commands.Range[int, 1900, 2100] | None = None,
                     date_to: app_commands.Range[int, 1900, 2100] | None = None,
                     person: str | None = None) -> None:
        await run(interaction, layer.search(query, date_from, date_to, person))

    @tree.command(name="doc", description="One document in full, with its citation", **everywhere)
    @app_commands.describe(id="the document number shown in results, e.g. 42")
    async def doc(interaction: discord.Interaction, id: app_commands.Range[str, 1, 20]) -> None:
        await run(interaction, layer.doc(id), limited=False)

    @tree.command(name="person", description="A person's documents in date order", **everywhere)
    @app_commands.describe(name="any spelling: Chou En-lai, Filippov, Khrushchov")
    async def person(interaction: discord.Interaction, name: app_commands.Range[str, 1, 200]) -> None:
        await run(interaction, layer.person(name))

    @person.autocomplete("name")
    @search.autocomplete("person")
    async def person_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=label[:100], value=value[:100])
                for label, value in bot.archive.people.complete(current, AUTOCOMPLETE_MAX)]

    @tree.command(name="onthisday", description="Documents written on a day of the year", **everywhere)
    @app_commands.describe(date="MM-DD or 27 September (default: today)")
    async def onthisday(interaction: discord.Interaction, date: app_commands.Range[str, 1, 40] | None = None) -> None:
        await run(interaction, layer.onthisday(date), limited=False)

    @tree.command(name="random", description="A random document from the archive", **everywhere)
    async def random_doc(interaction: discord.Interaction) -> None:
        await run(interaction, layer.random(), limited=False)

    @tree.command(name="about", description="The archive's size and dates, and this bot's version", **everywhere)
    async def about(interaction: discord.Interaction) -> None:
        await run(interaction, layer.about(), limited=False)

    @tree.command(name="help", description="What archive-bot can do", **everywhere)
    async def help_command(interaction: discord.Interaction) -> None:
        await run(interaction, layer.help(), limited=False)
