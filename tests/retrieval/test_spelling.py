"""Typo correction against a vocabulary (retrieval/spelling.py)."""
from __future__ import annotations

import pytest

from retrieval.spelling import SpellingIndex, allowed_edits, edit_distance


@pytest.mark.parametrize(
    "a, b, distance",
    [
        ("kitten", "sitting", 3),
        ("converstion", "conversation", 1),
        ("ab", "ba", 1),  # a transposition is one edit
        ("", "abc", 3),
        ("same", "same", 0),
    ],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b) == distance


def test_edit_distance_stops_past_its_limit():
    assert edit_distance("a" * 10, "b" * 10, limit=3) == 4
    assert edit_distance("a", "abcdefgh", limit=2) == 3


def test_short_words_are_corrected_less():
    assert [allowed_edits(w) for w in ("mao", "zhou", "nuclea", "nuclear")] == [0, 1, 1, 2]


def test_a_typo_within_the_allowed_edits_is_corrected():
    index = SpellingIndex(["conversation", "nuclear", "testing", "zhou"])
    assert index.correct("converstion") == "conversation"  # one edit in a long word
    assert index.correct("convrsation") == "conversation"
    assert index.correct("nucler") == "nuclear"
    assert index.correct("zhoux") == "zhou"


def test_a_typo_beyond_the_allowed_edits_is_not():
    index = SpellingIndex(["nuclear", "mao", "zhou"])
    assert index.correct("nuclr") is None  # two edits in a five-letter word
    assert index.correct("mso") is None  # three-letter words are never corrected
    assert index.correct("zyxwv") is None


def test_a_known_word_needs_no_correction():
    index = SpellingIndex(["conversation", "conversations"])
    assert "conversation" in index
    assert index.correct("conversation") is None


def test_candidates_nearest_first_then_most_frequent():
    index = SpellingIndex(["relation"] * 10 + ["relations"])
    assert index.candidates("relatons") == ["relations", "relation"]  # one edit beats ten times as common
    index = SpellingIndex(["testing", "teasing", "teasing"])
    assert index.candidates("tesing") == ["teasing", "testing"]  # same distance: the commoner first


def test_a_long_word_misspelled_three_times_over_is_found_by_its_start():
    index = SpellingIndex(["separation", "operation"])
    assert index.candidates("seperatism") == ["separation"]


def test_only_words_are_indexed():
    index = SpellingIndex(["ab", "1958", "mao", "zhou"])
    assert "mao" in index and "zhou" in index
    assert "ab" not in index and "1958" not in index


@pytest.mark.parametrize("word", ["", "1958x", "no-way"])
def test_nothing_to_correct(word):
    index = SpellingIndex(["conversation", "nuclear"])
    assert index.candidates(word) == []
    assert index.correct(word) is None


def test_an_empty_vocabulary_corrects_nothing():
    assert SpellingIndex([]).correct("conversation") is None
