"""`archive-bot migrate`: SQLite -> PostgreSQL -> SQLite loses nothing, and bad input gets one line and leaves
the destination as it was. Real SQLite files, a real PostgreSQL server, the real command in a process."""
from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from retrieval.daily.subscription import Target
from retrieval.pg import Postgres
from retrieval.state.postgres import PostgresState
from retrieval.state.sqlite import SqliteState
from retrieval.store import SCHEMA_VERSION, SqliteArchiveStore
from retrieval.transfer import TABLES, Endpoint, TransferError, TransferProblem, migrate

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ARCHIVE_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every copied table's rows as SQLite holds them, in a fixed order (sources in the order seen)."""
    with sqlite3.connect(path) as conn:
        return {t.name: conn.execute(f"SELECT {', '.join(c.sqlite_name for c in t.columns)} FROM {t.name} "
                                     f"ORDER BY {t.sqlite_order()}").fetchall() for t in TABLES}


async def _with_state(db: Path) -> None:
    """Subscriptions, a sent and a claimed daily post, and some key-value state in the archive."""
    async with await SqliteArchiveStore.open(db) as store:
        state = SqliteState(store, "test")
        one = await state.subscribe(target=Target.channel(111), guild_id=222, created_by=333, post_time="09:00",
                                    zone="Europe/Paris")
        two = await state.subscribe(target=Target.dm(444), guild_id=None, created_by=444, post_time="18:30",
                                    zone="UTC")
        claim = await state.claim(one, date(2026, 11, 29), 5)
        assert claim is not None
        await state.mark_sent(claim, 999, datetime(2026, 11, 29, 8, 0, 1, 123456, tzinfo=UTC))
        assert await state.claim(two, date(2026, 11, 30), None) is not None
        await state.set_state("commands_hash", "abc")
        await store.conn.execute("INSERT INTO fetch_pages (site, path, kind, state) VALUES ('http://x', '/a', "
                                 "'document', 'done')")


def test_endpoints_are_parsed_and_compared_without_their_password() -> None:
    pg = Endpoint.parse("postgresql://u:secret@db.example:5432/arch")
    assert pg.describe() == "postgresql://u:***@db.example:5432/arch"
    assert pg.same_as(Endpoint.parse("postgres://u:other@db.example/arch"))
    assert Endpoint.parse("sqlite:data/a.db").same_as(Endpoint.parse("sqlite:./data/../data/a.db"))
    with pytest.raises(TransferError) as bad:
        Endpoint.parse("mysql://u:secret@h/db")
    assert bad.value.transfer_problem is TransferProblem.BAD_ENDPOINT and "secret" not in str(bad.value)


def test_the_tables_copied_are_the_tables_both_schemas_have(db: Path, postgres_url: str, pg_database: str) -> None:
    """A column added to either schema and not to the copy would be lost: the copy names every column."""
    with sqlite3.connect(db) as conn:
        for table in TABLES:
            have = {row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")} - {"generation"}
            assert have == {c.name for c in table.columns} - {"seq"}, table.name

    async def pg_columns() -> dict[str, set[str]]:
        pgdb = await Postgres.open(pg_database)
        try:
            rows = await pgdb.pool.fetch("SELECT table_name, column_name FROM information_schema.columns "
                                         "WHERE table_schema = 'public'")
        finally:
            await pgdb.close()
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row["table_name"], set()).add(row["column_name"])
        return found

    found = asyncio.run(pg_columns())
    for table in TABLES:
        assert found[table.name] - {"generation"} == {c.name for c in table.columns}, table.name


async def test_sqlite_to_postgresql_and_back_loses_nothing(db: Path, pg_database: str, tmp_path: Path) -> None:
    await _with_state(db)
    there = await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(pg_database))
    back = tmp_path / "back.db"
    again = await migrate(Endpoint.parse(pg_database), Endpoint.parse(f"sqlite:{back}"))
    before, after = _rows(db), _rows(back)
    for table in TABLES:
        if table.name == "daily_posts":  # times come back in one form (to the microsecond), the same moments
            columns = [c.name for c in table.columns]
            moments = [columns.index("claimed_at"), columns.index("sent_at")]
            for old, new in zip(before[table.name], after[table.name], strict=True):
                for i in moments:
                    assert (old[i] is None and new[i] is None) or \
                        datetime.fromisoformat(old[i]) == datetime.fromisoformat(new[i])
                assert [v for i, v in enumerate(old) if i not in moments] == \
                    [v for i, v in enumerate(new) if i not in moments]
        else:
            assert before[table.name] == after[table.name], table.name
    assert len(before["records"]) > 50 and before["participants"] and before["documents"] is not None
    assert [t.source.hex for t in there.tables] == [t.source.hex for t in again.tables]  # the same checksums
    assert all(t.matches for t in (*there.tables, *again.tables))
    triggers = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    with sqlite3.connect(db) as old_conn, sqlite3.connect(back) as new_conn:  # set aside while copying, put back
        assert old_conn.execute(triggers).fetchall() == new_conn.execute(triggers).fetchall() != []
        assert new_conn.execute("SELECT COUNT(DISTINCT generation), MIN(generation) FROM records").fetchone() == \
            (1, new_conn.execute("SELECT value FROM generation").fetchone()[0])
    # the copy's searches, documents and subscriptions are the original's
    async with await SqliteArchiveStore.open(db) as old, await SqliteArchiveStore.open(back) as new:
        assert await old.all_records() == await new.all_records()
        targets = [[s.target for s in await SqliteState(store).active()] for store in (old, new)]
        assert targets[0] == targets[1] and len(targets[0]) == 2


async def test_postgresql_takes_new_rows_after_a_copy(db: Path, pg_database: str) -> None:
    """The identities were advanced past the copied ids: the next record and subscription get new ones."""
    await _with_state(db)
    await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(pg_database))
    conn = await asyncpg.connect(pg_database)
    try:
        top = await conn.fetchval("SELECT max(id) FROM records")
        new = await conn.fetchval("INSERT INTO records (record_key, base_key, precision, title, created_at, "
                                  "updated_at) VALUES ('k', 'k', 'none', 't', 'now', 'now') RETURNING id")
        assert new == top + 1
        await conn.execute("INSERT INTO sources (record_id, source, first_seen) VALUES ($1, 'x', 'now')", new)
        await conn.execute("INSERT INTO subscriptions (target, created_by, post_time, timezone, created_at) "
                           "VALUES ('channel:9', 1, '09:00', 'UTC', 'now')")
        assert await conn.fetchval("SELECT generation FROM records WHERE id = $1", new) > \
            await conn.fetchval("SELECT generation FROM records WHERE id = $1", top)
    finally:
        await conn.close()


def test_the_command_prints_counts_and_checksums(db: Path, pg_database: str, tmp_path: Path) -> None:
    done = _run("migrate", "--from", f"sqlite:{db}", "--to", pg_database, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "counts and checksums match" in done.stdout and "records" in done.stdout
    assert urlsplit(pg_database).password not in done.stdout + done.stderr
    assert "sha256" in done.stdout


def _wrong_password(url: str) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username}:not-the-password-xyz@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _newer(tmp_path: Path, db: Path) -> Path:
    newer = Path(shutil.copyfile(db, tmp_path / "newer.db"))
    with sqlite3.connect(newer) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return newer


def _newer_postgresql(url: str) -> str:
    async def mark() -> None:
        await (await Postgres.open(url)).close()  # the schema, as this archive-bot writes it
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", SCHEMA_VERSION + 100)
        finally:
            await conn.close()
    asyncio.run(mark())
    return url


def _foreign(tmp_path: Path) -> Path:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    return other


@pytest.mark.parametrize("case", ["missing", "text file", "another program's database", "wrong password",
                                  "unreachable", "same", "newer", "newer postgresql", "bad form", "bad bracket",
                                  "bad port"])
def test_bad_input_gets_one_line_and_writes_nothing(case: str, db: Path, pg_database: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database\n")
    dest = tmp_path / "copy.db"
    source, target = {
        "missing": lambda: (f"sqlite:{tmp_path / 'nope.db'}", pg_database),
        "text file": lambda: (f"sqlite:{tmp_path / 'notes.txt'}", pg_database),
        "another program's database": lambda: (f"sqlite:{_foreign(tmp_path)}", pg_database),
        "wrong password": lambda: (_wrong_password(pg_database), f"sqlite:{dest}"),
        "unreachable": lambda: ("postgresql://archive:pw@127.0.0.1:9/none", f"sqlite:{dest}"),
        "same": lambda: (f"sqlite:{db}", f"sqlite:{db}"),
        "newer": lambda: (f"sqlite:{_newer(tmp_path, db)}", pg_database),
        "newer postgresql": lambda: (_newer_postgresql(pg_database), f"sqlite:{dest}"),
        "bad form": lambda: (str(db), pg_database),
        "bad bracket": lambda: (f"sqlite:{db}", "postgresql://archive:not-the-password-xyz@[::1/x"),
        "bad port": lambda: (f"sqlite:{db}", "postgresql://archive:not-the-password-xyz@db:99999/x"),
    }[case]()
    done = _run("migrate", "--from", source, "--to", target, cwd=tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("archive-bot: "), done.stderr
    assert "Traceback" not in done.stderr
    assert "not-the-password-xyz" not in done.stderr and urlsplit(pg_database).password not in done.stderr
    expected = {"missing": "no such archive file", "text file": "not an archive-bot database",
                "another program's database": "not an archive-bot database",
                "wrong password": "refused the user name or password", "unreachable": "cannot reach PostgreSQL",
                "same": "both the source and the destination", "newer": "newer archive-bot",
                "newer postgresql": "newer archive-bot",
                "bad form": "neither sqlite:PATH nor postgresql://", "bad bracket": "cannot be read",
                "bad port": "has a port that is not a number"}[case]
    assert expected in lines[0]
    assert not dest.exists()  # a destination file that did not exist is not left behind
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_a_destination_holding_data_is_refused_untouched(db: Path, pg_database: str, tmp_path: Path) -> None:
    await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(pg_database))
    with pytest.raises(TransferError) as refused:
        await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(pg_database))
    assert refused.value.transfer_problem is TransferProblem.NOT_EMPTY
    assert "already holds data (records:" in str(refused.value)
    with pytest.raises(TransferError):  # and into an SQLite archive that has records
        await migrate(Endpoint.parse(pg_database), Endpoint.parse(f"sqlite:{db}"))
    conn = await asyncpg.connect(pg_database)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM records") == len(_rows(db)["records"])
    finally:
        await conn.close()


async def test_a_failed_copy_leaves_no_new_file_and_no_rows(db: Path, pg_database: str, tmp_path: Path) -> None:
    """A value that cannot be converted halfway through: the destination is rolled back (PostgreSQL), or the new
    file removed (SQLite)."""
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO subscriptions (id, target, created_by, post_time, timezone, created_at) "
                     "VALUES (1, 'channel:1', 1, '09:00', 'UTC', 'x')")
        conn.execute("INSERT INTO daily_posts (subscription_id, local_date, status, owner, claimed_at) "
                     "VALUES (1, '2026-01-01', 'sent', 'o', 'yesterday')")
    with pytest.raises(TransferError) as failed:
        await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(pg_database))
    assert failed.value.transfer_problem is TransferProblem.BAD_VALUE
    assert "daily_posts.claimed_at: 'yesterday' is not a time" in str(failed.value)
    conn = await asyncpg.connect(pg_database)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM records") == 0
    finally:
        await conn.close()


async def test_the_archive_alone_goes_into_a_postgresql_that_keeps_the_bots_state(
        db: Path, pg_database: str, tmp_path: Path) -> None:
    """An operator who set DATABASE_URL before the archive could live in PostgreSQL has subscriptions there: the
    whole copy is refused with a pointer to --archive-only, which copies the records, the crawl state and the
    archive's own keys, and leaves PostgreSQL's subscriptions and ledger as they were."""
    await _with_state(db)
    async with await SqliteArchiveStore.open(db) as store:
        await store.set_state("roles_version", "7")
        await store.set_state("fetch.run http://x", '{"run": 3, "open": false}')
    state = await PostgresState.open(pg_database, "bot")
    try:
        await state.subscribe(target=Target.channel(555), guild_id=666, created_by=777, post_time="07:00", zone="UTC")
        await state.set_state("commands_hash", "kept")
    finally:
        await state.close()
    with pytest.raises(TransferError) as refused:
        await migrate(Endpoint.parse(f"sqlite:{db}"), Endpoint.parse(pg_database))
    assert "add --archive-only" in str(refused.value)
    done = _run("migrate", "--archive-only", "--from", f"sqlite:{db}", "--to", pg_database, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "counts and checksums match" in done.stdout
    conn = await asyncpg.connect(pg_database)
    try:
        assert await conn.fetchval("SELECT COUNT(*) FROM records") == len(_rows(db)["records"])
        assert await conn.fetchval("SELECT COUNT(*) FROM fetch_pages") == 1
        assert [r["target"] for r in await conn.fetch("SELECT target FROM subscriptions")] == ["channel:555"]
        assert dict(await conn.fetch("SELECT key, value FROM bot_state ORDER BY key")) == {
            "commands_hash": "kept", "fetch.run http://x": '{"run": 3, "open": false}', "roles_version": "7"}
        assert await conn.fetchval("SELECT COUNT(*) FROM daily_posts") == 0
    finally:
        await conn.close()
