"""Whatever archive or user text holds, what the bot posts in Discord is inert: no live masked link, no
mention, no heading, list or quote markup; and every URL it sends fits Discord's 512 characters.

`live_markup` is a small model of Discord's markdown written independently of the renderer: it reads
backslash escapes and code spans as Discord does, then looks for the markup that must never come from text.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime

import discord
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.commands import Card, Commands, Reply, ReplyKind, error, run_text_command
from bot.discord_ui import clip, embed_for, emphasise, inert, link_buttons
from retrieval.cite import URL_MAX, cite, search_url
from retrieval.daily import Target
from retrieval.dates import ArchiveDate
from retrieval.records import Participant, Record
from testing.fakediscord import GENERAL_ID
from testing.fakediscord.validation import invalid_form_body

from ..conftest import ingest_into, open_seeded_archive
from .conftest import answer, running_bot

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
MENTION_AFTER_LT = re.compile(r"(@|#|/|:|a:|t:|id:)", re.IGNORECASE)
LIST_OR_HEADING = re.compile(r"(#{1,3}|-#|[-*+]|\d{1,9}[.)]|>{1,3})(?= |\t|$)")


HERE = Target.channel(10)
NOW = datetime(2026, 9, 27, 12, tzinfo=UTC)

def _chars(text: str) -> list[tuple[str, bool]]:
    """Each shown character and whether Discord could read it as markup (not escaped, not in a code span)."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and not text[i + 1].isalnum() and not text[i + 1].isspace():
            out.append((text[i + 1], False))
            i += 2
            continue
        if ch == "`":
            run = len(text[i:]) - len(text[i:].lstrip("`"))
            close = text.find("`" * run, i + run)
            while close != -1 and close + run < len(text) and text[close + run] == "`":
                close = text.find("`" * run, close + run + 1)
            if close != -1:
                out.extend((c, False) for c in text[i:close + run])
                i = close + run
                continue
        out.append((ch, True))
        i += 1
    return out


def live_markup(text: str) -> list[str]:
    """The markup in `text` that only the bot may write: masked links, mentions, line-start block markup."""
    found: list[str] = []
    if re.search(r"@(everyone|here)", text, re.IGNORECASE):
        found.append("mention: @everyone/@here")
    chars = _chars(text)
    shown = "".join(c for c, _ in chars)
    for i, (ch, live) in enumerate(chars):
        if ch == "<" and live and MENTION_AFTER_LT.match(shown, i + 1):
            found.append(f"mention: {shown[i:i + 12]!r}")
    # masked links: a live "[" ... live "]" then "(" then a scheme, ignoring zero-width characters
    visible = [(c, live) for c, live in chars if ord(c) not in ZERO_WIDTH]
    text_only = "".join(c for c, _ in visible)
    for i, (ch, live) in enumerate(visible):
        if ch != "[" or not live:
            continue
        for j in range(i + 1, len(visible)):
            if visible[j] == ("]", True) and text_only[j + 1:j + 2] == "(":
                target = text_only[j + 2:].lstrip(" \t\n<")
                if SCHEME.match(target):
                    found.append(f"masked link: {text_only[i:j + 40]!r}")
                    break
    # block markup at the start of a line (after optional indentation)
    start = 0
    for k in range(len(chars) + 1):
        if k == len(chars) or chars[k][0] == "\n":
            line = chars[start:k]
            body = line[len(line) - len("".join(c for c, _ in line).lstrip(" \t")):]
            lead = "".join(c if live else "\0" for c, live in body)
            if m := LIST_OR_HEADING.match(lead):
                found.append(f"line markup: {m.group(0)!r} in {''.join(c for c, _ in line)[:40]!r}")
            start = k + 1
    return found


def test_the_checker_sees_what_discord_would_render():
    for live in ["[here](https://evil.example)", "x [a [b] c](http://e)", "[v]( <https://e>)",
                 "[x\u200b](https://e)", "# Heading", "line\n## h", "-# small", "- item", "  * item",
                 "1. first", "> quote", ">>> all", "@everyone", "\\@here", "<@123>", "<@&1>", "<#9>",
                 "`a` [b](https://e)", "\\\\[b](https://e)"]:
        assert live_markup(live), live
    for dead in ["\\[here](https://evil.example)", "[here\\](https://e)", "`[here](https://e)`",
                 "\\# Heading", "\\- item", "1\\. first", "\\> q", "@\u200beveryone", "\\<@123>",
                 "#hashtag", "-dash", "1958 was", "**bold** and *it*", "[no link]", "a - b", "x > y"]:
        assert not live_markup(dead), dead


# -- the renderers over arbitrary text ------------------------------------------------------------------

ATOMS = ["[", "]", "(", ")", "*", "**", "_", "`", "```", "\\", "#", "## ", "-# ", "@", "<", ">", "|", "||", "~~",
         "\n", " ", "- ", "* ", "1. ", "> ", "everyone", "here", "&", "!", "123", "https://evil.example",
         "(https://evil.example)", "[here](https://x)", "Filippov [Stalin]", "Stalin", "\u200b", "\uff3b",
         ":", "a:", "t:", "/", "\t"]
hostile = st.lists(st.sampled_from(ATOMS), max_size=40).map("".join)
texts = st.one_of(hostile, st.text(max_size=300), st.lists(st.one_of(st.sampled_from(ATOMS), st.text(max_size=5)),
                                                            max_size=30).map("".join))
EMPHASIS = ("here", "Stalin", "Filippov", "everyone", "evil", "x", "1")


def _record(text: str, url: str | None = None, rid: int = 7) -> Record:
    return Record(id=rid, date=ArchiveDate(1950, 2, 14), date_text=text, title=text or "t", summary=text,
                  notes=(text,) if text else (), url=url,
                  participants=(Participant(text or "p"), Participant("Mao Zedong", "author")))


def _replies(text: str) -> list[Reply]:
    card = Card.of(_record(text), emphasis=EMPHASIS + tuple(text.split()[:5]))
    two = [card, Card.of(_record(text[::-1], rid=8), emphasis=EMPHASIS)]
    return [Reply(kind=kind, title=text, lead=text, cards=list(cards), footer=text)
            for kind in ReplyKind for cards in ([], [card], two)] + [error(text)]


# What the bot itself writes in its settings replies: the subscribed channel (here <#10>) and timestamps.
BOT_PILLS = re.compile(r"mention: '<(?:#10>|t:\d)")


def assert_inert(embed: discord.Embed) -> None:
    data = embed.to_dict()
    shown = [data.get("title", ""), data.get("description", "")]
    shown += [part for f in data.get("fields", []) for part in (f["name"], f["value"])]
    for piece in shown:
        live = [found for found in live_markup(piece) if not BOT_PILLS.match(found)]
        assert not live, (live, piece)


def assert_urls_fit(embed: discord.Embed, buttons: list[discord.ui.Button]) -> None:
    for url in [embed.url, *(b.url for b in buttons)]:
        if url is not None:
            assert len(url) <= URL_MAX and url.startswith(("https://", "http://")), url


@settings(max_examples=200, deadline=None)
@given(texts)
@example("Filippov [Stalin] said [here](https://evil.example)")
@example("[**here**](https://x) and [Filippov [Stalin]](https://evil.example)")
@example("x" * 4095 + "[here](https://evil.example)")
@example("a\n# Heading\n- list\n1. one\n> quote @everyone <@123> <#5> <@&6>")
def test_every_renderer_keeps_any_text_inert(text):
    for reply in _replies(text):
        for page in range(len(reply.pages)):
            embed = embed_for(reply, page)
            assert_inert(embed)
            assert_urls_fit(embed, link_buttons(reply.pages[page], 1))


@given(texts, st.integers(min_value=1, max_value=400))
@example("[here](https://evil.example)" * 3, 30)
@example("\\" * 50, 7)
def test_clipping_never_revives_markup(text, limit):
    for shown in (clip(inert(text), limit), emphasise(text, EMPHASIS, limit)):
        assert len(shown) <= limit and not live_markup(shown)
        body = shown.removesuffix("…")
        assert not (len(body) - len(body.rstrip("\\"))) % 2, shown  # never half an escape before the cut


def test_emphasis_inside_a_masked_link_keeps_it_dead():
    shown = emphasise("see Filippov [Stalin] then [here](https://evil.example) now", ["here", "Stalin"], 500)
    assert "**here**" in shown and "**Stalin**" in shown
    assert not live_markup(shown)


# -- URLs ------------------------------------------------------------------------------------------------

def test_a_2000_character_title_without_a_link_gives_urls_within_512():
    record = _record("Cable, Mao Zedong to Filippov [Stalin] " * 52, url=None)
    assert len(record.title) > 2000
    citation = cite(record)
    assert citation.link_is_search and len(citation.url) <= URL_MAX
    assert citation.url.startswith(search_url("Cable, Mao Zedong")[:-2])
    for reply in _replies(record.title):
        for page in range(len(reply.pages)):
            assert_urls_fit(embed_for(reply, page), link_buttons(reply.pages[page], 1))


@pytest.mark.parametrize("url", ["https://digitalarchive.wilsoncenter.org/document/" + "9" * 600,
                                 "javascript:alert(1)", "https://x.example/a b", "ftp://x.example/"])
def test_a_stored_link_discord_would_refuse_is_replaced_by_a_search(url):
    citation = cite(_record("Letter from Mao", url=url))
    assert citation.link_is_search and len(citation.url) <= URL_MAX and citation.url.startswith("https://")


def test_the_stand_in_refuses_urls_over_512_like_discord():
    long = "https://digitalarchive.wilsoncenter.org/" + "x" * 500
    assert invalid_form_body({"embeds": [{"title": "t", "url": long}]}) is not None
    button = {"type": 2, "style": 5, "url": long, "label": "Open"}
    assert invalid_form_body({"content": "x", "components": [{"type": 1, "components": [button]}]}) is not None
    assert invalid_form_body({"embeds": [{"title": "t", "url": long[:512]}]}) is None


# -- the command layer: what commands quote back from the user -------------------------------------------

@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("inert"))
    yield opened
    await opened.close()


@pytest.mark.asyncio(loop_scope="module")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
@example(text="[Verify your account](https://evil.example)")
@example(text="x` [Verify](https://evil.example) `")
async def test_what_commands_quote_back_stays_inert(archive, text):
    layer = Commands(archive)
    replies = [await layer.doc(text), await layer.person(text), await layer.onthisday(text),
               await layer.search(text), await layer.search("mao", person=text), await layer.ask(text),
               await layer.daily_set(HERE, guild_id=1, user_id=7, time=text, zone=None, now=NOW),
               await layer.daily_set(HERE, guild_id=1, user_id=7, time=None, zone=text, now=NOW)]
    for line in (f"/{text}", f"/person {text}", f"/search from:{text}", f"/doc {text}", text):
        reply = await run_text_command(layer, line)
        if reply is not None:
            replies.append(reply)
    for reply in replies:
        for page in range(len(reply.pages)):
            embed = embed_for(reply, page)
            assert_inert(embed)
            assert_urls_fit(embed, link_buttons(reply.pages[page], 1))


async def test_a_pause_reason_in_the_daily_status_is_quoted_inertly(archive):
    """A pause reason may carry what a user typed (a zone) or Discord's error text: the status's own markup
    stays, the reason is shown literally."""
    layer = Commands(archive)
    await layer.daily_set(HERE, guild_id=1, user_id=7, time=None, zone=None, now=NOW)
    subscription = await layer.ledger.by_target(HERE)
    assert subscription is not None
    await layer.ledger.pause(subscription.id, "[Verify your account](https://evil.example) @everyone")
    embed = embed_for(await layer.daily_status(HERE, 1, NOW))
    assert_inert(embed)
    assert "**Paused because:**" in (embed.description or "")  # the bot's own markup is kept


# -- end to end, through the Discord stand-in ------------------------------------------------------------

def _posted_markup(request) -> list[str]:
    shown = [request.content or ""]
    for e in request.embeds or []:
        shown += [e.get("title", ""), e.get("description", "")]
        shown += [part for f in e.get("fields", []) for part in (f["name"], f["value"])]
    return [problem for piece in shown for problem in live_markup(piece)]


async def test_a_mention_with_a_disguised_link_is_answered_inertly(db):
    async with running_bot(db) as (fake, bot):
        await fake.send_message("/person [Verify your account](https://evil.example)", mentions_bot=True)
        reply = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{GENERAL_ID}/messages")
        assert "Verify your account" in (reply.embeds or [{}])[0].get("description", "")
        assert _posted_markup(reply) == []
        for name, options in (("doc", {"id": "[x](https://e.ex)"}),
                              ("onthisday", {"date": "[Verify](https://evil.example)"}),
                              ("person", {"name": "# [Verify your account](https://evil.example)"}),
                              ("search", {"query": "Filippov [Stalin] [here](https://evil.example) @everyone"})):
            _, response = await answer(fake, name, options)
            assert response.status in (200, 204) and _posted_markup(response) == [], (name, response.summary())


async def test_a_document_with_a_2000_character_title_is_sent_whole(db, tmp_path):
    title = "Cable, Mao Zedong to Filippov [Stalin] about the treaty " * 35
    page = tmp_path / "long.txt"
    page.write_text(f"Skip to content\n\nResults:\n\n1 - 1 of 1\n\nDocuments\n\nFebruary 14, 1950\n\n{title}\n\n"
                    "The treaty of friendship, alliance and mutual assistance.\n\nPagination\n", encoding="utf-8")
    await ingest_into(db, page)
    async with running_bot(db) as (fake, bot):
        _, response = await answer(fake, "search", {"query": "treaty friendship alliance mutual assistance"})
        assert response.status in (200, 204), response.summary()
        urls = [c["url"] for row in response.components for c in row["components"] if c.get("url")]
        assert urls and all(len(u) <= URL_MAX for u in urls)
