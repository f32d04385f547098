"""Documents by the start of their number or of their title's words, for autocomplete as a user types.

Built once per snapshot (in the worker thread that builds it), so a keystroke is a few binary searches and
array slices, never a scan of the records: each title word's documents lie in one flat array in word order,
so all the words starting with a prefix are one slice of it.
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from .records import Record
from .text import WORD_RE, fold

_MAX_ID_DIGITS = 19  # SQLite's integers


def title_words(text: str) -> list[str]:
    """A title's (or what was typed's) words as compared: folded, in order."""
    return [fold(w) for w in WORD_RE.findall(text)]


class TitleLookup:
    """Prefix lookups over one snapshot's records: by number, by the title's start, by its words' starts."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.size = len(records)
        ids = np.array([r.id for r in records], dtype=np.int64)
        self._id_order = np.argsort(ids, kind="stable")
        self._ids = ids[self._id_order]
        titles = sorted((" ".join(title_words(r.title)), i) for i, r in enumerate(records))
        self._titles = [t for t, _ in titles]
        self._title_positions = np.array([i for _, i in titles], dtype=np.int32)
        holders: dict[str, set[int]] = {}
        for i, record in enumerate(records):
            for word in title_words(record.title):
                holders.setdefault(word, set()).add(i)
        self._vocabulary = sorted(holders)
        counts = [len(holders[w]) for w in self._vocabulary]
        self._offsets = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
        self._flat = np.array([i for w in self._vocabulary for i in sorted(holders[w])], dtype=np.int32)

    def newest(self, limit: int) -> list[int]:
        """Positions of the documents with the highest numbers (the latest ingested), highest first."""
        return self._id_order[::-1][:limit].tolist()

    def by_number(self, digits: str, limit: int) -> list[int]:
        """Positions of the documents whose number starts with `digits`: the number itself, then longer ones
        in numeric order (12, 120, 121, …, 1200)."""
        if not digits.isdigit() or len(digits) > _MAX_ID_DIGITS:
            return []
        found: list[int] = []
        base = int(digits)
        for extra in range(_MAX_ID_DIGITS - len(digits) + 1):
            low, high = base * 10**extra, (base + 1) * 10**extra
            if low >= 2**63:
                break
            at, to = np.searchsorted(self._ids, [low, high])
            found += self._id_order[at:to][:limit - len(found)].tolist()
            if len(found) >= limit:
                break
        return found

    def title_starting(self, typed: str, limit: int) -> list[int]:
        """Positions of the documents whose title starts with `typed` (as compared), in title order."""
        prefix = " ".join(title_words(typed))
        if not prefix:
            return []
        at = bisect.bisect_left(self._titles, prefix)
        found: list[int] = []
        for title, position in zip(self._titles[at:at + limit], self._title_positions[at:at + limit].tolist(),
                                   strict=True):
            if not title.startswith(prefix):
                break
            found.append(position)
        return found

    def words_starting(self, typed: str) -> np.ndarray:
        """A mask of the documents whose title has, for every word typed, a word starting with it."""
        mask = np.ones(self.size, dtype=bool)
        for word in dict.fromkeys(title_words(typed)):
            low = bisect.bisect_left(self._vocabulary, word)
            high = bisect.bisect_left(self._vocabulary, word + "\U0010ffff")
            holding = np.zeros(self.size, dtype=bool)
            holding[self._flat[self._offsets[low]:self._offsets[high]]] = True
            mask &= holding
        return mask
