"""`archive-bot ingest` under contention and faults, as real processes on real files: another writer, several
at once, a damaged, read-only or full database, unreadable folders, a FIFO. Each ends with one clear line,
an honest count, a non-zero exit when something failed, and an intact database.

Tests run as root, where file modes do not stop anything: the unreadable and read-only cases run the child
without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (`setpriv --bounding-set`), so modes apply to it as to any
user; disk full is the child's RLIMIT_FSIZE with SIGXFSZ ignored (writes past the limit fail with EFBIG).
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from retrieval.store import SCHEMA_VERSION
from testing.database import integrity, record_count
from testing.listing_gen import write_listing

from ..conftest import SEEDS
from ..locking import write_lock_held

pytestmark = pytest.mark.slow  # real processes, and locks held for seconds

NO_DAC = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search")
SEED_FILE = SEEDS / "000_7db8b0dfcdf7ad4a.txt"


def cli(*args: str, cwd: Path, prefix: tuple[str, ...] = (), limit_size: int | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DISCORD_", "LOG_"))}

    def limit() -> None:
        if limit_size is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_size, limit_size))

    return subprocess.run([*prefix, sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          preexec_fn=limit if limit_size is not None else None)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    assert cli("ingest", str(SEEDS), "--db", "a.db", cwd=tmp_path).returncode == 0
    return tmp_path / "a.db"


# -- contention ---------------------------------------------------------------------------------------
def test_a_second_ingest_waits_for_the_first_and_says_so(seeded, tmp_path):
    page = write_listing(tmp_path / "more.txt", 300)
    with write_lock_held(seeded, 12):  # longer than SQLite's busy timeout used to be
        started = time.monotonic()
        result = cli("ingest", str(page), "--db", str(seeded), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started >= 11
    assert error_lines(result) == [f"archive-bot: waiting for another process writing to {seeded} to finish…"]
    assert result.stdout.startswith("1 file read: ")
    assert record_count(seeded) > 55


def test_a_writer_that_waits_too_long_stops_with_one_line(seeded, tmp_path):
    with write_lock_held(seeded, 20):
        result = cli("ingest", str(SEEDS), "--db", str(seeded), "--wait", "2", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = error_lines(result)
    assert lines[0].startswith("archive-bot: waiting for another process")
    assert lines[1:] == [f"failed: {SEEDS / '000_7db8b0dfcdf7ad4a.txt'}: {seeded} stayed busy: another process "
                         "kept writing to it for over 2 s; try again when it has finished"]
    assert result.stdout.strip() == "0 files read: 0 new, 0 updated, 0 unchanged; 1 failed; 4 not read"
    assert record_count(seeded) == 55


def test_concurrent_ingests_of_different_files_all_succeed_and_add_up(tmp_path):
    pages = [write_listing(tmp_path / f"page{i}.txt", 1500, seed=i) for i in range(3)]
    procs = [subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(page), "--db", "shared.db"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for page in pages]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in outputs]
    assert all("Traceback" not in err for _, err in outputs)
    new = sum(int(out.split(": ")[1].split(" new")[0]) for out, _ in outputs)
    assert new == record_count(tmp_path / "shared.db") > 0
    assert integrity(tmp_path / "shared.db") == "ok"


def test_four_processes_creating_one_database_at_once_all_succeed(tmp_path):
    script = ("import asyncio, sys\nfrom retrieval.store import SqliteArchiveStore\n"
              "async def main():\n    store = await SqliteArchiveStore.open(sys.argv[1])\n    await store.close()\n"
              "asyncio.run(main())\n")
    for attempt in range(5):
        db = tmp_path / f"new{attempt}.db"
        procs = [subprocess.Popen([sys.executable, "-c", script, str(db)], stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, errors
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# -- faults ---------------------------------------------------------------------------------------------
def test_a_damaged_database_gets_one_line(seeded, tmp_path):
    # No saved index: the start reads every record to build one, so the damage is met whichever command runs.
    # (With one, a command meets it only where it reads: `show` of an intact record still shows it.)
    shutil.rmtree(seeded.with_suffix(".index"))
    with sqlite3.connect(seeded) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")
        # past every table's first page and every page of the schema (a migration that rebuilds a table adds one)
        last_root = conn.execute("SELECT max(max(rootpage), (SELECT max(pageno) FROM dbstat WHERE name = "
                                 "'sqlite_schema')) FROM sqlite_master").fetchone()[0]
    size = seeded.stat().st_size
    with seeded.open("r+b") as fh:  # keep the schema's pages, scribble over the pages the records filled
        fh.seek(4096 * last_root)
        fh.write(os.urandom(min(4096 * 8, size - 4096 * last_root)))
    damaged = f"{seeded}: the archive database is damaged (database disk image is malformed); restore a " \
              "backup, or ingest the pages again into a new one"
    ingest = cli("ingest", str(SEEDS), "--db", str(seeded), cwd=tmp_path, timeout=60)
    assert ingest.returncode == 1 and "Traceback" not in ingest.stderr
    assert error_lines(ingest) == [f"failed: {SEED_FILE}: {damaged}"]  # the first file: nothing more is tried
    assert ingest.stdout.strip() == "0 files read: 0 new, 0 updated, 0 unchanged; 1 failed; 4 not read"
    for args in (("search", "mao"), ("show", "3")):
        result = cli(*args, "--db", str(seeded), cwd=tmp_path, timeout=60)
        assert result.returncode == 1, (args, result.stderr)
        assert error_lines(result) == [f"archive-bot: {damaged}"], args


def test_a_read_only_database_on_ingest_gets_one_line_and_stays_intact(seeded, tmp_path):
    seeded.chmod(0o444)
    result = cli("ingest", str(SEEDS), "--db", str(seeded), cwd=tmp_path, prefix=NO_DAC)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert error_lines(result) == [f"failed: {SEED_FILE}: {seeded}: the archive database is read-only: "
                                   "this user may not write to it"]
    assert result.stdout.strip() == "0 files read: 0 new, 0 updated, 0 unchanged; 1 failed; 4 not read"
    seeded.chmod(0o644)
    assert integrity(seeded) == "ok" and record_count(seeded) == 55


def test_disk_full_during_ingest_keeps_what_was_stored(seeded, tmp_path):
    page = write_listing(tmp_path / "big.txt", 4000)
    wal = seeded.with_name(seeded.name + "-wal")
    limit = max(seeded.stat().st_size, wal.stat().st_size if wal.exists() else 0) + 200_000
    result = cli("ingest", str(SEED_FILE), str(page), "--db", str(seeded), cwd=tmp_path, limit_size=limit)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert error_lines(result) == [f"failed: {page}: cannot write to {seeded}: the disk is full or a file size "
                                   "limit was reached"]
    assert result.stdout.strip() == "1 file read: 0 new, 0 updated, 10 unchanged; 1 failed"
    assert integrity(seeded) == "ok" and record_count(seeded) == 55


def test_unreadable_folders_and_files_inside_them_are_failures_with_a_line(tmp_path):
    folder = tmp_path / "pages"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(SEED_FILE, folder / "ok.txt")
    shutil.copy(SEEDS / "001_22247872895ba0cb.txt", folder / "locked" / "inside.txt")
    (folder / "locked").chmod(0)
    try:
        whole = cli("ingest", str(folder), "--db", "a.db", cwd=tmp_path, prefix=NO_DAC)
        inside = cli("ingest", str(folder / "locked" / "inside.txt"), "--db", "a.db", cwd=tmp_path, prefix=NO_DAC)
    finally:
        (folder / "locked").chmod(0o755)
    assert whole.returncode == 1 and "Traceback" not in whole.stderr
    assert error_lines(whole) == [f"failed: {folder / 'locked'}: folder cannot be read (permission denied)"]
    assert whole.stdout.strip() == "1 file read: 10 new, 0 updated, 0 unchanged; 1 failed"
    assert inside.returncode == 1 and "Traceback" not in inside.stderr
    assert error_lines(inside) == [f"failed: {folder / 'locked' / 'inside.txt'}: cannot be reached "
                                   "(permission denied on a folder in its path)"]
    assert inside.stdout.strip() == "0 files read: 0 new, 0 updated, 0 unchanged; 1 failed"
    assert integrity(tmp_path / "a.db") == "ok"


def test_a_negative_schema_version_gets_one_line_and_the_process_exits(seeded, tmp_path):
    with sqlite3.connect(seeded) as conn:
        conn.execute("PRAGMA user_version = -1")
    result = cli("ingest", str(SEEDS), "--db", str(seeded), cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    assert error_lines(result) == [f"archive-bot: {seeded}: schema version -1 is not one archive-bot writes: "
                                   "not an archive-bot database"]
    assert integrity(seeded) == "ok" and record_count(seeded) == 55


def test_a_fifo_on_the_command_line_is_skipped_with_a_line(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    unblock = threading.Timer(20, lambda: os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)))
    unblock.start()  # without the fix the reader hangs: give it an end after a while, so the test fails, not hangs
    try:
        result = cli("ingest", str(fifo), str(SEED_FILE), "--db", "a.db", cwd=tmp_path, timeout=60)
    finally:
        unblock.cancel()
    assert result.returncode == 1
    assert error_lines(result) == [f"failed: {fifo}: not a regular file (a pipe, socket or device); skipped"]
    assert result.stdout.strip() == "1 file read: 10 new, 0 updated, 0 unchanged; 1 failed"


def _group(pgid: int) -> list[int]:
    """The processes still alive in process group `pgid` (zombies are dead)."""
    alive = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            alive.append(int(stat_file.parent.name))
    return alive


def test_ctrl_c_during_a_large_file_rolls_it_back_and_stops_the_workers(seeded, tmp_path):
    page = write_listing(tmp_path / "big.txt", 20_000)  # large enough to be read by worker processes
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DISCORD_", "LOG_"))}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "ingest", str(page), "--db", str(seeded)],
                               cwd=tmp_path, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while len(_group(process.pid)) < 3:  # the command and its workers
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.0)  # well into the file
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground group gets it
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert error_lines(subprocess.CompletedProcess([], 130, "", err)) == [
        "archive-bot: interrupted (files already read are kept; the one being read was rolled back)"]
    assert record_count(seeded) == 55
    assert integrity(seeded) == "ok"
    deadline = time.monotonic() + 10
    while _group(process.pid):
        assert time.monotonic() < deadline, "worker processes outlived the command"
        time.sleep(0.05)
