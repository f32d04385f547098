"""Who wrote to whom: a question's direction read, and the documents written that way ranked first, over the
seeds and the real pages."""
from __future__ import annotations

import numpy as np
import pytest
import pytest_asyncio

from retrieval.dates import ArchiveDate
from retrieval.direction import Direction, read_direction
from retrieval.index import PREFERRED_FLOOR, SearchIndex
from retrieval.records import Record, Role

from ..conftest import HAVE_REALPAGES, PEOPLE, REALPAGES, open_seeded_archive

STALIN, MAO = "Joseph Stalin", "Mao Zedong"
STALIN_TO_MAO = Direction((STALIN,), (MAO,))
MAO_TO_STALIN = Direction((MAO,), (STALIN,))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("archive"),
                                       *([REALPAGES / "da"] if HAVE_REALPAGES else []))
    yield opened
    await opened.close()


def direction(question: str) -> Direction | None:
    return read_direction(question, PEOPLE.find(question))


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("letters from Stalin to Mao", STALIN_TO_MAO),
        ("from Filippov to Mao Tse-tung", STALIN_TO_MAO),
        ("Stalin's letters to Mao", STALIN_TO_MAO),
        ("Stalin’s secret telegrams to Chairman Mao about Korea", STALIN_TO_MAO),
        ("what Stalin wrote to Mao in 1950", STALIN_TO_MAO),
        ("Stalin to Mao", STALIN_TO_MAO),
        ("letters to Mao from Stalin", STALIN_TO_MAO),
        ("Mao's reply to Stalin", MAO_TO_STALIN),
        ("Mao Zedong cable to Filippov", MAO_TO_STALIN),
        ("Khrushchov letter to Chou En-lai on nuclear tests", Direction(("Nikita Khrushchev",), ("Zhou Enlai",))),
    ],
)
def test_a_question_names_a_direction(question: str, expected: Direction) -> None:
    assert direction(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "letters between Stalin and Mao",
        "Stalin Mao letters",
        "Stalin and Mao on Korea",
        "what did Stalin say about Mao",
        "Stalin's view of Mao",
        "Mao to Mao",
        "letters to Mao",
    ],
)
def test_a_question_without_a_direction(question: str) -> None:
    assert direction(question) is None


def wrote(record: Record, direction: Direction) -> bool:
    authors = {p.name for p in record.participants if p.role is Role.AUTHOR}
    recipients = {p.name for p in record.participants if p.role is Role.RECIPIENT}
    return bool(authors & set(direction.authors)) and bool(recipients & set(direction.recipients))


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(
    ("question", "wanted", "other"),
    [
        ("letters from Stalin to Mao", STALIN_TO_MAO, MAO_TO_STALIN),
        ("Mao's reply to Stalin", MAO_TO_STALIN, STALIN_TO_MAO),
        ("cables from Mao Zedong to Filippov", MAO_TO_STALIN, STALIN_TO_MAO),
    ],
)
async def test_documents_written_that_way_come_first(archive, question, wanted, other):
    result = archive.search_now(question, limit=50)
    assert result.understood.direction == wanted
    best = max(h.score for h in result.hits)
    close = [h for h in result.hits if h.score >= PREFERRED_FLOOR * best]  # a direction orders close matches
    ours = [i for i, h in enumerate(close) if wrote(h.record, wanted)]
    theirs = [i for i, h in enumerate(close) if wrote(h.record, other)]
    assert ours and theirs  # both ways are in the archive and among the close matches
    assert ours == list(range(len(ours)))  # every close document written that way before any other
    assert max(ours) < min(theirs)


@pytest.mark.asyncio(loop_scope="module")
async def test_the_direction_reverses_the_order(archive):
    """Before directions, both questions ranked the same documents in the same order (the words are the same)."""
    forward = [h.record.id for h in archive.search_now("Stalin letters to Mao", limit=10).hits]
    backward = [h.record.id for h in archive.search_now("Mao letters to Stalin", limit=10).hits]
    assert forward[0] != backward[0]
    assert wrote(await archive.show(forward[0]), STALIN_TO_MAO)
    assert wrote(await archive.show(backward[0]), MAO_TO_STALIN)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("question", ["Stalin Mao letters", "letters between Stalin and Mao",
                                      "Gromyko Mao conversation", "Chinese Eastern Railway"])
async def test_a_question_without_direction_ranks_by_score_alone(archive, question):
    result = archive.search_now(question, limit=20)
    assert result.understood.direction is None
    index = archive.snapshot.index
    plain = index.top(index.scores(result.understood.terms, result.understood.expansions), 20)
    assert [(h.record.id, h.score) for h in result.hits] == [(int(index.ids[i]), s) for i, s in plain]


@pytest.mark.asyncio(loop_scope="module")
async def test_a_direction_keeps_the_date_and_the_filters(archive):
    result = archive.search_now("telegrams from Mao to Stalin in 1953", limit=10)
    assert result.hits and all(h.record.date.year == 1953 for h in result.hits)
    assert wrote(result.hits[0].record, MAO_TO_STALIN)
    filtered = archive.search_now("letters from Stalin to Mao", limit=10, date_from=1953, date_to=1953)
    assert filtered.hits and all(h.record.date.year == 1953 for h in filtered.hits)
    assert wrote(filtered.hits[0].record, STALIN_TO_MAO)


def test_a_direction_orders_close_matches_and_never_buries_a_far_better_one():
    records = [Record(id=i, date=ArchiveDate(1950), date_text="1950", title=f"Title {i}", summary="")
               for i in range(1, 4)]
    index = SearchIndex.of(records)
    scores = np.array([10.0, 2.0, 6.0])
    preferred = np.array([False, True, True])
    # 6.0 is over a quarter of the best (10.0) and comes first; 2.0 is not, and keeps its place by score
    assert PREFERRED_FLOOR == 0.25
    assert [i for i, _ in index.top_preferring(scores, 3, None, preferred)] == [2, 0, 1]
    assert [i for i, _ in index.top_preferring(scores, 3, np.array([False, True, True]), preferred)] == [2, 1]
