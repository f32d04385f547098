"""Daily "on this date" posts: the scheduler, and how it reaches Discord.

The scheduler starts once per process from `setup_hook` (never `on_ready`, which runs again on every
reconnect). Each tick it posts, for every active subscription whose local time has come today, the day's
document: claimed in the database first (see retrieval/daily.py for what a crash means), then sent, then
marked sent. Only today counts: after downtime today's missed post goes out, earlier days are not flooded.

A channel that cannot work (missing permissions, deleted, a server the bot has left, closed DMs) pauses
that subscription and tells whoever set it up; rate limits and server errors are retried with backoff.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Awaitable, Callable, Protocol

import discord

from retrieval.daily import DailyStore, Subscription, todays_choice
from retrieval.search import Archive
from retrieval.site import ARCHIVE_NAME

from .commands import Reply, daily_reply
from .discord_ui import NO_MENTIONS, ReplyView, embed_for

log = logging.getLogger(__name__)

TICK = 30.0  # seconds between looks at the clock (a post is due within this of its minute)
RETRIES = 4
BACKOFF = 2.0
HISTORY = 50  # recent messages searched for a post whose claim outlived its process
Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]


class PostError(Exception):
    def __init__(self, reason: str, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Poster(Protocol):
    async def send(self, sub: Subscription, reply: Reply, marker: str) -> int: ...
    async def find(self, sub: Subscription, marker: str) -> int | None: ...
    async def notify(self, sub: Subscription, reason: str) -> None: ...


@dataclass
class Outcome:
    subscription_id: int
    day: date
    result: str  # sent | found | skipped | paused | retry | unknown
    detail: str = ""


class DailyScheduler:
    def __init__(self, archive: Archive, ledger: DailyStore, poster: Poster, *,
                 clock: Clock = lambda: datetime.now(timezone.utc), sleep: Sleep = asyncio.sleep,
                 retries: int = RETRIES, backoff: float = BACKOFF) -> None:
        self.archive = archive
        self.ledger = ledger
        self.poster = poster
        self.clock = clock
        self.sleep = sleep
        self.retries = retries
        self.backoff = backoff

    async def run(self) -> None:
        """Forever: tick, then wait until the next due post or TICK, whichever is sooner."""
        while True:
            try:
                await self.tick()
            except Exception:  # one bad tick must not end the daily posts
                log.exception("daily tick failed")
            await self.sleep(await self._until_next())

    async def _until_next(self) -> float:
        now = self.clock()
        waits = [(sub.next_due(now) - now).total_seconds() for sub in await self.ledger.active()]
        return max(1.0, min([TICK, *waits]))

    async def tick(self) -> list[Outcome]:
        now = self.clock()
        outcomes = []
        for sub in await self.ledger.active():
            day = sub.is_due(now)
            if day is None:
                continue
            try:
                outcome = await self.post(sub, day)
            except Exception as exc:  # isolate: every other subscription still posts
                log.exception("daily post for subscription %s failed", sub.id)
                outcome = Outcome(sub.id, day, "retry", str(exc))
            if outcome.result != "skipped":
                outcomes.append(outcome)
        return outcomes

    async def post(self, sub: Subscription, day: date) -> Outcome:
        choice = await todays_choice(self.archive, day, ledger=self.ledger, sub=sub)
        record_id = choice.record.id if choice.record else None
        claim = await self.ledger.claim(sub, day, record_id, self.clock())
        if claim is None:
            return Outcome(sub.id, day, "skipped")
        if claim.record_id != record_id:  # another process chose first: post what it chose
            choice = await todays_choice(self.archive, day, ledger=self.ledger, sub=sub)
        marker = sub.marker(day)
        if claim.takeover:
            try:
                found = await self.poster.find(sub, marker)
            except PostError as exc:
                await self.ledger.mark(sub, day, "unknown", f"could not check for an earlier post: {exc.reason}")
                log.warning("subscription %s, %s: claim taken over but history unreadable; not posting", sub.id, day)
                return Outcome(sub.id, day, "unknown", exc.reason)
            if found is not None:
                await self.ledger.mark_sent(sub, day, found, self.clock())
                return Outcome(sub.id, day, "found")
        reply = daily_reply(choice, day)
        for attempt in range(self.retries):
            try:
                message_id = await self.poster.send(sub, reply, marker)
            except PostError as exc:
                if exc.permanent:
                    await self.ledger.mark(sub, day, "failed", exc.reason)
                    await self.ledger.pause(sub.id, exc.reason)
                    log.warning("subscription %s paused: %s", sub.id, exc.reason)
                    await self.poster.notify(sub, exc.reason)
                    return Outcome(sub.id, day, "paused", exc.reason)
                log.info("subscription %s: %s (attempt %d)", sub.id, exc.reason, attempt + 1)
                if attempt + 1 < self.retries:
                    await self.sleep(self.backoff * 2 ** attempt)
                continue
            await self.ledger.mark_sent(sub, day, message_id, self.clock())
            return Outcome(sub.id, day, "sent")
        await self.ledger.mark(sub, day, "failed", "Discord kept failing; will retry")
        return Outcome(sub.id, day, "retry")


def fix_for(reason: str) -> str:
    if "DM" in reason:
        return "Allow direct messages from server members (or from me), then run `/daily set` in our DM again."
    return ("Give me View Channel, Send Messages and Embed Links in that channel (or pick another), then run "
            "`/daily set` again.")


class DiscordPoster:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _channel(self, sub: Subscription) -> discord.abc.Messageable:
        if sub.is_dm:
            try:
                user = self.client.get_user(sub.user_id) or await self.client.fetch_user(sub.user_id)
                return user.dm_channel or await user.create_dm()
            except discord.NotFound:
                raise PostError("the user no longer exists", permanent=True) from None
            except discord.HTTPException as exc:
                raise _transient(exc) from None
        if sub.guild_id is not None and self.client.get_guild(sub.guild_id) is None:
            raise PostError("I am no longer in that server", permanent=True)
        channel = self.client.get_channel(sub.channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(sub.channel_id)
            except discord.NotFound:
                raise PostError("the channel was deleted", permanent=True) from None
            except discord.Forbidden:
                raise PostError("I can no longer see the channel", permanent=True) from None
            except discord.HTTPException as exc:
                raise _transient(exc) from None
        if isinstance(channel, discord.abc.GuildChannel):
            me = channel.guild.me
            permissions = channel.permissions_for(me) if me is not None else None
            if permissions is not None and not (permissions.view_channel and permissions.send_messages
                                                and permissions.embed_links):
                raise PostError(f"I am missing permissions in #{channel.name} (Send Messages, Embed Links)",
                                permanent=True)
        return channel  # type: ignore[return-value]

    async def send(self, sub: Subscription, reply: Reply, marker: str) -> int:
        channel = await self._channel(sub)
        embed = embed_for(reply)
        embed.set_footer(text=f"{embed.footer.text or ARCHIVE_NAME} · {marker}"[:2048])
        view = ReplyView(reply, author_id=sub.created_by, timeout=None)
        try:
            message = await channel.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden as exc:
            what = "your DMs are closed to me" if sub.is_dm else "I am not allowed to post in that channel"
            raise PostError(f"{what} ({exc.text or exc.status})", permanent=True) from None
        except discord.NotFound:
            raise PostError("the channel was deleted", permanent=True) from None
        except discord.HTTPException as exc:
            raise _transient(exc) from None
        except (OSError, asyncio.TimeoutError) as exc:
            raise PostError(f"network error: {exc}", permanent=False) from None
        return message.id

    async def find(self, sub: Subscription, marker: str) -> int | None:
        channel = await self._channel(sub)
        me = self.client.user
        try:
            async for message in channel.history(limit=HISTORY):  # type: ignore[attr-defined]
                if me is not None and message.author.id == me.id and any(
                        marker in (e.footer.text or "") for e in message.embeds):
                    return message.id
        except discord.HTTPException as exc:
            raise PostError(f"reading the channel's history failed ({exc.status})", permanent=False) from None
        return None

    async def notify(self, sub: Subscription, reason: str) -> None:
        where = "our DMs" if sub.is_dm else f"<#{sub.channel_id}>"
        text = f"The daily \u201con this day\u201d post in {where} is paused: {reason}. {fix_for(reason)}"
        try:
            creator = self.client.get_user(sub.created_by) or await self.client.fetch_user(sub.created_by)
            await creator.send(text, allowed_mentions=NO_MENTIONS)
            return
        except discord.HTTPException:
            pass
        guild = self.client.get_guild(sub.guild_id) if sub.guild_id else None
        channel = guild.system_channel if guild is not None else None
        if channel is not None and guild is not None and guild.me is not None \
                and channel.permissions_for(guild.me).send_messages:
            try:
                await channel.send(text, allowed_mentions=NO_MENTIONS)
                return
            except discord.HTTPException:
                pass
        log.warning("could not tell anyone that subscription %s is paused", sub.id)


def _transient(exc: discord.HTTPException) -> PostError:
    return PostError(f"Discord error {exc.status} ({exc.text or 'no detail'})", permanent=False)


def next_post_text(sub: Subscription, now: datetime) -> str:
    due = sub.next_due(now)
    stamp = int(due.timestamp())
    return f"<t:{stamp}:F> (<t:{stamp}:R>)"


def timestamp_of_time(sub: Subscription, now: datetime) -> str:
    stamp = int(sub.due_at(sub.local_date(now)).timestamp())
    return f"<t:{stamp}:t>"

