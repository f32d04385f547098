"""Question understanding: the words to rank by, the dates to filter by, the people named, the typos fixed.

Chat text arrives with mentions, markdown, emoji and typos; what leaves is plain data the index can use.
"""
from __future__ import annotations

import math
import re
from collections.abc import Container
from dataclasses import dataclass

from .daterange import DateRange, extract_dates
from .direction import Direction, read_direction
from .index import Weighted
from .people import Mention, PeopleDirectory
from .spelling import SpellingIndex, american_spelling
from .text import QUERY_FILLER, STOP_WORDS, WORD_RE, fold, stem, tokenize
from .thesaurus import Thesaurus

MAX_QUERY_CHARS = 500  # a question longer than this is cut: nobody asks 6,000 characters' worth
MIN_STEM = 5  # a corrected word also searches its known prefixes this long or longer ("separatist": "separ-")
# A word English uses at least once per million words (wordfreq's Zipf scale: 3) is a word, never a typo. The
# most common misspellings stay below it ("thier" 2.99, "untill" 2.97, "seperate" 2.82, "adress" 2.39);
# plain words of questions are well above ("leap" 3.94, "halt" 3.93, "shelling" 3.18). Rarer real words of
# the period (Cominform 1.4, Securitate 1.7) are listed in the thesaurus file's `terms`.
ENGLISH_ZIPF = 3.0
# The thesaurus's other word for a word typed counts half as much; n other words count 1/sqrt(n) of that each,
# so "meeting" (conversation, talks, discussion, dialogue) does not outweigh the words typed (bench/quality.py).
EXPANSION_WEIGHT = 0.5

_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w+:)\d+>|@(?:everyone|here)\b|https?://\S+")
_MARKDOWN = re.compile(r"[*_~`|>#\\]+")
_FILLER_TERMS = frozenset(stem(word) for word in QUERY_FILLER)


@dataclass(frozen=True)
class ParsedQuery:
    original: str
    text: str  # what was searched for, after cleaning, dates removed and typos corrected
    terms: tuple[str, ...]  # index terms
    dates: DateRange | None
    people: tuple[str, ...]  # canonical names the question names
    corrections: tuple[tuple[str, str], ...]  # (as typed, as corrected)
    unknown: tuple[str, ...]  # words the archive does not know and nothing close to
    topic: tuple[str, ...] = ()  # the terms that are neither a date, a person named, nor filler
    absent: tuple[str, ...] = ()  # real words (English, or the period's terms) that no document uses
    expansions: tuple[Weighted, ...] = ()  # the thesaurus's other words for words of the question

    @property
    def matching_terms(self) -> set[str]:
        """The terms a document's words can match: those typed and their expansions."""
        return {*self.terms, *(t for e in self.expansions for t in e.terms)}
    direction: Direction | None = None  # who wrote to whom, when the question says so ("from Stalin to Mao")

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def browsing(self) -> bool:
        """Only dates and people, nothing else to look for: the documents they name, in date order."""
        return not self.topic and (self.dates is not None or bool(self.people))


def clean(text: str) -> str:
    text = _DISCORD_MARKUP.sub(" ", text[: MAX_QUERY_CHARS * 2])
    text = _MARKDOWN.sub(" ", text)
    if not text.isprintable():  # most questions are: no walk over their characters
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


class QueryParser:
    def __init__(self, people: PeopleDirectory, spelling: SpellingIndex, known_terms: Container[str],
                 thesaurus: Thesaurus | None = None) -> None:
        self.people = people
        self.spelling = spelling
        self.known_terms = known_terms
        self.thesaurus = thesaurus or Thesaurus([], [])

    def parse(self, question: str) -> ParsedQuery:
        cleaned = clean(question)
        dates, rest = extract_dates(cleaned)
        corrected, corrections, unknown, real = self._correct(rest)
        mentions = self.people.find(corrected)
        names = tuple(dict.fromkeys(m.name for m in mentions))
        terms = _without_filler(tokenize(corrected))
        # a question naming nobody is all topic: its terms as they are, not tokenized again
        topic = tuple(_without_filler(tokenize(_outside(corrected, mentions)))) if mentions else tuple(terms)
        expansions, absent = self._expand(terms, real)
        gone = {stem(fold(word)) for word in absent}
        terms = [t for t in terms if t not in gone]  # the archive lacks them: the rest of the words are searched
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
            topic=topic,
            absent=tuple(absent),
            expansions=tuple(expansions),
            direction=read_direction(corrected, mentions),
        )

    def _expand(self, terms: list[str], real: list[str]) -> tuple[list[Weighted], list[str]]:
        """The thesaurus's other words for the question's, at a lower weight; the real words nothing matches.

        A real word the archive lacks is absent unless its group brings a word the archive has ("Quemoy"
        searches "Jinmen"): then it is understood, not missing.
        """
        expansions: dict[tuple[str, ...], float] = {}
        for expansion in self.thesaurus.expand(terms):
            known = [o for o in expansion.others if all(t in self.known_terms for t in o) and o not in expansions]
            for other in known:  # many other words share the weight: together they never outweigh the typed one
                expansions[other] = EXPANSION_WEIGHT / math.sqrt(len(known))
            if known:
                real = [w for w in real if stem(fold(w)) not in expansion.found]
        return [Weighted(e, weight) for e, weight in expansions.items()], real

    def _shorter_forms(self, terms: list[str]) -> list[str]:
        forms = []
        for term in terms:
            forms += [term[:n] for n in range(MIN_STEM, len(term)) if term[:n] in self.known_terms]
        return forms

    def _correct(self, text: str) -> tuple[str, list[tuple[str, str]], list[str], list[str]]:
        """The text with typos corrected; the corrections, the unknown words, and the real words kept as typed."""
        corrections: list[tuple[str, str]] = []
        unknown: list[str] = []
        real: list[str] = []

        def fix(match: re.Match[str]) -> str:
            word = match.group(0)
            folded = fold(word)
            if (
                folded in STOP_WORDS or folded in QUERY_FILLER or not folded.isalpha() or folded in self.spelling
                or stem(folded) in self.known_terms or self.people.resolve(word)
            ):
                return word
            if folded in self.thesaurus.words or english_zipf(folded) >= ENGLISH_ZIPF:
                american = american_spelling(folded)
                if american != folded and american in self.spelling:  # "recognise": the archive's "recognize"
                    corrections.append((word, american))
                    return american
                real.append(word)
                return word
            better = self.spelling.correct(folded)
            if better is None:
                unknown.append(word)
                return word
            corrections.append((word, better))
            return better

        return WORD_RE.sub(fix, text), corrections, unknown, real


def _without_filler(terms: list[str]) -> list[str]:
    return [t for t in terms if t not in _FILLER_TERMS]


def _outside(text: str, mentions: list[Mention]) -> str:
    """The text with the names it mentions blanked out."""
    parts, at = [], 0
    for mention in sorted(mentions, key=lambda m: m.start):
        parts.append(text[at:mention.start])
        at = max(at, mention.end)
    parts.append(text[at:])
    return " ".join(parts)


def english_zipf(word: str) -> float:
    """wordfreq's Zipf frequency of an English word. Imported on first use, so ingest and export never load
    the word list (6 MiB imported, 30 MiB once read); the snapshot build reads it before the first question."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))
