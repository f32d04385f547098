"""Correct misspelled query words against the archive's own vocabulary (symmetric-delete lookup).

Each known word is indexed under itself and its one-letter deletions; a query word's own deletions then
find every known word within two edits in a few dictionary lookups, whatever the vocabulary's size.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, cut short once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


LONG_WORD = 9

# British spellings and their American forms (the archive's translations mostly use the American):
# neighbour, recognise, analyse, centre, defence, travelled, dialogue, programme.
_AMERICAN = [
    (re.compile(r"(?<=[a-z]{2})our(?=s?$|ed$|ing$|ite|able|ful|less)"), "or"),
    (re.compile(r"(?<=[a-z]{2})is(?=e$|es$|ed$|ing$|ation|ations$|er$|ers$)"), "iz"),
    (re.compile(r"(?<=[a-z])ys(?=e$|es$|ed$|ing$)"), "yz"),
    (re.compile(r"(?<=[a-z]{2})tre(?=s?$)"), "ter"),
    (re.compile(r"(?<=[a-z]{2})ence(?=s?$)"), "ense"),
    (re.compile(r"(?<=[aeiou])ll(?=ed$|ing$|er$|ers$)"), "l"),
    (re.compile(r"(?<=[a-z]{2})ogue(?=s?$)"), "og"),
    (re.compile(r"(?<=[a-z]{3})mme(?=s?$)"), "m"),
]


def american_spelling(word: str) -> str:
    """The American form of a British spelling of a folded word ("recognise" -> "recognize"); else the word."""
    for pattern, replacement in _AMERICAN:
        word = pattern.sub(replacement, word)
    return word


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def allowed_edits(word: str) -> int:
    """Short words are easy to mistake for other real words: correct them less."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 7 else 2


def spellable(word: str) -> bool:
    """Whether a folded word is one the spelling vocabulary keeps."""
    return word.isalpha() and len(word) >= 3


class SpellingIndex:
    """Known words and their frequencies; the lookup tables are built on the first correction asked for (in
    that worker thread), so a start reads only the counts."""

    def __init__(self, words: Iterable[str] = (), counts: Mapping[str, int] | None = None) -> None:
        self.frequency: Counter[str] = Counter(w for w in words if spellable(w))
        if counts is not None:
            self.frequency.update({w: n for w, n in counts.items() if spellable(w)})
        self._tables: tuple[dict[str, list[str]], dict[str, list[str]]] | None = None
        self._building = threading.Lock()

    def _lookups(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Each known word under itself and its one-letter deletions, and under its first three letters."""
        with self._building:
            if self._tables is None:
                by_delete: dict[str, list[str]] = {}
                by_prefix: dict[str, list[str]] = {}
                for word in self.frequency:
                    for key in {word} | _deletes(word):
                        by_delete.setdefault(key, []).append(word)
                    by_prefix.setdefault(word[:3], []).append(word)
                self._tables = by_delete, by_prefix
            return self._tables

    def __contains__(self, word: str) -> bool:
        return word in self.frequency

    def candidates(self, word: str) -> list[str]:
        """Known words within the allowed edits of `word`, nearest and then most frequent first."""
        limit = allowed_edits(word)
        if limit == 0 or not word.isalpha():
            return []
        by_delete, by_prefix = self._lookups()
        found: set[str] = set()
        for key in {word} | _deletes(word):
            found.update(by_delete.get(key, ()))
        scored = self._within(word, found, limit)
        if not scored and len(word) >= LONG_WORD:
            # Long words misspelled three times over ("seperatism" for "separation"): words that start
            # the same way are few enough to measure one by one.
            scored = self._within(word, by_prefix.get(word[:3], ()), 3)
        return [c for _, _, c in sorted(scored)]

    def _within(self, word: str, candidates: Iterable[str], limit: int) -> list[tuple[int, int, str]]:
        scored = []
        for candidate in candidates:
            if candidate == word or abs(len(candidate) - len(word)) > limit:
                continue
            distance = edit_distance(word, candidate, limit)
            if distance <= limit:
                scored.append((distance, -self.frequency[candidate], candidate))
        return scored

    def correct(self, word: str) -> str | None:
        if word in self.frequency:
            return None
        best = self.candidates(word)
        return best[0] if best else None
