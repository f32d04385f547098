"""The archive in a real PostgreSQL: what only it has to show (the write lock across connections, the GLOB of a
damaged title as a LIKE, the change stamp), and the role derivation on both kinds of store."""
from __future__ import annotations

import asyncio
import time

import pytest

from retrieval.dates import parse_date
from retrieval.identity import Incoming, title_pattern
from retrieval.pgstore import PostgresArchiveStore, like_pattern
from retrieval.records import Participant, RawRecord, Role
from retrieval.reroles import ROLES_KEY, ROLES_VERSION, carry_roles_forward
from retrieval.store import StoreError, StoreProblem
from retrieval.stores import open_store

from ..conftest import PEOPLE, SEEDS, ingest_into


def incoming(title: str, summary: str = "A summary.") -> Incoming:
    return Incoming(RawRecord(date_text="October 5, 1958", date=parse_date("October 5, 1958"), title=title,
                              summary=summary))


async def test_a_writer_waits_for_another_connections_transaction_and_says_so_once(pg_database):
    waits: list[str] = []
    async with await PostgresArchiveStore.open(pg_database) as holder, \
            await PostgresArchiveStore.open(pg_database, write_wait=30, on_wait=lambda: waits.append("w")) as other:
        release = asyncio.Event()

        async def hold() -> None:
            async with holder.transaction():
                await holder.upsert([incoming("First")], "one.txt")
                await release.wait()

        holding = asyncio.create_task(hold())
        await asyncio.sleep(0.3)
        writing = asyncio.create_task(other.set_state("k", "v"))
        await asyncio.sleep(1.0)
        waited = writing.done(), list(waits)
        release.set()
        await holding
        await writing
        assert waited == (False, ["w"])  # it waited for the lock, not writing beside it
        assert await other.get_state("k") == "v" and waits == ["w"]
        assert [r.title for r in await other.all_records()] == ["First"]


async def test_a_writer_gives_up_after_its_bound_with_a_busy_line_without_the_password(pg_database):
    async with await PostgresArchiveStore.open(pg_database) as holder, \
            await PostgresArchiveStore.open(pg_database, write_wait=1) as other, holder.transaction():
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            async with other.transaction():
                pass
        took = time.monotonic() - started
    text = str(caught.value)
    assert caught.value.problem is StoreProblem.BUSY and 1 <= took < 4
    assert "stayed busy: another process kept writing to it for over 1 s" in text
    password = pg_database.split(":")[2].split("@")[0]
    assert password not in text and "***" in text


async def test_reads_do_not_wait_behind_a_writer(pg_database):
    await ingest_into(pg_database, SEEDS)
    async with await PostgresArchiveStore.open(pg_database) as holder, \
            await PostgresArchiveStore.open(pg_database) as reader, holder.transaction():
        await holder.upsert([incoming("Not yet committed")], "x.txt")
        started = time.monotonic()
        assert await reader.count() == 55 and len(await reader.all_records()) == 55
        assert time.monotonic() - started < 1.0


async def test_a_statement_that_fails_rolls_the_whole_transaction_back(pg_database):
    async with await PostgresArchiveStore.open(pg_database) as store:
        with pytest.raises(StoreError, match="PostgreSQL failed"):
            async with store.transaction():
                await store.upsert([incoming("Lost")], "bad.txt")
                async with store.conn() as conn:
                    await conn.execute("INSERT INTO records (id, record_key, base_key, precision, title, created_at, "
                                       "updated_at) VALUES (1, 'k', 'k', 'none', 't', 'now', 'now')")
        assert await store.count() == 0 and await store.all_records() == []


async def test_every_commit_that_writes_records_stamps_them_with_the_next_generation(pg_database):
    async with await PostgresArchiveStore.open(pg_database) as store:
        start = await store.signature()
        async with store.transaction():
            await store.upsert([incoming("One"), incoming("Two")], "a.txt")
        first = await store.signature()
        async with store.transaction():
            await store.upsert([incoming("Two", "A changed summary.")], "b.txt")
        second = await store.signature()
        await store.set_state("k", "v")  # no record written: no new stamp
        assert start < first < second == await store.signature()
        async with store.conn() as conn:
            stamps = dict(await conn.fetch("SELECT title, generation FROM records"))
    assert stamps == {"One": first[0], "Two": second[0]}


def test_a_glob_becomes_a_like_pattern_that_takes_like_wildcards_literally():
    assert like_pattern("r*port|1958-10") == "r%port|1958-10"
    assert like_pattern("50%_a?b\\c") == "50\\%\\_a_b\\\\c"


async def test_a_title_with_a_lost_character_finds_the_stored_title_in_postgresql(pg_database):
    async with await PostgresArchiveStore.open(pg_database) as store:
        async with store.transaction():
            await store.upsert([incoming("Report on the Lüshun Port"), incoming("Report on 100% of the port")],
                               "clean.txt")
        damaged = incoming("Report on the L\ufffdshun Port")
        assert title_pattern(damaged.raw.title, damaged.raw.date) is not None
        async with store.transaction():
            counts = await store.upsert([damaged], "damaged.txt")
        records = await store.all_records()
    assert (counts.new, len(records)) == (0, 2)
    assert records[0].sources == ("clean.txt", "damaged.txt")


async def test_old_roles_are_derived_again_once_all_or_nothing(archive_target):
    await ingest_into(archive_target, SEEDS)
    async with await open_store(archive_target) as store:
        fresh = await store.all_records()
        async with store.transaction():  # an archive whose roles older rules derived
            await store.put_state(ROLES_KEY, "1")
            await store.replace_participants({r.id: [Participant(p.name, Role.PARTICIPANT) for p in r.participants]
                                              for r in fresh})
        old = await store.all_records()
        assert old != fresh

        class Failing(type(PEOPLE)):  # type: ignore[misc]
            def participants_with_authors(self, *args: object) -> list[Participant]:
                raise RuntimeError("failed part-way")

        with pytest.raises(RuntimeError):
            await carry_roles_forward(store, Failing(PEOPLE.entities, source=PEOPLE.source))
        assert await store.all_records() == old and await store.get_state(ROLES_KEY) == "1"
        assert await carry_roles_forward(store, PEOPLE) == 55
        assert await carry_roles_forward(store, PEOPLE) == 0
        assert await store.all_records() == fresh
        assert await store.get_state(ROLES_KEY) == str(ROLES_VERSION)
