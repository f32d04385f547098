"""`archive-bot ingest` and `export` with the archive in a real PostgreSQL, as real processes: the same archive as
SQLite's from the same pages, ingests by several processes at once, and one clear line (never the password) for
a server that is not there or a wrong password."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.records import Record
from retrieval.stores import open_store
from testing.listing_gen import write_listing

from ..conftest import SEEDS
from .test_cli_faults import cli, error_lines

SEED_FILES = sorted(SEEDS.glob("*.txt"))


async def records_of(target: str | Path) -> list[Record]:
    async with await open_store(target) as store:
        return await store.all_records()


def test_a_server_that_is_not_there_is_one_line_without_the_password(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli("ingest", str(SEEDS), "--database-url", f"postgresql://archive:s3cret-pw@127.0.0.1:{port}/db",
                 cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = error_lines(result)
    assert line.startswith(f"archive-bot: postgresql://archive:***@127.0.0.1:{port}/db: cannot reach PostgreSQL")
    assert "s3cret-pw" not in result.stderr + result.stdout


def test_a_wrong_password_is_one_line_without_the_password(pg_database, tmp_path):
    wrong = pg_database.replace(pg_database.split(":")[2].split("@")[0], "not-the-password-42")
    result = cli("ingest", str(SEEDS), "--database-url", wrong, cwd=tmp_path)
    assert result.returncode == 1
    assert error_lines(result) == [f"archive-bot: {wrong.replace('not-the-password-42', '***')}: PostgreSQL refused "
                                   "the user name or password in DATABASE_URL"]
    assert "not-the-password-42" not in result.stderr + result.stdout


@pytest.mark.slow
async def test_seeds_ingested_into_postgresql_are_the_archive_sqlite_holds(pg_database, tmp_path):
    into_pg = cli("ingest", str(SEEDS), "--database-url", pg_database, cwd=tmp_path)
    into_sqlite = cli("ingest", str(SEEDS), "--db", "a.db", cwd=tmp_path)
    assert into_pg.returncode == into_sqlite.returncode == 0, into_pg.stderr
    assert into_pg.stdout == into_sqlite.stdout == "5 files read: 55 new, 0 updated, 5 unchanged; 0 failed\n"
    in_pg, in_sqlite = await records_of(pg_database), await records_of(tmp_path / "a.db")
    assert len(in_pg) == 55 and in_pg == in_sqlite  # ids, titles, dates, participants, sources, in order

    exported = [cli("export", *where, cwd=tmp_path) for where in (("--database-url", pg_database), ("--db", "a.db"))]
    assert [e.returncode for e in exported] == [0, 0]
    assert exported[0].stdout == exported[1].stdout and exported[0].stdout.count("\n") == 55


@pytest.mark.slow
async def test_two_processes_ingesting_into_one_postgresql_at_once_both_land_once(pg_database, tmp_path):
    shared = write_listing(tmp_path / "shared.txt", 1500, seed=7)  # in both: the same records at the same time
    halves = ([shared, *SEED_FILES[:3]], [shared, *SEED_FILES[2:]])
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", *map(str, files), "--database-url",
                               pg_database], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for files in halves]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in outputs]
    alone = cli("ingest", str(shared), *map(str, SEED_FILES), "--db", "alone.db", cwd=tmp_path)
    assert alone.returncode == 0

    def content(records: list[Record]) -> list[tuple]:
        return sorted((r.title, r.date_text, r.summary, r.participants, sorted(r.sources)) for r in records)

    together, one_process = await records_of(pg_database), await records_of(tmp_path / "alone.db")
    assert len(together) == len(one_process) > 1500
    assert content(together) == content(one_process)  # nothing twice, nothing lost
