"""Replies as Discord embeds and views, always inside Discord's limits, with archive and user text made inert.

One rule: every piece of archive or user text (titles, summaries, names, notes, a reply's plain lead, what a
command quotes back) goes through `inert` before it is placed in an embed, and the bot's own markup (bold
numbering, emphasis of matched words, timestamps) is added around the escaped text, never inside it. Text is
clipped before it is escaped, or by `clip`, which never leaves half an escape; so a title holding `[here](url)`,
`# heading` or `@everyone` shows as written, links nowhere and pings no one.
"""
from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any, Protocol, runtime_checkable

import discord
from discord.utils import TimestampStyle

from retrieval.citation_formats import CRLF, bibtex, bibtex_key, chicago, ris
from retrieval.cite import SAFE_URL, Citation, LinkKind
from retrieval.site import ARCHIVE_NAME
from retrieval.text import is_number

from .commands import Card, Moment, Reply, ReplyKind, TimeStyle
from .wording import document_facts, link_label, mentioned_names, meta_line, people_with_roles, text_heading

TITLE_MAX, DESCRIPTION_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 256, 4096, 256, 1024
FOOTER_MAX, FIELDS_MAX, EMBED_TOTAL_MAX, CONTENT_MAX = 2048, 25, 6000, 2000
EXCERPT = 300
FACT_MAX = 300  # a fact of a document's page (its source, its subjects) in the embed, before "…"
TEXT_EXCERPT = 600  # the document's own text shown under /doc; the page has the rest
EMBED_PEOPLE = 5  # participants named under a title before "+N"
COLOUR = discord.Colour(0x8B1E1E)
ERROR_COLOUR = discord.Colour(0xED4245)  # Discord's red: an error is seen as one before it is read
NO_MENTIONS = discord.AllowedMentions.none()
_STYLES: dict[TimeStyle, TimestampStyle] = {TimeStyle.FULL: "F", TimeStyle.TIME: "t", TimeStyle.RELATIVE: "R"}
# Characters that open inline markup anywhere: emphasis, strike, spoiler, code, masked links, mentions, quotes.
_MARKUP_CHAR = re.compile(r"[\\*_~|`\[\]<>]")
# What opens block markup only at a line's start: a heading (#, -#), a list (-, +, 1. or 1)); `*` and `>`
# are escaped everywhere already.
_LINE_START = re.compile(r"^([ \t]*\d*)([#+.)-])", re.MULTILINE)
_BACKTICK_RUN = re.compile(r"`(?=`)")
ZERO_WIDTH = "\u200b"
_EVERYONE = re.compile(r"@(?=everyone|here)", re.IGNORECASE)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis when it must be cut. A cut never
    ends in a backslash, so it cannot leave half an escape that would join the ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:\\*_~`|") + "…"


def _escape(text: str) -> str:
    text = _MARKUP_CHAR.sub(lambda m: "\\" + m.group(0), text)
    text = _LINE_START.sub(r"\1\\\2", text)
    return _EVERYONE.sub("@\u200b", text)


def inert(text: str) -> str:
    """Archive or user text as literal text: no markdown effects, no masked link, no mention, no heading, list
    or quote, whatever it holds.

    Every character that can open markup is backslash-escaped (a backslash too, so none can be un-escaped), the
    ones that only count at a line's start are escaped there, `@everyone` and `@here` get a zero-width space,
    and `<` is escaped, so `<@123>`, `<@&123>` and `<#123>` stay text; AllowedMentions.none() on every send is
    the second guard. Links the archive gives as plain http(s) URLs stay as they are (they hold none of those
    characters), so they still work.
    """
    shown, last = [], 0
    for url in SAFE_URL.finditer(text):
        shown += [_escape(text[last:url.start()]), url.group(0)]
        last = url.end()
    shown.append(_escape(text[last:]))
    return "".join(shown)


def emphasise(text: str, words: Iterable[str], limit: int) -> str:
    """Escaped text with the matching words in bold, clipped to `limit` after formatting."""
    text = clip(text, limit)
    wanted = sorted({w for w in words if w.strip()}, key=len, reverse=True)
    if not wanted:
        return clip(inert(text), limit)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in wanted) + r")\b", re.IGNORECASE)
    pieces, last = [], 0
    for m in pattern.finditer(text):
        pieces.append(inert(text[last:m.start()]))
        pieces.append(f"**{inert(m.group(0))}**")
        last = m.end()
    pieces.append(inert(text[last:]))
    formatted = "".join(pieces)
    if len(formatted) > limit:  # bold and escapes made it longer: plain is better than broken markup
        formatted = clip(inert(text), limit)
    return formatted


def _card_block(number: int, card: Card, room: int) -> str:
    head = f"**{number}. {inert(clip(card.record.title, 300))}**\n{inert(meta_line(card.record, EMBED_PEOPLE))}"
    summary = card.record.summary
    if summary and room > len(head) + 20:
        excerpt = emphasise(summary, card.emphasis, min(EXCERPT, room - len(head) - 1))
        return f"{head}\n{excerpt}"
    return clip(head, room)


def results_embed(reply: Reply, page: int) -> discord.Embed:
    pages = reply.pages
    cards = pages[page]
    first_number = page * reply.per_page + 1
    parts: list[str] = []
    if lead := lead_markup(reply, 1000):
        parts.append(lead)
    budget = DESCRIPTION_MAX - sum(len(p) + 2 for p in parts) - 10
    share = max(200, budget // max(1, len(cards)))
    for offset, card in enumerate(cards):
        parts.append(_card_block(first_number + offset, card, min(share, budget)))
        budget -= len(parts[-1]) + 2
    embed = discord.Embed(title=clip(inert(reply.title), TITLE_MAX), description=clip("\n\n".join(parts),
                          DESCRIPTION_MAX), colour=COLOUR)
    footer = []
    if len(pages) > 1:
        footer.append(f"Page {page + 1} of {len(pages)} · {len(reply.cards)} documents")
    if reply.footer:
        footer.append(reply.footer)
    footer.append(f"{ARCHIVE_NAME} · /doc <number> for the full document")
    embed.set_footer(text=clip(" · ".join(footer), FOOTER_MAX))
    return fit(embed)


def document_embed(card: Card, mentioned: bool = True) -> discord.Embed:
    """One document in full; `mentioned` adds the people it only names, apart from its participants.

    Then what its page says (authors, type, language, source, original archive, places, subjects), an
    excerpt of its text, its links and its citation, whose URL is never cut: the words before it are.
    """
    record, citation = card.record, card.citation
    embed = discord.Embed(
        title=clip(inert(record.title), TITLE_MAX),
        url=None if citation.link is LinkKind.SEARCH else citation.url,  # a title never links to a search
        description=emphasise(record.summary, card.emphasis, DESCRIPTION_MAX) if record.summary else None,
        colour=COLOUR,
    )
    embed.add_field(name="Date", value=inert(record.date.human()), inline=True)
    if record.participants:
        embed.add_field(name="Participants", value=clip(inert(people_with_roles(record)), FIELD_VALUE_MAX),
                        inline=True)
    if mentioned and record.mentioned:
        embed.add_field(name="Mentioned", value=clip(inert(mentioned_names(record)), FIELD_VALUE_MAX), inline=True)
    for label, value in document_facts(record, citation):
        embed.add_field(name=label, value=inert(clip(value, FACT_MAX)), inline=len(value) < 40)
    for number, note in enumerate(record.notes[:3], 1):
        embed.add_field(name="Note" if len(record.notes) == 1 else f"Note {number}",
                        value=clip(inert(note), FIELD_VALUE_MAX), inline=False)
    if record.info is not None and record.info.text.strip():
        text = " ".join(record.info.text.split())
        shown = clip(text, TEXT_EXCERPT)
        heading = text_heading(len(shown.removesuffix("…")) if shown != text else len(text), len(text),
                               record.info.text_partial)
        embed.add_field(name=heading, value=inert(shown), inline=False)
    if links := _links(citation):
        embed.add_field(name="Links", value=links, inline=False)
    embed.add_field(name="Cite as", value=_cite_as(citation, FIELD_VALUE_MAX), inline=False)
    embed.set_footer(text=f"#{record.id} · {citation.archive}")
    return fit(embed)


def _links(citation: Citation) -> str:
    """The page and the scan as links: the bot's own markup around URLs that hold no markup characters."""
    links = [] if citation.link is LinkKind.SEARCH else [f"[The document's page]({citation.url})"]
    if citation.scan_url is not None:
        links.append(f"[The scan]({citation.scan_url})")
    return " · ".join(links)


def _cite_as(citation: Citation, limit: int) -> str:
    """The archive's form with its URL whole (so it stays a link): the words before it are cut instead."""
    url = citation.url  # http(s) and free of markup characters by design
    return f"{clip(inert(citation.lead), limit - len(url) - 1)} {url}"


def timestamp(moment: Moment) -> str:
    """A Discord timestamp: every reader sees it in their own time zone and language."""
    return discord.utils.format_dt(moment.when, _STYLES[moment.style])


def lead_markup(reply: Reply, limit: int) -> str:
    """The lead as embed markup: a plain `lead` is text (it may quote the user or the archive), shown literally;
    a `timed_lead` is the bot's own words, its markup kept and its moments shown as Discord timestamps.
    Empty when there is no lead."""
    if reply.timed_lead:
        return clip(reply.lead_text(timestamp, inert) or "", limit)
    return clip(inert(reply.lead or ""), limit)


def message_embed(reply: Reply) -> discord.Embed:
    colour = ERROR_COLOUR if reply.kind is ReplyKind.ERROR else COLOUR
    return fit(discord.Embed(title=clip(inert(reply.title), TITLE_MAX),
                             description=lead_markup(reply, DESCRIPTION_MAX), colour=colour))


def fit(embed: discord.Embed) -> discord.Embed:
    """Within Discord's 6,000 characters: the description shrinks first, then the longest fields, never
    the citation (its URL must stay whole)."""
    excess = len(embed) - EMBED_TOTAL_MAX
    if excess > 0 and embed.description:
        embed.description = clip(embed.description, max(0, len(embed.description) - excess - 1)) or None
    while (excess := len(embed) - EMBED_TOTAL_MAX) > 0:
        index, longest = max(((i, f) for i, f in enumerate(embed.fields) if f.name != "Cite as"),
                             key=lambda pair: len(pair[1].value or ""))
        value = longest.value or ""
        embed.set_field_at(index, name=longest.name or "", value=clip(value, max(20, len(value) - excess - 1)),
                           inline=bool(longest.inline))
    return embed


def code_block(text: str, language: str = "") -> str:
    """Text in a code block, shown exactly (no markup or link inside one); a run of backticks in it is broken
    by zero-width spaces so it cannot close the block, and `@everyone` gets one as everywhere."""
    text = _EVERYONE.sub("@" + ZERO_WIDTH, _BACKTICK_RUN.sub("`" + ZERO_WIDTH, text))
    return f"```{language}\n{text}\n```"


def citation_markup(citation: Citation, limit: int = DESCRIPTION_MAX) -> str:
    """The archive's form with Chicago's note and bibliography entry, BibTeX and RIS, each in a code block.

    In a chat the exports leave the summary out; an over-long title, then source, is cut ("…") until the three
    fit `limit`, never a URL. Should even that not fit, only the first block is shown, with where to get the rest.
    """
    compact = replace(citation, summary="")
    for title_max, source_max in ((TITLE_MAX * 8, FIELD_VALUE_MAX * 4), (TITLE_MAX * 2, FIELD_VALUE_MAX),
                                  (TITLE_MAX, FACT_MAX), (100, 100)):
        shown = replace(compact, title=clip(compact.title, title_max), source=clip(compact.source, source_max))
        first = code_block(f"{shown.text}\n\n{chicago(shown).rstrip()}")
        blocks = ["**The archive's form and Chicago**", first,
                  "**BibTeX**", code_block(bibtex(shown).rstrip(), "bibtex"),
                  "**RIS** (Zotero, EndNote, Mendeley)", code_block(ris(shown).replace(CRLF, "\n").rstrip())]
        if len("\n".join(blocks)) <= limit:
            return "\n".join(blocks)
    return "\n".join([blocks[1], f"(Too long for Discord: `archive-bot show {citation.record_id or 'N'} "
                                  "--format bibtex` or `--format ris` gives the rest.)"])


def citation_embed(reply: Reply) -> discord.Embed:
    return fit(discord.Embed(title=clip(inert(reply.title), TITLE_MAX),
                             description=citation_markup(reply.cards[0].citation), colour=COLOUR))


def attachments_for(reply: Reply) -> list[discord.File]:
    """A citation also comes as files a reference manager imports (.ris: Zotero, EndNote; .bib: LaTeX). New
    objects on every call: discord.py reads a File once."""
    if reply.kind is not ReplyKind.CITATION or not reply.cards:
        return []
    citation = reply.cards[0].citation
    key = bibtex_key(citation)
    return [discord.File(io.BytesIO(ris(citation).encode()), filename=f"{key}.ris"),
            discord.File(io.BytesIO(bibtex(citation).encode()), filename=f"{key}.bib")]


def daily_embed(reply: Reply) -> discord.Embed:
    """The "on this day" post: the heading says how long ago; the document follows, with its participants."""
    embed = document_embed(reply.cards[0], mentioned=False)
    record = reply.cards[0].record
    summary = embed.description or ""
    lead = lead_markup(reply, 1000)
    heading = f"{lead}\n\n" if lead else ""
    embed.description = clip(f"{heading}**{inert(clip(record.title, 1500))}**\n\n{summary}", DESCRIPTION_MAX)
    embed.title = clip(inert(reply.title), TITLE_MAX)
    return fit(embed)


def embed_for(reply: Reply, page: int = 0) -> discord.Embed:
    if reply.kind is ReplyKind.CITATION and reply.cards:
        return citation_embed(reply)
    if reply.kind is ReplyKind.DAILY and len(reply.cards) == 1:
        return daily_embed(reply)
    if reply.kind is ReplyKind.DOCUMENT and reply.cards:
        return document_embed(reply.cards[0])
    if reply.cards:
        return results_embed(reply, page)
    if reply.kind in (ReplyKind.RESULTS, ReplyKind.ANSWER) and (reply.lead or reply.footer):
        return results_embed(reply, 0)
    return message_embed(reply)


def link_buttons(cards: list[Card], first_number: int) -> list[discord.ui.Button[discord.ui.View]]:
    """A link button to each document on the page, labelled as numbered in the embed and by what it opens
    ("Open" only for a real link); a single document gets its scan too."""
    buttons: list[discord.ui.Button[discord.ui.View]] = []
    for offset, card in enumerate(cards[:5]):
        label = link_label(card.citation.link, card.record.id, None if len(cards) == 1 else first_number + offset)
        buttons.append(discord.ui.Button(style=discord.ButtonStyle.link, url=card.citation.url, label=label[:80]))
    if len(cards) == 1 and cards[0].citation.scan_url is not None:
        buttons.append(discord.ui.Button(style=discord.ButtonStyle.link, url=cards[0].citation.scan_url,
                                         label="Scan"))
    return buttons


@runtime_checkable
class Citer(Protocol):
    """The client that answers a Cite button (the bot: its command layer and its one way to reply)."""

    async def answer_cite(self, interaction: discord.Interaction, record_id: int) -> None: ...


class CiteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cite:(?P<id>[0-9]{1,12})"):
    """ "Cite" under a document: its citation in every form, shown only to whoever pressed it.

    Its custom id carries the document's number, so it keeps working for anyone after the page buttons
    time out and after a restart (the bot registers it as a dynamic item)."""

    def __init__(self, record_id: int) -> None:
        super().__init__(discord.ui.Button(label="Cite", style=discord.ButtonStyle.secondary,
                                           custom_id=f"cite:{record_id}"))
        self.record_id = record_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> CiteButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if isinstance(interaction.client, Citer):
            await interaction.client.answer_cite(interaction, self.record_id)


@runtime_checkable
class SimilarFinder(Protocol):
    """The client that answers a More like this button."""

    async def answer_similar(self, interaction: discord.Interaction, record_id: int) -> None: ...


class SimilarButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"similar:(?P<id>[0-9]{1,12})"):
    """ "More like this" under a document: the documents nearest to it, shown only to whoever pressed it.

    Like Cite, its custom id carries the document's number, so it answers after a restart too."""

    def __init__(self, record_id: int) -> None:
        super().__init__(discord.ui.Button(label="More like this", style=discord.ButtonStyle.secondary,
                                           custom_id=f"similar:{record_id}"))
        self.record_id = record_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> SimilarButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if isinstance(interaction.client, SimilarFinder):
            await interaction.client.answer_similar(interaction, self.record_id)


@runtime_checkable
class Explainer(Protocol):
    """The client that answers a daily post's About button."""

    async def answer_help(self, interaction: discord.Interaction, command: str) -> None: ...


class DailyAboutButton(discord.ui.DynamicItem[discord.ui.Button[Any]],
                       template=r"daily:(?P<sub>[0-9]{1,12}):(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})"):
    """ "About these posts" under a daily post: what they are and how to change or stop them, shown only to
    whoever pressed it. Its custom id is the post's marker (retrieval.daily's `Subscription.marker`): a restart
    finds the post by it, and readers never see it."""

    def __init__(self, marker: str) -> None:
        super().__init__(discord.ui.Button(label="About these posts", style=discord.ButtonStyle.secondary,
                                           custom_id=marker, row=4))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str], /) -> DailyAboutButton:
        return cls(match.group(0))

    async def callback(self, interaction: discord.Interaction) -> None:
        if isinstance(interaction.client, Explainer):
            await interaction.client.answer_help(interaction, "daily")


@runtime_checkable
class Opener(Protocol):
    """The client that answers the "open a document" menu under a page of results (the bot)."""

    async def answer_document(self, interaction: discord.Interaction, record_id: int) -> None: ...


MODAL_AFTER = 5  # pages: more than this, and "Go to page…" opens a box to type the number in
OPTION_MAX, SELECT_OPTIONS_MAX = 100, 25  # Discord: a select option's label and description, options per menu


class GoToPage(discord.ui.Modal, title="Go to page"):
    """A box for a page number: a valid one turns the page; anything else gets one line, shown only to the asker."""

    def __init__(self, view: ReplyView) -> None:
        super().__init__()
        self.view = view
        pages = len(view.reply.pages)
        self.number: discord.ui.TextInput[GoToPage] = discord.ui.TextInput(
            label=f"Page (1 to {pages})", placeholder=str(view.page + 1), min_length=1, max_length=6)
        self.add_item(self.number)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        pages = len(self.view.reply.pages)
        text = self.number.value.strip()
        if not is_number(text) or not 1 <= int(text) <= pages:
            await interaction.response.send_message(
                f"“{inert(clip(text, 20))}” is not a page here: type a number from 1 to {pages}.",
                ephemeral=True, allowed_mentions=NO_MENTIONS)
            return
        await self.view.show(interaction, int(text) - 1)


class ReplyView(discord.ui.View):
    """Page controls (only for the person who asked) and links to the documents shown.

    Row 0: first, previous, "Page n of N" (a label, never pressed), next, last; row 1: "Go to page…" (more than
    five pages) and Stop; row 2: a menu to open one of the page's documents; row 3: the links (and Cite). Stop
    leaves the links and Cite. On timeout the controls are disabled and the message edited, so stale ones never
    fail.
    """

    default_timeout: float = 300.0  # seconds of inactivity before the page buttons are disabled

    def __init__(self, reply: Reply, author_id: int, timeout: float | None = -1.0, page: int = 0) -> None:
        super().__init__(timeout=self.default_timeout if timeout == -1.0 else timeout)
        self.reply = reply
        self.author_id = author_id
        self.page = max(0, min(len(reply.pages) - 1, page))
        self.message: discord.Message | discord.InteractionMessage | None = None
        self.counter: discord.ui.Button[ReplyView] = discord.ui.Button(
            label="Page", style=discord.ButtonStyle.secondary, disabled=True, row=0)
        self.documents: discord.ui.Select[ReplyView] = discord.ui.Select(
            placeholder="Open a document on this page…", row=2)
        self.documents.callback = self._open  # type: ignore[method-assign]
        self._layout()

    @discord.ui.button(label="⏮ First", style=discord.ButtonStyle.secondary, row=0)
    async def first(self, interaction: discord.Interaction, button: discord.ui.Button[ReplyView]) -> None:
        await self.show(interaction, 0)

    @discord.ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary, row=0)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[ReplyView]) -> None:
        await self.show(interaction, self.page - 1)

    @discord.ui.button(label="Next ▶", style=discord.ButtonStyle.secondary, row=0)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[ReplyView]) -> None:
        await self.show(interaction, self.page + 1)

    @discord.ui.button(label="Last ⏭", style=discord.ButtonStyle.secondary, row=0)
    async def last(self, interaction: discord.Interaction, button: discord.ui.Button[ReplyView]) -> None:
        await self.show(interaction, len(self.reply.pages) - 1)

    @discord.ui.button(label="Go to page…", style=discord.ButtonStyle.primary, row=1)
    async def go_to(self, interaction: discord.Interaction, button: discord.ui.Button[ReplyView]) -> None:
        await interaction.response.send_modal(GoToPage(self))

    @discord.ui.button(label="Stop", style=discord.ButtonStyle.danger, row=1)
    async def finish(self, interaction: discord.Interaction, button: discord.ui.Button[ReplyView]) -> None:
        """The page stays as it is, with its links; the controls go."""
        self.clear_items()
        self._add_links()
        self.stop()
        await interaction.response.edit_message(view=self)

    @property
    def paged(self) -> bool:
        return len(self.reply.pages) > 1

    @property
    def listed(self) -> bool:
        """A list of documents, not one document shown in full: the menu can open one."""
        return self.reply.kind not in (ReplyKind.DOCUMENT, ReplyKind.DAILY, ReplyKind.CITATION) \
            and len(self.reply.pages[self.page]) > 1

    def _layout(self) -> None:
        self.clear_items()
        pages = self.reply.pages
        if self.paged:
            at_start, at_end = self.page == 0, self.page >= len(pages) - 1
            self.first.disabled = self.previous.disabled = at_start
            self.next.disabled = self.last.disabled = at_end
            self.counter.label = f"Page {self.page + 1} of {len(pages)}"
            for item in (self.first, self.previous, self.counter, self.next, self.last):
                self.add_item(item)
            if len(pages) > MODAL_AFTER:
                self.add_item(self.go_to)
        if self.listed:
            first_number = self.page * self.reply.per_page + 1
            self.documents.options = [
                discord.SelectOption(label=clip(f"{first_number + offset}. {card.record.title}", OPTION_MAX),
                                     value=str(card.record.id),
                                     description=clip(f"#{card.record.id} · {card.record.date.human()}", OPTION_MAX))
                for offset, card in enumerate(pages[self.page][:SELECT_OPTIONS_MAX])]
            self.add_item(self.documents)
        if self.paged or self.listed:
            self.add_item(self.finish)
        self._add_links()

    def _add_links(self) -> None:
        for button in link_buttons(self.reply.pages[self.page], self.page * self.reply.per_page + 1):
            button.row = 3
            self.add_item(button)
        if self.reply.kind in (ReplyKind.DOCUMENT, ReplyKind.DAILY) and len(self.reply.cards) == 1:
            cite = CiteButton(self.reply.cards[0].record.id)
            cite.row = 3
            self.add_item(cite)
            similar = SimilarButton(self.reply.cards[0].record.id)
            similar.row = 3  # beside Open, Scan and Cite
            self.add_item(similar)

    async def show(self, interaction: discord.Interaction, page: int) -> None:
        """Turn to `page` (kept within the pages) and redraw the embed and the controls."""
        self.page = max(0, min(len(self.reply.pages) - 1, page))
        self._layout()
        await interaction.response.edit_message(embed=embed_for(self.reply, self.page), view=self)

    async def _open(self, interaction: discord.Interaction) -> None:
        if isinstance(interaction.client, Opener) and self.documents.values:
            await interaction.client.answer_document(interaction, int(self.documents.values[0]))

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.author_id:
            return True
        await interaction.response.send_message(
            "Only the person who asked can turn these pages: run the command yourself to browse.",
            ephemeral=True, allowed_mentions=NO_MENTIONS,
        )
        return False

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button) and item.style != discord.ButtonStyle.link \
                    or isinstance(item, discord.ui.Select):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                pass  # the message is gone or the token expired: nothing left to clean up
