"""Person-name autocomplete: what is offered for a few typed letters, in which order, under which label."""
from __future__ import annotations

import pytest

from bot.autocomplete import complete_person
from retrieval.people import Entity, PeopleDirectory
from retrieval.records import EntityKind

PERSON, ORGANIZATION = EntityKind.PERSON, EntityKind.ORGANIZATION


@pytest.fixture(scope="module")
def small() -> PeopleDirectory:
    return PeopleDirectory([
        Entity("Zhou Enlai", PERSON, ("Chou En-lai", "Premier Zhou")),
        Entity("Joseph Stalin", PERSON, ("Filippov", "Stalin")),
        Entity("Enver Hoxha", PERSON, ()),
        Entity("Enlarged Politburo", ORGANIZATION, ()),
        Entity("Albanian Party of Labour", ORGANIZATION, ("PLA",)),
    ])


@pytest.fixture(scope="module")
def bundled() -> PeopleDirectory:
    return PeopleDirectory.load()


def test_a_pseudonym_finds_its_person_and_shows_beside_the_name(small: PeopleDirectory) -> None:
    assert complete_person(small, "filip", 25) == [("Joseph Stalin (Filippov)", "Joseph Stalin")]


def test_a_matching_canonical_name_is_shown_alone(small: PeopleDirectory) -> None:
    assert complete_person(small, "zhou", 25) == [("Zhou Enlai", "Zhou Enlai")]
    assert complete_person(small, "premier", 25) == [("Zhou Enlai (Premier Zhou)", "Zhou Enlai")]


def test_an_alias_starting_with_the_text_beats_an_inner_word_of_the_name(small: PeopleDirectory) -> None:
    assert complete_person(small, "stal", 25) == [("Joseph Stalin (Stalin)", "Joseph Stalin")]


def test_whole_name_prefixes_come_before_inner_word_prefixes(small: PeopleDirectory) -> None:
    # "en" starts "Enver Hoxha" and "Enlarged Politburo" but only an inner word of "Zhou Enlai".
    assert [value for _, value in complete_person(small, "en", 25)] == [
        "Enver Hoxha", "Enlarged Politburo", "Zhou Enlai",
    ]


def test_persons_come_before_organisations_then_alphabetical_order(small: PeopleDirectory) -> None:
    assert [value for _, value in complete_person(small, "", 25)] == [
        "Enver Hoxha", "Joseph Stalin", "Zhou Enlai", "Albanian Party of Labour", "Enlarged Politburo",
    ]


@pytest.mark.parametrize("typed", ["", "   ", "--"])
def test_empty_input_lists_canonical_names_without_aliases(small: PeopleDirectory, typed: str) -> None:
    choices = complete_person(small, typed, 25)
    assert len(choices) == len(small.entities)
    assert all(label == value for label, value in choices)


def test_typed_text_is_folded_like_names(bundled: PeopleDirectory) -> None:
    assert ("Zhou Enlai (Chou En-lai)", "Zhou Enlai") in complete_person(bundled, "CHOU en", 25)
    assert "Nicolae Ceaușescu" in [value for _, value in complete_person(bundled, "ceaus", 25)]


def test_no_match_offers_nothing(small: PeopleDirectory) -> None:
    assert complete_person(small, "qqq", 25) == []


def test_limit_is_respected_and_keeps_the_best(small: PeopleDirectory, bundled: PeopleDirectory) -> None:
    assert complete_person(small, "", 2) == complete_person(small, "", 25)[:2]
    assert complete_person(small, "en", 1) == [("Enver Hoxha", "Enver Hoxha")]
    assert complete_person(small, "en", 0) == []
    assert len(complete_person(bundled, "a", 25)) == 25
