"""The saved, memory-mapped index: the same top 10 as rank-bm25 after a build, a reopen and a refresh; a stale,
damaged or foreign index rebuilt; an index never half-written; no records held in memory.

A few thousand generated records (testing/listing_gen.py) in a real archive file; rank-bm25's `get_scores` on
the same tokens is the reference, compared exactly (the same ids, the same float scores).
"""
from __future__ import annotations

import json
import logging
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import pytest_asyncio
from rank_bm25 import BM25Okapi

from retrieval import indexfiles
from retrieval.index import SearchIndex, document_tokens
from retrieval.indexfiles import index_folder
from retrieval.reader import ReaderClosed, RecordReader
from retrieval.records import Record
from retrieval.search import Archive
from retrieval.store import SqliteArchiveStore
from retrieval.text import tokenize
from testing.database import every_record
from testing.listing_gen import write_listing

from ..conftest import PEOPLE, SEEDS, ingest_into

RECORDS = 2500
QUERIES = 300


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds and RECORDS generated records, ingested once; tests copy it."""
    folder = tmp_path_factory.mktemp("generated")
    db = folder / "archive.db"
    await ingest_into(db, SEEDS, write_listing(folder / "generated.txt", RECORDS))
    return db


@pytest.fixture
def db(generated: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(generated, tmp_path / "archive.db"))


def queries(records: list[Record], count: int = QUERIES) -> list[list[str]]:
    """2-5 words of random titles and summaries as index terms; some repeated, some unknown."""
    rng = random.Random(12)
    found = []
    while len(found) < count:
        record = rng.choice(records)
        words = tokenize(f"{record.title} {record.summary}")
        if not words:
            continue
        terms = rng.sample(words, min(len(words), rng.randint(2, 5)))
        if rng.random() < 0.1:
            terms += [terms[0], "zzqx"]
        found.append(terms)
    return found


def assert_parity(archive: Archive, count: int = QUERIES) -> int:
    """The top 10 of every query is rank-bm25's over the snapshot's records, in its order; returns the queries."""
    index = archive.snapshot.index
    records = every_record(archive)
    live = index.live_positions()
    assert [r.id for r in records] == index.ids[live].tolist()
    reference = BM25Okapi([document_tokens(r) for r in records])
    asked = queries(records, count)
    for terms in asked:
        theirs = reference.get_scores(terms)
        best = sorted(np.flatnonzero(theirs > 0).tolist(), key=lambda i: (-theirs[i], i))[:10]
        expected = [(records[i].id, float(theirs[i])) for i in best]
        ours = [(int(index.ids[i]), score) for i, score in index.top(index.scores(terms), 10)]
        assert ours == expected, terms
    return len(asked)


async def change_records(db: Path) -> list[int]:
    """New records ingested, and stored ones changed (summary, title, a participant): what an ingest does."""
    extra = write_listing(db.parent / "more.txt", 300, seed=99)
    await ingest_into(db, extra)
    async with await SqliteArchiveStore.open(db) as store, store.transaction():
        rows = await (await store.conn.execute("SELECT id FROM records ORDER BY id LIMIT 40")).fetchall()
        changed = [int(r[0]) for r in rows][::4]
        for rid in changed[:5]:
            await store.conn.execute("UPDATE records SET summary = summary || ' Stalin railway railway' "
                                     "WHERE id = ?", (rid,))
        for rid in changed[5:8]:
            await store.conn.execute("UPDATE records SET title = 'Telegram on the railway' WHERE id = ?", (rid,))
        await store.conn.execute("DELETE FROM participants WHERE record_id = ?", (changed[8],))
        await store.conn.execute("INSERT INTO participants (record_id, position, name, role, kind) "
                                 "VALUES (?, 0, 'Kim Il Sung', 'author', 'person')", (changed[9],))
    return changed


def manifest(db: Path) -> dict:
    return json.loads((index_folder(db) / indexfiles.MANIFEST).read_text())


async def test_a_fresh_build_is_saved_and_scores_as_rank_bm25(db):
    async with await Archive.open(db, PEOPLE) as archive:
        assert archive.snapshot.index.delta is None and archive.size > RECORDS
        assert assert_parity(archive) == QUERIES
    assert manifest(db)["built"]["records"] > RECORDS


async def test_a_first_start_says_once_why_it_builds_the_index(db, caplog):
    with caplog.at_level(logging.INFO, logger="retrieval.search"):
        async with await Archive.open(db, PEOPLE):
            pass
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("building the search index")]
    assert said == [f"building the search index: {index_folder(db)}: no index"]


async def test_a_reopen_maps_the_saved_index_and_scores_the_same(db):
    async with await Archive.open(db, PEOPLE) as archive:
        first = [[(h.record.id, h.score) for h in archive.search_now(q).hits] for q in ("stalin mao", "railway")]
    saved = (index_folder(db) / "post_w.npy").stat().st_mtime_ns
    async with await Archive.open(db, PEOPLE) as archive:
        weights = archive.snapshot.index.base.post_w
        assert isinstance(weights.base, np.memmap) and not weights.flags.owndata  # a view of the mapped file
        assert (index_folder(db) / "post_w.npy").stat().st_mtime_ns == saved  # read, not built again
        assert [[(h.record.id, h.score) for h in archive.search_now(q).hits] for q in ("stalin mao", "railway")] \
            == first
        assert_parity(archive)


async def test_a_refresh_adds_a_delta_with_the_statistics_of_the_union(db):
    async with await Archive.open(db, PEOPLE) as archive:
        before = archive.size
        built = manifest(db)
        changed = await change_records(db)
        assert await archive.refresh_if_changed()
        index = archive.snapshot.index
        assert index.delta is not None and manifest(db) == built  # no new base: a delta beside it
        assert archive.size == before + 300
        assert all(index.position_of(rid) is not None and index.position_of(rid) >= index.base.size
                   for rid in changed[:10])
        assert index.alive is not None and not index.alive[: index.base.size].all()
        assert assert_parity(archive) == QUERIES
        hits = archive.search_now("telegram on the railway").hits
        assert {changed[5], changed[6], changed[7]} <= {h.record.id for h in hits}
    async with await Archive.open(db, PEOPLE) as archive:  # a start after the ingest: the base and a delta
        assert archive.snapshot.index.delta is not None and manifest(db) == built
        assert_parity(archive, 100)


async def test_a_delta_grown_too_large_becomes_a_new_base(db, monkeypatch):
    import retrieval.search as search

    async with await Archive.open(db, PEOPLE) as archive:
        built = manifest(db)
        monkeypatch.setattr(search, "DELTA_MIN", 10)  # the 300 new records are over the limit
        await change_records(db)
        assert await archive.refresh_if_changed()
        assert archive.snapshot.index.delta is None and manifest(db)["built"]["generation"] > \
            built["built"]["generation"]
        assert_parity(archive, 100)


@pytest.mark.parametrize("damage", ["truncated", "manifest", "format", "missing", "shape"])
async def test_a_damaged_index_is_rebuilt_without_a_traceback(db, damage, caplog):
    async with await Archive.open(db, PEOPLE) as archive:
        expected = [(h.record.id, h.score) for h in archive.search_now("stalin railway").hits]
    folder = index_folder(db)
    if damage == "truncated":
        path = folder / "post_docs.npy"
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "manifest":
        (folder / indexfiles.MANIFEST).write_text("{not json")
    elif damage == "format":
        (folder / indexfiles.MANIFEST).write_text(json.dumps({**manifest(db), "format": 0}))
    elif damage == "missing":
        (folder / "idf.npy").unlink()
    else:
        np.save(folder / "post_off.npy", np.zeros(3, dtype=np.int64))
        saved = manifest(db)
        saved["files"]["post_off"] = ["int64", 3]
        (folder / indexfiles.MANIFEST).write_text(json.dumps(saved))
    with caplog.at_level(logging.INFO):
        async with await Archive.open(db, PEOPLE) as archive:
            assert [(h.record.id, h.score) for h in archive.search_now("stalin railway").hits] == expected
    assert not [r for r in caplog.records if r.exc_info]
    assert any("building the search index" in r.getMessage() for r in caplog.records)
    assert manifest(db)["format"] == indexfiles.FORMAT


async def test_another_archives_index_is_not_trusted(db, tmp_path, seeded_db):
    other = Path(shutil.copyfile(seeded_db, tmp_path / "other.db"))
    async with await Archive.open(other, PEOPLE):
        pass
    async with await Archive.open(db, PEOPLE):
        pass
    shutil.rmtree(index_folder(db))
    shutil.copytree(index_folder(other), index_folder(db))
    async with await Archive.open(db, PEOPLE) as archive:
        assert archive.size > RECORDS
        assert_parity(archive, 50)


async def test_a_failed_build_leaves_the_old_index_whole(db, monkeypatch):
    """What the build's child process runs (`prepare_index`), the disk full halfway through its save."""
    async with await Archive.open(db, PEOPLE):
        pass
    built = manifest(db)
    await change_records(db)
    saves = 0
    real_save = np.save

    def failing(*args, **kwargs):  # the disk fills up halfway through writing the new index
        nonlocal saves
        saves += 1
        if saves == 10:
            raise OSError(28, "No space left on device")
        real_save(*args, **kwargs)

    monkeypatch.setattr(indexfiles.np, "save", failing)
    with pytest.raises(OSError, match="No space left"):
        await Archive.prepare_index(db, PEOPLE, stale=built["built"]["generation"])  # a bot found it outgrown
    assert saves >= 10 and manifest(db) == built
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith("archive.index")) == \
        ["archive.index", "archive.index.lock"]
    monkeypatch.undo()
    async with await Archive.open(db, PEOPLE) as archive:  # the old index, and what changed since as a delta
        assert archive.snapshot.index.delta is not None
        assert_parity(archive, 50)


async def test_the_snapshot_holds_no_records(db):
    async with await Archive.open(db, PEOPLE) as archive:
        snapshot = archive.snapshot
        index = snapshot.index
        assert isinstance(index.source, RecordReader) and isinstance(index, SearchIndex)
        held = [*vars(snapshot).values(), *vars(index).values()]
        assert not any(isinstance(value, (list, tuple)) and any(isinstance(v, Record) for v in value)
                       for value in held)
        assert not any(isinstance(value, dict) and any(isinstance(v, Record) for v in value.values())
                       for value in held)


async def test_a_build_killed_while_saving_leaves_the_old_index_whole(db):
    async with await Archive.open(db, PEOPLE):
        pass
    built = manifest(db)
    await change_records(db)
    root = Path(__file__).resolve().parents[2]
    stale = str(built["built"]["generation"])  # what a bot's refresh starts when this base no longer serves
    child = subprocess.Popen([sys.executable, "-m", "retrieval.build_index", "--stale", stale, str(db)],
                             env={**os.environ, "PYTHONPATH": str(root)})
    try:
        while child.poll() is None and not list(db.parent.glob("archive.index.tmp-*")):
            time.sleep(0.002)
    finally:
        child.kill()
        child.wait()
    assert list(db.parent.glob("archive.index.tmp-*")), "the build finished before it could be killed"
    assert manifest(db) == built  # the old index, whole
    async with await Archive.open(db, PEOPLE) as archive:
        assert archive.snapshot.index.delta is not None  # the old base, and what changed as a delta
        assert_parity(archive, 50)


async def test_the_index_never_takes_the_place_of_another_file(tmp_path, seeded_db):
    db = Path(shutil.copyfile(seeded_db, tmp_path / "archive.index"))  # a database named like an index
    squatter = tmp_path / "other.db"
    shutil.copyfile(seeded_db, squatter)
    (tmp_path / "other.index").write_text("not an index")
    for path in (db, squatter):
        async with await Archive.open(path, PEOPLE) as archive:
            assert archive.search_now("stalin mao").hits
    assert index_folder(db) == tmp_path / "archive.index.index" and index_folder(db).is_dir()
    assert (tmp_path / "other.index").read_text() == "not an index"
    async with await Archive.open(db, PEOPLE) as archive:  # the database itself is whole
        assert archive.size > 0


async def test_closing_the_archive_while_its_index_builds_stops_the_build_and_closes_cleanly(db, monkeypatch):
    """The bot stopping during a cold start (Discord out of reach, Ctrl-C): the build's thread was reading
    through a connection that `close` closed under it, which crashed the process. (The build in this process:
    the fallback when the child could not save one, here as the lock file cannot be made.)"""
    import asyncio
    import threading

    from retrieval import search

    reading, stopped = threading.Event(), threading.Event()
    raised: list[BaseException] = []
    real_build = search.build

    def slow_build(records):  # a large archive's build: still reading when the archive is closed
        def slowly():
            for record in records:
                reading.set()
                time.sleep(0.01)
                yield record
        try:
            return real_build(slowly())
        except BaseException as exc:
            raised.append(exc)
            stopped.set()
            raise

    monkeypatch.setattr(search, "build", slow_build)
    monkeypatch.setattr("retrieval.reader.CHUNK", 5)  # the build looks for a stop between chunks
    shutil.rmtree(index_folder(db), ignore_errors=True)
    indexfiles.lock_file(index_folder(db)).mkdir()
    archive = await Archive.open(db, background=True)
    assert await asyncio.to_thread(reading.wait, 30)
    await archive.close()  # while the thread still reads
    assert await asyncio.to_thread(stopped.wait, 5)  # the build stopped at its next chunk, not at its end
    assert isinstance(raised[0], ReaderClosed), raised  # told the archive closed; its connection never closed under it
    assert not index_folder(db).exists()  # and saved nothing
