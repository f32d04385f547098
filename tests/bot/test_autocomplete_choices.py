"""Autocomplete for `/doc id` and `/onthisday date`: what is offered for what was typed, and the payloads Discord
gets through the stand-in (at most 25 choices, labels and values at most 100 characters)."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import pytest_asyncio

from bot.autocomplete import CHOICE_MAX, complete_day, complete_document
from retrieval.dates import ArchiveDate
from retrieval.records import Record
from retrieval.search import _Snapshot
from retrieval.thesaurus import Thesaurus
from testing.database import every_record

from ..conftest import PEOPLE, open_seeded_archive
from .conftest import running_bot


def _record(record_id: int, title: str, year: int = 1950) -> Record:
    return Record(id=record_id, date=ArchiveDate(year, 1, 1), date_text=str(year), title=title, summary="")


@pytest.fixture(scope="module")
def made() -> _Snapshot:
    records = [_record(12, "Ciphered Telegram from Semenov to Mao", 1949), _record(120, "Telegram, Gromyko to Zhou"),
               _record(3, "Record of Conversation with Gromyko", 1945), _record(1201, "Note on Trade " + "x" * 200),
               _record(7, "Teleprinter note 12 on Gerő", 1956)]
    return _Snapshot.of(records, PEOPLE, Thesaurus.load())


def _ids(snapshot: _Snapshot, typed: str, limit: int = 25) -> list[str]:
    return [value for _, value in complete_document(snapshot.records, snapshot.titles, snapshot.rank,
                                                    typed, limit)]


def test_a_number_finds_that_document_then_longer_numbers_then_titles(made: _Snapshot) -> None:
    assert _ids(made, "12") == ["12", "120", "1201", "7"]  # #7's title holds "12"
    assert _ids(made, "#3") == ["3"]
    assert _ids(made, "12", limit=2) == ["12", "120"]


def test_title_words_match_by_their_start_whole_titles_first_then_date_order(made: _Snapshot) -> None:
    assert _ids(made, "tele") == ["120", "7", "12"]  # "Telegram, …" and "Teleprinter …" start so; then by date
    assert _ids(made, "grom tele") == ["120"] and _ids(made, "gromyko") == ["3", "120"]
    assert _ids(made, "gero") == ["7"] and _ids(made, "GERŐ") == ["7"]  # folded as everywhere
    assert _ids(made, "nothing like it") == []


def test_labels_are_number_and_title_within_discords_limit(made: _Snapshot) -> None:
    choices = complete_document(made.records, made.titles, made.rank, "", 25)
    assert [value for _, value in choices] == ["1201", "120", "12", "7", "3"]  # nothing typed: the latest first
    label = dict((v, k) for k, v in choices)["1201"]
    assert label.startswith("#1201 Note on Trade x") and len(label) == CHOICE_MAX and label.endswith("…")


def test_days_follow_what_was_typed_today_first_when_nothing_is() -> None:
    dated = {(9, 27): [_record(1, "a"), _record(2, "b")], (11, 30): [_record(3, "c")]}
    today = date(2026, 11, 30)
    empty = complete_day("", today, dated, 25)
    assert len(empty) == 25 and empty[0] == ("30 November (11-30) · 1 document", "11-30")
    assert empty[1] == ("1 December (12-01) · no documents", "12-01")
    assert complete_day("09-27", today, dated, 25) == [("09-27 (27 September) · 2 documents", "09-27")]
    assert complete_day("9-2", today, dated, 25)[0] == ("09-02 (2 September) · no documents", "09-02")
    assert complete_day("27 sep", today, dated, 25) == [("27 September (09-27) · 2 documents", "09-27")]
    assert complete_day("sept 27", today, dated, 25)[0][1] == "09-27"
    assert [v for _, v in complete_day("feb 2", today, dated, 25)] == ["02-02", "02-20", "02-21", "02-22", "02-23",
                                                                       "02-24", "02-25", "02-26", "02-27", "02-28",
                                                                       "02-29"]
    assert complete_day("31 feb", today, dated, 25) == [] and complete_day("hello", today, dated, 25) == []


# -- through the stand-in for Discord ----------------------------------------------------------------------

@pytest_asyncio.fixture
async def semenov(seeded_db, tmp_path) -> list[int]:
    archive = await open_seeded_archive(seeded_db, tmp_path)
    try:
        return [r.id for r in every_record(archive) if r.title.startswith("Ciphered Telegram from Semenov")]
    finally:
        await archive.close()


def _within_limits(choices: list[dict]) -> None:
    assert 0 < len(choices) <= 25
    assert all(0 < len(c["name"]) <= 100 and 0 < len(str(c["value"])) <= 100 for c in choices)


async def test_doc_and_onthisday_autocomplete_through_the_stand_in(db, semenov):
    clock = lambda: datetime(2026, 9, 27, 8, 0, tzinfo=UTC)  # noqa: E731
    async with running_bot(db, clock=clock) as (fake, bot):
        payload = await fake.send_autocomplete("doc", "id", "ciph tele semen")
        choices = (await fake.wait_for_response(payload["id"])).json["data"]["choices"]
        _within_limits(choices)
        assert {str(i) for i in semenov} <= {c["value"] for c in choices}  # and Mao's telegrams to Semenov
        assert all(c["name"].startswith(f"#{c['value']} Ciphered Telegram from ") and "Semenov" in c["name"]
                   for c in choices)
        payload = await fake.send_autocomplete("doc", "id", "")
        _within_limits((await fake.wait_for_response(payload["id"])).json["data"]["choices"])
        payload = await fake.send_autocomplete("doc", "id", str(semenov[0]))
        choices = (await fake.wait_for_response(payload["id"])).json["data"]["choices"]
        assert choices[0]["value"] == str(semenov[0])

        payload = await fake.send_autocomplete("onthisday", "date", "")
        choices = (await fake.wait_for_response(payload["id"])).json["data"]["choices"]
        _within_limits(choices)
        assert len(choices) == 25 and choices[0]["value"] == "09-27" and choices[0]["name"].startswith("27 September")
        payload = await fake.send_autocomplete("onthisday", "date", "10-0")
        choices = (await fake.wait_for_response(payload["id"])).json["data"]["choices"]
        assert [c["value"] for c in choices] == [f"10-0{d}" for d in range(1, 10)]
        payload = await fake.send_autocomplete("search", "person", "chou")  # the one there was: kept
        choices = (await fake.wait_for_response(payload["id"])).json["data"]["choices"]
        assert {"name": "Zhou Enlai (Chou En-lai)", "value": "Zhou Enlai"} in choices
