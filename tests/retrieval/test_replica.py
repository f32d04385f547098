"""The local read replica of a PostgreSQL archive: copied whole at first, then the records PostgreSQL stamped
since, each sync one SQLite transaction; searches on it follow without a restart. A real PostgreSQL server,
real SQLite files."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import aiosqlite
import asyncpg
import pytest

from retrieval.pg import CHANGES_CHANNEL
from retrieval.replica import ARCHIVE_KEY, BACKOFF_MAX, STAMP_KEY, Replica, SyncReport, replica_path
from retrieval.search import Archive
from retrieval.store import SqliteArchiveStore
from retrieval.transfer import ARCHIVE_TABLES, Digest, Endpoint, PgSide, SqliteSide, migrate
from testing.postgres import postgres_server

from ..conftest import PEOPLE


async def _same_as_postgresql(url: str, replica: Path) -> dict[str, int]:
    """Each archive table's rows compared (count and checksum) between PostgreSQL and the replica."""
    conn = await asyncpg.connect(url)
    local = await aiosqlite.connect(replica)
    counts = {}
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            for table in ARCHIVE_TABLES:
                theirs, ours = Digest(table), Digest(table)
                async for rows in PgSide(conn).chunks(table):
                    theirs.add(rows)
                async for rows in SqliteSide(local).chunks(table):
                    ours.add(rows)
                assert (theirs.rows, theirs.hex) == (ours.rows, ours.hex), table.name
                counts[table.name] = ours.rows
    finally:
        await conn.close()
        await local.close()
    return counts


@pytest.fixture
async def pg_archive(db: Path, pg_database: str) -> str:
    """A PostgreSQL archive of the seeds."""
    await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(pg_database))
    return pg_database


def test_the_replica_lies_beside_the_archive_and_is_never_it() -> None:
    assert replica_path(Path("data/archive.db")) == Path("data/archive.replica.db")
    assert replica_path(Path("data/archive")) == Path("data/archive.replica.db")
    for name in ("data/x.replica.db", "a.b"):
        assert replica_path(Path(name)) != Path(name)


async def test_a_new_replica_is_a_full_copy_then_nothing_to_do(pg_archive: str, tmp_path: Path) -> None:
    path = tmp_path / "archive.replica.db"
    async with await Replica.open(pg_archive, path) as replica:
        first = await replica.sync()
        again = await replica.sync()
    assert first.full and first.records > 50
    assert not again.full and again.records == 0 and again.stamp == first.stamp
    counts = await _same_as_postgresql(pg_archive, path)
    assert counts["records"] == first.records and counts["participants"] and counts["sources"]
    async with await Archive.open(path, PEOPLE) as archive:
        assert archive.size == first.records
        assert (await archive.search("Filippov insects")).hits


async def _new_record(conn: asyncpg.Connection, title: str) -> int:
    """A record with its participant and source, in one transaction as an ingest writes them: a follower woken
    between three commits could sync the record alone (the restart test failed so, now and then)."""
    async with conn.transaction():
        rid: int = await conn.fetchval(
            "INSERT INTO records (record_key, base_key, date_iso, precision, year, month, day, title, summary, "
            "created_at, updated_at) VALUES ($1, $1, '1961-08-13', 'day', 1961, 8, 13, $2, $3, 'now', 'now') "
            "RETURNING id", title.lower(), title, "Ulbricht tells Khrushchev about the zanzibarite wall.")
        await conn.execute("INSERT INTO participants VALUES ($1, 0, 'Walter Ulbricht', 'author', 'person')", rid)
        await conn.execute("INSERT INTO sources (record_id, source, first_seen) VALUES ($1, 'late.txt', 'now')",
                           rid)
    return rid


async def test_changes_in_postgresql_reach_the_replica_and_its_searches(pg_archive: str, tmp_path: Path) -> None:
    """A new record, an old record's participants changed, a new source of another: one sync brings the three,
    and an open archive on the replica finds the new record after its refresh, no restart."""
    path = tmp_path / "archive.replica.db"
    async with await Replica.open(pg_archive, path) as replica:
        await replica.sync()
        archive = await Archive.open(path, PEOPLE)
        try:
            assert not (await archive.search("zanzibarite")).hits
            conn = await asyncpg.connect(pg_archive)
            try:
                rid = await _new_record(conn, "Letter, Ulbricht to Khrushchev")
                changed, sourced = await conn.fetchval("SELECT min(record_id) FROM participants"), 3
                await conn.execute("UPDATE participants SET role = 'mentioned' WHERE record_id = $1", changed)
                await conn.execute("INSERT INTO sources (record_id, source, first_seen) VALUES ($1, 'more.txt', "
                                   "'now')", sourced)
            finally:
                await conn.close()
            report = await replica.sync()
            assert not report.full and report.records == 3
            await _same_as_postgresql(pg_archive, path)
            base = archive.snapshot.index.base
            assert await archive.refresh_if_changed()
            # the search machinery followed the replica as it follows any SQLite archive: a delta over the same
            # memory-mapped base, built in the background while the old snapshot served
            index = archive.snapshot.index
            assert index.base is base and index.delta is not None and index.delta.size == 3
            hits = (await archive.search("zanzibarite")).hits
            assert [hit.record.id for hit in hits] == [rid]
            shown = await archive.show(sourced)
            assert shown is not None and shown.sources[-1] == "more.txt"
        finally:
            await archive.close()


async def test_a_replica_of_another_archive_is_copied_again(pg_archive: str, pg_database: str, postgres,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "archive.replica.db"
    async with await Replica.open(pg_archive, path) as replica:
        await replica.sync()
    other = postgres.create_database()
    conn = await asyncpg.connect(other)
    try:
        async with await Replica.open(other, tmp_path / "unused.db"):  # the schema, and one record
            pass
        await _new_record(conn, "The only record")
    finally:
        await conn.close()
    async with await Replica.open(other, path) as replica:
        report = await replica.sync()
        held = await replica.store.get_state(ARCHIVE_KEY), await replica.store.get_state(STAMP_KEY)
    assert report.full and report.records == 1
    assert (await _same_as_postgresql(other, path))["records"] == 1
    conn = await asyncpg.connect(other)
    try:
        assert held == tuple(map(str, await conn.fetchrow("SELECT archive, value FROM generation")))
    finally:
        await conn.close()


@pytest.mark.parametrize("damage", ["not a database", "pages overwritten"])
async def test_a_damaged_replica_is_copied_again(damage: str, pg_archive: str, tmp_path: Path) -> None:
    path = tmp_path / "archive.replica.db"
    if damage == "not a database":
        path.write_bytes(b"this is no database " * 500)
    else:  # a good replica, up to date, with pages in its middle overwritten: it opens, and syncs have nothing to do
        async with await Replica.open(pg_archive, path) as replica:
            await replica.sync()
        size = path.stat().st_size
        with path.open("r+b") as file:
            file.seek(size // 2 // 4096 * 4096)
            file.write(b"\xff" * 4096 * 8)
    async with await Replica.open(pg_archive, path) as replica:
        report = await replica.sync()
    assert report.full and report.records > 50
    await _same_as_postgresql(pg_archive, path)
    async with await SqliteArchiveStore.open(path) as store:
        assert await store.count() == report.records


async def _follow_until(replica: Replica, url: str, titles: list[str], *, cut_listener: bool = False,
                        within: float = 10.0) -> tuple[list[SyncReport], list[float]]:
    """A follower whose only regular look is an hour away: each new record (one transaction each) must reach
    the replica because PostgreSQL said so. Returns the syncs and how long each record took to arrive."""
    synced: list[SyncReport] = []

    async def changed(report: SyncReport) -> None:
        synced.append(report)

    follower = asyncio.create_task(replica.follow(changed, every=0.1, idle=3600))
    conn = await asyncpg.connect(url)
    delays = []
    try:
        await asyncio.sleep(0.5)  # the first sync (nothing new) made, and the follower listening
        for title in titles:
            if cut_listener:  # the listening connection dies (a server-side kill, a network cut)
                cut = await conn.fetchval("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                          "WHERE query = 'LISTEN \"' || $1 || '\"'", CHANGES_CHANNEL)
                assert cut == 1
                await asyncio.sleep(0.5)
            seen = len(synced)
            started = time.monotonic()
            async with conn.transaction():
                await _new_record(conn, title)
            async with asyncio.timeout(within):
                while len(synced) == seen:
                    await asyncio.sleep(0.02)
            delays.append(time.monotonic() - started)
            assert not follower.done()
    finally:
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)
        await conn.close()
    return synced, delays


async def test_a_commit_in_postgresql_reaches_a_following_replica_at_once(pg_archive: str, tmp_path: Path) -> None:
    """No waiting for the next look: PostgreSQL tells the follower of each committed change (LISTEN/NOTIFY)."""
    async with await Replica.open(pg_archive, tmp_path / "archive.replica.db") as replica:
        await replica.sync()
        synced, delays = await _follow_until(replica, pg_archive, ["First late letter", "Second late letter"])
    assert [report.records for report in synced] == [1, 1]
    assert max(delays) < 10  # an hour without the word from PostgreSQL
    await _same_as_postgresql(pg_archive, tmp_path / "archive.replica.db")


async def test_a_lost_listening_connection_is_made_again(pg_archive: str, tmp_path: Path) -> None:
    """The connection PostgreSQL tells on is killed before each change: the follower notices, syncs, listens
    again, and the change after still arrives without waiting for the hourly look."""
    async with await Replica.open(pg_archive, tmp_path / "archive.replica.db") as replica:
        await replica.sync()
        synced, _ = await _follow_until(replica, pg_archive, ["After one cut", "After another cut"],
                                        cut_listener=True)
    assert sum(report.records for report in synced) == 2
    await _same_as_postgresql(pg_archive, tmp_path / "archive.replica.db")


async def test_a_failed_sync_is_tried_again_by_the_backoff_not_at_the_next_word(pg_archive: str, tmp_path: Path,
                                                                                 caplog) -> None:
    """A sync fails while the listening connection lives (here the stamp's table is missing for a moment): the
    next try comes after the backoff, not an hour later at the next regular look or word from PostgreSQL."""
    caplog.set_level("INFO", logger="retrieval.replica")

    async def changed(report: SyncReport) -> None:
        pass

    async with await Replica.open(pg_archive, tmp_path / "archive.replica.db") as replica:
        await replica.sync()
        follower = asyncio.create_task(replica.follow(changed, every=0.1, idle=3600))
        conn = await asyncpg.connect(pg_archive)
        try:
            await asyncio.sleep(0.5)  # listening
            await conn.execute("ALTER TABLE generation RENAME TO generation_away")
            await conn.execute(f"NOTIFY {CHANGES_CHANNEL}")  # wakes the follower: its sync fails
            async with asyncio.timeout(10):
                while "cannot sync" not in caplog.text:
                    await asyncio.sleep(0.02)
            await conn.execute("ALTER TABLE generation_away RENAME TO generation")  # no commit says so
            async with asyncio.timeout(10):
                while "PostgreSQL is back" not in caplog.text:
                    await asyncio.sleep(0.02)
            assert not follower.done()
        finally:
            follower.cancel()
            await asyncio.gather(follower, return_exceptions=True)
            await conn.close()


async def test_a_rolled_back_change_says_nothing(pg_archive: str) -> None:
    """PostgreSQL delivers the word at the commit only: a listener hears the committed stamp, never a rolled-back
    one."""
    heard: list[str] = []
    listener = await asyncpg.connect(pg_archive)
    writer = await asyncpg.connect(pg_archive)
    try:
        await listener.add_listener(CHANGES_CHANNEL, lambda _c, _p, _ch, payload: heard.append(payload))
        tx = writer.transaction()
        await tx.start()
        await _new_record(writer, "Never committed")
        await tx.rollback()
        await asyncio.sleep(0.3)
        assert heard == []
        async with writer.transaction():  # one transaction, one stamp, one word
            await _new_record(writer, "Committed")
        async with asyncio.timeout(5):
            while not heard:
                await asyncio.sleep(0.02)
        assert heard == [str(await writer.fetchval("SELECT value FROM generation"))]
    finally:
        await listener.close()
        await writer.close()


@pytest.mark.slow
async def test_following_survives_a_postgresql_restart(db: Path, tmp_path: Path) -> None:
    """PostgreSQL goes away: the replica keeps what it has (searches go on), the follower logs and backs off,
    and once the server is back the next change arrives. A server of this test's own, to stop and start."""
    with postgres_server() as server:
        url = server.create_database()
        await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(url))
        path = tmp_path / "archive.replica.db"
        synced: list[SyncReport] = []

        async def changed(report: SyncReport) -> None:
            synced.append(report)

        async with await Replica.open(url, path) as replica:
            await replica.sync()
            follower = asyncio.create_task(replica.follow(changed, every=0.2))
            try:
                await asyncio.to_thread(server.stop)
                await asyncio.sleep(1.5)  # several failed looks
                assert not follower.done()
                async with await SqliteArchiveStore.open(path) as store:
                    assert await store.count() > 50  # the replica still serves
                await asyncio.to_thread(server.start)
                conn = await asyncpg.connect(url)
                try:
                    await _new_record(conn, "After the restart")
                finally:
                    await conn.close()
                async with asyncio.timeout(BACKOFF_MAX + 10):
                    while not synced:
                        await asyncio.sleep(0.2)
            finally:
                follower.cancel()
                await asyncio.gather(follower, return_exceptions=True)
        assert synced[0].records == 1 and not synced[0].full
        await _same_as_postgresql(url, path)
