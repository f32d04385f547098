"""The archive's store on real databases (each test of both kinds: a SQLite file and a PostgreSQL database):
schema, dedupe, merges, transactions."""
from __future__ import annotations

import re
import sqlite3

import pytest

from retrieval.dates import ArchiveDate, Precision, parse_date
from retrieval.identity import Incoming
from retrieval.records import Participant, RawRecord, Role
from retrieval.store import (
    MIGRATIONS,
    ROWS_PER_INSERT,
    SCHEMA_VERSION,
    WRITE_CACHE_KIB,
    SqliteArchiveStore,
    StoreError,
)
from retrieval.stores import open_store
from testing.database import before_shown


def raw(title: str, date: str = "October 5, 1958", summary: str = "A summary.", partial: bool = False, **kw):
    return RawRecord(date_text=date, date=parse_date(date) or ArchiveDate(), title=title, summary=summary,
                     summary_partial=partial, **kw)


async def upsert(db, items, source="page.txt"):
    async with await open_store(db) as store:
        async with store.transaction():
            counts = await store.upsert(items, source)
        return counts, await store.all_records()


async def test_new_database_gets_the_current_schema(tmp_path):
    db = tmp_path / "nested" / "archive.db"
    async with await SqliteArchiveStore.open(db) as store:
        version = await store.schema_version()
    assert version == SCHEMA_VERSION
    tables = {r[0] for r in sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"records", "participants", "sources"} <= tables


async def test_a_store_keeps_the_pages_an_ingest_writes_in_a_cache_of_its_size(tmp_path):
    """SQLite's default 2 MB cache reads the records' indexes back from the OS for every batch past ~30,000
    records; the cache grows only as pages are used, so a store that writes little stays small."""
    async with await SqliteArchiveStore.open(tmp_path / "archive.db") as store:
        pages = await store.conn.execute_fetchall("PRAGMA cache_size")
    assert next(iter(pages))[0] == -WRITE_CACHE_KIB


ALL_TABLES = {"records", "participants", "sources", "bot_state", "subscriptions", "daily_posts", "documents",
              "document_links", "fetch_pages", "generation", "shown"}


def tables(db) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


async def test_a_fresh_database_runs_every_migration(tmp_path):
    db = tmp_path / "archive.db"
    await upsert(db, [])
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 11
    assert tables(db) == ALL_TABLES


async def test_a_database_at_version_1_migrates_forward_and_keeps_its_records(tmp_path):
    db = tmp_path / "archive.db"
    with sqlite3.connect(db) as conn:
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO records (record_key, base_key, precision, title, created_at, updated_at) "
            "VALUES ('report|', 'report|', 'none', 'Report', 'then', 'then')"
        )
    assert tables(db) == {"records", "participants", "sources"}

    async with await SqliteArchiveStore.open(db) as store:
        await store.set_state("commands", "hash")
        found = await store.schema_version(), [r.title for r in await store.all_records()], \
            await store.get_state("commands")
    assert found == (SCHEMA_VERSION, ["Report"], "hash")
    assert tables(db) == ALL_TABLES


async def test_a_database_from_a_newer_version_is_refused(tmp_path):
    db = tmp_path / "archive.db"
    await upsert(db, [])
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StoreError, match="newer archive-bot"):
        await SqliteArchiveStore.open(db)


async def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    db = tmp_path / "archive.db"
    db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable archive database"):
        await SqliteArchiveStore.open(db)


async def test_same_record_with_dates_written_differently_is_one_record(archive_target):
    db = archive_target
    await upsert(db, [Incoming(raw("Letter, Zhou Enlai to Comrade Molotov", "September 06, 1952"))], "one.txt")
    counts, records = await upsert(db, [Incoming(raw("Letter, Zhou Enlai to Comrade Molotov", "September 6, 1952"))],
                                   "two.txt")
    assert (counts.new, counts.unchanged) == (0, 1)
    assert len(records) == 1
    assert records[0].sources == ("one.txt", "two.txt")
    assert records[0].date_text == "September 06, 1952"  # as first seen


async def test_same_title_different_dates_are_different_records(archive_target):
    items = [Incoming(raw("Cable, Mao Zedong to Stalin", d)) for d in ("July 4, 1948", "September 28, 1948")]
    counts, records = await upsert(archive_target, items)
    assert counts.new == 2 and len(records) == 2


async def test_two_documents_with_one_title_and_date_on_one_page_stay_two(archive_target):
    db = archive_target
    first = Incoming(raw("Proposal", "August 19, 1955", "The CPSU CC agrees."), occurrence=1)
    second = Incoming(raw("Proposal", "August 19, 1955", "A Presidium entry."), occurrence=2)
    counts, records = await upsert(db, [first, second], "p105.txt")
    assert counts.new == 2
    # another page listing only the second document joins it, and changes nothing
    counts, records = await upsert(db, [Incoming(raw("Proposal", "August 19, 1955", "A Presidium entry."))], "p107")
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 1)
    assert sorted(r.sources for r in records) == [("p105.txt",), ("p105.txt", "p107")]


async def test_changed_summary_updates_and_cut_off_summary_never_overwrites(archive_target):
    db = archive_target
    whole = "Zhou reports on his meetings with Soviet counterparts about the port."
    await upsert(db, [Incoming(raw("Report", summary=whole))])
    counts, records = await upsert(db, [Incoming(raw("Report", summary=whole[:20], partial=True))], "cut.txt")
    assert counts.unchanged == 1 and records[0].summary == whole
    counts, records = await upsert(db, [Incoming(raw("Report", summary="A corrected summary."))], "new.txt")
    assert counts.updated == 1 and records[0].summary == "A corrected summary."


async def test_cut_off_summary_is_completed_by_a_whole_one(archive_target):
    db = archive_target
    await upsert(db, [Incoming(raw("Report", summary="Detailed report on the arrival of the PLA in Xinjia",
                                   partial=True))])
    counts, records = await upsert(db, [Incoming(raw("Report", summary="Detailed report on the arrival of the PLA in "
                                                     "Xinjiang."))])
    assert counts.updated == 1
    assert records[0].summary.endswith("Xinjiang.") and not records[0].summary_partial


async def test_participants_and_notes_are_stored_in_order(archive_target):
    people = (Participant("Mao Zedong", "author"), Participant("Joseph Stalin", "recipient"))
    item = Incoming(raw("Cable, Mao Zedong to Filippov [Stalin]", notes=("A note.",), url="https://x/document/1"),
                    people)
    _, records = await upsert(archive_target, [item])
    assert records[0].participants == people
    assert records[0].notes == ("A note.",)
    assert records[0].url == "https://x/document/1"


async def test_a_failed_transaction_leaves_nothing_behind(archive_target):
    db = archive_target
    await upsert(db, [Incoming(raw("Kept"))])

    async with await open_store(db) as store:
        with pytest.raises(RuntimeError):
            async with store.transaction():
                await store.upsert([Incoming(raw("Lost"))], "bad.txt")
                raise RuntimeError("parse failed half way")
        records = await store.all_records()
    assert [r.title for r in records] == ["Kept"]


async def test_a_folder_or_an_unreachable_path_is_refused_clearly(tmp_path):
    with pytest.raises(StoreError, match="is a folder"):
        await SqliteArchiveStore.open(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot open the archive database"):
        await SqliteArchiveStore.open(blocker / "archive.db")


async def test_the_signature_changes_with_every_commit_by_another_connection_within_one_second(archive_target,
                                                                                               monkeypatch):
    monkeypatch.setattr("retrieval.store._now", lambda: "2024-05-01T12:00:00+00:00")  # every write, one second
    db = archive_target
    await upsert(db, [Incoming(raw("Report", summary="First version."))])

    async with await open_store(db) as reader, await open_store(db) as writer:
        signatures = [await reader.signature()]
        for summary in ("Second version.", "Third version."):
            async with writer.transaction():
                await writer.upsert([Incoming(raw("Report", summary=summary))], "other.txt")
            signatures.append(await reader.signature())
        again = await reader.signature()
    assert len(set(signatures)) == 3
    assert again == signatures[-1]  # nothing committed since: the reader has nothing to rebuild


async def test_the_signature_changes_with_a_commit_through_its_own_connection(archive_target, monkeypatch):
    monkeypatch.setattr("retrieval.store._now", lambda: "2024-05-01T12:00:00+00:00")
    db = archive_target
    await upsert(db, [Incoming(raw("Report", summary="First version."))])

    async with await open_store(db) as store:
        before = await store.signature()
        async with store.transaction():
            await store.upsert([Incoming(raw("Report", summary="Second version."))], "same.txt")
        after, again = await store.signature(), await store.signature()
    assert after != before and again == after


def participants_and_stamps(db) -> tuple[list[tuple], list[tuple], dict[str, str], str, list[str]]:
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT * FROM participants ORDER BY record_id, position").fetchall(),
                conn.execute("SELECT id, generation FROM records ORDER BY id").fetchall(),
                dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")),
                conn.execute("SELECT sql FROM sqlite_master WHERE name = 'participants'").fetchone()[0],
                [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                  "AND tbl_name = 'participants' ORDER BY name")])


async def test_an_archive_at_version_9_gets_participants_without_rowid_keeping_every_row_and_stamp(db, tmp_path):
    fresh = participants_and_stamps(db)
    assert fresh[3].endswith("WITHOUT ROWID") and fresh[4] == []  # its key is its only tree
    with sqlite3.connect(db) as conn:  # the participants table as versions 5 to 9 made it, with its stamps
        before_shown(conn)
        for statement in (*MIGRATIONS[4], *(s for s in MIGRATIONS[7] if "participants_stamp" in s)):
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 9")
    old = participants_and_stamps(db)
    assert not old[3].endswith("WITHOUT ROWID") and old[:2] == fresh[:2]
    assert old[2] == {name: sql for name, sql in fresh[2].items() if "_shown_" not in name}  # 11's come after
    assert old[4] == ["participants_name", "sqlite_autoindex_participants_1"]

    async with await SqliteArchiveStore.open(db) as store:
        assert await store.schema_version() == SCHEMA_VERSION
    assert participants_and_stamps(db) == fresh
    with sqlite3.connect(db) as conn:  # its stamp triggers are back
        conn.execute("INSERT INTO participants (record_id, position, name, role) VALUES (1, 9, 'Someone', 'mentioned')")
        assert conn.execute("SELECT generation FROM records WHERE id = 1").fetchone()[0] > max(g for _, g in fresh[1])


async def test_new_records_after_the_largest_possible_id_still_get_their_own_participants(tmp_path):
    """New ids are the next ones in order, until the largest possible is taken: then SQLite picks them at random,
    and each is read back."""
    db = tmp_path / "archive.db"
    await upsert(db, [Incoming(raw("Report on the harvest"))])
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE records SET id = 9223372036854775807")
    people = ("Mao Zedong", "Zhou Enlai", "Kim Il Sung")
    counts, records = await upsert(db, [Incoming(raw(f"Cable from {name}"), (Participant(name),)) for name in people])
    assert counts.new == 3
    assert {r.title: [p.name for p in r.participants] for r in records if r.title.startswith("Cable")} == {
        f"Cable from {name}": [name] for name in people}


async def test_a_batch_of_more_rows_than_one_insert_writes_stores_each_record_with_its_own_participants(db):
    """Records and participants go in ROWS_PER_INSERT to a statement: each row still lands on its own id, in order,
    and a name twice in one record is kept once."""
    count = 2 * ROWS_PER_INSERT + 5
    people = [(Participant(f"Person {n}", Role.AUTHOR), Participant(f"Other {n}", Role.RECIPIENT),
               Participant(f"Person {n}", Role.MENTIONED)) for n in range(count)]
    await upsert(db, [Incoming(raw(f"Batch row {n}", summary=f"Summary {n}."), named)
                      for n, named in enumerate(people)])
    async with await open_store(db) as store:
        stored = await store.all_records()
    assert [(r.title, r.summary, r.participants) for r in stored if r.title.startswith("Batch row")] == [
        (f"Batch row {n}", f"Summary {n}.", named[:2]) for n, named in enumerate(people)]


def check_list(db, table: str, column: str) -> set[str]:
    """The values a table's CHECK (column IN (...)) allows, as its schema says."""
    with sqlite3.connect(db) as conn:
        (sql,), = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
    found = re.search(rf"{column}\s+TEXT NOT NULL CHECK \({column} IN \(([^)]*)\)\)", sql)
    assert found, sql
    return {value.strip().strip("'") for value in found.group(1).split(",")}


async def test_an_ingests_unchecked_columns_take_only_enum_values_the_checks_allow(tmp_path):
    """An ingest writes records' precision and participants' role with SQLite's CHECKs off (`_enums_trusted`):
    the values are the enums', which must be exactly what the CHECKs allow."""
    db = tmp_path / "archive.db"
    async with await SqliteArchiveStore.open(db):
        pass
    assert check_list(db, "records", "precision") == {p.value for p in Precision}
    assert check_list(db, "participants", "role") == {r.value for r in Role}


async def test_the_checks_are_on_again_once_a_files_batches_are_written(tmp_path):
    async with await SqliteArchiveStore.open(tmp_path / "archive.db") as store:
        async with store.transaction(), store.ingesting(10):
            await store.upsert([Incoming(raw("A record"), (Participant("Mao Zedong", Role.AUTHOR),))], "page.txt")
        async with store.transaction():
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                await store.conn.execute("UPDATE records SET precision = 'decade'")
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                await store.conn.execute("UPDATE participants SET role = 'bystander'")


async def test_a_new_records_missing_values_are_stored_as_null(tmp_path):
    """A new record's row binds NULL_MARK for what it lacks (no date, no link, no digest) and stores NULL; a value
    it has is stored as it is."""
    db = tmp_path / "a.db"
    plain = RawRecord(date_text="undated", date=ArchiveDate(), title="Note")
    month = RawRecord(date_text="May 1950", date=ArchiveDate(1950, 5), title="Cable", url="https://example.org/x")
    await upsert(db, [Incoming(plain), Incoming(month, people_input=b"\x01" * 16)])
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT title, date_iso, precision, year, month, day, url, people_input FROM records "
                            "ORDER BY id").fetchall()
    assert rows == [("Note", None, "none", None, None, None, None, None),
                    ("Cable", "1950-05", "month", 1950, 5, None, "https://example.org/x", b"\x01" * 16)]


async def test_every_role_and_kind_of_a_participant_is_written_as_its_value(tmp_path):
    """A participant row binds its role and kind as one number, which the insert writes as their values."""
    from itertools import product

    from retrieval.records import EntityKind

    db = tmp_path / "a.db"
    people = tuple(Participant(f"{role.value} {kind.value}", role, kind) for role, kind in product(Role, EntityKind))
    _, records = await upsert(db, [Incoming(raw("Report"), people)])
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, role, kind FROM participants ORDER BY position").fetchall()
    assert rows == [(p.name, p.role.value, p.kind.value) for p in people]
    assert (*records[0].participants, *records[0].mentioned) == people
