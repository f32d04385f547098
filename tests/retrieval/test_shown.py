"""A shown record read as one stored row (retrieval/shown.py, store migration 11): the same Record as the three
statements read, on every kind of record; after every write path the record shown is the new one (the triggers
delete its row); a damaged row, a busy writer and an archive from version 10 each still read right; the citation the
row keeps is `cite`'s. Real SQLite files, a real second connection, a real PostgreSQL server for the replica."""
from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import asyncpg
import msgpack
import pytest

from retrieval import shown
from retrieval.cite import URL_MAX, LinkKind, cite
from retrieval.dates import parse_date
from retrieval.identity import Incoming
from retrieval.ingest import Ingester
from retrieval.people import PeopleDirectory
from retrieval.people.load import read_people
from retrieval.reader import RecordReader
from retrieval.records import DocumentInfo, Participant, RawRecord, Record, Role
from retrieval.replica import Replica
from retrieval.reroles import ROLES_KEY, carry_roles_forward
from retrieval.search import Archive
from retrieval.store import SqliteArchiveStore
from retrieval.transfer import Endpoint, migrate
from testing.database import before_shown

from ..conftest import PEOPLE, REALPAGES, SEEDS, ingest_into
from .test_parse_docpage import FILIPPOV, FILIPPOV_TITLE, listing_html, row_html

DOCPAGES = REALPAGES / "docpages"
need_docpages = pytest.mark.skipif(not (DOCPAGES / "INDEX.tsv").is_file(),
                                   reason="../shared/realpages/docpages is not beside this checkout")


def ids_of(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [rid for (rid,) in conn.execute("SELECT id FROM records ORDER BY id")]


def rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM shown").fetchone()[0])


def statements(db: Path, ids: list[int]) -> list[Record]:
    """The records as the three statements read them, in the order of `ids`."""
    reader = RecordReader(db)
    try:
        with reader.reading() as conn:
            found = {r.id: r for start in range(0, len(ids), 500)
                     for r in shown.by_statements(conn, ids[start:start + 500])}
    finally:
        reader.close()
    return [found[i] for i in ids if i in found]


def shown_records(db: Path, ids: list[int]) -> list[Record]:
    reader = RecordReader(db)
    try:
        return reader.records(ids)
    finally:
        reader.close()


def filled(db: Path) -> Path:
    reader = RecordReader(db)
    try:
        assert reader.fill().stopped is None
    finally:
        reader.close()
    assert rows(db) == len(ids_of(db))
    return db


def raw(title: str, summary: str = "A summary.") -> RawRecord:
    return RawRecord(date_text="October 5, 1958", date=parse_date("October 5, 1958"), title=title, summary=summary)


async def upsert(db: Path, items: list[Incoming], source: str = "page.txt") -> None:
    async with await SqliteArchiveStore.open(db) as store, store.transaction():
        await store.upsert(items, source)


def the_new_one_is_shown(db: Path, rid: int, before: Record | None) -> Record | None:
    """The record shown after a write: the statements' (the truth), and not the one shown before it."""
    (truth,) = statements(db, [rid]) or [None]
    assert shown_records(db, [rid]) == ([truth] if truth else [])
    assert truth != before
    return truth


# -- the same Record -----------------------------------------------------------------------------------------
async def test_every_record_read_through_its_row_is_the_one_the_statements_read(seeded_db, tmp_path):
    """Seeds, the real listing pages and the real document pages: participants, mentioned, sources, notes,
    partial summaries, document details with and without text."""
    db = Path(shutil.copyfile(seeded_db, tmp_path / "archive.db"))
    more = [p for p in (REALPAGES / "da", DOCPAGES) if p.is_dir()]
    if more:
        await ingest_into(db, *more)
    filled(db)
    ids = ids_of(db)
    truth = statements(db, ids)
    assert shown_records(db, ids) == truth and len(truth) == len(ids)
    assert shown_records(db, ids[::-1] + ids[:3]) == truth[::-1] + truth[:3]  # order and repeats as asked
    reader = RecordReader(db)
    try:
        assert reader.cited(ids) == [(r, cite(r)) for r in truth]  # each row's citation is `cite`'s
    finally:
        reader.close()
    assert any(r.mentioned for r in truth) and any(r.participants for r in truth) and any(r.sources for r in truth)
    assert any(r.notes for r in truth)
    if more:  # the seeds link no document
        assert any(r.url for r in truth)
    if DOCPAGES.is_dir():
        assert any(r.info and r.info.text for r in truth) and any(r.info and not r.info.text for r in truth)
        assert any(r.info and r.info.authors for r in truth)


def varied(rid: int) -> list[Record]:
    """Records taking each of a citation's branches: each kind of link, fields to collapse, authors to turn."""
    plain = Record(id=rid, date=parse_date("October 5, 1958") or pytest.fail(), date_text="", title="Plain title",
                   summary="S", participants=(Participant("Mao Zedong", Role.AUTHOR),
                                              Participant("Zhou Enlai", Role.RECIPIENT)))
    return [
        plain,
        replace(plain, title="A  title\nover   lines " + "long " * 150),  # collapsed; its search link cut to URL_MAX
        replace(plain, url="https://digitalarchive.wilsoncenter.org/document/some-slug"),  # a listing's page
        replace(plain, info=DocumentInfo(record_id=" 123 ", authors=("Zhou,  Enlai", "China. Ministry"),
                                         source=" From\nthe  archive ", original_archive="AVPRF  ",
                                         doc_type=" Telegram ", languages=("Russian",), subjects=("Cold War",),
                                         scan_url="/sites/default/files/scan (1).pdf")),
        replace(plain, participants=(), info=DocumentInfo(canonical_url="/document/the-slug", authors=("Mao",))),
        replace(plain, info=DocumentInfo(record_id="not a number", scan_url="javascript:alert(1)")),
    ]


async def test_a_rows_citation_is_cites_for_every_kind_of_citation(db):
    """Each record packed into a real row and read back cites as `cite` does, every field."""
    rid = ids_of(db)[0]
    with sqlite3.connect(db) as conn:
        for record in varied(rid):
            conn.execute("INSERT OR REPLACE INTO shown (record_id, packed) VALUES (?, ?)", (rid, shown.pack(record)))
            conn.commit()
            found, damaged = shown.read(conn, [rid])
            assert not damaged and found == {rid: (record, cite(record))}
    links = [cite(r) for r in varied(rid)]
    assert {c.link for c in links} == set(LinkKind) and len(links[1].url) <= URL_MAX


async def test_a_search_cites_its_hits_from_their_rows(db):
    """The citation is read with the record, not derived again for each hit: a row's is the one shown."""
    filled(db)
    async with await Archive.open(db, PEOPLE) as archive:
        (hit, *_) = (await archive.search("Filippov insects")).hits
        values = msgpack.unpackb(shown.pack(hit.record), use_list=False)
        derived = (*values[-1][:2], "A title the row alone holds", *values[-1][3:])  # its citation's title
        with sqlite3.connect(db) as conn:
            conn.execute("UPDATE shown SET packed = ? WHERE record_id = ?",
                         (msgpack.packb((*values[:-1], derived)), hit.record.id))
        (again, *_) = (await archive.search("Filippov insects")).hits
        assert again.record == hit.record
        assert again.citation.title == "A title the row alone holds" != hit.citation.title


def test_a_row_holds_no_document_text():
    record = Record(id=1, date=parse_date("1958") or pytest.fail(), date_text="1958", title="T", summary="S",
                    participants=(Participant("Mao Zedong", Role.AUTHOR),),
                    mentioned=(Participant("Zhou Enlai", Role.MENTIONED),))
    with_text = replace(record, info=DocumentInfo(text="x" * 20_000, authors=("Mao, Zedong",)))
    assert len(shown.pack(with_text)) < len(shown.pack(record)) + 200


# -- every write path -----------------------------------------------------------------------------------------
async def test_an_ingest_merging_into_a_stored_record_and_a_new_source_are_shown(tmp_path):
    db = tmp_path / "archive.db"
    await upsert(db, [Incoming(raw("Report on the harvest", "Short."))])
    (rid,) = ids_of(filled(db))
    (before,) = shown_records(db, [rid])
    await upsert(db, [Incoming(raw("Report on the harvest", "Short. And the longer summary of a later page."))])
    merged = the_new_one_is_shown(db, rid, before)
    assert merged is not None and merged.summary.endswith("later page.")
    filled(db)
    await upsert(db, [Incoming(raw("Report on the harvest", "Short. And the longer summary of a later page."))],
                 source="another.txt")  # nothing but a new source
    sourced = the_new_one_is_shown(db, rid, merged)
    assert sourced is not None and sourced.sources == ("page.txt", "another.txt")


async def test_a_files_batches_show_a_new_source_and_keep_the_rows_a_source_seen_before_leaves_alone(tmp_path):
    """A file's batches are written with the row triggers set aside (`ingesting`), the sources' one included."""
    db = tmp_path / "archive.db"
    items = [Incoming(raw("Report on the harvest")), Incoming(raw("Cable on the harvest"))]
    await upsert(db, items)
    ids = ids_of(filled(db))
    before = shown_records(db, ids)
    for source in ("page.txt", "another.txt"):
        async with await SqliteArchiveStore.open(db) as store, store.transaction(), store.ingesting(len(items)):
            await store.upsert([*items, Incoming(raw(f"New in {source}"))], source)
        if source == "page.txt":  # seen before: the rows stand
            assert rows(db) == len(ids) and shown_records(db, ids) == before
    assert rows(db) == 0
    sourced = [the_new_one_is_shown(db, rid, old) for rid, old in zip(ids, before, strict=True)]
    assert [r.sources for r in sourced if r] == [("page.txt", "another.txt")] * 2


async def test_an_ingest_giving_a_record_participants_is_shown(tmp_path):
    db = tmp_path / "archive.db"
    await upsert(db, [Incoming(raw("Cable"))])
    (rid,) = ids_of(filled(db))
    (before,) = shown_records(db, [rid])
    await upsert(db, [Incoming(raw("Cable"), (Participant("Mao Zedong", Role.AUTHOR),))])
    after = the_new_one_is_shown(db, rid, before)
    assert after is not None and [p.name for p in after.participants] == ["Mao Zedong"]


async def test_another_people_file_finding_participants_for_a_record_that_had_none_is_shown(tmp_path):
    """Its text unchanged, its participants found anew (an ingest sets the insert triggers aside meanwhile)."""
    db, page = tmp_path / "archive.db", tmp_path / "one.txt"
    page.write_text("Skip to content\n\nResults:\n\n1 - 1 of 1\n\nDocuments\n\nOctober 5, 1958\n\n"
                    "Memorandum of Conversation\n\nZhou Enlai spoke of the harvest.\n\nPagination\n", encoding="utf-8")
    without = PeopleDirectory([e for e in PEOPLE.entities if e.name != "Zhou Enlai"], read_people().not_names)
    async with await SqliteArchiveStore.open(db) as store:
        await Ingester(store, without).ingest([page])
    (rid,) = ids_of(filled(db))
    (before,) = shown_records(db, [rid])
    assert not before.participants and not before.mentioned
    await ingest_into(db, page)
    after = the_new_one_is_shown(db, rid, before)
    assert after is not None and "Zhou Enlai" in [p.name for p in (*after.participants, *after.mentioned)]


@need_docpages
async def test_a_document_page_for_a_listed_record_is_shown(tmp_path):
    db = tmp_path / "archive.db"
    listing = tmp_path / "listing.html"
    listing.write_text(listing_html(row_html(FILIPPOV, "January 14, 1949", FILIPPOV_TITLE, "A listing's summary.")),
                       encoding="utf-8")
    await ingest_into(db, listing)
    (rid,) = ids_of(filled(db))
    (before,) = shown_records(db, [rid])
    assert before.info is None
    await ingest_into(db, DOCPAGES / f"{FILIPPOV}.html")
    after = the_new_one_is_shown(db, rid, before)
    assert after is not None and after.info is not None and after.info.record_id == "116969"


@need_docpages
async def test_a_documents_details_changed_alone_are_shown(tmp_path):
    """As a sync or a later page writes them: the document's row alone, its record untouched."""
    db = tmp_path / "archive.db"
    await ingest_into(db, DOCPAGES / f"{FILIPPOV}.html")
    filled(db)
    with sqlite3.connect(db) as conn:
        (rid,) = conn.execute("SELECT id FROM records WHERE title = ?", (FILIPPOV_TITLE,)).fetchone()
    (before,) = shown_records(db, [rid])
    assert before.info is not None and before.info.text
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET doc_type = 'Telegram', text = 'Another text.' WHERE record_id = ?", (rid,))
    after = the_new_one_is_shown(db, rid, before)
    assert after is not None and after.info is not None and after.info.text == "Another text."
    filled(db)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM documents WHERE record_id = ?", (rid,))
    gone = the_new_one_is_shown(db, rid, after)
    assert gone is not None and gone.info is None


async def test_a_role_change_is_shown(db):
    filled(db)
    people = PeopleDirectory([e for e in PEOPLE.entities if e.name != "Zhou Enlai"], read_people().not_names)
    with sqlite3.connect(db) as conn:
        rid = conn.execute("SELECT record_id FROM participants WHERE name = 'Zhou Enlai'").fetchone()[0]
        conn.execute("UPDATE bot_state SET value = '0' WHERE key = ?", (ROLES_KEY,))
    (before,) = shown_records(db, [rid])
    async with await SqliteArchiveStore.open(db) as store:
        assert await carry_roles_forward(store, people)
    after = the_new_one_is_shown(db, rid, before)
    assert after is not None and "Zhou Enlai" not in [p.name for p in (*after.participants, *after.mentioned)]


async def test_a_deleted_record_is_no_longer_shown(db):
    filled(db)
    rid = ids_of(db)[5]
    (before,) = shown_records(db, [rid])
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM records WHERE id = ?", (rid,))
    assert the_new_one_is_shown(db, rid, before) is None


async def test_a_replica_sync_shows_what_postgresql_changed(db, pg_database, tmp_path):
    await migrate(Endpoint.parse(f"sqlite:{filled(db)}"), Endpoint.parse(pg_database))
    path = tmp_path / "archive.replica.db"
    async with await Replica.open(pg_database, path) as replica:
        await replica.sync()
        filled(path)
        rid = ids_of(path)[3]
        (before,) = shown_records(path, [rid])
        conn = await asyncpg.connect(pg_database)
        try:
            await conn.execute("UPDATE records SET summary = 'Changed in PostgreSQL.' WHERE id = $1", rid)
            await conn.execute("INSERT INTO sources (record_id, source, first_seen) VALUES ($1, 'pg.txt', 'now')", rid)
        finally:
            await conn.close()
        assert (await replica.sync()).records == 1
    after = the_new_one_is_shown(path, rid, before)
    assert after is not None and after.summary == "Changed in PostgreSQL." and after.sources[-1] == "pg.txt"
    async with await Archive.open(path, PEOPLE) as archive:  # the bot's refresh writes the row again
        assert rows(path) == len(ids_of(path))
        assert await archive.show(rid) == after


# -- damage, a busy writer, an old archive ---------------------------------------------------------------------
async def test_a_damaged_row_or_one_of_another_format_is_read_by_the_statements(db, caplog):
    filled(db)
    ids = ids_of(db)
    truth = statements(db, ids)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE shown SET packed = X'c1c1' WHERE record_id = ?", (ids[0],))  # not msgpack
        conn.execute("UPDATE shown SET packed = substr(packed, 1, 20) WHERE record_id = ?", (ids[1],))  # cut
        conn.execute("UPDATE shown SET packed = ? WHERE record_id = ?", (msgpack.packb((99, "x")), ids[2]))
        conn.execute("UPDATE shown SET packed = ? WHERE record_id = ?", (msgpack.packb([1, 2, 3]), ids[3]))
    with caplog.at_level(logging.WARNING, logger="retrieval.reader"):
        reader = RecordReader(db)
        try:
            assert reader.records(ids) == truth
            assert reader.records(ids) == truth
            assert reader.fill().written == 4  # written again
            assert rows(db) == len(ids) and reader.records(ids) == truth
        finally:
            reader.close()
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1  # logged once
    assert shown_records(db, ids[:4]) == truth[:4]


async def test_the_fill_gives_up_while_another_connection_writes_and_searches_still_answer(db):
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM shown")
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE bot_state SET value = value WHERE key = 'none'")
        reader = RecordReader(db)
        started = time.monotonic()
        try:
            assert reader.fill() == shown.FillReport(0, shown.FillStop.BUSY)
        finally:
            reader.close()
        assert time.monotonic() - started < 1
        async with await Archive.open(db, PEOPLE) as archive:
            hits = (await archive.search("Filippov insects")).hits
            assert hits and hits[0].record == statements(db, [hits[0].record.id])[0]
        assert rows(db) == 0
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert await Archive.prepare_index(db, PEOPLE) is None  # the index serves: only the rows were written
    assert rows(db) == len(ids_of(db))


async def test_a_refresh_writes_at_most_its_share_of_rows(db, monkeypatch):
    monkeypatch.setattr("retrieval.search.FILL_PER_REFRESH", 7)
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM shown")
    async with await Archive.open(db, PEOPLE):
        assert rows(db) == 7


async def test_an_archive_at_version_10_migrates_and_shows_the_same_records(db):
    ids = ids_of(db)
    truth = statements(db, ids)
    with sqlite3.connect(db) as conn:
        before_shown(conn)
    async with await SqliteArchiveStore.open(db):
        pass
    assert rows(db) == 0 and shown_records(db, ids) == truth  # no rows yet: the statements
    filled(db)
    assert shown_records(db, ids) == truth


async def test_a_new_format_clears_the_rows_of_the_old(db, monkeypatch):
    filled(db)
    monkeypatch.setattr(shown, "FORMAT", shown.FORMAT + 1)
    ids = ids_of(db)
    assert shown_records(db, ids) == statements(db, ids)  # the old rows are not read as the new
    reader = RecordReader(db)
    try:
        assert reader.fill() == shown.FillReport(len(ids), None)  # all written again
    finally:
        reader.close()


async def test_rows_of_format_1_without_the_citation_are_written_again_by_the_next_fill(db):
    """An archive whose rows were written by the version before the citations joined them."""
    filled(db)
    with sqlite3.connect(db) as conn:
        for rid, packed in conn.execute("SELECT record_id, packed FROM shown").fetchall():
            conn.execute("UPDATE shown SET packed = ? WHERE record_id = ?",
                         (msgpack.packb((1, *msgpack.unpackb(packed)[1:-1])), rid))
        conn.execute("UPDATE bot_state SET value = '1' WHERE key = ?", (shown.FORMAT_KEY,))
    ids = ids_of(db)
    truth = statements(db, ids)
    assert shown_records(db, ids) == truth  # read by the statements meanwhile
    async with await Archive.open(db, PEOPLE):  # its refresh fills
        pass
    assert rows(db) == len(ids)
    reader = RecordReader(db)
    try:
        assert reader.fill() == shown.FillReport(0, None)
        assert reader.cited(ids) == [(r, cite(r)) for r in truth]
    finally:
        reader.close()


async def test_an_ingest_then_prepare_index_leaves_every_record_with_its_row(tmp_path):
    db = tmp_path / "archive.db"
    async with await SqliteArchiveStore.open(db) as store:
        await Ingester(store, PEOPLE).ingest([SEEDS])
    assert rows(db) == 0
    await Archive.prepare_index(db, PEOPLE)
    assert rows(db) == len(ids_of(db)) > 50


async def test_an_ingest_the_saved_index_still_serves_has_its_rows_written_apart_from_the_check(tmp_path):
    """`archive-bot ingest` starts no index process then: `index_serves` only looks, `write_shown` writes."""
    db = tmp_path / "archive.db"
    await ingest_into(db, SEEDS)
    await Archive.prepare_index(db, PEOPLE)
    await upsert(db, [Incoming(raw("A late cable"))])
    assert rows(db) == len(ids_of(db)) - 1
    assert await Archive.index_serves(db, PEOPLE)
    assert rows(db) == len(ids_of(db)) - 1  # a check writes nothing
    assert await Archive.write_shown(db) == shown.FillReport(1, None)
    assert rows(db) == len(ids_of(db))
