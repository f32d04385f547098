"""The throwaway PostgreSQL server the PostgreSQL tests run against (testing/postgres.py)."""
from __future__ import annotations

import asyncpg
import pytest

from testing.postgres import bindir, postgres_server


async def test_the_session_server_accepts_connections_and_keeps_databases_apart(postgres, postgres_url):
    first, second = postgres.create_database(), postgres.create_database()
    assert first != second
    conn = await asyncpg.connect(first)
    try:
        await conn.execute("CREATE TABLE t (x int)")
        assert await conn.fetchval("SELECT current_user") == "archive"
    finally:
        await conn.close()
    other = await asyncpg.connect(second)
    try:
        assert await other.fetchval("SELECT to_regclass('t')") is None
    finally:
        await other.close()


async def test_a_wrong_password_is_refused(postgres):
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(postgres.url.replace(postgres.password, "wrong"))


@pytest.mark.slow
async def test_a_second_server_is_independent_and_stopping_it_leaves_nothing(postgres):
    with postgres_server() as second:
        assert second.port != postgres.port and second.folder != postgres.folder
        conn = await asyncpg.connect(second.url)
        try:
            await conn.execute("CREATE TABLE only_here (x int)")
        finally:
            await conn.close()
        mine = await asyncpg.connect(postgres.url)
        try:
            assert await mine.fetchval("SELECT to_regclass('only_here')") is None
        finally:
            await mine.close()
        assert second.running
    assert not second.folder.exists()
    assert not second.running
    with pytest.raises(OSError):
        await asyncpg.connect(second.url, timeout=5)


def test_a_folder_with_only_some_of_the_programs_is_passed_over(postgres, tmp_path, monkeypatch):
    """Some machines link initdb and pg_ctl into /usr/local/bin but not pg_isready: that folder is not the one."""
    complete = bindir()
    for program in ("initdb", "pg_ctl"):
        (tmp_path / program).symlink_to(complete / program)
    monkeypatch.setenv("PG_BINDIR", str(tmp_path))
    assert bindir() == complete
