"""Looks at an archive database from outside, as tests and fault benchmarks check what a crash left."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from retrieval.records import Record
from retrieval.search import Archive


def integrity(db: Path) -> str:
    """SQLite's own verdict on the file: "ok", or what is damaged."""
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def record_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])


def every_record(archive: Archive) -> list[Record]:
    """Every record of the archive's snapshot, in index order, read from the store (the snapshot holds none):
    for tests and benchmarks that look at all of them."""
    snapshot = archive.snapshot
    return snapshot.records(snapshot.index.live_positions().tolist())


def before_shown(conn: sqlite3.Connection) -> None:
    """Undo migration 11 (the shown rows and their triggers) on an archive made now: the archive as version 10 and
    earlier left it, for tests of older archives migrating forward."""
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_shown_%'"
                                ).fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("DROP TABLE shown")
    conn.execute("PRAGMA user_version = 10")
