"""Documents by the start of their number or of their title's words, for autocomplete as a user types.

The lookups are arrays of the index's segments (built with them, saved with the base), so a keystroke is a
few binary searches and array slices, never a scan of the records: each segment's folded titles are sorted,
and each title word's documents lie in one flat array in word order, so all the words starting with a prefix
are one slice of it.
"""
from __future__ import annotations

import heapq
from collections.abc import Iterator
from itertools import islice

import numpy as np

from .index import SearchIndex
from .segment import Segment, title_words
from .text import is_number

__all__ = ["TitleLookup", "title_words"]

_MAX_ID_DIGITS = 19  # SQLite's integers


class TitleLookup:
    """Prefix lookups over one snapshot's records: by number, by the title's start, by its words' starts."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.size = index.size
        if index.delta is None:  # the base alone is in id order
            self._id_order, self._ids = np.arange(index.size), index.ids
        else:
            live = index.live_positions()
            ids = index.ids[live]
            order = np.argsort(ids, kind="stable")
            self._id_order, self._ids = live[order], ids[order]
        self._segments: list[tuple[Segment, int]] = [(index.base, 0)]
        if index.delta is not None:
            self._segments.append((index.delta, index.base.size))

    def newest(self, limit: int) -> list[int]:
        """Positions of the documents with the highest numbers (the latest ingested), highest first."""
        return self._id_order[::-1][:limit].tolist()

    def by_number(self, digits: str, limit: int) -> list[int]:
        """Positions of the documents whose number starts with `digits`: the number itself, then longer ones
        in numeric order (12, 120, 121, …, 1200)."""
        if not is_number(digits) or len(digits) > _MAX_ID_DIGITS:
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
        found = heapq.merge(*(self._starting(segment, offset, prefix) for segment, offset in self._segments))
        return [position for _, position in islice(found, limit)]

    def _starting(self, segment: Segment, offset: int, prefix: str) -> Iterator[tuple[str, int]]:
        """(title, position) of the segment's live documents whose title starts with `prefix`, in order."""
        alive = self.index.alive
        at, end = segment.titles.prefixed(prefix)
        for step in range(at, end):
            position = int(segment.title_pos[step]) + offset
            if alive is None or alive[position]:
                yield segment.titles[step], position

    def words_starting(self, typed: str) -> np.ndarray:
        """A mask of the documents whose title has, for every word typed, a word starting with it."""
        mask = np.ones(self.size, dtype=bool) if self.index.alive is None else self.index.alive.copy()
        for word in dict.fromkeys(title_words(typed)):
            holding = np.zeros(self.size, dtype=bool)
            for segment, offset in self._segments:
                low, high = segment.title_words.prefixed(word)
                holding[segment.tword_docs[segment.tword_off[low]:segment.tword_off[high]] + offset] = True
            mask &= holding
        return mask
