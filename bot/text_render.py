"""Replies as plain text for a terminal: the console and the command line show what Discord shows."""
from __future__ import annotations

import json
import re
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from retrieval.citation_formats import CRLF, bibtex, chicago, ris
from retrieval.cite import LinkKind

from .commands import Card, Moment, Reply, ReplyKind, TimeStyle
from .wording import document_facts, mentioned_names, meta_line, people_with_roles, text_heading

WIDTH = 100
CONSOLE_CARDS = 10
CONSOLE_PEOPLE = 6  # participants named under a title before "+N"
TEXT_EXCERPT = 1500  # characters of a document's own text shown by /doc and `show`; its page has the rest

# Control characters (C0 but newline and tab, DEL, C1) and the bidirectional overrides and isolates: what
# lets text move the cursor, clear the screen, set the title, make a hidden link or read backwards.
_INVISIBLE = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
              if chr(c) not in "\n\t"]
_SHOWN = str.maketrans({ch: ascii(ch)[1:-1] for ch in _INVISIBLE})
_JSON_ESCAPED = str.maketrans({ch: f"\\u{ord(ch):04x}" for ch in _INVISIBLE})


def visible(text: str) -> str:
    """Text safe to write to a terminal: each control character written out as its escape (ESC as `\\x1b`)."""
    return text.translate(_SHOWN)


def terminal_json(data: object) -> str:
    """One line of JSON, exact (every value loads back unchanged) and safe on a terminal: json escapes only
    C0 controls, so DEL, C1 and the bidi controls are escaped here; they can occur only inside strings."""
    return json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPED)


def _wrap(text: str, indent: str = "    ") -> str:
    return "\n".join(textwrap.fill(line, WIDTH, initial_indent=indent, subsequent_indent=indent) if line else ""
                     for line in text.splitlines())


def render_card(number: int, card: Card) -> str:
    r = card.record
    lines = [f"{number:>2}. {r.title}", _wrap(meta_line(r, CONSOLE_PEOPLE))]
    if r.summary:
        lines.append(_wrap(textwrap.shorten(r.summary, 400, placeholder=" …")))
    lines.append("    " + card.citation.text)  # never wrapped: a terminal keeps the link clickable
    return "\n".join(lines)


def render_document(card: Card) -> str:
    """One document: what Discord's /doc shows, as text (the URLs whole, never wrapped, so they stay links)."""
    record, citation = card.record, card.citation
    lines = [f"#{record.id} {record.title}", f"Date: {record.date.human()}"]
    if record.participants:
        lines.append("Participants: " + people_with_roles(record))
    if record.mentioned:
        lines.append("Mentioned: " + mentioned_names(record))
    lines += [textwrap.fill(f"{label}: {value}", WIDTH, subsequent_indent="    ")
              for label, value in document_facts(record, citation)]
    if record.summary:
        lines += ["", textwrap.fill(record.summary, WIDTH)]
        if record.summary_partial:
            lines.append("(every page this document was seen in cut its summary short)")
    for note in record.notes:
        lines += ["", textwrap.fill(f"Note: {note}", WIDTH)]
    if record.info is not None and record.info.text.strip():
        text = " ".join(record.info.text.split())
        shown = textwrap.shorten(text, TEXT_EXCERPT, placeholder=" …")
        heading = text_heading(len(shown.removesuffix(" …")) if shown != text else len(text), len(text),
                               record.info.text_partial)
        lines += ["", f"{heading}:", _wrap(shown)]
    lines.append("")
    if citation.link is not LinkKind.SEARCH:
        lines.append(f"Page: {citation.url}")
    if citation.scan_url is not None:
        lines.append(f"Scan: {citation.scan_url}")
    lines.append("Cite as: " + citation.text)
    return "\n".join(lines)


def render_citation(card: Card) -> str:
    """The Cite button's answer as text: the archive's form, Chicago, BibTeX and RIS."""
    citation = card.citation
    return "\n\n".join([f"Cite as: {citation.text}", chicago(citation).rstrip(), bibtex(citation).rstrip(),
                         ris(citation).replace(CRLF, "\n").rstrip()])


def clock_time(moment: Moment, now: datetime | None = None) -> str:
    """A moment in this computer's time zone, named, so a terminal reader needs no conversion."""
    local = moment.when.astimezone()
    if moment.style is TimeStyle.TIME:
        return local.strftime("%H:%M %Z")
    if moment.style is TimeStyle.FULL:
        return local.strftime("%A %d %B %Y, %H:%M %Z")
    return _relative(moment.when - (now or datetime.now(UTC)))


def _relative(delta: timedelta) -> str:
    seconds = abs(int(delta.total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            amount = f"{count} {unit}{'s' if count != 1 else ''}"
            break
    else:
        return "now"
    return f"in {amount}" if delta.total_seconds() > 0 else f"{amount} ago"


# The Discord markup the bot writes in its own words (a `timed_lead`'s strings): bold and inline code.
_BOT_MARKUP = re.compile(r"\*\*|`")


def without_markup(reply: Reply) -> Reply:
    """The reply with the bot's own markup taken out of its words, for a terminal that would show it as is.
    Only the bot's strings in a `timed_lead` carry markup; quoted and plain text is left exactly as it is."""
    if not reply.timed_lead:
        return reply
    return replace(reply, timed_lead=tuple(_BOT_MARKUP.sub("", part) if isinstance(part, str) else part
                                           for part in reply.timed_lead))


def render_reply(reply: Reply) -> str:
    """A reply as terminal text; archive and user text in it cannot drive the terminal (see `visible`)."""
    return visible(_render(without_markup(reply)))


def _render(reply: Reply) -> str:
    if reply.kind is ReplyKind.DOCUMENT and reply.cards:
        return render_document(reply.cards[0])
    if reply.kind is ReplyKind.CITATION and reply.cards:
        return render_citation(reply.cards[0])
    error = reply.kind is ReplyKind.ERROR
    blocks = [] if error else [f"== {reply.title} =="]
    lead = reply.lead_text(clock_time)
    if lead:
        blocks.append(f"Sorry: {lead}" if error else lead)
    shown = reply.cards[:CONSOLE_CARDS]
    blocks += [render_card(i, card) for i, card in enumerate(shown, 1)]
    if len(reply.cards) > len(shown):
        blocks.append(f"… and {len(reply.cards) - len(shown)} more (narrow the question, or /doc N for one).")
    if reply.footer:
        blocks.append(reply.footer)
    return "\n\n".join(blocks)
