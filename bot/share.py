"""Private answers that their asker may post publicly: the message context menus ("Search the archive",
"Ask the archive" under Apps on any message) answer only the person who asked, with a Share button.

Share re-posts the same reply, at the page the asker is on, once, in the channel as the bot (through the one
send helper, so with no pings and archive text inert), only for the person who asked, and says so in one
private line when the bot may not post there.
"""
from __future__ import annotations

import logging
from dataclasses import replace

import discord

from .commands import Reply, ReplyKind, error
from .discord_ui import NO_MENTIONS, ReplyView
from .send import may_post, respond

log = logging.getLogger(__name__)

QUERY_MAX = 500  # characters of a message searched or asked, as a slash command's option allows
NO_TEXT = "That message has no text to look up (only images, embeds or attachments)."
CANNOT_SHARE = "I can't post in this channel, so this answer stays visible only to you."
ONLY_ASKER = "Only the person who asked can post this answer: use the command yourself to share yours."
ALREADY_SHARED = "This answer is already posted in the channel."


def message_query(message: discord.Message) -> str | None:
    """The text of a message to search or ask with, at most QUERY_MAX characters; None when it has none."""
    text = " ".join(message.content.split())
    return text[:QUERY_MAX].rstrip() or None


def private(reply: Reply) -> Reply:
    """The same reply, shown only to the asker (an error already is)."""
    return reply if reply.ephemeral else replace(reply, private=True)


class ShareView(ReplyView):
    """A private reply's view (pages, links) with a "Post publicly" button for the person who asked."""

    def __init__(self, reply: Reply, author_id: int, timeout: float | None = -1.0, page: int = 0) -> None:
        self.share: discord.ui.Button[ShareView] = discord.ui.Button(
            label="Post publicly", style=discord.ButtonStyle.primary, row=1)  # beside Go to page and Stop
        self.share.callback = self._share  # type: ignore[method-assign]
        super().__init__(reply, author_id, timeout, page)

    def _layout(self) -> None:
        super()._layout()
        if self.reply.kind is not ReplyKind.ERROR:
            self.add_item(self.share)

    async def _share(self, interaction: discord.Interaction) -> None:
        """Post the page the asker is on, once; the button then says it is posted."""
        refusal = ALREADY_SHARED if self.share.disabled else CANNOT_SHARE if not may_post(interaction) else None
        if refusal is not None:
            await interaction.response.send_message(refusal, ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        self.share.disabled, self.share.label = True, "Posted"
        await respond(interaction, replace(self.reply, private=False), page=self.page)
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:  # the private answer's token ran out (15 minutes): it keeps its button
                log.info("could not mark a shared answer as posted")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.author_id:
            return True
        await interaction.response.send_message(ONLY_ASKER, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return False


async def respond_shareable(interaction: discord.Interaction, reply: Reply) -> discord.Message | None:
    """Answer only the asker, with the Share button on anything but an error."""
    return await respond(interaction, private(reply), ShareView)


def no_text() -> Reply:
    return error(NO_TEXT)
