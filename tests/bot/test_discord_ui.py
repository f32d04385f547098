"""Every reply fits Discord's limits and no archive text can ping or format: over the real archive and over
generated records far too long for any limit."""
from __future__ import annotations

import discord
import pytest
import pytest_asyncio

from bot.commands import Card, Commands, Reply
from bot.discord_ui import (
    CONTENT_MAX,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    TITLE_MAX,
    ReplyView,
    embed_for,
    emphasise,
)
from retrieval.dates import ArchiveDate
from retrieval.records import Participant, Record
from testing.database import every_record

from ..conftest import HAVE_REALPAGES, REALPAGES, open_seeded_archive


def assert_within_limits(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= TITLE_MAX
    assert len(data.get("description", "")) <= DESCRIPTION_MAX
    assert len(data.get("fields", [])) <= FIELDS_MAX
    for f in data.get("fields", []):
        assert 0 < len(f["name"]) <= FIELD_NAME_MAX and 0 < len(f["value"]) <= FIELD_VALUE_MAX
    assert len(data.get("footer", {}).get("text", "")) <= FOOTER_MAX
    assert len(embed) <= EMBED_TOTAL_MAX


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("ui"),
                                       *([REALPAGES] if HAVE_REALPAGES else []))
    yield opened
    await opened.close()


def test_every_record_of_the_archive_fits_as_a_document_and_in_a_list(archive):
    records = every_record(archive)
    assert len(records) >= 55
    for record in records:
        assert_within_limits(embed_for(Reply(kind="document", title=record.title, cards=[Card.of(record)])))
    reply = Reply(kind="results", title="All", lead="x" * 5000, cards=[Card.of(r) for r in records], footer="y" * 3000)
    for page in range(len(reply.pages)):
        assert_within_limits(embed_for(reply, page))


def _monster(i: int) -> Record:
    return Record(
        id=10**9 + i,
        date=ArchiveDate(1958, 9, 27),
        date_text="September 27, 1958",
        title="@everyone **Cable** " + "Mao Zedong to Filippov [Stalin] " * 40,
        summary="<@123456789> ||spoiler|| `code` ~~strike~~ " + "Mao and Stalin discuss the treaty. " * 400,
        notes=tuple("A very long note about authenticity. " * 100 for _ in range(10)),
        url="https://digitalarchive.wilsoncenter.org/document/" + "9" * 50,
        participants=tuple(Participant(f"Person Number {n} " + "x" * 60, "participant") for n in range(60)),
    )


def test_generated_records_far_too_long_still_fit():
    cards = [Card.of(_monster(i), emphasis=("Mao", "Stalin", "treaty")) for i in range(30)]
    assert_within_limits(embed_for(Reply(kind="document", title=cards[0].record.title, cards=cards[:1])))
    reply = Reply(kind="results", title="T" * 1000, lead="L" * 9000, cards=cards, footer="F" * 9000)
    for page in range(len(reply.pages)):
        embed = embed_for(reply, page)
        assert_within_limits(embed)
        assert "@everyone" not in embed.description.replace("@\u200beveryone", "")
    error = Reply(kind="error", title="E" * 900, lead="x" * 9000)
    assert_within_limits(embed_for(error))


def test_archive_text_is_escaped_and_emphasis_added_after():
    text = "Stalin's *secret* cable to @everyone about <@42> and the treaty_draft"
    shown = emphasise(text, ["Stalin", "treaty_draft"], 500)
    assert "**Stalin**'s" in shown
    assert "\\*secret\\*" in shown
    assert "@everyone" not in shown and "<@42>" not in shown
    assert "**treaty\\_draft**" in shown


def test_view_pages_only_for_many_results_and_links_for_each_card(archive):
    records = every_record(archive)[:12]
    view = ReplyView(Reply(kind="results", title="x", cards=[Card.of(r) for r in records]), author_id=1)
    labels = [getattr(item, "label", None) for item in view.children]
    assert labels[:5] == ["⏮ First", "◀ Previous", "Page 1 of 3", "Next ▶", "Last ⏭"]
    assert "Go to page…" not in labels and "Stop" in labels  # three pages: no box to type a number in
    links = [i for i in view.children if getattr(i, "style", None) == discord.ButtonStyle.link]
    assert len(links) == 5 and all(i.url.startswith("https://") for i in links)
    single = ReplyView(Reply(kind="document", title="x", cards=[Card.of(records[0])]), author_id=1)
    # a seed page gives no link: the button searches the archive and says so; then the Cite button
    assert [i.to_component_dict()["label"] for i in single.children] == ["Search the archive", "Cite", "More like this"]


@pytest.mark.asyncio(loop_scope="module")  # the loop the archive was opened in
async def test_command_layer_replies(archive):
    layer = Commands(archive)
    doc = await layer.doc("#3")
    assert doc.kind == "document" and doc.cards[0].record.id == 3
    assert (await layer.doc("999999")).kind == "error"
    assert (await layer.doc("1; DROP TABLE")).kind == "error"
    person = await layer.person("Chou En-lai")
    took_part = [c.record for c in person.cards if "Zhou Enlai" in [p.name for p in c.record.participants]]
    assert person.title == "Zhou Enlai" and took_part == [c.record for c in person.cards[:len(took_part)]]
    for part in (person.cards[:len(took_part)], person.cards[len(took_part):]):
        years = [c.record.date.year or 9999 for c in part]
        assert years == sorted(years)
    unknown = await layer.person("Krushchyov")
    assert unknown.kind == "error" and "Nikita Khrushchev" in unknown.lead
    on_day = await layer.onthisday("27 September")
    assert all((c.record.date.month, c.record.date.day) == (9, 27) and c.record.date.precision == "day"
               for c in on_day.cards) and on_day.cards
    assert (await layer.onthisday("13-45")).kind == "error"
    ask = await layer.ask("why did the soviets halt nuclear assistance to china")
    assert ask.kind == "answer" and ask.lead.startswith("The Soviet Central Committee informs")
    assert (await layer.ask("   ")).kind == "error"
    about = await layer.about()
    assert f"{archive.size:,} documents" in about.lead
    assert len((await layer.help()).lead_text(str) or "") < CONTENT_MAX
