"""Writers on one archive file: another process holding the write lock (a real process, a real SQLite file).
A writer waits its turn within a bound and says so, reads never wait, and start-up does not fail for a lock
someone else holds."""
from __future__ import annotations

import asyncio
import time

import pytest

from bot.config import Settings
from bot.runner import open_archive
from retrieval.store import SqliteArchiveStore, StoreError, StoreProblem

from ..conftest import SEEDS
from ..locking import write_lock_held

pytestmark = pytest.mark.slow  # locks held by another process for seconds


async def test_a_transaction_waits_for_another_writer_and_says_so_once(db):
    waits: list[str] = []
    async with await SqliteArchiveStore.open(db, write_wait=30, on_wait=lambda: waits.append("waiting")) as store:
        with write_lock_held(db, 3):
            started = time.monotonic()
            await store.set_state("k", "v")
            waited = time.monotonic() - started
        assert await store.get_state("k") == "v"
    assert waits == ["waiting"]
    assert 2 < waited < 10


async def test_a_writer_gives_up_after_its_bound_with_a_busy_error(db):
    async with await SqliteArchiveStore.open(db, write_wait=1) as store:
        with write_lock_held(db, 10):
            started = time.monotonic()
            with pytest.raises(StoreError) as caught:
                async with store.transaction():
                    pass
            assert time.monotonic() - started < 4
            assert caught.value.problem is StoreProblem.BUSY
            async with store.transaction(wait=30):  # the lock is still held: a new attempt waits again
                pass


async def test_reads_on_the_same_connection_do_not_wait_behind_a_waiting_writer(db):
    async with await SqliteArchiveStore.open(db, write_wait=30) as store:
        with write_lock_held(db, 5):
            writer = asyncio.create_task(store.set_state("k", "v"))
            await asyncio.sleep(0.5)
            started = time.monotonic()
            assert await store.count() == 55
            assert time.monotonic() - started < 1.0
            assert not writer.done()
            await writer


async def test_the_bot_starts_on_a_new_archive_while_another_process_writes(tmp_path):
    db = tmp_path / "archive.db"
    await (await SqliteArchiveStore.open(db)).close()  # created, empty: what another ingest has just begun filling
    notes: list[str] = []
    with write_lock_held(db, 12):  # longer than SQLite's busy timeout used to be
        started = time.monotonic()
        archive = await open_archive(Settings(archive_db=db, seeds=SEEDS), notes.append)
        took = time.monotonic() - started
    try:
        assert took > 10 and archive.size == 55
        assert notes == [f"waiting for another process writing to {db} to finish…",
                         f"{db} was empty; added the bundled seed pages "
                         "(5 files read: 55 new, 0 updated, 5 unchanged; 0 failed)"]
    finally:
        await archive.close()
