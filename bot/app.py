"""The discord.py front end: slash commands, DMs, mentions. Thin: every command goes to the command layer
and every reply through the one send helper.

Intents: only `guilds` (channels and permissions), `guild_messages` and `dm_messages` (mentions and DMs).
The privileged message-content intent is not needed: Discord always gives a bot the text of DMs and of
messages that mention it.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import math
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import yarl
from discord import app_commands

from retrieval.daily import Clock, DailyScheduler, Target
from retrieval.search import Archive
from retrieval.state import BotState
from retrieval.state.sqlite import SqliteState
from retrieval.store import StoreError, StoreProblem

from .autocomplete import complete_day, complete_document, complete_person, complete_zone
from .commands import Commands, Reply, error, run_text_command
from .config import Settings
from .cooldown import Cooldown
from .daily import DiscordPoster
from .discord_ui import CiteButton, DailyAboutButton, SimilarButton
from .help import ASK_MENU, BY_NAME, COMMANDS, SEARCH_MENU
from .send import reply_to_message, respond, within_deadline
from .share import message_query, no_text, respond_shareable
from .translate import ArchiveTranslator

log = logging.getLogger(__name__)

AUTOCOMPLETE_MAX = 25
REFRESH_EVERY = 60.0  # seconds between checks for an ingest by another process
HEALTH_EVERY = 300.0  # seconds between health lines in the log
IDENTIFY_INTERVAL = 5.0  # Discord: one IDENTIFY per rate-limit bucket every 5 s
# Turns are spaced this much more: Discord counts when an IDENTIFY arrives, and the one before may have left
# its process later after taking its turn (a busy machine, a slow network) than this one will.
IDENTIFY_MARGIN = 0.5
SHARD_KEY = "shard:{count}:{shard}"  # state: "<process> <unix time>" of the process that last ran the shard
SYNC_KEY = "commands_hash:{scope}"
SOMETHING_WENT_WRONG = "Something went wrong on my side; the details are in my log. Please try again."
ARCHIVE_BUSY = ("The archive is busy with a long update right now, so I couldn't save that. "
                "Please try again in a few minutes.")
DATABASE_AWAY = "I can't reach my database right now, so nothing was saved. Please try again in a minute."


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


class ArchiveTree(app_commands.CommandTree["ArchiveBot"]):
    """The bot's command tree: every command works in servers, in DMs with the bot and in private channels
    (user installs), and a command that fails answers its user instead of leaving the interaction hanging."""

    def __init__(self, client: ArchiveBot) -> None:
        super().__init__(
            client,
            allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
        )

    async def interaction_check(self, interaction: discord.Interaction[ArchiveBot], /) -> bool:
        """Every command waits for the archive's index on a cold start (acknowledged in time meanwhile);
        autocomplete cannot wait, so it offers nothing until then."""
        if interaction.client.archive.is_loaded:
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            await interaction.response.autocomplete([])
            return False
        await interaction.client.until_loaded(interaction)
        return True

    async def on_error(self, interaction: discord.Interaction[ArchiveBot],
                       exc: app_commands.AppCommandError) -> None:
        if isinstance(exc, app_commands.CheckFailure):
            reply = error(str(exc) or "You can't use this command here.")
        elif (trouble := _store_trouble(getattr(exc, "original", exc), interaction.client.archive.store.path)):
            log.warning("/%s: %s", getattr(interaction.command, "name", "?"), getattr(exc, "original", exc))
            reply = error(trouble)
        else:
            log.error("/%s failed", getattr(interaction.command, "name", "?"), exc_info=exc)
            reply = error(SOMETHING_WENT_WRONG)
        try:
            await respond(interaction, reply)
        except discord.HTTPException:
            log.warning("could not report an error to the user of interaction %s", interaction.id)


class ArchiveBot(discord.Client):
    def __init__(self, archive: Archive, settings: Settings, *, cooldown: Cooldown | None = None,
                 clock: Clock | None = None, run_scheduler: bool = True, state: BotState | None = None,
                 **client_options: Any) -> None:
        # The bot never joins voice: discord.py's start-up warnings about voice libraries would only alarm.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=intents(), allowed_mentions=discord.AllowedMentions.none(), **client_options)
        self.archive = archive
        self.settings = settings
        self.state: BotState = state or SqliteState(archive.store)  # subscriptions, ledger, command-sync hashes
        self.commands_layer = Commands(archive, ledger=self.state)
        self.cooldown = cooldown or Cooldown()
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.ledger = self.commands_layer.ledger
        self.scheduler = DailyScheduler(archive, self.ledger, DiscordPoster(self), clock=self.clock,
                                        shards=settings.shards)
        self.health_task: asyncio.Task | None = None
        self.run_scheduler = run_scheduler
        self.scheduler_task: asyncio.Task | None = None
        self.refresh_task: asyncio.Task | None = None
        self.tree = ArchiveTree(self)
        self.synced: str | None = None  # "skipped" or the scope synced, for logs and tests
        register_commands(self)
        self.tree.add_command(DailyCommands(self))

    async def setup_hook(self) -> None:
        """Runs once per process (never again on reconnects): sync commands, start the daily scheduler, and
        answer Cite, More like this and daily About buttons on any message, however old."""
        self.add_dynamic_items(CiteButton, SimilarButton, DailyAboutButton)
        self.commands_layer.application_id = self.application_id  # known once logged in: help's invite link
        await self.tree.set_translator(ArchiveTranslator())
        shards = self.settings.shards
        if shards is None or shards.has_first:
            await self.sync_commands()
        else:
            self.synced = "elsewhere"
            log.info("application commands are synced by the process running shard 0")
        if shards is not None:
            log.info("running %s; state in %s", shards.describe(), self.state.describe())
            await self._record_shards(warn=True)
        if self.health_task is None:
            self.health_task = asyncio.create_task(self._health(), name="health")
        if self.run_scheduler and self.scheduler_task is None:
            self.scheduler_task = asyncio.create_task(self._scheduler_after_ready(), name="daily-scheduler")
        if self.refresh_task is None:
            self.refresh_task = asyncio.create_task(self._follow_ingests(), name="archive-refresh")

    async def _follow_ingests(self) -> None:
        """An `archive-bot ingest` run by anyone shows up in answers within a minute, without a restart."""
        while True:
            await asyncio.sleep(REFRESH_EVERY)
            try:
                if await self.archive.refresh_if_changed():
                    log.info("archive changed; index rebuilt (%d documents)", self.archive.size)
            except Exception:
                log.exception("could not refresh the archive index")

    async def until_loaded(self, interaction: discord.Interaction) -> None:
        """Wait for the archive's first index, deferring `interaction` if that takes long (a cold start)."""
        if not self.archive.is_loaded:
            await within_deadline(interaction, self.archive.loaded())

    async def answer_cite(self, interaction: discord.Interaction, record_id: int) -> None:
        """A Cite button: the document's citation in every form, shown only to whoever pressed it."""
        await self.until_loaded(interaction)
        await respond(interaction, await within_deadline(interaction, self.commands_layer.cite(record_id)))

    async def answer_help(self, interaction: discord.Interaction, command: str) -> None:
        """A daily post's About button: /help for `command`, shown only to whoever pressed it."""
        reply = await self.commands_layer.help(command)
        await respond(interaction, replace(reply, private=True))

    async def answer_document(self, interaction: discord.Interaction, record_id: int) -> None:
        """A document picked from a page's menu: shown in full, only to whoever picked it."""
        await self.until_loaded(interaction)
        reply = await within_deadline(interaction, self.commands_layer.doc(record_id))
        await respond(interaction, replace(reply, private=True))

    async def answer_similar(self, interaction: discord.Interaction, record_id: int) -> None:
        """A More like this button: the documents nearest to it, shown only to whoever pressed it."""
        await self.until_loaded(interaction)
        await respond(interaction, await within_deadline(interaction, self.commands_layer.similar(record_id)))

    async def _scheduler_after_ready(self) -> None:
        await self.wait_until_ready()  # guilds and channels must be known before posting
        await self.archive.loaded()
        await self.scheduler.run()

    def process_status(self) -> str:
        """This process's shards and gateway latency: for /about and the health line."""
        shards = self.settings.shards
        where = shards.describe() if shards is not None else "one connection (unsharded)"
        latency = self.latency
        heard = f"{latency * 1000:.0f} ms" if math.isfinite(latency) else "not measured yet"
        return f"{where}, gateway latency {heard}"

    async def _health(self) -> None:
        """A line in the log every HEALTH_EVERY seconds; a sharded process also renews its shards' record."""
        while True:
            await asyncio.sleep(HEALTH_EVERY)
            log.info("health: %s, %d servers, state in %s", self.process_status(), len(self.guilds),
                     self.state.describe())
            try:
                await self._record_shards(warn=False)
            except Exception:  # the database's trouble is logged by whoever needs it; the bot goes on
                log.warning("could not record this process's shards", exc_info=True)

    async def _record_shards(self, *, warn: bool) -> None:
        """Note in the shared state which process runs each of our shards; at start, warn when another process
        noted one of them recently (overlapping ARCHIVE_SHARDS: the ledger still posts each once)."""
        shards = self.settings.shards
        if shards is None:
            return
        now = time.time()
        overlapping = []
        for shard in shards.ids:
            key = SHARD_KEY.format(count=shards.count, shard=shard)
            owner, _, seen = (await self.state.get_state(key) or "").partition(" ")
            if warn and owner and owner != self.state.owner and now - float(seen or 0) < 2 * HEALTH_EVERY:
                overlapping.append(shard)
            await self.state.set_state(key, f"{self.state.owner} {now}")
        if overlapping:
            log.warning("shard(s) %s of %d are also run by another process: check ARCHIVE_SHARDS of each process "
                        "(daily posts still go out once: the ledger decides)",
                        ",".join(map(str, overlapping)), shards.count)

    async def _forget_shards(self) -> None:
        """On a clean stop: our shards are free, so a successor is not warned about us."""
        shards = self.settings.shards
        if shards is None:
            return
        for shard in shards.ids:
            key = SHARD_KEY.format(count=shards.count, shard=shard)
            if (await self.state.get_state(key) or "").partition(" ")[0] == self.state.owner:
                await self.state.set_state(key, "")

    async def close(self) -> None:
        for task in (self.scheduler_task, self.refresh_task, self.health_task):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        with contextlib.suppress(Exception):  # a database gone away must not stop the shutdown
            await self._forget_shards()
        await super().close()

    async def sync_commands(self) -> None:
        guild = discord.Object(self.settings.dev_guild) if self.settings.dev_guild else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        scope = f"guild:{guild.id}" if guild else "global"
        translator = self.tree.translator  # the hash covers the translations too: a new one re-syncs
        payload = [await command.get_translated_payload(self.tree, translator) if translator
                   else command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        digest = command_hash(payload)
        key = SYNC_KEY.format(scope=scope)
        if await self.state.get_state(key) == digest:
            self.synced = "skipped"
            log.info("application commands unchanged (%s); not syncing", scope)
            return
        await self.tree.sync(guild=guild)
        await self.state.set_state(key, digest)
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
            await self.archive.loaded()  # a DM on a cold start is answered once the index is ready
            if wait:
                reply = cooldown_reply(wait)
            else:
                reply = await run_text_command(self.commands_layer, text) or await self.commands_layer.help()
        except Exception:
            log.exception("message command failed")
            reply = error(SOMETHING_WENT_WRONG)
        await reply_to_message(message, reply)


class IdentifyGate:
    """Discord's limit on starting sessions: `max_concurrency` IDENTIFYs at once, one per rate-limit bucket
    (shard_id % max_concurrency) every `interval` seconds, counted across every process of the application.
    discord.py's default waits 5 s before every shard of its own process only, which is right for one process
    at max_concurrency 1; so the turns are taken in the shared state (`BotState.identify_turn`), and large
    bots get their many buckets."""

    def __init__(self, max_concurrency: int, state: BotState, interval: float | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.max_concurrency = max(1, max_concurrency)
        self.state = state
        self.interval = IDENTIFY_INTERVAL if interval is None else interval
        self.sleep = sleep

    async def wait(self, shard_id: int) -> None:
        bucket = shard_id % self.max_concurrency
        while True:
            try:
                left = await self.state.identify_turn(bucket, self.interval + IDENTIFY_MARGIN)
            except Exception as exc:  # the shared state away: the shard still connects, spaced as if alone
                log.warning("could not take shard %d's turn to connect in %s (%s); waiting %.0f s instead",
                            shard_id, self.state.describe(), exc, self.interval)
                await self.sleep(self.interval)
                return
            if left is None:
                return
            await self.sleep(max(left, 0.05))


class ShardedArchiveBot(ArchiveBot, discord.AutoShardedClient):
    """The bot running the shards its settings name, one of several processes serving one application."""

    identify_gate: IdentifyGate | None = None

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if self.identify_gate is None:
            try:
                concurrency = (await self.fetch_session_start_limits()).max_concurrency
            except discord.HTTPException:
                concurrency = 1  # the safe assumption: one at a time
            self.identify_gate = IdentifyGate(concurrency, self.state)
        await self.identify_gate.wait(shard_id or 0)


def make_bot(archive: Archive, settings: Settings, **kwargs: Any) -> ArchiveBot:
    """The bot for `settings`: sharded (discord.py's AutoShardedClient with those shard ids) when they name
    shards, otherwise the one unsharded connection as always."""
    if settings.shards is None:
        return ArchiveBot(archive, settings, **kwargs)
    return ShardedArchiveBot(archive, settings, shard_ids=list(settings.shards.ids),
                             shard_count=settings.shards.count, **kwargs)


def _store_trouble(exc: BaseException, db: Path) -> str | None:
    """What to tell the user when a database, not the bot nor the user, stopped a command: a write that waited
    its whole bound for another process, or the shared PostgreSQL out of reach (the pool reconnects)."""
    if isinstance(exc, sqlite3.Error):
        exc = StoreError.from_sqlite(db, exc)
    if not isinstance(exc, StoreError):
        return None
    return {StoreProblem.BUSY: ARCHIVE_BUSY, StoreProblem.UNREACHABLE: DATABASE_AWAY}.get(exc.problem)


def cooldown_reply(wait: float) -> Reply:
    return error(f"One moment: you're asking faster than I can look things up. Try again in {max(1, round(wait))} s.")


def register_commands(bot: ArchiveBot) -> None:
    tree, layer = bot.tree, bot.commands_layer

    async def run(interaction: discord.Interaction, work: Callable[[], Awaitable[Reply]],
                  limited: bool = True, answer: Callable[[discord.Interaction, Reply], Awaitable[object]] = respond
                  ) -> None:
        if limited:
            wait = bot.cooldown.retry_after(interaction.user.id)
            if wait:
                await respond(interaction, cooldown_reply(wait))
                return
        reply = await within_deadline(interaction, work())
        await answer(interaction, reply)

    @tree.command(name="ask", description="Ask a question; the answer comes from the best document")
    @app_commands.describe(**BY_NAME["ask"].described())
    async def ask(interaction: discord.Interaction, question: app_commands.Range[str, 1, 500]) -> None:
        await run(interaction, lambda: layer.ask(question))

    @tree.command(name="search", description="Ranked documents for a query; only dates or a person: all, by date")
    @app_commands.describe(**BY_NAME["search"].described({"from": "date_from", "to": "date_to"}))
    @app_commands.rename(date_from="from", date_to="to")
    async def search(interaction: discord.Interaction, query: app_commands.Range[str, 1, 500] | None = None,
                     date_from: app_commands.Range[int, 1900, 2100] | None = None,
                     date_to: app_commands.Range[int, 1900, 2100] | None = None,
                     person: str | None = None) -> None:
        await run(interaction, lambda: layer.search(query or "", date_from, date_to, person))

    @tree.command(name="doc", description="One document in full, with its citation")
    @app_commands.describe(**BY_NAME["doc"].described())
    async def doc(interaction: discord.Interaction, id: app_commands.Range[str, 1, 20]) -> None:
        await run(interaction, lambda: layer.doc(id), limited=False)

    @doc.autocomplete("id")
    async def document_ids(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        snapshot = bot.archive.snapshot
        choices = await asyncio.to_thread(complete_document, snapshot.records, snapshot.titles, snapshot.rank,
                                          current, AUTOCOMPLETE_MAX)  # reads the chosen titles from the store
        return [app_commands.Choice(name=label, value=value) for label, value in choices]

    @tree.command(name="person", description="A person's documents in date order")
    @app_commands.describe(**BY_NAME["person"].described())
    async def person(interaction: discord.Interaction, name: app_commands.Range[str, 1, 200]) -> None:
        await run(interaction, lambda: layer.person(name))

    @person.autocomplete("name")
    @search.autocomplete("person")
    async def person_names(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=label[:100], value=value[:100])
                for label, value in complete_person(bot.archive.people, current, AUTOCOMPLETE_MAX)]

    @tree.command(name="onthisday", description="Documents written on a day of the year")
    @app_commands.describe(**BY_NAME["onthisday"].described())
    async def onthisday(interaction: discord.Interaction, date: app_commands.Range[str, 1, 40] | None = None) -> None:
        await run(interaction, lambda: layer.onthisday(date, target=here(interaction)), limited=False)

    @onthisday.autocomplete("date")
    async def days(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=label, value=value) for label, value in complete_day(
            current, bot.clock().date(), bot.archive.snapshot.by_month_day, AUTOCOMPLETE_MAX)]

    @tree.command(name="random", description="A random document from the archive")
    async def random_doc(interaction: discord.Interaction) -> None:
        await run(interaction, lambda: layer.random(), limited=False)

    @tree.command(name="about", description="The archive's size and dates, and this bot's version")
    async def about(interaction: discord.Interaction) -> None:
        await run(interaction, lambda: layer.about(process=bot.process_status()), limited=False)

    @tree.command(name="help", description="What archive-bot can do, or one command's options and an example")
    @app_commands.describe(**BY_NAME["help"].described())
    @app_commands.choices(command=[app_commands.Choice(name=c.name, value=c.name) for c in COMMANDS])
    async def help_command(interaction: discord.Interaction,
                           command: app_commands.Choice[str] | None = None) -> None:
        await run(interaction, lambda: layer.help(command.value if command else None), limited=False)

    async def on_message_text(interaction: discord.Interaction, message: discord.Message,
                              work: Callable[[str], Awaitable[Reply]]) -> None:
        """A message context menu: its text through the command layer, answered privately with Share."""
        if (text := message_query(message)) is None:
            await respond(interaction, no_text())
        else:
            await run(interaction, lambda: work(text), answer=respond_shareable)

    @tree.context_menu(name=SEARCH_MENU)
    async def search_message(interaction: discord.Interaction, message: discord.Message) -> None:
        await on_message_text(interaction, message, lambda text: layer.search(text))

    @tree.context_menu(name=ASK_MENU)
    async def ask_message(interaction: discord.Interaction, message: discord.Message) -> None:
        await on_message_text(interaction, message, lambda text: layer.ask(text))


def here(interaction: discord.Interaction, channel_id: int | None = None) -> Target:
    """Where a command was used: the user's DMs, or a server channel (`channel_id`, else this one)."""
    if interaction.guild is None:
        return Target.dm(interaction.user.id)
    channel = channel_id or interaction.channel_id
    assert channel is not None  # an interaction in a server always comes from a channel
    return Target.channel(channel)


def server_of(interaction: discord.Interaction) -> int | None:
    return interaction.guild.id if interaction.guild is not None else None


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=False)
@app_commands.allowed_installs(guilds=True, users=False)
class DailyCommands(app_commands.Group, name="daily",
                    description="A daily “on this day” document in a channel, or in your DMs",
                    default_permissions=discord.Permissions(manage_guild=True)):
    """`/daily set|off|status|preview`: Manage Server by default (server admins can change who may). The
    command layer does the work; only the check that the bot can post in the chosen channel is Discord's."""

    def __init__(self, bot: ArchiveBot) -> None:
        super().__init__()
        self.bot = bot
        self.layer = bot.commands_layer

    @app_commands.command(name="set", description="Post a document from this day every day at a time you choose")
    @app_commands.describe(channel="where to post (in a DM: leave empty, the post comes to you)",
                           time="local time, HH:MM (default 09:00)", timezone="e.g. Europe/Berlin (default UTC)")
    async def set_daily(self, interaction: discord.Interaction, channel: discord.TextChannel | None = None,
                        time: str | None = None, timezone: str | None = None) -> None:
        if interaction.guild is not None:
            refusal = cannot_post(interaction.guild, channel)
            if refusal is not None:
                await respond(interaction, refusal)
                return
        target = here(interaction, channel.id if channel is not None else None)
        await respond(interaction, await within_deadline(interaction, self.layer.daily_set(
            target, guild_id=server_of(interaction), user_id=interaction.user.id, time=time, zone=timezone,
            now=self.bot.clock())))

    @set_daily.autocomplete("timezone")
    async def zones(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in complete_zone(current, AUTOCOMPLETE_MAX)]

    @app_commands.command(name="off", description="Stop the daily post here")
    async def off(self, interaction: discord.Interaction) -> None:
        await respond(interaction, await within_deadline(
            interaction, self.layer.daily_off(here(interaction), server_of(interaction))))

    @app_commands.command(name="status", description="Where and when the daily post goes, and the last one")
    async def status(self, interaction: discord.Interaction) -> None:
        await respond(interaction, await within_deadline(
            interaction, self.layer.daily_status(here(interaction), server_of(interaction), self.bot.clock())))

    @app_commands.command(name="preview", description="What the daily post would be today")
    async def preview(self, interaction: discord.Interaction) -> None:
        await respond(interaction, await within_deadline(
            interaction, self.layer.daily_preview(here(interaction), server_of(interaction), self.bot.clock())))


def cannot_post(guild: discord.Guild, channel: discord.TextChannel | None) -> Reply | None:
    """Why the bot could not post daily in `channel`, or None when it can."""
    if channel is None:
        return error(("Name the channel to post in: `/daily set channel:#history`.",))
    target_channel = guild.get_channel(channel.id)
    me = guild.me
    if target_channel is None or me is None:
        return error("I can't see that channel. Check that I have View Channel there.")
    permissions = target_channel.permissions_for(me)
    missing = [name for name, ok in (("View Channel", permissions.view_channel),
                                     ("Send Messages", permissions.send_messages),
                                     ("Embed Links", permissions.embed_links),
                                     ("Read Message History", permissions.read_message_history)) if not ok]
    if missing:
        return error((f"I can't post in {target_channel.mention}: I need {', '.join(missing)} there. "
                      "Grant them (channel settings, Permissions) or pick another channel.",))
    return None
