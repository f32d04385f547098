"""Looks at an archive database from outside, as tests and fault benchmarks check what a crash left."""
from __future__ import annotations

import sqlite3
from pathlib import Path


def integrity(db: Path) -> str:
    """SQLite's own verdict on the file: "ok", or what is damaged."""
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def record_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0])
