"""BM25 over the archive: rank-bm25's BM25Okapi for the statistics, an inverted index for the speed.

`BM25Okapi.get_scores` visits every document for every query term (a Python loop over 17,000 dicts per
term). The scores only differ from zero on documents that hold the term, so this index keeps rank-bm25's
own idf, avgdl, k1 and b and adds postings lists: the same scores, computed on the few documents that
can score. `bench/search_speed.py` checks the top 10 against `get_scores` on every query it times.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

from .daterange import DateRange, dates_in_title
from .direction import Direction
from .records import TOOK_PART, Record, Role
from .text import tokenize

# A document written the way a question's direction says ("from Stalin to Mao") comes first when it scores at
# least this share of the best match: one that shares only the names never buries a far better match.
PREFERRED_FLOOR = 0.25
TITLE_WEIGHT = 2  # title tokens count twice: a word in the title says more about a document than one in its summary
# An undated record spans "all time": no date range ever contains it.
_ALL_TIME = (np.iinfo(np.int32).min, np.iinfo(np.int32).max)


def document_tokens(record: Record) -> list[str]:
    """What BM25 sees of a record: the title (weighted), the summary, the canonical names of everyone it names
    (participants and the mentioned alike: a name matches whatever part its bearer had)."""
    tokens = tokenize(record.title) * TITLE_WEIGHT
    tokens += tokenize(record.summary)
    for named in (*record.participants, *record.mentioned):
        tokens += tokenize(named.name)
    return tokens


def own_terms(record: Record) -> list[str]:
    """A document as a query for the documents like it: each index term of its title and summary once, so a
    word its summary repeats does not outweigh the rest (the names are left out: they say who, not what)."""
    return list(dict.fromkeys(tokenize(record.title) + tokenize(record.summary)))


@dataclass(frozen=True)
class Weighted:
    """Extra query terms scored at `weight` times their BM25 contribution; several terms only as a phrase."""

    terms: tuple[str, ...]
    weight: float


@dataclass(frozen=True)
class Posting:
    docs: np.ndarray  # int32 document positions
    weights: np.ndarray  # float64: idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))


class SearchIndex:
    """An immutable index of one snapshot of the archive; a refresh builds a new one and swaps it in."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.records = list(records)
        self.size = len(self.records)
        self.position = {record.id: i for i, record in enumerate(self.records)}
        # The token corpus and the BM25Okapi object are only needed to build the postings: neither is kept,
        # so a snapshot holds the postings alone (and a refresh does not hold two corpora at once).
        corpus = [document_tokens(r) for r in self.records]
        self.idf: dict[str, float] = {}
        self.postings: dict[str, Posting] = {}
        if any(corpus):  # rank-bm25 divides by the number of terms: an archive without any has no scores
            bm25 = BM25Okapi(corpus)
            self.idf = bm25.idf
            self.postings = self._build_postings(corpus, bm25)
        self._build_date_arrays()
        # name -> positions of the documents naming it in each role, and in any role (the person filter)
        self.roles = self._build_roles()
        self.people = {name: self._naming(Role, name) for by_name in self.roles.values() for name in by_name}
        self._phrases: dict[tuple[str, ...], np.ndarray] = {}

    @staticmethod
    def _build_postings(corpus: list[list[str]], bm25: BM25Okapi) -> dict[str, Posting]:
        k1, b, avgdl, idf = bm25.k1, bm25.b, bm25.avgdl or 1.0, bm25.idf
        docs: dict[str, list[int]] = {}
        tfs: dict[str, list[int]] = {}
        for position, tokens in enumerate(corpus):
            for term, count in Counter(tokens).items():
                docs.setdefault(term, []).append(position)
                tfs.setdefault(term, []).append(count)
        lengths = np.array([len(t) for t in corpus], dtype=np.float64)
        postings: dict[str, Posting] = {}
        for term, positions in docs.items():
            at = np.array(positions, dtype=np.int32)
            tf = np.array(tfs[term], dtype=np.float64)
            norm = k1 * (1 - b + b * lengths[at] / avgdl)
            postings[term] = Posting(at, (idf.get(term) or 0.0) * tf * (k1 + 1) / (tf + norm))
        return postings

    def _build_date_arrays(self) -> None:
        start = np.full(self.size, _ALL_TIME[0], dtype=np.int32)
        end = np.full(self.size, _ALL_TIME[1], dtype=np.int32)
        title_docs, title_days = [], []
        for i, record in enumerate(self.records):
            span = DateRange.of(record.date)
            if span is not None:
                start[i], end[i] = span.start.toordinal(), span.end.toordinal()
            for named in dates_in_title(record.title):
                day = DateRange.of(named)
                if day is not None:
                    title_docs.append(i)
                    title_days.append(day.start.toordinal())
        self.date_start, self.date_end = start, end
        self.title_date_docs = np.array(title_docs, dtype=np.int32)
        self.title_date_days = np.array(title_days, dtype=np.int32)

    def _build_roles(self) -> dict[Role, dict[str, np.ndarray]]:
        roles: dict[Role, dict[str, list[int]]] = {role: {} for role in Role}
        for i, record in enumerate(self.records):
            for named in (*record.participants, *record.mentioned):
                roles[named.role].setdefault(named.name, []).append(i)
        return {role: {name: np.array(p, dtype=np.int32) for name, p in by_name.items()}
                for role, by_name in roles.items()}

    def _naming(self, roles: Iterable[Role], name: str) -> np.ndarray:
        """Positions of the documents naming `name` in any of `roles`, in archive order."""
        found = [self.roles[role][name] for role in roles if name in self.roles[role]]
        return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int32)

    def took_part(self, name: str) -> np.ndarray:
        """Positions of the documents `name` wrote, received or took part in."""
        return self._naming(TOOK_PART, name)

    def mentioned_only(self, name: str) -> np.ndarray:
        """Positions of the documents that name `name` without it taking part."""
        return self._naming((Role.MENTIONED,), name)

    # -- scoring ---------------------------------------------------------------------------------
    def scores(self, terms: Iterable[str], extra: Iterable[Weighted] = ()) -> np.ndarray:
        """BM25Okapi scores for every document (duplicated query terms count again, as in rank-bm25).

        Each `extra` adds its weight times the BM25 contribution of its terms, on the documents that hold
        them (as a phrase, in the title or the summary, when there are several).
        """
        total = np.zeros(self.size, dtype=np.float64)
        for term in terms:
            posting = self.postings.get(term)
            if posting is not None:
                total[posting.docs] += posting.weights
        for weighted in extra:
            held = [self.postings.get(term) for term in weighted.terms]
            postings = [p for p in held if p is not None]
            if not postings or len(postings) < len(held):
                continue
            docs = postings[0].docs if len(postings) == 1 else self._phrase_docs(weighted.terms, postings)
            for posting in postings:
                total[docs] += weighted.weight * posting.weights[np.searchsorted(posting.docs, docs)]
        return total

    def _phrase_docs(self, phrase: tuple[str, ...], postings: list[Posting]) -> np.ndarray:
        """The documents whose title or summary holds the terms of `phrase` next to each other, in order.

        Kept per phrase: the phrases come from the thesaurus, a few hundred at most, and the snapshot never changes.
        """
        known = self._phrases.get(phrase)
        if known is not None:
            return known
        docs = postings[0].docs
        for posting in postings[1:]:
            docs = np.intersect1d(docs, posting.docs, assume_unique=True)
        n = len(phrase)
        found = [i for i in docs.tolist()
                 if any(tuple(tokens[k:k + n]) == phrase
                        for tokens in (tokenize(self.records[i].title), tokenize(self.records[i].summary))
                        for k in range(len(tokens) - n + 1))]
        self._phrases[phrase] = np.array(found, dtype=np.int32)
        return self._phrases[phrase]

    def date_mask(self, span: DateRange) -> np.ndarray:
        lo, hi = span.start.toordinal(), span.end.toordinal()
        # contained, not overlapping: "February 1950" is in 1950, but not on 5 February 1950
        mask = (self.date_start >= lo) & (self.date_end <= hi)
        if self.title_date_docs.size:
            inside = (self.title_date_days >= lo) & (self.title_date_days <= hi)
            mask[self.title_date_docs[inside]] = True
        return mask

    def person_mask(self, names: Iterable[str]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        for name in names:
            docs = self.people.get(name)
            if docs is not None:
                mask[docs] = True
        return mask

    def role_mask(self, role: Role, names: Iterable[str]) -> np.ndarray:
        """The documents naming any of `names` in `role`."""
        mask = np.zeros(self.size, dtype=bool)
        for name in names:
            docs = self.roles[role].get(name)
            if docs is not None:
                mask[docs] = True
        return mask

    def direction_mask(self, direction: Direction) -> np.ndarray:
        """The documents written by one of the direction's authors to one of its recipients."""
        return self.role_mask(Role.AUTHOR, direction.authors) & self.role_mask(Role.RECIPIENT, direction.recipients)

    def top(self, scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best positions with a score above zero, best first; ties keep archive order."""
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if candidates.size == 0:
            return []
        if candidates.size > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = sorted(candidates.tolist(), key=lambda i: (-scores[i], i))
        return [(i, float(scores[i])) for i in order[:k]]

    def top_preferring(self, scores: np.ndarray, k: int, mask: np.ndarray | None,
                       preferred: np.ndarray) -> list[tuple[int, float]]:
        """`top`, the `preferred` documents first (each part best first), among those scoring at least
        PREFERRED_FLOOR of the best: a preference orders close matches, it never buries a far better one."""
        allowed = scores if mask is None else np.where(mask, scores, 0.0)
        preferred = preferred & (scores >= PREFERRED_FLOOR * allowed.max(initial=0.0))
        inside = preferred if mask is None else mask & preferred
        first = self.top(scores, k, inside)
        if len(first) == k:
            return first
        return first + self.top(scores, k - len(first), ~preferred if mask is None else mask & ~preferred)
