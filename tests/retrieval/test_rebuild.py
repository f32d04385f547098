"""A new base index built by a child process, one build at a time per index folder (a lock beside it), the
current snapshot answering meanwhile; a failed or stopped child never leaves the archive without answers, nor a
process behind. Real processes, real archive files."""
from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import pytest_asyncio

import retrieval.search as search
from retrieval import indexfiles
from retrieval.indexfiles import index_folder, lock_file
from retrieval.search import Archive
from testing.listing_gen import write_listing

from ..conftest import PEOPLE, SEEDS, ingest_into

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
NEW = 300  # records an ingest adds; over the delta's limit once the test lowers it to 10


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    db = folder / "archive.db"
    await ingest_into(db, SEEDS, write_listing(folder / "generated.txt", 1500))
    return db


@pytest.fixture
def db(generated: Path, tmp_path: Path) -> Path:
    """A copy of the archive, without an index."""
    return Path(shutil.copyfile(generated, tmp_path / "archive.db"))


def manifest_of(db: Path) -> dict:
    import json

    return dict(json.loads((index_folder(db) / indexfiles.MANIFEST).read_text()))


def new_listing(db: Path) -> Path:
    """NEW records whose titles say "Zanzibar", a word no other record has."""
    page = write_listing(db.parent / "new.txt", NEW, seed=77)
    page.write_text(page.read_text().replace(" (No. ", " Zanzibar (No. "))
    return page


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent to read its status is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def builders(db: Path) -> list[int]:
    """The processes building `db`'s index (`python -m retrieval.build_index ... DB`)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if b"retrieval.build_index" in cmdline and str(db).encode() in cmdline and alive(int(entry.name)):
            found.append(int(entry.name))
    return found


@contextmanager
def holding_lock(db: Path) -> Iterator[None]:
    """The index folder's lock, held as another builder would hold it."""
    with open(lock_file(index_folder(db)), "ab") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


async def until(check, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def zanzibar(archive: Archive) -> int:
    """The documents a search for the new records' word finds (it ranks them all)."""
    understood = archive.snapshot.parser.parse("zanzibar")
    assert archive.search_now("zanzibar").hits
    return archive.snapshot.index.scored(understood.terms).matched


@pytest.fixture(autouse=True)
def children_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """The archives here are small: each builds as a million-record one does, in a child process."""
    monkeypatch.setattr(search, "CHILD_FROM", 0)


async def test_a_small_archive_builds_its_base_in_a_worker_thread_under_the_same_lock(db, monkeypatch):
    monkeypatch.setattr(search, "CHILD_FROM", 10_000)  # the archive holds 1,555 records
    async with await Archive.open(db, PEOPLE) as archive:
        first = manifest_of(db)
        assert first["builder"] == os.getpid()  # no child's start (~0.6 s) for a build of moments
        monkeypatch.setattr(search, "DELTA_MIN", 10)
        await ingest_into(db, new_listing(db))
        with holding_lock(db):  # another process building: the refresh waits for it, as a child would
            refreshing = asyncio.create_task(archive.refresh_if_changed())
            await asyncio.sleep(0.5)
            assert not refreshing.done()
        assert await refreshing
        assert manifest_of(db)["built"]["generation"] > first["built"]["generation"]
        assert archive.snapshot.index.delta is None and zanzibar(archive) == NEW


async def test_a_new_base_is_built_by_a_child_process(db, monkeypatch):
    async with await Archive.open(db, PEOPLE) as archive:  # a first start: no index yet
        first = manifest_of(db)
        assert first["builder"] != os.getpid() and not alive(first["builder"])
        monkeypatch.setattr(search, "DELTA_MIN", 10)  # what the ingest adds outgrows the delta
        await ingest_into(db, new_listing(db))
        assert await archive.refresh_if_changed()
        second = manifest_of(db)
        assert second["built"]["generation"] > first["built"]["generation"]
        assert second["builder"] not in (os.getpid(), first["builder"])
        assert archive.snapshot.index.delta is None and zanzibar(archive) == NEW


async def test_a_bots_child_builds_the_base_and_leaves_the_shown_rows_to_its_refreshes(db, monkeypatch):
    """At a million records writing every row would keep the new base from answering for another ~100 s."""
    monkeypatch.setattr(search, "FILL_PER_REFRESH", 7)
    async with await Archive.open(db, PEOPLE) as archive:
        assert manifest_of(db)["builder"] != os.getpid()
        assert archive.search_now("stalin").hits
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM shown").fetchone() == (7,)
    assert await Archive.prepare_index(db, PEOPLE) is None  # `archive-bot index`: the base serves; every row
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT (SELECT count(*) FROM shown) = (SELECT count(*) FROM records)").fetchone() == (1,)


async def test_two_builders_at_once_build_one_index_both_use(db):
    """The CLI's ingest (its `prepare_index`) and a bot's start, both needing a new index at once."""
    ingest = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", "--db", str(db), str(new_listing(db))],
                              env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with holding_lock(db):  # both wait at the lock, as for a third builder
            await until(lambda: ingest.poll() is not None or len(builders(db)) == 1)
            archive = await Archive.open(db, PEOPLE, background=True)
            await until(lambda: len(builders(db)) == 2)
        await archive.loaded()
        saved = manifest_of(db)
        folder = index_folder(db).stat().st_ino
        out, err = await asyncio.to_thread(ingest.communicate, timeout=120)
        assert ingest.returncode == 0, err
        assert index_folder(db).stat().st_ino == folder and manifest_of(db) == saved  # one build, not two
        mapped = archive.snapshot.index.base.post_w.base
        assert Path(mapped.filename).stat().st_ino == (index_folder(db) / "post_w.npy").stat().st_ino
        assert archive.snapshot.index.delta is None and zanzibar(archive) == NEW
        await archive.close()
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.wait()


HOLDER = """
import sys
from pathlib import Path
from retrieval.indexfiles import Built, building, index_folder, save
from retrieval.reader import RecordReader
from retrieval.segment import build

db = Path(sys.argv[1])
with building(index_folder(db)):
    print("locked", flush=True)
    sys.stdin.readline()
    reader = RecordReader(db)
    with reader.reading() as conn:
        state = RecordReader.state(conn)
        segment = build(RecordReader.indexed(conn))
    save(index_folder(db), segment, Built(state.archive, state.generation, segment.size))
    reader.close()
"""


async def test_while_another_process_builds_the_archive_answers_and_then_maps_its_result(db, monkeypatch):
    async with await Archive.open(db, PEOPLE) as archive:
        before = manifest_of(db)
        monkeypatch.setattr(search, "DELTA_MIN", 10)
        await ingest_into(db, new_listing(db))
        holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], env=ENV, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdin is not None
            assert await asyncio.to_thread(holder.stdout.readline) == "locked\n"
            refreshing = asyncio.create_task(archive.refresh_if_changed())
            await until(lambda: archive.builder_pid is not None)
            for _ in range(20):  # the builder waits at the lock; the archive answers meanwhile
                assert not refreshing.done()
                assert zanzibar(archive) == NEW  # the old base with the new records as a delta
                assert archive.snapshot.index.delta is not None
                await asyncio.sleep(0.05)
            assert manifest_of(db) == before
            holder.stdin.write("go\n")
            holder.stdin.close()
            assert await refreshing
            assert holder.wait(60) == 0
        finally:
            if holder.poll() is None:
                holder.kill()
                holder.wait()
        saved = manifest_of(db)
        assert saved["builder"] == holder.pid  # its base, not one built again
        assert archive.snapshot.index.delta is None and zanzibar(archive) == NEW


async def test_a_child_that_cannot_save_leaves_the_archive_answering(db, monkeypatch, caplog):
    async with await Archive.open(db, PEOPLE) as archive:
        before = manifest_of(db)
        monkeypatch.setattr(search, "DELTA_MIN", 10)
        await ingest_into(db, new_listing(db))
        lock_file(index_folder(db)).unlink()
        lock_file(index_folder(db)).mkdir()  # the index's place not writable: the child fails at once
        with caplog.at_level(logging.WARNING):
            assert await archive.refresh_if_changed()
        warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warned) == 1 and "not rebuilt" in warned[0].getMessage(), warned
        assert zanzibar(archive) == NEW and manifest_of(db) == before  # the old base and the delta answer
        assert await archive.refresh_if_changed()  # tried again at the next refresh
    caplog.clear()
    shutil.rmtree(index_folder(db))
    with caplog.at_level(logging.WARNING):  # a first start: built here, kept in memory
        async with await Archive.open(db, PEOPLE) as archive:
            assert zanzibar(archive) == NEW and not index_folder(db).exists()
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 1 and "kept in memory" in warned[0].getMessage(), warned


async def test_a_killed_child_leaves_the_archive_answering(db, monkeypatch, caplog):
    async with await Archive.open(db, PEOPLE) as archive:
        monkeypatch.setattr(search, "DELTA_MIN", 10)
        await ingest_into(db, new_listing(db))
        with caplog.at_level(logging.WARNING):
            refreshing = asyncio.create_task(archive.refresh_if_changed())
            await until(lambda: archive.builder_pid is not None)
            os.kill(archive.builder_pid, signal.SIGKILL)
            await refreshing
        warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warned) == 1 and "signal 9" in warned[0].getMessage(), warned
        assert zanzibar(archive) == NEW


async def test_closing_the_archive_stops_its_child_build(db):
    archive = await Archive.open(db, PEOPLE, background=True)  # a first start: the child builds
    await until(lambda: archive.builder_pid is not None)
    pid = archive.builder_pid
    assert pid is not None and alive(pid)
    await archive.close()
    assert not alive(pid) and not builders(db)


STARTER = """
import asyncio, sys
from retrieval import search
from retrieval.search import Archive

async def main():
    search.CHILD_FROM = 0  # a small archive, built as a million-record one is
    archive = await Archive.open(sys.argv[1], background=True)
    while archive.builder_pid is None:
        await asyncio.sleep(0.01)
    print(archive.builder_pid, flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


async def test_a_child_ends_when_the_bot_is_killed(db):
    bot = subprocess.Popen([sys.executable, "-c", STARTER, str(db)], env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert bot.stdout is not None
        pid = int(await asyncio.wait_for(asyncio.to_thread(bot.stdout.readline), 30))
        assert alive(pid)
    finally:
        bot.kill()
        bot.wait()
    await until(lambda: not alive(pid), 10)
