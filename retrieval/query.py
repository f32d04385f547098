"""Question understanding: the words to rank by, the dates to filter by, the people named, the typos fixed.

Chat text arrives with mentions, markdown, emoji and typos; what leaves is plain data the index can use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .daterange import DateRange, extract_dates
from .direction import Direction, read_direction
from .people import PeopleDirectory
from .spelling import SpellingIndex
from .text import STOP_WORDS, WORD_RE, fold, stem, tokenize

MAX_QUERY_CHARS = 500  # a question longer than this is cut: nobody asks 6,000 characters' worth
MIN_STEM = 5  # a corrected word also searches its known prefixes this long or longer ("separatist": "separ-")

_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>|@(?:everyone|here)\b|https?://\S+")
_MARKDOWN = re.compile(r"[*_~`|>#\\]+")


@dataclass(frozen=True)
class ParsedQuery:
    original: str
    text: str  # what was searched for, after cleaning, dates removed and typos corrected
    terms: tuple[str, ...]  # index terms
    dates: DateRange | None
    people: tuple[str, ...]  # canonical names the question names
    corrections: tuple[tuple[str, str], ...]  # (as typed, as corrected)
    unknown: tuple[str, ...]  # words the archive does not know and nothing close to
    direction: Direction | None = None  # who wrote to whom, when the question says so ("from Stalin to Mao")

    @property
    def empty(self) -> bool:
        return not self.terms


def clean(text: str) -> str:
    text = _DISCORD_MARKUP.sub(" ", text[: MAX_QUERY_CHARS * 2])
    text = _MARKDOWN.sub(" ", text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


class QueryParser:
    def __init__(self, people: PeopleDirectory, spelling: SpellingIndex, known_terms: set[str] | dict) -> None:
        self.people = people
        self.spelling = spelling
        self.known_terms = known_terms

    def parse(self, question: str) -> ParsedQuery:
        cleaned = clean(question)
        dates, rest = extract_dates(cleaned)
        corrected, corrections, unknown = self._correct(rest)
        mentions = self.people.find(corrected)
        names = tuple(dict.fromkeys(m.name for m in mentions))
        terms = tokenize(corrected)
        present = set(terms)
        for _, better in corrections:  # a guessed word also matches its shorter forms ("separatist": "separ-")
            for term in self._shorter_forms(tokenize(better)):
                if term not in present:
                    terms.append(term)
                    present.add(term)
        for name in names:  # a pseudonym or old spelling also searches the canonical name
            for term in tokenize(name):
                if term not in present:
                    terms.append(term)
                    present.add(term)
        return ParsedQuery(
            original=question,
            text=corrected,
            terms=tuple(terms),
            dates=dates,
            people=names,
            corrections=tuple(corrections),
            unknown=tuple(unknown),
            direction=read_direction(corrected, mentions),
        )

    def _shorter_forms(self, terms: list[str]) -> list[str]:
        forms = []
        for term in terms:
            forms += [term[:n] for n in range(MIN_STEM, len(term)) if term[:n] in self.known_terms]
        return forms

    def _correct(self, text: str) -> tuple[str, list[tuple[str, str]], list[str]]:
        corrections: list[tuple[str, str]] = []
        unknown: list[str] = []

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            folded = fold(word)
            if (
                folded in STOP_WORDS or not folded.isalpha() or folded in self.spelling
                or stem(folded) in self.known_terms or self.people.resolve(word)
            ):
                return word
            better = self.spelling.correct(folded)
            if better is None:
                unknown.append(word)
                return word
            corrections.append((word, better))
            return better

        return WORD_RE.sub(fix, text), corrections, unknown
