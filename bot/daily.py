"""How daily posts reach Discord: the `Poster` the scheduler (retrieval/daily/protocol.py) sends through.

It renders the day's post as the `/onthisday` embed with an "About these posts" button whose custom id is the
post's marker (readers never see it), looks for that marker in a channel's recent messages before anything
that may have gone out is sent again, and tells whoever set up a paused subscription what to fix. Discord's
errors become `PostError`s of a kind: missing permissions (Read Message History included), a deleted channel,
a server the bot has left and closed DMs are permanent; rate limits, server and network errors are transient.
"""
from __future__ import annotations

import logging

import discord

from retrieval.daily import DailyPost, FailureKind, PostError, Subscription, footer_marker

from .commands import daily_reply, place
from .discord_ui import NO_MENTIONS, DailyAboutButton, ReplyView, embed_for, inert

log = logging.getLogger(__name__)

HISTORY = 50  # recent messages searched for a post whose claim outlived its process
FIX_DMS = "Allow direct messages from server members (or from me), then run `/daily set` in our DM again."
FIX_CHANNEL = ("Give me View Channel, Send Messages, Embed Links and Read Message History in that channel (or pick "
               "another), then run `/daily set` again.")
FIX_ZONE = "Run `/daily set` again with a time zone from the list, e.g. Europe/Berlin."
FIX_BROKEN = "That is a fault on my side and has been logged; run `/daily set` again to resume."
FIXES = {FailureKind.DMS_CLOSED: FIX_DMS, FailureKind.USER_GONE: FIX_DMS, FailureKind.BAD_ZONE: FIX_ZONE,
         FailureKind.BROKEN: FIX_BROKEN}


def fix_for(kind: FailureKind) -> str:
    """What the person who set up a subscription can do about a failure of this kind."""
    return FIXES.get(kind, FIX_CHANNEL)


class DiscordPoster:
    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def _channel(self, sub: Subscription) -> discord.abc.Messageable:
        if sub.user_id is not None:
            try:
                user = self.client.get_user(sub.user_id) or await self.client.fetch_user(sub.user_id)
                return user.dm_channel or await user.create_dm()
            except discord.NotFound:
                raise PostError(FailureKind.USER_GONE, "the user no longer exists") from None
            except discord.HTTPException as exc:
                raise _transient(exc) from None
        if sub.guild_id is not None and self.client.get_guild(sub.guild_id) is None:
            raise PostError(FailureKind.LEFT_SERVER, "I am no longer in that server")
        channel_id = sub.target.id
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except discord.NotFound:
                raise PostError(FailureKind.CHANNEL_DELETED, "the channel was deleted") from None
            except discord.Forbidden:
                raise PostError(FailureKind.CHANNEL_HIDDEN, "I can no longer see the channel") from None
            except discord.HTTPException as exc:
                raise _transient(exc) from None
        if isinstance(channel, discord.abc.GuildChannel):
            me = channel.guild.me
            permissions = channel.permissions_for(me) if me is not None else None
            if permissions is not None and not (permissions.view_channel and permissions.send_messages
                                                and permissions.embed_links):
                raise PostError(FailureKind.MISSING_PERMISSIONS,
                                f"I am missing permissions in #{channel.name} (Send Messages, Embed Links)")
        return channel  # type: ignore[return-value]

    async def send(self, sub: Subscription, post: DailyPost) -> int:
        channel = await self._channel(sub)
        reply = daily_reply(post.choice, post.day)
        embed = embed_for(reply)
        view = ReplyView(reply, author_id=sub.created_by, timeout=None)
        view.add_item(DailyAboutButton(post.marker))
        try:
            message = await channel.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        except discord.Forbidden as exc:
            if sub.is_dm:
                raise PostError(FailureKind.DMS_CLOSED, f"your DMs are closed to me ({exc.text or exc.status})") \
                    from None
            raise PostError(FailureKind.MISSING_PERMISSIONS,
                            f"I am not allowed to post in that channel ({exc.text or exc.status})") from None
        except discord.NotFound:
            raise PostError(FailureKind.CHANNEL_DELETED, "the channel was deleted") from None
        except discord.HTTPException as exc:
            raise _transient(exc) from None
        except (TimeoutError, OSError) as exc:
            raise PostError(FailureKind.TRANSIENT, f"network error: {exc}") from None
        return message.id

    async def find(self, sub: Subscription, marker: str) -> int | None:
        channel = await self._channel(sub)
        me = self.client.user
        try:
            async for message in channel.history(limit=HISTORY):
                if me is not None and message.author.id == me.id and _carries(message, marker):
                    return message.id
        except discord.Forbidden:  # without the history no post can be looked for: never resent blind
            raise PostError(FailureKind.MISSING_PERMISSIONS,
                            "I cannot read the channel's history (Read Message History)") from None
        except discord.HTTPException as exc:
            raise PostError(FailureKind.TRANSIENT, f"reading the channel's history failed ({exc.status})") from None
        except (TimeoutError, OSError) as exc:
            raise PostError(FailureKind.TRANSIENT, f"network error: {exc}") from None
        return None

    async def notify(self, sub: Subscription, error: PostError) -> None:
        where = place(sub, dm="our DMs")
        text = (f"The daily \u201con this day\u201d post in {where} is paused: {inert(error.detail)}. "
                f"{fix_for(error.kind)}")
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


def _carries(message: discord.Message, marker: str) -> bool:
    """The post's About button has `marker` as its custom id; a post of an older version has it in its footer."""
    buttons = (child for row in message.components if isinstance(row, discord.ActionRow) for child in row.children)
    if any(getattr(button, "custom_id", None) == marker for button in buttons):
        return True
    return any(footer_marker(marker) in (embed.footer.text or "") for embed in message.embeds)


def _transient(exc: discord.HTTPException) -> PostError:
    return PostError(FailureKind.TRANSIENT, f"Discord error {exc.status} ({exc.text or 'no detail'})")
