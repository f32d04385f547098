"""One way to answer: whatever state an interaction is in (fresh, deferred, answered, expired) and
wherever a message came from, the reply gets to the person who asked, or the failure is logged.

- fresh interaction: the initial response; deferred or answered: a followup;
- expired (Unknown interaction / Unknown Webhook): the channel, else a DM;
- a channel the bot may not write in: an ephemeral note (interactions) or a DM (mentions).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord
from discord.utils import MISSING

from .commands import Reply
from .discord_ui import NO_MENTIONS, ReplyView, attachments_for, embed_for, inert

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFER_AFTER = 1.5  # seconds: Discord allows 3 to acknowledge; defer well before that
UNKNOWN_INTERACTION, UNKNOWN_WEBHOOK = 10062, 10015
CANNOT_POST_NOTE = "I can't post in this channel, so only you can see this answer."


def _payload(reply: Reply, author_id: int, view_type: type[ReplyView] = ReplyView,
             page: int = 0) -> tuple[discord.Embed, ReplyView | None]:
    view = view_type(reply, author_id, page=page)
    return embed_for(reply, view.page), view if view.children else None


def _files(reply: Reply) -> Any:
    """The reply's files (a citation's .ris and .bib) for one send, wherever it goes; MISSING when none."""
    return attachments_for(reply) or MISSING


def _sent_view(view: ReplyView | None) -> ReplyView:
    """No view is passed to discord.py as MISSING: an interaction response given None fails."""
    return view if view is not None else MISSING


async def within_deadline(interaction: discord.Interaction, work: Awaitable[T]) -> T:
    """Run `work`; if it is not done in time, defer the interaction first so it does not expire."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.wait_for(asyncio.shield(task), DEFER_AFTER)
    except TimeoutError:
        if not interaction.response.is_done():
            try:
                await interaction.response.defer(thinking=True)
            except discord.HTTPException as exc:
                log.info("could not defer interaction %s: %s", interaction.id, exc)
        return await task


def may_post(interaction: discord.Interaction) -> bool:
    if interaction.guild is None:
        return True
    permissions = interaction.app_permissions
    return permissions.send_messages and permissions.embed_links


async def respond(interaction: discord.Interaction, reply: Reply, view_type: type[ReplyView] = ReplyView,
                  page: int = 0) -> discord.Message | None:
    """Send `reply` (open at `page`) for `interaction` under a `view_type` view; returns the message when one
    was posted."""
    ephemeral = reply.ephemeral or not may_post(interaction)
    embed, view = _payload(reply, interaction.user.id, view_type, page)
    files = _files(reply)
    content = CANNOT_POST_NOTE if ephemeral and not reply.ephemeral else None
    message: discord.Message | None
    try:
        if not interaction.response.is_done():
            await interaction.response.send_message(content=content, embed=embed, ephemeral=ephemeral,
                                                    allowed_mentions=NO_MENTIONS, view=_sent_view(view),
                                                    files=files)
            message = await interaction.original_response() if view else None
        else:
            if ephemeral and interaction.response.type == discord.InteractionResponseType.deferred_channel_message:
                # The first followup after a public defer fills the public "thinking" message, whatever
                # its own flags say: remove that message so a private reply stays private.
                await interaction.delete_original_response()
            message = await interaction.followup.send(content=content if content is not None else MISSING,
                                                      embed=embed, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS,
                                                      wait=True, view=_sent_view(view), files=files)
    except discord.NotFound as exc:
        if exc.code not in (UNKNOWN_INTERACTION, UNKNOWN_WEBHOOK):
            raise
        log.info("interaction %s expired before the reply; sending it to the channel instead", interaction.id)
        return await _deliver_elsewhere(interaction.channel, interaction.user, reply)
    except discord.Forbidden:
        log.info("interaction %s: not allowed to reply here; trying a DM", interaction.id)
        return await _dm(interaction.user, reply, note="I couldn't answer in that channel, so here it is.")
    if view is not None and message is not None:
        view.message = message
    return message


async def reply_to_message(message: discord.Message, reply: Reply) -> discord.Message | None:
    """Answer a DM or a mention in a channel; a channel the bot cannot post in gets a DM instead."""
    embed, view = _payload(reply, message.author.id)
    channel = message.channel
    if message.guild is not None and isinstance(channel, discord.abc.GuildChannel):
        permissions = channel.permissions_for(message.guild.me)
        if not (permissions.send_messages and permissions.embed_links):
            note = f"I can't post in #{inert(channel.name)}, so here is my answer."
            return await _dm(message.author, reply, note=note)
    try:
        sent = await channel.send(embed=embed, allowed_mentions=NO_MENTIONS,
                                  reference=message.to_reference(fail_if_not_exists=False), view=_sent_view(view))
    except discord.Forbidden:
        return await _dm(message.author, reply, note="I couldn't answer in that channel, so here it is.")
    if view is not None:
        view.message = sent
    return sent


async def _deliver_elsewhere(channel: object, user: discord.User | discord.Member,
                             reply: Reply) -> discord.Message | None:
    if isinstance(channel, discord.abc.Messageable) and not reply.ephemeral:
        embed, view = _payload(reply, user.id)
        try:
            sent = await channel.send(content=f"{user.mention}, here is your answer:", embed=embed,
                                      allowed_mentions=discord.AllowedMentions(users=[user], everyone=False,
                                                                              roles=False),
                                      view=_sent_view(view), files=_files(reply))
            if view is not None:
                view.message = sent
            return sent
        except discord.HTTPException:
            pass
    return await _dm(user, reply, note="My answer took too long for Discord, so here it is.")


async def _dm(user: discord.User | discord.Member, reply: Reply, note: str) -> discord.Message | None:
    embed, view = _payload(reply, user.id)
    try:
        sent = await user.send(content=note, embed=embed, allowed_mentions=NO_MENTIONS, view=_sent_view(view),
                               files=_files(reply))
    except discord.HTTPException as exc:
        log.warning("could not deliver a reply to user %s anywhere: %s", user.id, exc)
        return None
    if view is not None:
        view.message = sent
    return sent
