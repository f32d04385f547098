"""Participants against the people a document only mentions, from ingest to the person's documents, and
an archive made before 'mentioned' existed carried forward when it is opened."""
from __future__ import annotations

import csv
import json
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
import pytest_asyncio

from retrieval.cite import cite
from retrieval.export import export
from retrieval.ingest import Ingester
from retrieval.people import PeopleDirectory
from retrieval.records import Participant, Record, Role
from retrieval.reroles import ROLES_KEY, ROLES_VERSION
from retrieval.search import Archive
from retrieval.store import SCHEMA_VERSION, SqliteArchiveStore
from testing.database import every_record

from ..conftest import FIXTURES, HAVE_REALPAGES, PEOPLE, REALPAGES, SEEDS, ingest_into, open_seeded_archive

GROMYKO_MAO = "Record of Conversation between Mao Zedong and A.A. Gromyko"  # 19 November 1957
SCHEMA4_DUMP = FIXTURES / "archive_schema4.sql"  # the seeds as archive-bot stored them before 'mentioned'


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("archive"),
                                       *([REALPAGES / "da"] if HAVE_REALPAGES else []))
    yield opened
    await opened.close()


def by_title(archive: Archive, title: str) -> Record:
    return next(r for r in every_record(archive) if r.title == title)


def names(people: tuple[Participant, ...]) -> list[str]:
    return [p.name for p in people]


# ------------------------------------------------------------------------------------------- a record


@pytest.mark.asyncio(loop_scope="module")
async def test_the_gromyko_mao_conversation_has_two_participants_and_mentions_stalin_and_chiang(archive):
    record = by_title(archive, GROMYKO_MAO)
    assert record.date.year == 1957
    assert [(p.name, p.role) for p in record.participants] == [("Mao Zedong", Role.PARTICIPANT),
                                                               ("Andrei Gromyko", Role.PARTICIPANT)]
    assert {p.name for p in record.mentioned} == {"Joseph Stalin", "Chiang Kai-shek"}
    assert all(p.role is Role.MENTIONED for p in record.mentioned)


@pytest.mark.asyncio(loop_scope="module")
async def test_citations_list_participants_only(archive):
    citation = cite(by_title(archive, GROMYKO_MAO))
    assert citation.participants == ("Mao Zedong", "Andrei Gromyko")


@pytest.mark.asyncio(loop_scope="module")
async def test_a_mention_still_finds_the_document_by_name_and_by_the_person_filter(archive):
    by_name = archive.search_now("Chiang Kai-shek Gromyko", limit=5)
    assert by_name.hits[0].record.title == GROMYKO_MAO
    filtered = archive.search_now("Gromyko", limit=10, person="Jiang Jieshi")
    assert GROMYKO_MAO in [h.record.title for h in filtered.hits]


# ------------------------------------------------------------------------------------------- a person


@pytest.mark.asyncio(loop_scope="module")
async def test_documents_of_a_person_separates_taking_part_from_being_mentioned(archive):
    stalin = archive.documents_of("Filippov")
    assert stalin.name == "Joseph Stalin"
    assert GROMYKO_MAO in [r.title for r in stalin.mentioned]
    assert GROMYKO_MAO not in [r.title for r in stalin.took_part]
    assert all("Joseph Stalin" in names(r.participants) for r in stalin.took_part)
    assert all("Joseph Stalin" in names(r.mentioned) for r in stalin.mentioned)
    for part in (stalin.took_part, stalin.mentioned):
        years = [r.date.year or 9999 for r in part]
        assert years == sorted(years)
    # his span comes from what he took part in: he died in 1953, the 1957 conversation only speaks of him
    assert stalin.years is not None and stalin.years[1] <= 1953
    assert max(r.date.year or 0 for r in stalin.mentioned) >= 1957


# ------------------------------------------------------------------------------------------- export


@pytest.mark.asyncio(loop_scope="module")
async def test_export_keeps_participants_and_the_mentioned_apart(archive):
    out = StringIO()
    await export(archive.store, out)
    rows = {row["title"]: row for row in map(json.loads, out.getvalue().splitlines())}
    row = rows[GROMYKO_MAO]
    assert row["participants"] == ["Mao Zedong", "Andrei Gromyko"]
    assert {r["role"] for r in row["roles"]} == {"participant"}
    assert set(row["mentioned"]) == {"Joseph Stalin", "Chiang Kai-shek"}
    csv_out = StringIO()
    await export(archive.store, csv_out, "csv")
    csv_row = next(r for r in csv.DictReader(StringIO(csv_out.getvalue())) if r["title"] == GROMYKO_MAO)
    assert (csv_row["participants"], csv_row["mentioned"]) == ("Mao Zedong; Andrei Gromyko",
                                                               "Chiang Kai-shek; Joseph Stalin")


# ------------------------------------------------------------------------------------------- carried forward


def schema4_archive(folder: Path) -> Path:
    """A database exactly as archive-bot made it before 'mentioned': schema 4, summary names as participants."""
    db = folder / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(SCHEMA4_DUMP.read_text(encoding="utf-8"))
        conn.execute("PRAGMA user_version = 4")
    return db


def stored_roles(db: Path) -> dict[str, list[tuple[str, str]]]:
    """Each record's (name, role) pairs as stored, by record key."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT r.record_key, p.name, p.role FROM participants p JOIN records r "
                            "ON r.id = p.record_id ORDER BY r.id, p.position").fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for key, name, role in rows:
        found.setdefault(key, []).append((name, role))
    return found


def roles_of(db: Path, title: str) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT p.name, p.role FROM participants p JOIN records r ON r.id = p.record_id "
                                 "WHERE r.title = ?", (title,)).fetchall())


def roles_state(db: Path) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT value FROM bot_state WHERE key = ?", (ROLES_KEY,)).fetchone()
    return None if row is None else row[0]


def test_the_old_archive_holds_summary_names_as_participants(tmp_path):
    """The fixture is what the issue describes: Stalin and Chiang stored as participants of the 1957 talk."""
    roles = roles_of(schema4_archive(tmp_path), GROMYKO_MAO)
    assert roles["Joseph Stalin"] == roles["Chiang Kai-shek"] == "participant"


async def test_opening_an_old_archive_derives_its_roles_again(tmp_path):
    db = schema4_archive(tmp_path)
    async with await Archive.open(db, PEOPLE) as archive:
        record = by_title(archive, GROMYKO_MAO)
        assert names(record.participants) == ["Mao Zedong", "Andrei Gromyko"]
        assert set(names(record.mentioned)) == {"Joseph Stalin", "Chiang Kai-shek"}
        assert "Joseph Stalin" not in cite(record).participants
    assert roles_state(db) == str(ROLES_VERSION)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    fresh = tmp_path / "fresh.db"  # the same roles a fresh ingest of the same pages gives, record for record
    await ingest_into(fresh, SEEDS)
    assert stored_roles(db) == stored_roles(fresh)
    async with await SqliteArchiveStore.open(db) as store:  # so the same pages again change nothing
        totals = (await Ingester(store, PEOPLE).ingest([SEEDS])).totals
    assert (totals.new, totals.updated) == (0, 0)


async def test_roles_are_derived_once(tmp_path):
    db = schema4_archive(tmp_path)
    async with await Archive.open(db, PEOPLE):
        pass
    with sqlite3.connect(db) as conn:  # a mark that only a second derivation would clear
        conn.execute("UPDATE participants SET role = 'author' WHERE name = 'Chiang Kai-shek'")
    async with await Archive.open(db, PEOPLE) as archive:
        assert "Chiang Kai-shek" in names(by_title(archive, GROMYKO_MAO).participants)


class _FailingPeople(PeopleDirectory):
    """A directory that fails part-way through the records, as a crash in the worker thread would."""

    def __init__(self, people: PeopleDirectory, after: int) -> None:
        super().__init__(people.entities, source=people.source)
        self.left = after

    def participants(self, title: str, summary: str = "") -> list[Participant]:
        self.left -= 1
        if self.left < 0:
            raise RuntimeError("failed part-way")
        return super().participants(title, summary)


async def test_a_derivation_that_fails_part_way_leaves_the_archive_as_it_was(tmp_path):
    db = schema4_archive(tmp_path)
    before = stored_roles(db)
    with pytest.raises(RuntimeError):
        await Archive.open(db, _FailingPeople(PEOPLE, after=20))
    assert stored_roles(db) == before and roles_state(db) is None
    async with await Archive.open(db, PEOPLE) as archive:  # and the next open does it whole
        assert "Joseph Stalin" in names(by_title(archive, GROMYKO_MAO).mentioned)


async def test_a_new_archive_is_marked_current_by_its_first_ingest(tmp_path):
    db = tmp_path / "new.db"
    await ingest_into(db, SEEDS)
    assert roles_state(db) == str(ROLES_VERSION)
