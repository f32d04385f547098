"""Requests that are not searches: help, on this day, who someone was; told by their wording."""
from __future__ import annotations

from datetime import date

import pytest
import pytest_asyncio

from retrieval.intent import Intent, Request, requested
from testing.database import every_record

from ..conftest import PEOPLE, open_seeded_archive


@pytest.mark.parametrize("question", [
    "help", "Help!", "hi", "Hello there", "hey bot", "what can you do?", "What can you do", "how do I use this",
    "commands", "good morning", "who are you?",
])
def test_help_and_greetings(question):
    assert requested(question, PEOPLE) == Request(Intent.HELP)


@pytest.mark.parametrize("question", [
    "on this day", "what happened on this day?", "Today in history", "this day in history",
    "what happened today", "anything on this date?",
])
def test_on_this_day(question):
    assert requested(question, PEOPLE) == Request(Intent.ONTHISDAY)


@pytest.mark.parametrize("question, name, typed", [
    ("who was Filippov", "Joseph Stalin", "Filippov"),
    ("Who was Chou En-lai?", "Zhou Enlai", "Chou En-lai"),
    ("tell me about Khrushchev", "Nikita Khrushchev", "Khrushchev"),
    ("who is mao", "Mao Zedong", "mao"),
    ("what do you know about Gromyko?", "Andrei Gromyko", "Gromyko"),
])
def test_who_was_a_known_person(question, name, typed):
    assert requested(question, PEOPLE) == Request(Intent.PERSON, name, typed)


@pytest.mark.parametrize("question", [
    "who was at the Lushan plenum",  # not a person: a search
    "tell me about the Korean War",
    "who was Nobody McNobodyface",
    "help Mao build the bomb",  # "help" inside a question is a word of it
    "what did Stalin tell Mao today",
    "Stalin",
    "",
    "@everyone hi there everyone",
])
def test_anything_else_is_a_search(question):
    assert requested(question, PEOPLE) is None


# -- the archive answers each request --------------------------------------------------------------------------

@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("intent"))
    yield opened
    await opened.close()


def test_who_was_gives_a_person_card(archive):
    answer = archive.ask_now("who was Filippov?")
    assert answer.intent is Intent.PERSON and answer.sentence is None
    card = answer.person
    assert (card.name, card.typed) == ("Joseph Stalin", "Filippov")
    assert "Filippov" in card.aliases and card.note
    took_part = [r for r in every_record(archive) if "Joseph Stalin" in {p.name for p in r.participants}]
    mentioned = [r for r in every_record(archive) if "Joseph Stalin" in {p.name for p in r.mentioned}]
    assert {r.id for r in card.documents.took_part} == {r.id for r in took_part}
    assert {r.id for r in card.documents.mentioned} == {r.id for r in mentioned}
    years = [r.date.year for r in took_part if r.date.year]
    assert card.documents.years == (min(years), max(years))
    assert [h.record.id for h in answer.result.hits] == [r.id for r in card.records] != []


def test_on_this_day_lists_the_days_documents(archive):
    answer = archive.ask_now("what happened on this day?", today=date(2026, 10, 5))
    assert answer.intent is Intent.ONTHISDAY
    expected = [r.id for r in archive.on_this_day(10, 5)]
    assert expected and [h.record.id for h in answer.result.hits] == expected


def test_help_is_no_search(archive):
    answer = archive.ask_now("what can you do?")
    assert answer.intent is Intent.HELP and answer.result.hits == [] and answer.result.notice is None


def test_a_browse_question_is_no_answer_sentence(archive):
    answer = archive.ask_now("documents from September 1958")
    assert answer.intent is Intent.BROWSE and answer.sentence is None and answer.result.hits
    assert all(h.record.date.year == 1958 and h.record.date.month == 9 for h in answer.result.hits)


def test_a_question_is_still_answered(archive):
    answer = archive.ask_now("why did the soviets halt nuclear assistance to china")
    assert answer.intent is Intent.SEARCH and answer.sentence


def test_filler_is_never_named_as_missing_from_the_archive(archive):
    """The seeds never say "happened": it is filler, not a word the archive lacks."""
    understood = archive.snapshot.parser.parse("what happened during the events on 2 October 1958")
    assert understood.absent == () and understood.corrections == () and understood.browsing
