"""The best k of a score for every document, found without sorting them all, are exactly the sort's: ties
with the k-th kept in archive order, zero and negative scores never listed."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval.index import Scores


def by_sorting(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    positive = np.flatnonzero(scores > 0).tolist()
    return [(i, float(scores[i])) for i in sorted(positive, key=lambda i: (-scores[i], i))[:k]]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k", [1, 10, 37])
def test_the_best_of_every_document_are_the_sorts(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(17_000, 120_000))
    # few distinct values, so the k-th is tied many times over; a share of zeros and negatives
    scores = rng.choice(np.array([-1.5, 0.0, 0.0, 0.5, 1.25, 2.0, 3.5]), size) * rng.integers(1, 4, size)
    scores[rng.integers(0, size, 3)] = 99.0
    expected = by_sorting(scores, k)
    assert Scores.of(scores).best(k) == expected
    docs = np.flatnonzero(scores != 0)
    assert Scores(docs, scores[docs]).best(k) == expected


def test_fewer_positive_scores_than_asked_are_all_listed() -> None:
    scores = np.zeros(50_000)
    scores[[7, 40_000, 123]] = [1.0, 2.0, 1.0]
    assert Scores.of(scores).best(10) == [(40_000, 2.0), (7, 1.0), (123, 1.0)]
