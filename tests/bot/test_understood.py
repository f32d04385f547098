"""What the bot made of a question, said in /search and /ask alike: corrections, and real words no document uses."""
from __future__ import annotations

import asyncio

from bot.commands import Commands
from bot.json_output import answer_to_dict, result_to_dict
from bot.wording import absent_text
from retrieval.search import Archive

from .conftest import BOT_TEST_TIMEOUT, PEOPLE


async def _layer_replies(db, *calls):
    async with asyncio.timeout(BOT_TEST_TIMEOUT), await Archive.open(db, PEOPLE) as archive:
        layer = Commands(archive)
        return [await getattr(layer, name)(text) for name, text in calls]


async def test_ask_keeps_the_answer_and_adds_the_correction_note(db):
    ask, search = await _layer_replies(db, ("ask", "gromyko mao converstion 1957"),
                                       ("search", "gromyko mao converstion 1957"))
    note = "(searched for \u201cconversation\u201d instead of \u201cconverstion\u201d; dated 1957)"
    assert note in search.lead.splitlines()
    lines = ask.lead.splitlines()
    assert note in lines and lines[0] != note  # the answer first, then what was searched for
    assert "— from #" in ask.lead


async def test_a_real_word_the_archive_lacks_is_named_and_the_rest_searched(db):
    search, ask = await _layer_replies(db, ("search", "Cominform Stalin Tito Yugoslavia"),
                                       ("ask", "Cominform Stalin Tito Yugoslavia"))
    said = "nothing in the archive mentions \u201cCominform\u201d"
    assert search.cards and f"({said})" in search.lead.splitlines()
    assert f"({said})" in ask.lead.splitlines()
    assert "Comintern" not in search.lead and "instead of" not in search.lead


async def test_when_every_word_is_absent_nothing_matches_them(db):
    (reply,) = await _layer_replies(db, ("search", "Cominform Securitate"))
    assert not reply.cards
    assert reply.lead == "Nothing in the archive matches \u201cCominform Securitate\u201d."


async def test_json_carries_the_absent_words_and_the_expansions(db):
    async with await Archive.open(db, PEOPLE) as archive:
        data = result_to_dict(await archive.search("Cominform Quemoy Taiwan"))
        asked = answer_to_dict(await archive.ask("Great Leap Forward"))
    assert data["understood"]["absent"] == ["Cominform"]
    assert {"terms": ["jinmen"], "weight": 0.5} in data["understood"]["expansions"]
    assert "Leap" in asked["understood"]["absent"] and asked["understood"]["corrections"] == []


def test_the_wording_of_absent_words():
    assert absent_text(["Cominform"]) == "nothing in the archive mentions \u201cCominform\u201d"
    assert absent_text(["Leap", "Stasi", "Comecon"]) == ("nothing in the archive mentions \u201cLeap\u201d, "
                                                        "\u201cStasi\u201d or \u201cComecon\u201d")
