"""One segment of the search index: everything BM25 and the filters need of a run of records, as flat arrays.

A segment is built once from records streamed out of the store (never all held at once) and is then only read:
the archive's base segment is saved beside the database and memory-mapped (`indexfiles`), a refresh adds a
small in-memory segment of the records an ingest added or changed. Positions are the records' order in the
segment (the base is in id order).

The BM25 numbers are rank-bm25's own, computed as `BM25Okapi` computes them (`_initialize`, `_calc_idf`,
`get_scores`), in the same order of floating-point operations, so scores are bit-identical.
"""
from __future__ import annotations

import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from .daterange import DateRange, dates_in_title
from .dates import ArchiveDate, Precision
from .records import Record, Role
from .spelling import spellable
from .stringtable import StringTable
from .text import fold, tokenize, words

# rank-bm25's BM25Okapi defaults, which define the scores
K1 = 1.5
B = 0.75
EPSILON = 0.25
TITLE_WEIGHT = 2  # title tokens count twice: a word in the title says more about a document than one in its summary
# An undated record spans "all time": no date range ever contains it.
ALL_TIME = (np.iinfo(np.int32).min, np.iinfo(np.int32).max)
UNDATED_KEY = np.iinfo(np.int32).max  # undated records come last in date order
WEIGHT_BLOCK = 1 << 22  # postings weighed at a time while building
# A posting longer than IMPACT_MIN keeps its IMPACT_TOP largest contributions in descending order (`impact`):
# a question's best few are found among the documents at the top of its words' postings (index.pruned).
IMPACT_MIN = 4096
IMPACT_TOP = 4096
_MONTH_SPAN, _DAY_SPAN = 416, 32  # chronological key: year * 416 + month * 32 + day (0 when not given)


def document_tokens(record: Record) -> list[str]:
    """What BM25 sees of a record: the title (weighted), the summary, the canonical names of everyone it names
    (participants and the mentioned alike: a name matches whatever part its bearer had)."""
    tokens = tokenize(record.title) * TITLE_WEIGHT
    tokens += tokenize(record.summary)
    for named in (*record.participants, *record.mentioned):
        tokens += _name_tokens(named.name)
    return tokens


@lru_cache(maxsize=100_000)
def _name_tokens(name: str) -> tuple[str, ...]:
    """A name's index terms, kept: the same few thousand names recur on every record."""
    return tuple(tokenize(name))


_fold_word = lru_cache(maxsize=500_000)(fold)  # the same words recur on every record


def title_words(text: str) -> list[str]:
    """A title's (or what was typed's) words as compared: folded, in order."""
    return [fold(w) for w in words(text)]


def chronological_key(d: ArchiveDate) -> int:
    """Date order as one integer (a month before its days, undated last); ties go by record id."""
    if d.year is None:
        return int(UNDATED_KEY)
    return d.year * _MONTH_SPAN + (d.month or 0) * _DAY_SPAN + (d.day or 0)


def date_of_key(key: int) -> ArchiveDate:
    year, rest = divmod(key, _MONTH_SPAN)
    month, day = divmod(rest, _DAY_SPAN)
    return ArchiveDate(year, month or None, day or None)


def raw_idf(corpus_size: int, freq: int) -> float:
    """rank-bm25's idf of a term in `freq` of `corpus_size` documents, before the epsilon floor."""
    return math.log(corpus_size - freq + 0.5) - math.log(freq + 0.5)


def calc_idf(corpus_size: int, doc_freqs: Iterable[int]) -> tuple[list[float], float]:
    """`BM25Okapi._calc_idf`: each term's idf in first-seen order, negative ones floored at epsilon times the
    average idf (summed one by one in that order, as rank-bm25 sums it); and that average."""
    idf: list[float] = []
    idf_sum = 0.0
    for freq in doc_freqs:
        value = raw_idf(corpus_size, freq)
        idf.append(value)
        idf_sum += value
    average = idf_sum / len(idf) if idf else 0.0
    eps = EPSILON * average
    return [eps if value < 0 else value for value in idf], average


def term_weights(tf: np.ndarray, lengths: np.ndarray, avgdl: float) -> np.ndarray:
    """`get_scores`' term part, tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)), in its order of operations."""
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths / avgdl))


def _array(values: Iterable[Any], dtype: Any) -> np.ndarray:
    return np.asarray(values if isinstance(values, (list, array, np.ndarray)) else list(values), dtype=dtype)


def _csr(groups: Mapping[str, array], keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and flat positions of `groups[key]` for each key in order (keys missing from `groups` are empty)."""
    counts = [len(groups.get(k, ())) for k in keys]
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = np.empty(int(offsets[-1]), dtype=np.int32)
    for k, start, end in zip(keys, offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        if end > start:
            flat[start:end] = np.frombuffer(groups[k], dtype=np.int32)
    return offsets, flat


@dataclass(frozen=True)
class SegmentMeta:
    """The few numbers of a segment (saved in the index's manifest)."""

    size: int
    total_length: int  # sum of the document lengths (rank-bm25's num_doc)
    average_idf: float

    @property
    def avgdl(self) -> float:
        return self.total_length / self.size if self.size else 0.0


ROLE_ORDER = tuple(Role)


class Segment:
    """Read-only arrays of a run of records (see `build`); `arrays` may be memory maps."""

    def __init__(self, arrays: Mapping[str, np.ndarray], meta: SegmentMeta) -> None:
        self.arrays = dict(arrays)
        self.meta = meta
        a = self.arrays
        self.size = meta.size
        self.ids: np.ndarray = a["ids"]
        self.doc_len: np.ndarray = a["doc_len"]
        self.terms = StringTable(a["terms_blob"], a["terms_off"])
        # term -> slot in a dict: the vocabulary is small beside the postings, and every query looks terms up
        self._slots = {term: slot for slot, term in enumerate(self.terms)}
        self.post_off: np.ndarray = a["post_off"]
        self.post_docs: np.ndarray = a["post_docs"]
        self.post_tf: np.ndarray = a["post_tf"]
        self.post_w: np.ndarray = a["post_w"]  # idf * term_weights, under this segment's own statistics
        self.idf: np.ndarray = a["idf"]  # with this segment's own statistics
        self.first_doc: np.ndarray = a["first_doc"]  # the first document holding each term ...
        self.first_rank: np.ndarray = a["first_rank"]  # ... and where among that document's distinct terms
        self.impact_off: np.ndarray = a["impact_off"]  # each term's entries of `impact_at` ...
        self.impact_at: np.ndarray = a["impact_at"]  # ... where its largest contributions are in its posting
        self.fwd_off: np.ndarray = a["fwd_off"]  # each document's distinct terms, in first-occurrence order
        self.fwd_terms: np.ndarray = a["fwd_terms"]
        self.date_start: np.ndarray = a["date_start"]
        self.date_end: np.ndarray = a["date_end"]
        self.title_date_docs: np.ndarray = a["title_date_docs"]
        self.title_date_days: np.ndarray = a["title_date_days"]
        self.chrono: np.ndarray = a["chrono"]
        self.rank: np.ndarray = a["rank"]  # where each record falls in date order (ties by id)
        self.month_day: np.ndarray = a["month_day"]  # month * 32 + day of day-dated records, else 0
        self.has_summary: np.ndarray = a["has_summary"]
        self.names = StringTable(a["names_blob"], a["names_off"])
        self.role_off = {role: a[f"role_{role}_off"] for role in ROLE_ORDER}
        self.role_docs = {role: a[f"role_{role}_docs"] for role in ROLE_ORDER}
        self.spelling_words = StringTable(a["spell_blob"], a["spell_off"])
        self.spelling_counts: np.ndarray = a["spell_freq"]
        self.titles = StringTable(a["title_blob"], a["title_off"])  # folded titles, sorted
        self.title_pos: np.ndarray = a["title_pos"]
        self.title_words = StringTable(a["tword_blob"], a["tword_off"])
        self.tword_off: np.ndarray = a["tword_post_off"]
        self.tword_docs: np.ndarray = a["tword_docs"]

    def check(self) -> None:
        """Raise ValueError when the arrays do not fit together (a damaged or foreign index)."""
        n, v, m = self.size, len(self.terms), len(self.names)
        per_doc = ("ids", "doc_len", "date_start", "date_end", "chrono", "rank", "month_day", "has_summary")
        sizes = {name: len(self.arrays[name]) for name in per_doc}
        expected = {
            "post_off": v + 1, "impact_off": v + 1, "idf": v, "first_doc": v, "first_rank": v, "fwd_off": n + 1,
            "title_pos": len(self.titles), "tword_post_off": len(self.title_words) + 1,
            "spell_freq": len(self.spelling_words), **{f"role_{r}_off": m + 1 for r in ROLE_ORDER},
        }
        bad = [name for name, size in sizes.items() if size != n]
        bad += [name for name, size in expected.items() if len(self.arrays[name]) != size]
        ends = {"post_docs": self.post_off, "post_tf": self.post_off, "post_w": self.post_off,
                "fwd_terms": self.fwd_off, "impact_at": self.impact_off, "tword_docs": self.tword_off,
                "terms_blob": self.terms.offsets,
                "names_blob": self.names.offsets, "spell_blob": self.spelling_words.offsets,
                "title_blob": self.titles.offsets, "tword_blob": self.title_words.offsets,
                **{f"role_{r}_docs": self.role_off[r] for r in ROLE_ORDER}}
        bad += [name for name, offsets in ends.items()
                if len(offsets) == 0 or int(offsets[0]) != 0 or int(offsets[-1]) != len(self.arrays[name])]
        if len(self.title_date_docs) != len(self.title_date_days):
            bad.append("title_date_days")
        if bad:
            raise ValueError(f"arrays that do not fit: {', '.join(sorted(bad))}")

    # -- lookups ---------------------------------------------------------------------------------
    def slot(self, term: str) -> int:
        return self._slots.get(term, -1)

    def posting(self, slot: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The term's documents (ascending), term frequencies, and BM25 contributions (idf * term_weights)
        under this segment's own statistics."""
        start, end = self.post_off[slot:slot + 2].tolist()
        return self.post_docs[start:end], self.post_tf[start:end], self.post_w[start:end]

    def impact(self, slot: int) -> np.ndarray | None:
        """Where the term's largest contributions are in its posting, largest first (every other is at most the
        last of them); None for a posting short enough to read whole."""
        start, end = self.impact_off[slot:slot + 2].tolist()
        return self.impact_at[start:end] if end > start else None

    def doc_terms(self, position: int) -> np.ndarray:
        start, end = self.fwd_off[position:position + 2].tolist()
        return self.fwd_terms[start:end]

    def naming(self, role: Role, name: str) -> np.ndarray:
        at = self.names.find(name)
        if at < 0:
            return np.zeros(0, dtype=np.int32)
        start, end = self.role_off[role][at:at + 2].tolist()
        return self.role_docs[role][start:end]

    def spelling(self) -> Counter[str]:
        return Counter(dict(zip(self.spelling_words, self.spelling_counts.tolist(), strict=True)))


def build(records: Iterable[Record]) -> Segment:
    """A segment of `records` (streamed: only the arrays grow as they pass)."""
    ids, lengths = array("q"), array("i")
    vocabulary: defaultdict[str, int] = defaultdict()  # term -> slot in first-seen order, as BM25Okapi's `nd`
    vocabulary.default_factory = vocabulary.__len__  # a new term takes the next slot
    fwd_off, fwd_terms, fwd_tf = array("q", [0]), array("i"), array("i")
    starts, ends, chrono, month_day, has_summary = array("i"), array("i"), array("i"), array("h"), array("b")
    title_docs, title_days = array("i"), array("i")
    roles: dict[Role, defaultdict[str, array]] = {role: defaultdict(lambda: array("i")) for role in ROLE_ORDER}
    spelling: Counter[str] = Counter()
    titles: list[str] = []  # each record's folded title, by position
    title_holders: defaultdict[str, array] = defaultdict(lambda: array("i"))
    position = 0
    for position, record in enumerate(records):
        ids.append(record.id)
        tokens = document_tokens(record)
        lengths.append(len(tokens))
        counts = Counter(tokens)  # in first-occurrence order, as BM25Okapi's `frequencies`
        fwd_terms.extend(map(vocabulary.__getitem__, counts))
        fwd_tf.extend(counts.values())
        fwd_off.append(len(fwd_terms))
        span = DateRange.of(record.date)
        starts.append(span.start.toordinal() if span else int(ALL_TIME[0]))
        ends.append(span.end.toordinal() if span else int(ALL_TIME[1]))
        for named_date in dates_in_title(record.title):
            day = DateRange.of(named_date)
            if day is not None:
                title_docs.append(position)
                title_days.append(day.start.toordinal())
        chrono.append(chronological_key(record.date))
        exact = record.date.precision is Precision.DAY
        month_day.append((record.date.month or 0) * _DAY_SPAN + (record.date.day or 0) if exact else 0)
        has_summary.append(bool(record.summary))
        for named in (*record.participants, *record.mentioned):
            roles[named.role][named.name].append(position)
        folded = list(map(_fold_word, words(record.title)))  # title_words, its folds kept
        spelling.update(folded)
        spelling.update(map(_fold_word, words(record.summary)))
        titles.append(" ".join(folded))
        for word in dict.fromkeys(folded):
            title_holders[word].append(position)
    size = len(ids)
    arrays: dict[str, np.ndarray] = {"ids": np.frombuffer(ids, dtype=np.int64).copy(),
                                     "doc_len": np.frombuffer(lengths, dtype=np.int32).copy()}
    forward: list[np.ndarray] = [np.frombuffer(fwd_off, dtype=np.int64), np.frombuffer(fwd_terms, dtype=np.int32),
               np.frombuffer(fwd_tf, dtype=np.int32)]
    del fwd_terms, fwd_tf  # held by `forward` alone, which `_postings` lets go of as it is done with each
    average_idf = _postings(arrays, vocabulary, forward, size)
    arrays |= {"date_start": _array(starts, np.int32), "date_end": _array(ends, np.int32),
               "title_date_docs": _array(title_docs, np.int32), "title_date_days": _array(title_days, np.int32),
               "chrono": _array(chrono, np.int32), "month_day": _array(month_day, np.int16),
               "has_summary": _array(has_summary, np.bool_)}
    arrays["rank"] = date_rank(arrays["ids"], arrays["chrono"])
    names = sorted({name for by_name in roles.values() for name in by_name})
    table = StringTable.of(names)
    arrays |= {"names_blob": table.blob, "names_off": table.offsets}
    for role in ROLE_ORDER:
        arrays[f"role_{role}_off"], arrays[f"role_{role}_docs"] = _csr(roles[role], names)
    spelled = sorted(w for w in spelling if spellable(w))
    table = StringTable.of(spelled)
    arrays |= {"spell_blob": table.blob, "spell_off": table.offsets,
               "spell_freq": np.array([spelling[w] for w in spelled], dtype=np.int64)}
    order = sorted(range(size), key=titles.__getitem__)  # stable: equal titles in position order
    table = StringTable.of(titles[p] for p in order)
    arrays |= {"title_blob": table.blob, "title_off": table.offsets,
               "title_pos": np.array(order, dtype=np.int32)}
    del titles, order
    vocabulary_words = sorted(title_holders)
    table = StringTable.of(vocabulary_words)
    arrays |= {"tword_blob": table.blob, "tword_off": table.offsets}
    arrays["tword_post_off"], arrays["tword_docs"] = _csr(title_holders, vocabulary_words)
    total = int(arrays["doc_len"].sum(dtype=np.int64))
    return Segment(arrays, SegmentMeta(size, total, average_idf))


def date_rank(ids: np.ndarray, chrono: np.ndarray) -> np.ndarray:
    order = np.lexsort((ids, chrono))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids), dtype=np.int64)
    return rank


def _postings(arrays: dict[str, np.ndarray], vocabulary: dict[str, int], forward: list[np.ndarray],
              size: int) -> float:
    """Fill in the vocabulary (sorted), postings, idf and forward lists; return rank-bm25's average idf.

    Arrays as long as the postings are made one at a time and the weights a block at a time, so a million
    records' build stays well within memory: the forward arrays are let go of as soon as they are read."""
    fwd_off, fwd_terms, fwd_tf = forward
    forward.clear()
    seen = list(vocabulary)  # first-seen order
    order = sorted(range(len(seen)), key=seen.__getitem__)
    new_slot = np.empty(len(seen), dtype=np.int32)
    new_slot[order] = np.arange(len(seen), dtype=np.int32)
    table = StringTable.of(seen[i] for i in order)
    terms = new_slot[fwd_terms] if len(fwd_terms) else np.zeros(0, dtype=np.int32)
    del fwd_terms
    by_term = np.argsort(terms, kind="stable")
    df = np.bincount(terms, minlength=len(seen)).astype(np.int64)
    post_off = np.zeros(len(seen) + 1, dtype=np.int64)
    np.cumsum(df, out=post_off[1:])
    doc_of = np.repeat(np.arange(size, dtype=np.int32), np.diff(fwd_off))
    docs = doc_of[by_term]
    del doc_of
    tf = fwd_tf[by_term]
    del fwd_tf
    first_entry = by_term[post_off[:-1]]  # each term's first occurrence, in document order
    first_doc = docs[post_off[:-1]]
    first_rank = (first_entry - fwd_off[first_doc]).astype(np.int32)  # among that document's distinct terms
    del by_term
    idf_seen, average = calc_idf(size, df[new_slot].tolist()) if seen else ([], 0.0)
    idf = np.empty(len(seen), dtype=np.float64)
    idf[new_slot] = idf_seen
    lengths = arrays["doc_len"]
    avgdl = int(lengths.sum(dtype=np.int64)) / size if size else 0.0
    weights = np.empty(len(docs), dtype=np.float64)
    for at in range(0, len(docs), WEIGHT_BLOCK):
        end = min(at + WEIGHT_BLOCK, len(docs))
        first, last = (np.searchsorted(post_off, (at, end - 1), side="right") - 1).tolist()
        held = np.diff(np.clip(post_off[first:last + 2], at, end)).astype(np.int64)  # each term's entries here
        slot_of = np.repeat(np.arange(first, last + 1), held)
        weights[at:end] = idf[slot_of] * term_weights(tf[at:end], lengths[docs[at:end]], avgdl)
    arrays["impact_off"], arrays["impact_at"] = _impacts(post_off, weights)
    arrays |= {
        "terms_blob": table.blob, "terms_off": table.offsets, "post_off": post_off, "post_docs": docs,
        "post_tf": tf, "post_w": weights, "idf": idf, "first_doc": first_doc, "first_rank": first_rank,
        "fwd_off": fwd_off.copy(), "fwd_terms": terms,
    }
    return average


def _impacts(post_off: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each posting longer than IMPACT_MIN, where its IMPACT_TOP largest weights are, largest first (ties
    in posting order); nothing for the others."""
    df = np.diff(post_off)
    long = np.flatnonzero(df > IMPACT_MIN)
    counts = np.zeros(len(df), dtype=np.int64)
    counts[long] = np.minimum(df[long], IMPACT_TOP)
    offsets = np.zeros(len(df) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    at = np.empty(int(offsets[-1]), dtype=np.int32)
    for slot, start, end in zip(long.tolist(), post_off[long].tolist(), post_off[long + 1].tolist(), strict=True):
        at[offsets[slot]:offsets[slot + 1]] = impact_order(weights[start:end])
    return offsets, at


def impact_order(posting: np.ndarray) -> np.ndarray:
    """Where a posting's IMPACT_TOP largest weights are, largest first (ties in posting order)."""
    top = np.argpartition(-posting, IMPACT_TOP - 1)[:IMPACT_TOP] if posting.size > IMPACT_TOP \
        else np.arange(posting.size)
    return top[np.lexsort((top, -posting[top]))]
