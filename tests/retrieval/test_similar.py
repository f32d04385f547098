"""More like this: a document's own title and summary as a BM25 query, rank-bm25's scores, never itself."""
from __future__ import annotations

import numpy as np
import pytest
import pytest_asyncio
from rank_bm25 import BM25Okapi

from retrieval.index import document_tokens, own_terms
from testing.database import every_record

from ..conftest import open_seeded_archive


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("similar"))
    yield opened
    await opened.close()


@pytest.mark.asyncio(loop_scope="module")
async def test_a_document_is_never_like_itself(archive):
    for record in every_record(archive):
        found = await archive.similar(record.id, limit=100)
        assert found is not None and found.record.id == record.id
        assert record.id not in [hit.record.id for hit in found.hits]
        assert found.hits, record.title  # every seed shares some words with another


@pytest.mark.asyncio(loop_scope="module")
async def test_a_documents_near_duplicates_come_first(archive):
    """The seeds hold two Semenov [Stalin] telegrams to Mao of one title, and three of Ambassador Roshchin's
    memoranda."""
    async def nearest(record_id: int, k: int) -> set[int]:
        found = await archive.similar(record_id, limit=k)
        assert found is not None
        return {hit.record.id for hit in found.hits}

    by_title: dict[str, list[int]] = {}
    for record in every_record(archive):
        by_title.setdefault(record.title, []).append(record.id)
    semenov = by_title["Ciphered Telegram from Semenov [Stalin] to Mao Zedong"]
    assert len(semenov) == 2
    assert await nearest(semenov[0], 1) == {semenov[1]} and await nearest(semenov[1], 1) == {semenov[0]}
    roshchin = [r.id for r in every_record(archive)
                if r.title.startswith(("From the Diary of N.V. Roshchin",
                                       "Memorandum of Conversation of Soviet Ambassador Roshchin"))]
    assert len(roshchin) == 3
    for record_id in roshchin:
        assert await nearest(record_id, 2) == set(roshchin) - {record_id}


@pytest.mark.asyncio(loop_scope="module")
async def test_the_scores_are_bm25okapis_on_the_same_tokens(archive):
    records = every_record(archive)
    bm25 = BM25Okapi([document_tokens(r) for r in records])
    for record in records[::7]:
        expected = bm25.get_scores(own_terms(record))
        expected[records.index(record)] = 0.0
        found = await archive.similar(record.id, limit=10)
        assert found is not None
        best = [i for i in np.argsort(-expected, kind="stable") if expected[i] > 0][:10]
        assert [hit.record.id for hit in found.hits] == [records[i].id for i in best]
        assert [hit.score for hit in found.hits] == pytest.approx([expected[i] for i in best], rel=1e-9)


@pytest.mark.asyncio(loop_scope="module")
async def test_an_unknown_document_has_nothing_like_it(archive):
    assert await archive.similar(999_999) is None and await archive.similar(0) is None
