"""Sorted strings in two flat arrays, UTF-8 bytes and offsets: saved as .npy files and memory-mapped, so a
vocabulary of a million titles costs no Python objects until a lookup decodes the few it bisects through.

UTF-8 keeps code-point order, so the bytes sort as Python sorts the strings.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import numpy as np

_LAST = "\U0010ffff"  # above every character: the end of a prefix's range


class StringTable(Sequence[str]):
    def __init__(self, blob: np.ndarray, offsets: np.ndarray) -> None:
        # plain views: indexing a np.memmap makes a memmap object per element, ten times slower
        self.blob = blob.view(np.ndarray)  # uint8
        self.offsets = offsets.view(np.ndarray)  # int64, len(table) + 1

    @classmethod
    def of(cls, strings: Iterable[str]) -> StringTable:
        """A table of `strings`, which must already be sorted."""
        encoded = [s.encode() for s in strings]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, at: int) -> str: ...
    @overload
    def __getitem__(self, at: slice) -> list[str]: ...
    def __getitem__(self, at: int | slice) -> str | list[str]:
        if isinstance(at, slice):
            return [self[i] for i in range(*at.indices(len(self)))]
        if at < 0:
            at += len(self)
        if not 0 <= at < len(self):
            raise IndexError(at)
        start, end = self.offsets[at:at + 2].tolist()
        return self.blob[start:end].tobytes().decode()

    def __iter__(self) -> Iterator[str]:
        data = self.blob.tobytes()
        bounds = self.offsets.tolist()
        for start, end in zip(bounds, bounds[1:], strict=False):
            yield data[start:end].decode()

    def find(self, text: str) -> int:
        """The position of `text`, or -1."""
        at = bisect.bisect_left(self, text)
        return at if at < len(self) and self[at] == text else -1

    def __contains__(self, text: object) -> bool:
        return isinstance(text, str) and self.find(text) >= 0

    def prefixed(self, prefix: str) -> tuple[int, int]:
        """The range of positions of the strings starting with `prefix`."""
        return bisect.bisect_left(self, prefix), bisect.bisect_left(self, prefix + _LAST)
