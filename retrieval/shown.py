"""A shown record as one stored row: every field a `Record` shows, packed with msgpack in the table `shown`
(migration 11), read by its primary key in one statement instead of three (the record with its document, its
participants, its sources: retrieval/store.py RECORD_SELECT, NAMED_SELECT, SOURCES_SELECT), with what its
citation derives from it (retrieval/cite.py `derived`: a search cites its hits without deriving them again).

The rows are a copy, never the truth. Triggers delete a record's row whenever anything it shows is written (the
record, its participants, sources or document: store.py's migration 11), so no write path has to remember them
(an ingest alone sets the two that fire on inserts aside, for speed, and deletes what they would: store.py
ROW_TRIGGERS), and a record without a row is read by the three statements as before. `fill` writes the missing
rows in short transactions that give up when another writer holds the lock. A document's own text (up to tens of
KB) stays out of the row, which holds only whether there is one: it is read by one more statement for the shown
records that have one.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

import msgpack

from .cite import Citation, cited, derived
from .frozen import make_in_order
from .records import DocumentInfo, Participant, Record, Role
from .store import (
    BATCH,
    MMAP_BYTES,
    NAMED_ORDER,
    NAMED_SELECT,
    RECORD_SELECT,
    SOURCES_ORDER,
    SOURCES_SELECT,
    assemble_records,
    stored_date,
    stored_participant,
)

log = logging.getLogger(__name__)

# The packing's version, the first value of every row: a row of another is never read as this one (it is read as
# missing), and `fill` clears them all when it first runs after the version changed (FORMAT_KEY in bot_state).
# 2: the citation's derived values at the end (cite.Derived; a change of them is a new FORMAT).
FORMAT = 2
FORMAT_KEY = "shown.format"
FILL_CHUNK = 500  # rows a fill writes per transaction: a few ms of holding the write lock
_BUSY, _READONLY = 5, 8  # SQLite's primary result codes

_INFO_NAMES = tuple(f.name for f in fields(DocumentInfo))
_TEXT = _INFO_NAMES.index("text")
_MENTIONED = Role.MENTIONED.value


class Damaged(ValueError):
    """A row that does not unpack as this FORMAT's."""


def pack(record: Record) -> bytes:
    """The row of `record`: its fields in a fixed order, participants and mentioned as one flat list in their
    stored order (name, role, kind, ...), its document's details with the text replaced by whether it has one, and
    its citation's derived values."""
    named: list[str] = []
    for person in (*record.participants, *record.mentioned):
        named += (person.name, person.role.value, person.kind.value)
    info = record.info
    details = None
    if info is not None:
        details = [getattr(info, name) for name in _INFO_NAMES]
        details[_TEXT] = bool(info.text)
    date = record.date
    return msgpack.packb((FORMAT, date.year, date.month, date.day, record.date_text, record.title, record.summary,
                          record.notes, record.url, record.summary_partial, named, record.sources, details,
                          derived(record)))


def _unpacked(rid: int, blob: bytes) -> tuple[list[Any], list[Any] | None, tuple]:
    """A row's Record values in its fields' order, its document's (None: no document) with the text still to be
    read when its value is True, and its citation's derived values. Raises Damaged for anything but a row of this
    FORMAT."""
    try:
        (form, year, month, day, date_text, title, summary, notes, url, partial, named, sources,
         details, citation) = msgpack.unpackb(blob, use_list=False)
        if form != FORMAT:
            raise Damaged(f"format {form!r}, not {FORMAT}")
        people: list[Participant] = []
        mentioned: list[Participant] = []
        it = iter(named)
        for name, role, kind in zip(it, it, it, strict=True):
            (mentioned if role == _MENTIONED else people).append(stored_participant(name, role, kind))
        if details is not None and len(details) != len(_INFO_NAMES):
            raise Damaged(f"{len(details)} document details, not {len(_INFO_NAMES)}")
        info = None if details is None else list(details)
        return [rid, stored_date(year, month, day), date_text, title, summary, notes, url, tuple(people), sources,
                partial, tuple(mentioned), info], info, citation  # Record's fields in order
    except Damaged:
        raise
    except (ValueError, TypeError, KeyError, msgpack.UnpackException) as exc:  # msgpack's errors are ValueErrors
        raise Damaged(str(exc) or type(exc).__name__) from None


def read(conn: sqlite3.Connection, ids: Sequence[int]) -> tuple[dict[int, tuple[Record, Citation]], list[int]]:
    """The records of `ids` (at most BATCH) that have a row, with their citations, read inside the caller's read
    transaction, and the ids whose row did not unpack (damaged, or another FORMAT's)."""
    marks = ",".join("?" * len(ids))
    unpacked: list[tuple[list[Any], list[Any] | None, tuple]] = []
    damaged: list[int] = []
    for rid, blob in conn.execute(f"SELECT record_id, packed FROM shown WHERE record_id IN ({marks})", ids):
        try:
            unpacked.append(_unpacked(rid, blob))
        except Damaged as exc:
            damaged.append(rid)
            log.debug("record %d: its shown row is not read (%s)", rid, exc)
    texts = [values[0] for values, info, _ in unpacked if info is not None and info[_TEXT] is True]
    text = dict(conn.execute(f"SELECT record_id, text FROM documents WHERE record_id IN ({','.join('?' * len(texts))})",
                             texts)) if texts else {}
    found: dict[int, tuple[Record, Citation]] = {}
    for values, info, citation in unpacked:
        if info is not None:
            info[_TEXT] = text.get(values[0], "") if info[_TEXT] is True else ""
            values[-1] = make_in_order(DocumentInfo, info)
        record = make_in_order(Record, values)
        try:
            found[record.id] = record, cited(record, citation)
        except (ValueError, TypeError, IndexError) as exc:
            damaged.append(record.id)
            log.debug("record %d: its shown row's citation is not read (%s)", record.id, exc)
    return found, damaged


def by_statements(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Record]:
    """The records of `ids` (at most BATCH) read by the three statements, in any order; missing ids left out."""
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"{RECORD_SELECT} WHERE r.id IN ({marks})", ids).fetchall()
    named = conn.execute(f"{NAMED_SELECT} WHERE record_id IN ({marks}) {NAMED_ORDER}", ids)
    sources = conn.execute(f"{SOURCES_SELECT} WHERE record_id IN ({marks}) {SOURCES_ORDER}", ids)
    return assemble_records(rows, named.fetchall(), sources.fetchall())


@dataclass(frozen=True)
class FillReport:
    """What one `fill` did: rows written, and why it stopped early (None: no record was left without a row)."""

    written: int
    stopped: FillStop | None


class FillStop(StrEnum):
    """Why a fill stopped before every record had its row (it is tried again next time)."""

    BUSY = "busy"  # another connection held the write lock (an ingest): never waited for
    CAPPED = "capped"  # it wrote its `limit`
    READ_ONLY = "read_only"  # this process may not write the file
    CLOSING = "closing"  # the archive was closing
    FAILED = "failed"  # any other SQLite failure: logged, left for next time


# The records without a row, newest changes first (a refresh's few are found at the start of the scan): the
# generation index walked backwards, each id looked up in `shown`; found once per fill, not once per chunk (that was
# quadratic: 322 µs a row at a million). Before it, a fill compares the two tables' counts (9 ms at 100,000): equal,
# it has nothing to do, and their difference bounds the scan. A row left by a record deleted with the triggers set
# aside would hide one missing (read by the statements: never wrong).
_MISSING = "SELECT id FROM records WHERE id NOT IN (SELECT record_id FROM shown) ORDER BY generation DESC LIMIT ?"
_UNFILLED = "SELECT (SELECT count(*) FROM records) - (SELECT count(*) FROM shown)"


def fill(path: Path, limit: int | None = None, closing: threading.Event | None = None,
         damaged: Sequence[int] = ()) -> FillReport:
    """Write the rows of records that have none, and again those of `damaged` (rows a reader could not unpack),
    FILL_CHUNK to a short transaction, `limit` rows at most. A transaction never waits for the write lock: busy, it
    stops quietly (an ingest is running; the next refresh fills the rest). `closing` stops it between chunks.
    Never raises an SQLite error."""
    written = 0
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=0)
    except sqlite3.Error as exc:
        log.warning("%s: shown rows not filled: %s", path, exc)
        return FillReport(0, FillStop.FAILED)
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")  # the counts read pages in place, not copied (3x faster)
        form = conn.execute("SELECT value FROM bot_state WHERE key = ?", (FORMAT_KEY,)).fetchone()
        if damaged or form is None or form[0] != str(FORMAT):
            with _writing(conn):
                _clear_other_format(conn)
                conn.executemany("DELETE FROM shown WHERE record_id = ?", [(rid,) for rid in damaged])
        (unfilled,) = conn.execute(_UNFILLED).fetchone()
        if unfilled <= 0:
            return FillReport(0, None)
        missing = [rid for (rid,) in conn.execute(_MISSING, (unfilled if limit is None else min(unfilled, limit),))]
        for start in range(0, len(missing), FILL_CHUNK):
            if closing is not None and closing.is_set():
                return FillReport(written, FillStop.CLOSING)
            with _writing(conn):  # read inside the write transaction: the rows are of the records as they are
                rows = [(r.id, pack(r)) for at in range(start, min(start + FILL_CHUNK, len(missing)), BATCH)
                        for r in by_statements(conn, missing[at:min(at + BATCH, start + FILL_CHUNK)])]
                conn.executemany("INSERT OR REPLACE INTO shown (record_id, packed) VALUES (?, ?)", rows)
            written += len(rows)
        return FillReport(written, FillStop.CAPPED if limit is not None and unfilled > limit else None)
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == _BUSY:
            return FillReport(written, FillStop.BUSY)
        if code == _READONLY:
            return FillReport(written, FillStop.READ_ONLY)
        log.warning("%s: shown rows not filled: %s", path, exc)
        return FillReport(written, FillStop.FAILED)
    finally:
        conn.close()


@contextmanager
def _writing(conn: sqlite3.Connection) -> Iterator[None]:
    """One short write transaction; BEGIN IMMEDIATE fails at once (busy_timeout 0) while another writer holds the
    lock."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _clear_other_format(conn: sqlite3.Connection) -> None:
    """Rows of another FORMAT deleted, once, when the version changed (they would never be read)."""
    row = conn.execute("SELECT value FROM bot_state WHERE key = ?", (FORMAT_KEY,)).fetchone()
    if row is None or row[0] != str(FORMAT):
        conn.execute("DELETE FROM shown")
        conn.execute("INSERT INTO bot_state (key, value) VALUES (?, ?) "
                     "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (FORMAT_KEY, str(FORMAT)))
