"""What each front end shows of a document's people: participants everywhere a document is listed or cited,
the people only mentioned apart (a document in full, `--json`, `/person`), over the seeds and real pages."""
from __future__ import annotations

from datetime import date

import pytest
import pytest_asyncio

from bot.commands import Card, Commands, ReplyKind, daily_reply
from bot.discord_ui import daily_embed, document_embed
from bot.json_output import hit_to_dict, result_to_dict
from bot.text_render import render_document
from bot.wording import meta_line, people_with_roles
from retrieval.daily import Choice
from retrieval.records import Record
from testing.database import every_record

from ..conftest import HAVE_REALPAGES, REALPAGES, open_seeded_archive

GROMYKO_MAO = "Record of Conversation between Mao Zedong and A.A. Gromyko"  # 1957: Stalin and Chiang only named


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("archive"),
                                       *([REALPAGES / "da"] if HAVE_REALPAGES else []))
    yield opened
    await opened.close()


def gromyko_mao(archive) -> Record:
    return next(r for r in every_record(archive) if r.title == GROMYKO_MAO)


@pytest.mark.asyncio(loop_scope="module")
async def test_json_hits_carry_participants_with_roles_and_the_mentioned_apart(archive):
    hit = next(h for h in archive.search_now("Gromyko Mao conversation 1957", limit=5).hits
               if h.record.title == GROMYKO_MAO)
    data = hit_to_dict(hit)
    assert data["participants"] == [{"name": "Mao Zedong", "role": "participant"},
                                    {"name": "Andrei Gromyko", "role": "participant"}]
    assert sorted(data["mentioned"]) == ["Chiang Kai-shek", "Joseph Stalin"]
    assert list(data["citation"]["participants"]) == ["Mao Zedong", "Andrei Gromyko"]


@pytest.mark.asyncio(loop_scope="module")
async def test_json_says_the_direction_understood(archive):
    understood = result_to_dict(archive.search_now("letters from Stalin to Mao"))["understood"]
    assert understood["direction"] == {"from": ["Joseph Stalin"], "to": ["Mao Zedong"]}
    first = result_to_dict(archive.search_now("letters from Stalin to Mao"))["hits"][0]
    assert {"name": "Joseph Stalin", "role": "author"} in first["participants"]
    assert {"name": "Mao Zedong", "role": "recipient"} in first["participants"]
    assert result_to_dict(archive.search_now("Stalin Mao letters"))["understood"]["direction"] is None


@pytest.mark.asyncio(loop_scope="module")
async def test_lists_show_participants_and_a_document_in_full_shows_the_mentioned_apart(archive):
    record = gromyko_mao(archive)
    assert "Stalin" not in meta_line(record, 6) and "Stalin" not in people_with_roles(record)
    text = render_document(Card.of(record))
    assert "Participants: Mao Zedong; Andrei Gromyko" in text
    assert "Mentioned: Chiang Kai-shek; Joseph Stalin" in text
    fields = {f.name: f.value for f in document_embed(Card.of(record)).fields}
    assert "Stalin" not in fields["Participants"] and "Joseph Stalin" in fields["Mentioned"]
    daily = daily_embed(daily_reply(Choice(record, exact=True), date(2026, 11, 19)))
    assert [f.name for f in daily.fields if f.name in ("Participants", "Mentioned")] == ["Participants"]


@pytest.mark.asyncio(loop_scope="module")
async def test_person_separates_taking_part_from_being_mentioned(archive):
    reply = await Commands(archive).person("Filippov")
    assert reply.kind is ReplyKind.RESULTS and reply.title == "Joseph Stalin"
    documents = archive.documents_of("Stalin")
    took, more = len(documents.took_part), len(documents.mentioned)
    assert documents.years is not None
    first, last = documents.years
    assert last <= 1953  # the span comes from the documents he took part in, not the 1957 talk that names him
    assert f"Took part in {took} documents, {first}–{last}; mentioned in {more} more" in (reply.lead or "")
    assert [c.record.id for c in reply.cards] == [r.id for r in documents.took_part + documents.mentioned]


@pytest.mark.asyncio(loop_scope="module")
async def test_person_only_mentioned(archive):
    """Someone the archive only mentions: the lead says so plainly, with no span of years."""
    index = archive.snapshot.index
    only = next((name for name in index.names() if not index.took_part(name).size), None)
    if only is None:
        pytest.skip("everyone named takes part somewhere")
    reply = await Commands(archive).person(only)
    assert (reply.lead or "").endswith(f"Took part in no document; mentioned in {index.mentioned_only(only).size} "
                                       "(in date order).")
