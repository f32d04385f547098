"""BM25 over the archive: rank-bm25's BM25Okapi scores through postings, over one or two segments.

`BM25Okapi.get_scores` visits every document for every query term. The scores only differ from zero on
documents that hold the term, so the index keeps postings lists (`segment.py`): the same scores, computed
bit for bit in `get_scores`' own order of operations, on the few documents that can score. The base segment
is saved and memory-mapped; after an ingest a small delta segment holds the added and changed records (a
changed record's old base position is masked) and the statistics (N, avgdl, each term's document frequency
and idf, the average idf under the epsilon floor) are those of the union, as a BM25Okapi over it would have
them. Records are never held: positions map to record ids, read from the store when shown. A question's best
few are found, when they can be, among the documents at the tops of its words' postings (`pruned`, exact;
with a delta too: the base's tops bound the union's weights, `UnionPart`); counts, filters and browsing add
every posting up.
`bench/search_speed.py` and `bench/scale.py` check the top 10 against `get_scores` on every query they time.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

import numpy as np

from .cite import Citation, cite
from .daterange import DateRange
from .direction import Direction
from .records import TOOK_PART, Record, Role
from .segment import (
    EPSILON,
    IMPACT_MIN,
    IMPACT_TOP,
    TITLE_WEIGHT,
    Segment,
    build,
    calc_idf,
    date_rank,
    document_tokens,
    impact_order,
    raw_idf,
    term_weights,
)
from .text import tokenize

__all__ = ["TITLE_WEIGHT", "PREFERRED_FLOOR", "Part", "RecordList", "RecordSource", "Scores", "SearchIndex",
           "Weighted", "document_tokens", "own_terms"]

# A document written the way a question's direction says ("from Stalin to Mao") comes first when it scores at
# least this share of the best match: one that shares only the names never buries a far better match.
PREFERRED_FLOOR = 0.25
# A query whose postings hold more than 1/SPARSE_SHARE of the archive's documents adds them up in an array of
# every document (its cost is the archive's size); a rarer one visits only the documents it touches.
SPARSE_SHARE = 64
# Bytes of long base postings kept laid out with a delta's statistics (`SearchIndex.laid_out`).
LAID_OUT_KEPT = 128 << 20
# Bytes of the base's long postings kept spread over every document (`SearchIndex.spread`): at 17,000 records the
# 19 terms in more than 1/LAID_OUT of the documents take 2.6 MB; at a million this keeps four.
SPREAD_KEPT = 32 << 20



class Part:
    """A query term's documents (ascending) and what it adds to each, and where its largest additions are,
    largest first (`Segment.impact`; None when the posting is short enough to read whole). `pruned` reads a
    part through `seen`, `beyond` and `add_to`; adding everything up reads `docs` and `weights`."""

    def __init__(self, docs: np.ndarray, weights: np.ndarray, top: np.ndarray | None = None) -> None:
        self._docs, self._weights, self._top = docs, weights, top

    @property
    def docs(self) -> np.ndarray:
        return self._docs

    @property
    def weights(self) -> np.ndarray:
        return self._weights

    @property
    def size(self) -> int:
        """How many documents it holds (what adding it up costs)."""
        return int(self._docs.size)

    @property
    def prunable(self) -> bool:
        """Whether its tops bound it: its order is known (or it is short enough to read whole) and it adds
        nothing negative (a negative idf: bounds of sums would not hold)."""
        return (self._top is not None or self.size <= IMPACT_MIN) and not (self.size and self._weights[0] < 0)

    def reach(self, m: int) -> int:
        """How many documents `seen(m)` holds."""
        return self.size if self._top is None else min(m, self._top.size)

    def seen(self, m: int) -> np.ndarray:
        """The documents of its m largest additions (every one when it is short), ascending."""
        return self._docs if self._top is None else np.sort(self._docs[self._top[:m]])

    def beyond(self, m: int) -> float:
        """At most what it adds to a document not `seen(m)`."""
        if self._top is None or m >= self.size:
            return 0.0
        return float(self._weights[self._top[min(m, self._top.size) - 1]])

    def add_to(self, total: np.ndarray, docs: np.ndarray) -> None:
        """Add what it adds to each of `docs` (ascending) into `total`, along `docs` (a document it does not
        hold gets nothing: no sum changes)."""
        along, at = _find(self._docs, docs)
        total[along] += self._weights[at]

    def spread(self, size: int) -> np.ndarray:
        """What it adds to each of `size` documents, in one array (0.0 where it holds none: a posting holds a
        document once, so each is its own contribution)."""
        return np.bincount(self.docs, self.weights, minlength=size)


class LongPart(Part):
    """A long posting of the base, its `spread` kept by the index for the next question with the term."""

    def __init__(self, docs: np.ndarray, weights: np.ndarray, top: np.ndarray | None, index: SearchIndex,
                 slot: int) -> None:
        super().__init__(docs, weights, top)
        self._index, self._slot = index, slot

    def spread(self, size: int) -> np.ndarray:
        return self._index.spread(self._slot, self, size)


class UnionPart(Part):
    """A term's part over a base and a delta, weighed with the union's statistics (`SearchIndex.posting`).

    The base's posting is read as it is mapped: its records the delta replaced are passed over, and only the
    documents looked up are weighed, so pruning costs what it looks at. The base's order of its largest
    additions is by the base's own weights (idf times `term_weights` at the base's avgdl); the union's idf is
    the same for every document and `term_weights` at another avgdl is at most max(1, avgdl' / avgdl) times
    that at avgdl, so the base's order still bounds what a document below its top adds. `docs` and `weights`
    (the live base documents, then the delta's) are laid out only when asked, as the whole posting is added.
    """

    def __init__(self, index: SearchIndex, slot: int, at: int, idf: float, scale: float) -> None:
        base, delta = index.base, index.delta
        assert delta is not None
        self._index, self._slot, self._idf, self._scale = index, slot, idf, scale
        empty = np.zeros(0, dtype=np.int32)
        self._base_docs: np.ndarray = base.posting(slot)[0] if slot >= 0 else empty
        self._base_tf: np.ndarray = base.posting(slot)[1] if slot >= 0 else empty
        self._base_top = base.impact(slot) if slot >= 0 and base.idf[slot] > 0 else None  # ordered by base weights
        docs, tf = delta.posting(at)[:2] if at >= 0 else (empty, empty)
        self._delta_docs = docs + base.size
        self._delta_weights = self._weigh(tf, delta.doc_len[docs])
        self._delta_top = impact_order(self._delta_weights) if docs.size > IMPACT_MIN else None

    def _weigh(self, tf: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """idf * `term_weights` under the union's statistics (times the part's scale): the floats of weighing
        the whole posting, document by document."""
        weights = self._idf * term_weights(tf, lengths, self._index.avgdl)
        return weights if self._scale == 1.0 else self._scale * weights

    def live_base(self) -> tuple[np.ndarray, np.ndarray]:
        """The base's live documents of the term and what it adds to each (unscaled): `SearchIndex.laid_out`."""
        docs, tf = self._base_docs, self._base_tf
        alive = self._index.alive
        if alive is not None:
            keep = alive[docs]
            docs, tf = docs[keep], tf[keep]
        return docs, self._idf * term_weights(tf, self._index.base.doc_len[docs], self._index.avgdl)

    @cached_property
    def _laid_out(self) -> tuple[np.ndarray, np.ndarray]:
        docs, weights = self._index.laid_out(self._slot, self)
        if self._scale != 1.0:
            weights = self._scale * weights
        return np.concatenate((docs, self._delta_docs)), np.concatenate((weights, self._delta_weights))

    @property
    def docs(self) -> np.ndarray:
        return self._laid_out[0]

    @property
    def weights(self) -> np.ndarray:
        return self._laid_out[1]

    @property
    def size(self) -> int:
        return int(self._base_docs.size + self._delta_docs.size)

    @property
    def prunable(self) -> bool:
        return self._scale > 0 and self._idf >= 0 and \
            (self._base_top is not None or self._base_docs.size <= IMPACT_MIN) and \
            (self._delta_top is not None or self._delta_docs.size <= IMPACT_MIN)

    def reach(self, m: int) -> int:
        return sum(docs.size if top is None else min(m, top.size)
                   for docs, top in ((self._base_docs, self._base_top), (self._delta_docs, self._delta_top)))

    def seen(self, m: int) -> np.ndarray:
        base = self._base_docs if self._base_top is None else np.sort(self._base_docs[self._base_top[:m]])
        if self._index.alive is not None:
            base = base[self._index.alive[base]]
        more = self._delta_docs if self._delta_top is None else np.sort(self._delta_docs[self._delta_top[:m]])
        return np.concatenate((base, more))

    def beyond(self, m: int) -> float:
        bound = 0.0
        if self._base_top is not None and m < self._base_docs.size:
            base = self._index.base
            last = self._base_top[min(m, self._base_top.size) - 1: min(m, self._base_top.size)]
            own = float(term_weights(self._base_tf[last], base.doc_len[self._base_docs[last]], base.meta.avgdl)[0])
            bound = self._scale * self._idf * own * max(1.0, self._index.avgdl / base.meta.avgdl)
        if self._delta_top is not None and m < self._delta_docs.size:
            bound = max(bound, float(self._delta_weights[self._delta_top[min(m, self._delta_top.size) - 1]]))
        return bound

    def add_to(self, total: np.ndarray, docs: np.ndarray) -> None:
        along, at = _find(self._base_docs, docs)  # `docs` holds no replaced record: `seen` passes them over
        total[along] += self._weigh(self._base_tf[at], self._index.base.doc_len[self._base_docs[at]])
        along, at = _find(self._delta_docs, docs)
        total[along] += self._delta_weights[at]


def _find(held_by: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of `docs` (ascending) `held_by` (ascending) holds, and where in it: only the documents within
    its first and last are looked up."""
    if held_by.size == 0 or docs.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lo = int(np.searchsorted(docs, held_by[0]))
    hi = int(np.searchsorted(docs, held_by[-1], side="right"))
    at = np.searchsorted(held_by, docs[lo:hi])
    np.minimum(at, held_by.size - 1, out=at)
    found = np.flatnonzero(held_by[at] == docs[lo:hi])
    return lo + found, at[found]


def own_terms(record: Record) -> list[str]:
    """A document as a query for the documents like it: each index term of its title and summary once, so a
    word its summary repeats does not outweigh the rest (the names are left out: they say who, not what)."""
    return list(dict.fromkeys(tokenize(record.title) + tokenize(record.summary)))


class RecordSource(Protocol):
    def records(self, ids: Sequence[int]) -> list[Record]:
        """The records with these ids, in this order (ids no longer stored left out)."""
        ...

    def cited(self, ids: Sequence[int]) -> list[tuple[Record, Citation]]:
        """`records(ids)` with their citations."""
        ...


class RecordList:
    """Records held in memory: a RecordSource for tests and small scripts (the archive reads its store)."""

    def __init__(self, records: Iterable[Record]) -> None:
        self._by_id = {r.id: r for r in records}

    def records(self, ids: Sequence[int]) -> list[Record]:
        return [self._by_id[i] for i in ids if i in self._by_id]

    def cited(self, ids: Sequence[int]) -> list[tuple[Record, Citation]]:
        return [(r, cite(r)) for r in self.records(ids)]


@dataclass(frozen=True)
class Weighted:
    """Extra query terms scored at `weight` times their BM25 contribution; several terms only as a phrase."""

    terms: tuple[str, ...]
    weight: float


class SearchIndex:
    """An immutable index of one snapshot of the archive: a base segment and, after an ingest, a delta segment.

    Positions: the base's records first (0 .. base.size - 1), then the delta's. A record the delta holds again
    (changed since the base was built) is masked at its base position: it scores nothing, no filter lets it
    through, and it counts in no statistic.
    """

    def __init__(self, base: Segment, source: RecordSource, delta: Segment | None = None) -> None:
        self.base, self.delta, self.source = base, delta, source
        nb = base.size
        self._combined = delta is not None and delta.size > 0
        if not self._combined:
            self.delta = delta = None
            self.size = self.count = nb
            self.ids = base.ids
            self.alive: np.ndarray | None = None
            self.date_start, self.date_end = base.date_start, base.date_end
            self.title_date_docs, self.title_date_days = base.title_date_docs, base.title_date_days
            self.chrono, self.rank = base.chrono, base.rank
            self.month_day, self.has_summary = base.month_day, base.has_summary
            self.corpus_size, self.avgdl, self.average_idf = nb, base.meta.avgdl, base.meta.average_idf
        else:
            assert delta is not None
            self.size = nb + delta.size
            self.ids = np.concatenate((base.ids, delta.ids))
            dead = np.flatnonzero(np.isin(base.ids, delta.ids))
            self.alive = None
            if dead.size:
                self.alive = np.ones(self.size, dtype=bool)
                self.alive[dead] = False
            self.count = self.size - int(dead.size)
            self.date_start = np.concatenate((base.date_start, delta.date_start))
            self.date_end = np.concatenate((base.date_end, delta.date_end))
            self.title_date_docs = np.concatenate((base.title_date_docs, delta.title_date_docs + nb))
            self.title_date_days = np.concatenate((base.title_date_days, delta.title_date_days))
            self.chrono = np.concatenate((base.chrono, delta.chrono))
            self.rank = date_rank(self.ids, self.chrono)
            self.month_day = np.concatenate((base.month_day, delta.month_day))
            self.has_summary = np.concatenate((base.has_summary, delta.has_summary))
            self._union_statistics(dead)
        self._phrases: dict[tuple[str, ...], np.ndarray] = {}
        self._laid: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # base slot -> `UnionPart.live_base`
        self._laid_bytes = 0
        self._laid_lock = threading.Lock()
        self._spread: dict[int, np.ndarray] = {}  # base slot -> `Part.spread` of a long posting (`LongPart`)
        self._spread_bytes = 0

    @classmethod
    def of(cls, records: Sequence[Record]) -> SearchIndex:
        """An index of records held in memory (tests, small scripts), in id order as the archive's."""
        return cls(build(sorted(records, key=lambda r: r.id)), RecordList(records))

    def _union_statistics(self, dead: np.ndarray) -> None:
        """N, avgdl, each base term's document frequency and rank-bm25's average idf over the union of the
        base's live records and the delta's, the terms taken in the order BM25Okapi would first see them."""
        base, delta = self.base, self.delta
        assert delta is not None
        self.corpus_size = self.count
        total = base.meta.total_length - int(base.doc_len[dead].sum(dtype=np.int64)) + delta.meta.total_length
        self.avgdl = total / self.corpus_size
        dead_slots, dead_counts = np.unique(np.concatenate([base.doc_terms(p) for p in dead.tolist()]
                                                           or [np.zeros(0, dtype=np.int32)]), return_counts=True)
        self._dead_df = dict(zip(dead_slots.tolist(), dead_counts.tolist(), strict=True))
        df = np.diff(base.post_off)
        df[dead_slots] -= dead_counts
        first_doc = np.array(base.first_doc, dtype=np.int64)
        first_rank = np.array(base.first_rank, dtype=np.int64)
        for slot in dead_slots.tolist():  # a term first seen in a masked record: first seen later now
            if df[slot] > 0 and self.alive is not None and not self.alive[first_doc[slot]]:
                docs = base.posting(slot)[0]
                first = int(docs[self.alive[docs]][0])
                first_doc[slot] = first
                first_rank[slot] = int(np.flatnonzero(base.doc_terms(first) == slot)[0])
        live = np.flatnonzero(df > 0)
        seen = live[np.lexsort((first_rank[live], first_doc[live]))]
        extra = np.zeros(len(df), dtype=np.int64)
        new_terms: list[int] = []
        delta_df = np.diff(delta.post_off)
        for j in np.lexsort((delta.first_rank, delta.first_doc)).tolist():
            slot = base.slot(delta.terms[j])
            if slot >= 0 and df[slot] > 0:
                extra[slot] = delta_df[j]
            else:
                new_terms.append(int(delta_df[j]))
        frequencies = (df[seen] + extra[seen]).tolist() + new_terms
        self.average_idf = calc_idf(self.corpus_size, frequencies)[1] if frequencies else 0.0

    # -- records ---------------------------------------------------------------------------------
    def records_at(self, positions: Iterable[int]) -> list[tuple[int, Record]]:
        """(position, record) for these positions, the records read from the store, in this order (a record
        deleted since the snapshot was built is left out)."""
        wanted, ids = self._ids_at(positions)
        by_id = {r.id: r for r in self.source.records(ids)}
        return [(p, by_id[i]) for p, i in zip(wanted, ids, strict=True) if i in by_id]

    def cited_at(self, positions: Iterable[int]) -> list[tuple[int, Record, Citation]]:
        """`records_at(positions)` with the records' citations (their shown rows')."""
        wanted, ids = self._ids_at(positions)
        by_id = {r.id: (r, c) for r, c in self.source.cited(ids)}
        return [(p, *by_id[i]) for p, i in zip(wanted, ids, strict=True) if i in by_id]

    def _ids_at(self, positions: Iterable[int]) -> tuple[list[int], list[int]]:
        wanted = list(positions)
        return wanted, self.ids[np.array(wanted, dtype=np.int64)].tolist() if wanted else []

    def position_of(self, record_id: int) -> int | None:
        """Where the record is in this snapshot; None when it is not in it."""
        if self.delta is not None:
            at = int(np.searchsorted(self.delta.ids, record_id))
            if at < self.delta.size and int(self.delta.ids[at]) == record_id:
                return self.base.size + at
        at = int(np.searchsorted(self.base.ids, record_id))
        if at < self.base.size and int(self.base.ids[at]) == record_id and (self.alive is None or self.alive[at]):
            return at
        return None

    def live_positions(self) -> np.ndarray:
        """Every position holding a record of this snapshot, in order (the corpus BM25 scores over)."""
        return np.arange(self.size) if self.alive is None else np.flatnonzero(self.alive)

    def _live(self, positions: np.ndarray) -> np.ndarray:
        return positions if self.alive is None else positions[self.alive[positions]]

    # -- people ----------------------------------------------------------------------------------
    def _parts(self, roles: Iterable[Role], name: str) -> list[np.ndarray]:
        """Positions of the documents naming `name` in each of `roles`, per segment (masked records included)."""
        found = [self.base.naming(role, name) for role in roles]
        if self.delta is not None:
            found += [self.delta.naming(role, name) + self.base.size for role in roles]
        return [f for f in found if f.size]

    def _naming(self, roles: Iterable[Role], name: str) -> np.ndarray:
        """Positions of the documents naming `name` in any of `roles`, in archive order."""
        found = self._parts(roles, name)
        if not found:
            return np.zeros(0, dtype=np.int32)
        return self._live(np.unique(np.concatenate(found)))

    def _mask(self, roles: Iterable[Role], names: Iterable[str]) -> np.ndarray:
        """The documents naming any of `names` in any of `roles` (no sorting: a mask needs none)."""
        mask = np.zeros(self.size, dtype=bool)
        roles = tuple(roles)
        for name in names:
            for part in self._parts(roles, name):
                mask[part] = True
        return mask if self.alive is None else mask & self.alive

    def took_part(self, name: str) -> np.ndarray:
        """Positions of the documents `name` wrote, received or took part in."""
        return self._naming(TOOK_PART, name)

    def mentioned_only(self, name: str) -> np.ndarray:
        """Positions of the documents that name `name` without it taking part."""
        return self._naming((Role.MENTIONED,), name)

    def names(self) -> list[str]:
        """Everyone at least one document of the snapshot names."""
        names = set(self.base.names) if self.alive is None else {
            name for name in self.base.names if any(self._live(self.base.naming(r, name)).size for r in Role)}
        if self.delta is not None:
            names |= set(self.delta.names)
        return sorted(names)

    # -- scoring ---------------------------------------------------------------------------------
    def __contains__(self, term: object) -> bool:
        """Whether any document of the snapshot holds the index term."""
        if not isinstance(term, str):
            return False
        return self.base.slot(term) >= 0 if not self._combined else self._frequency(term) > 0

    def idf(self, term: str) -> float:
        """rank-bm25's idf of the term (0 for a term no document holds)."""
        if not self._combined:
            slot = self.base.slot(term)
            return float(self.base.idf[slot]) if slot >= 0 else 0.0
        frequency = self._frequency(term)
        return self._floored(frequency) if frequency else 0.0

    def _frequency(self, term: str) -> int:
        slot = self.base.slot(term)
        found = 0 if slot < 0 else int(self.base.post_off[slot + 1] - self.base.post_off[slot]) - \
            self._dead_df.get(slot, 0)
        assert self.delta is not None
        at = self.delta.slot(term)
        return found + (0 if at < 0 else int(self.delta.post_off[at + 1] - self.delta.post_off[at]))

    def _floored(self, frequency: int) -> float:
        value = raw_idf(self.corpus_size, frequency)
        return EPSILON * self.average_idf if value < 0 else value

    def posting(self, term: str, scale: float = 1.0) -> Part | None:
        """The documents holding `term` and its BM25 contribution to each (idf * `term_weights`, times
        `scale`): the base's own weights, or with a delta the union's (`UnionPart`)."""
        base = self.base
        slot = base.slot(term)
        if not self._combined:
            if slot < 0:
                return None
            docs, _, weights = base.posting(slot)
            if scale == 1.0 and docs.size * LAID_OUT > self.size:
                return LongPart(docs, weights, base.impact(slot), self, slot)
            return Part(docs, weights if scale == 1.0 else scale * weights, base.impact(slot) if scale > 0 else None)
        frequency = self._frequency(term)
        if not frequency:
            return None
        assert self.delta is not None
        return UnionPart(self, slot, self.delta.slot(term), self._floored(frequency), scale)

    def scores(self, terms: Iterable[str], extra: Iterable[Weighted] = ()) -> np.ndarray:
        """BM25Okapi scores for every document, as `get_scores` returns them (see `scored`)."""
        return _dense(self.contributions(terms, extra), self.size)

    def scored(self, terms: Iterable[str], extra: Iterable[Weighted] = ()) -> Scores:
        """BM25Okapi scores of the documents holding a query term (every other one scores 0); duplicated query
        terms count again, as in rank-bm25.

        Each `extra` adds its weight times the BM25 contribution of its terms, on the documents that hold
        them (as a phrase, in the title or the summary, when there are several).
        """
        return Scores.added(self.contributions(terms, extra), self.size)

    def contributions(self, terms: Iterable[str], extra: Iterable[Weighted]) -> list[Part]:
        """Each query term's documents and what it adds to each, in query order (a missing term adds nothing)."""
        parts = [part for part in map(self.posting, terms) if part is not None]
        for weighted in extra:
            if len(weighted.terms) == 1:  # a single term: its whole posting
                part = self.posting(weighted.terms[0], weighted.weight)
                parts += [part] if part is not None else []
                continue
            held = [self.posting(term) for term in weighted.terms]
            postings = [p for p in held if p is not None]
            if not postings or len(postings) < len(held):
                continue
            docs = self._phrase_docs(weighted.terms, postings)
            for posting in postings:
                weights = np.zeros(docs.size, dtype=np.float64)
                posting.add_to(weights, docs)  # every phrase document holds every term
                parts.append(Part(docs, weighted.weight * weights))
        return parts

    def spread(self, slot: int, part: Part, size: int) -> np.ndarray:
        """`Part.spread` of the base's long posting at `slot`, kept while SPREAD_KEPT bytes allow: adding one array
        up costs a third of laying the posting out again. Read only (every question adds it to its own)."""
        known = self._spread.get(slot)
        if known is not None:
            return known
        known = Part.spread(part, size)
        known.flags.writeable = False
        with self._laid_lock:
            if slot not in self._spread and self._spread_bytes + known.nbytes <= SPREAD_KEPT:
                self._spread[slot] = known
                self._spread_bytes += known.nbytes
        return known

    def laid_out(self, slot: int, part: UnionPart) -> tuple[np.ndarray, np.ndarray]:
        """`part.live_base()`, kept for the next question with the term while LAID_OUT_KEPT bytes allow (the
        oldest let go first): masking and weighing a long posting again costs more than adding it up."""
        known = self._laid.get(slot)
        if known is not None:
            return known
        found = part.live_base()
        size = found[0].nbytes + found[1].nbytes
        if slot >= 0 and found[0].size > IMPACT_MIN and size <= LAID_OUT_KEPT:
            with self._laid_lock:
                if slot not in self._laid:
                    while self._laid_bytes + size > LAID_OUT_KEPT:
                        old = self._laid.pop(next(iter(self._laid)))
                        self._laid_bytes -= old[0].nbytes + old[1].nbytes
                    self._laid[slot] = found
                    self._laid_bytes += size
        return found

    def _phrase_docs(self, phrase: tuple[str, ...], postings: list[Part]) -> np.ndarray:
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
        found = [i for i, record in self.records_at(docs.tolist())
                 if any(tuple(tokens[k:k + n]) == phrase
                        for tokens in (tokenize(record.title), tokenize(record.summary))
                        for k in range(len(tokens) - n + 1))]
        self._phrases[phrase] = np.array(found, dtype=np.int32)
        return self._phrases[phrase]

    # -- filters ---------------------------------------------------------------------------------
    def date_mask(self, span: DateRange) -> np.ndarray:
        """The documents dated within `span`, or naming a day within it in their title: a mask of every one."""
        return self.within(span, None)

    def within(self, span: DateRange, positions: np.ndarray | None) -> np.ndarray:
        """`date_mask` at `positions` alone (every position when None): a query's filter costs what it touched."""
        lo, hi = span.start.toordinal(), span.end.toordinal()
        starts = self.date_start if positions is None else self.date_start[positions]
        ends = self.date_end if positions is None else self.date_end[positions]
        # contained, not overlapping: "February 1950" is in 1950, but not on 5 February 1950
        mask = (starts >= lo) & (ends <= hi)
        if self.title_date_docs.size:
            named = self.title_date_docs[(self.title_date_days >= lo) & (self.title_date_days <= hi)]
            if positions is None:
                mask[named] = True
            else:
                mask |= np.isin(positions, named)
        if self.alive is None:
            return mask
        return mask & (self.alive if positions is None else self.alive[positions])

    def person_mask(self, names: Iterable[str]) -> np.ndarray:
        return self._mask(Role, names)

    def role_mask(self, role: Role, names: Iterable[str]) -> np.ndarray:
        """The documents naming any of `names` in `role`."""
        return self._mask((role,), names)

    def direction_mask(self, direction: Direction) -> np.ndarray:
        """The documents written by one of the direction's authors to one of its recipients."""
        return self.role_mask(Role.AUTHOR, direction.authors) & self.role_mask(Role.RECIPIENT, direction.recipients)

    def top(self, scores: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """`best` of a score for every document, `mask` one for every document."""
        scored = Scores.of(scores)
        return scored.best(k, None if mask is None else mask[scored.docs])

    def top_preferring(self, scores: np.ndarray, k: int, mask: np.ndarray | None,
                       preferred: np.ndarray) -> list[tuple[int, float]]:
        """`Scores.best_preferring` of a score for every document, the masks one for every document."""
        scored = Scores.of(scores)
        return scored.best_preferring(k, None if mask is None else mask[scored.docs], preferred[scored.docs])


class Scores:
    """The documents a query can rank (every other document scores 0 or less) and their BM25 scores.

    Filters are boolean arrays along `docs` (`keep`), so nothing per query is as long as the archive. A query's
    parts (`added`) are added up only when something asks for more than its best few (found from the tops of
    its postings when that can tell, `pruned`); scores added up in an array of every document keep it, the
    documents and their scores picked out of it only when a filter asks for them.
    """

    def __init__(self, docs: np.ndarray | None, values: np.ndarray | None, every: np.ndarray | None = None) -> None:
        self._docs, self._values = docs, values  # int64 positions ascending, float64; None until asked (`every`)
        self._every = every  # every document's score, when they were added up so
        self._parts: list[Part] | None = None  # what is still to add up, over `_size` documents
        self._size = 0

    @classmethod
    def of(cls, scores: np.ndarray) -> Scores:
        """The documents above 0 of a score for every document."""
        return cls(None, None, scores)

    @classmethod
    def added(cls, parts: list[Part], size: int) -> Scores:
        """The scores `parts` (each query term's documents and contributions, in query order) add up to over
        `size` documents, each document's sum made in query-term order, as `get_scores` makes it."""
        scores = cls(None, None)
        scores._parts, scores._size = parts, size
        return scores

    def _add(self) -> None:
        parts, self._parts = self._parts, None
        if parts is None:
            return
        if not parts:
            self._docs, self._values = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        elif len(parts) == 1:
            self._docs, self._values = np.asarray(parts[0].docs, dtype=np.int64), 0.0 + parts[0].weights
        elif sum(part.size for part in parts) > self._size // SPARSE_SHARE:  # common terms: cheaper than a sort
            self._every = _dense(parts, self._size)
        else:
            docs = _union([part.docs for part in parts])
            total = np.zeros(docs.size, dtype=np.float64)
            for part in parts:
                total[np.searchsorted(docs, part.docs)] += part.weights
            self._docs, self._values = docs.astype(np.int64), total

    @property
    def every(self) -> np.ndarray | None:
        self._add()
        return self._every

    def _sparse(self) -> tuple[np.ndarray, np.ndarray]:
        self._add()
        if self._docs is None or self._values is None:
            assert self._every is not None
            self._docs = np.flatnonzero(self._every > 0)
            self._values = self._every[self._docs]
        return self._docs, self._values

    @property
    def docs(self) -> np.ndarray:
        return self._sparse()[0]

    @property
    def values(self) -> np.ndarray:
        return self._sparse()[1]

    @cached_property
    def matched(self) -> int:
        """How many documents score other than 0 (a notice's count of the words' documents): counted when asked."""
        return int(np.count_nonzero(self.values if self.every is None else self.every))

    def without(self, position: int) -> Scores:
        """These scores, the document at `position` left out."""
        if self.every is not None:
            every = self.every.copy()
            every[position] = 0.0
            return Scores.of(every)
        keep = self.docs != position
        return Scores(self.docs[keep], self.values[keep])

    def best(self, k: int, keep: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k best positions with a score above zero, best first; ties keep archive order."""
        if keep is None and self._parts is not None:
            found = pruned(self._parts, k, self._size)
            if found is not None:
                return found
        every = self.every
        if keep is None and self._docs is None and every is not None:  # positions are the array's indices
            docs = contenders(every, k)
            return _best_of(docs, every[docs], k)
        at = contenders(self.values, k) if keep is None else np.flatnonzero((self.values > 0) & keep)
        return _best_of(self.docs[at], self.values[at], k)

    def best_preferring(self, k: int, keep: np.ndarray | None, preferred: np.ndarray) -> list[tuple[int, float]]:
        """`best`, the `preferred` documents first (each part best first), among those scoring at least
        PREFERRED_FLOOR of the best: a preference orders close matches, it never buries a far better one."""
        allowed = self.values if keep is None else np.where(keep, self.values, 0.0)
        preferred = preferred & (self.values >= PREFERRED_FLOOR * allowed.max(initial=0.0))
        inside = preferred if keep is None else keep & preferred
        first = self.best(k, inside)
        if len(first) == k:
            return first
        return first + self.best(k - len(first), ~preferred if keep is None else keep & ~preferred)


SAMPLED = 4096  # scores looked at to bound the k-th best from below, at most
SAMPLE_STEP = 16  # at least every 16th score: at 17,000 records, 1,062 of them (4,096 cost more than they save)
SAMPLE_FROM = 4096  # scores: a smaller array is as quick to gather whole


def contenders(values: np.ndarray, k: int) -> np.ndarray:
    """The indices, ascending, of the values above 0 that can be among the k largest (ties included).

    The k-th largest of an evenly spread sample is at most the k-th largest of all, so every value below it is
    left out in one pass, instead of the positive values being gathered and partitioned: a few hundred remain
    of a million, a few dozen of 17,000 (where gathering the thousands above 0 and partitioning them cost 350,000
    instructions a question, two thirds of them saved)."""
    step = max(SAMPLE_STEP, values.size // SAMPLED)
    if values.size >= SAMPLE_FROM:
        sample = values[::step]
        sample = sample[sample > 0]
        if sample.size >= k:
            floor = np.partition(sample, sample.size - k)[sample.size - k]
            return np.flatnonzero(values >= floor)
    return np.flatnonzero(values > 0)


def _best_of(docs: np.ndarray, values: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best of these (positions ascending, their scores), best first; ties keep archive order."""
    if docs.size > k:  # the k best, and every document tied with the k-th (the earliest of them win)
        kth = -np.partition(-values, k - 1)[k - 1]
        chosen = values >= kth
        docs, values = docs[chosen], values[chosen]
    order = np.lexsort((docs, -values))[:k]
    return list(zip(docs[order].tolist(), values[order].tolist(), strict=True))


PRUNE_FROM = 100_000  # postings: fewer are added up at once in well under a millisecond
STEPS = (IMPACT_TOP // 4, IMPACT_TOP)  # how far down its postings' largest contributions a question looks
GIVE_UP = 0.9  # a step whose k-th best is below this share of what an unseen document could score: no more
LOOKUP_COST = 8  # a document looked up in a posting (a binary search) costs about as much as 8 added densely
LAID_OUT = 5  # a posting holding more than 1/LAID_OUT of the documents is added as a whole array
BOUND_SLACK = 1e-9  # far above the rounding of a sum of a few contributions


def _dense(parts: list[Part], size: int) -> np.ndarray:
    """The parts added up in an array of every document, each sum in query-term order.

    A long posting is laid out as an array of every document first (a posting holds a document once, so each
    is its own contribution, the rest 0.0) and added whole: faster than adding at scattered places. A shorter one's
    positions are made numpy's own index type once (a posting's are int32): `total[held_by] += weights` reads and
    writes through them, and each would convert them again (a fifth of adding up at 17,000 records)."""
    total = np.zeros(size, dtype=np.float64)
    for part in parts:
        held_by, weights = part.docs, part.weights
        if held_by.size * LAID_OUT > size:
            total += part.spread(size)
        else:
            at = held_by.astype(np.intp, copy=False)
            total[at] += weights
    return total


def _union(postings: list[np.ndarray]) -> np.ndarray:
    """The documents of any of these postings, ascending, once each (in the postings' own type: no copies)."""
    touched = np.sort(np.concatenate(postings), kind="stable")  # each posting is sorted: a stable sort merges runs
    return touched[np.concatenate(([True], touched[1:] != touched[:-1]))]


def _exact(parts: list[Part], docs: np.ndarray) -> np.ndarray:
    """The scores of `docs` (ascending), each a sum of its parts' contributions in query-term order (adding the
    0.0 of a part a document lacks changes no sum: the same floats as `get_scores`)."""
    total = np.zeros(docs.size, dtype=np.float64)
    for part in parts:
        part.add_to(total, docs)
    return total


def pruned(parts: list[Part], k: int, size: int, *, costed: bool = True) -> list[tuple[int, float]] | None:
    """`Scores.best(k)` of the parts' sum, from the tops of the postings (Fagin's threshold algorithm over
    impact-ordered prefixes): None when it cannot tell (then every part is added up).

    The documents among the first M largest contributions of each long part, and every document of a short
    one, are scored exactly. A document in none of them scores at most the sum of what each part adds at
    most below its first M (`Part.beyond`: its M-th largest contribution, or with a delta a bound of it); when
    the k-th best score found is above that, the k best are among those found.
    Exact: the same k documents and the same floats as adding every part up. Tried when the parts hold more
    than PRUNE_FROM postings, and each step only when its lookups cost less than adding everything up
    (`costed`; without, whatever it costs: to check it on a small archive).
    """
    every = sum(part.size for part in parts)
    if len(parts) < 2 or (costed and every <= max(PRUNE_FROM, size // SPARSE_SHARE)):
        return None
    if not all(part.prunable for part in parts):
        return None  # a long part without its order (a long phrase), or a negative idf: nothing to prune by
    for reach in STEPS:
        found_at_most = sum(part.reach(reach) for part in parts)
        if costed and found_at_most * len(parts) * LOOKUP_COST > every + size:
            return None  # looking so many documents up in every posting costs more than adding everything up
        bound = sum(part.beyond(reach) for part in parts)
        found = _union([part.seen(reach) for part in parts])
        scores = _exact(parts, found)
        at = np.flatnonzero(scores > 0)
        if at.size < k:
            return None
        kth = float(np.partition(scores[at], at.size - k)[at.size - k])
        if kth > bound * (1 + BOUND_SLACK):
            return _best_of(found[at].astype(np.int64), scores[at], k)
        if kth < GIVE_UP * bound:  # far off: looking further down would cost more than adding everything up
            return None
    return None
