"""The change stamps a saved index refreshes by (store migration 8): an ingest stamps the records it writes
itself, a batch at a time, with the row triggers set aside for the batch; every other write is still stamped by
them, and a refresh sees every change, one of participants alone included."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from retrieval.dates import parse_date
from retrieval.identity import Incoming
from retrieval.ingest import Ingester, IngestProgress
from retrieval.people import PeopleDirectory
from retrieval.people.load import read_people
from retrieval.records import Participant, RawRecord, Role
from retrieval.search import Archive
from retrieval.store import ROW_TRIGGERS, SqliteArchiveStore
from testing.listing_gen import write_listing

from ..conftest import PEOPLE, SEEDS, ingest_into


def generation(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT value FROM generation").fetchone()[0])


def stamps(db: Path) -> dict[int, int]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT id, generation FROM records"))


def triggers(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"))


def without_zhou() -> PeopleDirectory:
    """Another people file: the same texts name other participants."""
    return PeopleDirectory([e for e in PEOPLE.entities if e.name != "Zhou Enlai"], read_people().not_names)


def naming(db: Path, name: str) -> set[int]:
    with sqlite3.connect(db) as conn:
        return {rid for (rid,) in conn.execute("SELECT record_id FROM participants WHERE name = ?", (name,))}


async def ingest_with(db: Path, people: PeopleDirectory, *paths: Path) -> None:
    async with await SqliteArchiveStore.open(db) as store:
        await Ingester(store, people).ingest(list(paths))


@pytest.fixture
def seeded(seeded_db: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(seeded_db, tmp_path / "archive.db"))


async def test_an_ingest_stamps_its_new_records_and_those_given_other_participants_above_the_last_build(
        seeded, tmp_path):
    kept, built, before = triggers(seeded), generation(seeded), stamps(seeded)
    assert set(ROW_TRIGGERS) <= set(kept) and max(before.values()) <= built

    await ingest_into(seeded, write_listing(tmp_path / "more.txt", 700))
    after = stamps(seeded)
    new = after.keys() - before.keys()
    assert len(new) == 700 and all(built < after[rid] <= generation(seeded) for rid in new)
    assert all(after[rid] == stamp for rid, stamp in before.items())  # nothing else was touched

    zhou, built = naming(seeded, "Zhou Enlai") & before.keys(), generation(seeded)  # in the seeds
    await ingest_with(seeded, without_zhou(), SEEDS)
    again = stamps(seeded)
    assert zhou and not naming(seeded, "Zhou Enlai") & before.keys()
    assert {rid for rid, stamp in again.items() if stamp > built} == zhou
    assert triggers(seeded) == kept  # set aside for each batch, put back as they were


async def test_writes_other_than_an_ingest_are_still_stamped_by_the_triggers(seeded, tmp_path):
    await ingest_into(seeded, write_listing(tmp_path / "more.txt", 30))
    newest = max(stamps(seeded), key=lambda rid: (stamps(seeded)[rid], rid))  # stamped by the last batch
    built = generation(seeded)
    with sqlite3.connect(seeded) as conn:
        conn.execute("INSERT INTO participants (record_id, position, name, role, kind) "
                     "VALUES (?, 99, 'Kim Il Sung', 'mentioned', 'person')", (newest,))
        conn.execute("INSERT INTO records (record_key, base_key, precision, title, created_at, updated_at) "
                     "VALUES ('k', 'b', 'none', 'Written by hand', '', '')")
    after = stamps(seeded)
    assert after[newest] > built and after[max(after)] > built


async def test_a_batch_that_fails_leaves_the_triggers_in_place(seeded):
    kept = triggers(seeded)
    # A lone surrogate cannot be written as UTF-8: the batch fails at its first INSERT, the triggers set aside.
    broken = RawRecord(date_text="May 1, 1950", date=parse_date("May 1, 1950"), title="Broken \ud800", summary="")
    async with await SqliteArchiveStore.open(seeded) as store, store.transaction():
        with pytest.raises(UnicodeEncodeError):
            await store.upsert([Incoming(broken, (Participant("Kim Il Sung", Role.AUTHOR),))], "x.txt")
    assert triggers(seeded) == kept


async def test_an_upsert_outside_a_transaction_is_refused(seeded):
    record = RawRecord(date_text="May 1, 1950", date=parse_date("May 1, 1950"), title="Alone", summary="")
    async with await SqliteArchiveStore.open(seeded) as store:
        with pytest.raises(RuntimeError, match="inside store.transaction"):
            await store.upsert([Incoming(record)], "x.txt")


async def test_a_refresh_sees_records_changed_only_in_their_participants(seeded):
    async with await Archive.open(seeded, PEOPLE) as archive:
        zhou = naming(seeded, "Zhou Enlai")
        await ingest_with(seeded, without_zhou(), SEEDS)
        assert await archive.refresh_if_changed()
        index = archive.snapshot.index
        assert index.delta is not None
        assert all((index.position_of(rid) or 0) >= index.base.size for rid in zhou)
        hits = archive.search_now("Zhou Enlai").hits
        assert not any("Zhou Enlai" in {p.name for p in (*h.record.participants, *h.record.mentioned)} for h in hits)


def schema(db: Path) -> tuple[int, dict[str, str]]:
    """SQLite's schema counter (every CREATE and DROP moves it) and the indexes and triggers."""
    with sqlite3.connect(db) as conn:
        return (int(conn.execute("PRAGMA schema_version").fetchone()[0]),
                dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                                  "AND sql IS NOT NULL")))


async def test_a_file_sets_the_row_triggers_aside_once_not_for_each_batch(seeded, tmp_path):
    (version, kept), page = schema(seeded), write_listing(tmp_path / "more.txt", 3000)  # six batches
    await ingest_into(seeded, page)
    after, still = schema(seeded)
    assert still == kept and after - version == 2 * len(ROW_TRIGGERS)  # dropped and made again, once


async def test_a_large_file_into_an_empty_archive_builds_the_indexes_nothing_reads_while_writing_after_its_rows(
        tmp_path):
    empty = tmp_path / "archive.db"
    async with await SqliteArchiveStore.open(empty):
        pass
    (version, kept), page = schema(empty), write_listing(tmp_path / "big.txt", 6000)
    await ingest_into(empty, page)
    after, still = schema(empty)
    assert still == kept and after - version == 2 * (len(ROW_TRIGGERS) + 2)
    with sqlite3.connect(empty) as conn:
        assert conn.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 6000
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"  # the indexes hold every row


async def test_a_large_file_that_fails_into_an_empty_archive_leaves_it_as_it_was(tmp_path):
    empty = tmp_path / "archive.db"
    async with await SqliteArchiveStore.open(empty):
        pass
    before, page = schema(empty), write_listing(tmp_path / "big.txt", 6000)

    def truncate_after_first_batch(progress: IngestProgress) -> None:
        if progress.records and page.stat().st_size > 1000:
            with page.open("r+b") as fh:
                fh.truncate(page.stat().st_size // 2)

    async with await SqliteArchiveStore.open(empty) as store:
        report = await Ingester(store, PEOPLE, progress=truncate_after_first_batch).ingest([page])
        assert await store.count() == 0
    assert len(report.failed) == 1 and schema(empty) == before
