"""Synchronous, read-only access to the archive for the worker threads: the records a reply shows, read by id
when it is shown (the index holds none), and the records the index is built from, streamed.

Each thread gets its own sqlite3 connection (a connection is not shared between threads); in WAL mode readers
never wait for the writer and each read transaction sees one committed state.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import shown
from .cite import Citation, cite
from .records import Participant, Record, Role
from .store import BATCH, MMAP_BYTES, NAMED_ORDER, NAMED_SELECT, stored_date, stored_participant

log = logging.getLogger(__name__)

CHUNK = 5000  # records per read when streaming the archive
# shown rows a refresh writes at most (a delta's few, usually; 2,000: ~0.1 s of a worker thread); `prepare_index` all
FILL_PER_REFRESH = 2_000


class ReaderClosed(RuntimeError):
    """The archive was closed while a thread still read it (the bot stopping during a cold start)."""


@dataclass(frozen=True)
class ArchiveState:
    """What the index is built against: the archive's id, its change generation, its number of records."""

    archive: str
    generation: int
    records: int


class RecordReader:
    """Records by id, for one archive file; safe to use from any number of threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._busy: set[sqlite3.Connection] = set()  # inside `reading` on some thread
        self._lock = threading.Lock()
        self.closing = threading.Event()  # set by `close`: a stream of the whole archive stops at its next chunk
        self._damaged: set[int] = set()  # records whose shown row did not unpack: the next fill writes them again

    def _conn(self) -> sqlite3.Connection:
        if self.closing.is_set():
            raise ReaderClosed(f"{self.path}: the archive was closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            # pages read straight from the OS's cache of the file, not copied in by a system call each
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection; one that a thread is reading with (an index build that outlived the archive's
        task) is interrupted and closed by that thread on its way out: closing it under the thread crashed the
        process."""
        self.closing.set()
        with self._lock:
            for conn in self._opened:
                if conn in self._busy:
                    conn.interrupt()
                else:
                    conn.close()
            self._opened = [conn for conn in self._opened if conn in self._busy]

    def records(self, ids: Sequence[int]) -> list[Record]:
        """The records with these ids, in this order; ids no longer stored are left out. Each is read from its shown
        row (retrieval/shown.py), or by the three statements when it has none (or a damaged one), in one read
        transaction."""
        found = self._read(ids)
        return [found[i][0] for i in ids if i in found]

    def cited(self, ids: Sequence[int]) -> list[tuple[Record, Citation]]:
        """`records(ids)` with their citations: a shown row's, else cited as the record is read."""
        found = self._read(ids)
        return [(record, cite(record) if citation is None else citation)
                for record, citation in (found[i] for i in ids if i in found)]

    def _read(self, ids: Sequence[int]) -> dict[int, tuple[Record, Citation | None]]:
        """Each record of `ids` with its row's citation (None: read by the statements)."""
        found: dict[int, tuple[Record, Citation | None]] = {}
        unique = list(dict.fromkeys(ids))
        with self.reading() as conn:
            for start in range(0, len(unique), BATCH):
                chunk = unique[start:start + BATCH]
                packed, damaged = shown.read(conn, chunk)
                found.update(packed)
                if damaged:
                    with self._lock:
                        first, self._damaged = not self._damaged, self._damaged | set(damaged)
                    if first:  # once until a fill has written them again
                        log.warning("%s: shown rows that do not unpack (records %s): read by their statements",
                                    self.path, damaged[:5])
                if len(packed) < len(chunk):
                    found.update((r.id, (r, None))
                                 for r in shown.by_statements(conn, [i for i in chunk if i not in packed]))
        return found

    def fill(self, limit: int | None = None) -> shown.FillReport:
        """Rows written for the records that have none (`shown.fill`): never waits for a writer, never raises."""
        with self._lock:
            damaged = sorted(self._damaged)
        report = shown.fill(self.path, limit, self.closing, damaged)
        if report.written:  # its first transaction, which deleted the damaged rows, committed
            with self._lock:
                self._damaged -= set(damaged)
            log.info("%s: %d shown rows written%s", self.path, report.written,
                     f" ({report.stopped})" if report.stopped else "")
        return report

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: everything read inside it is one committed state of the archive."""
        conn = self._conn()
        with self._lock:
            self._busy.add(conn)
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:  # an interrupted statement may have ended it
                    conn.execute("COMMIT")
        finally:
            with self._lock:
                self._busy.discard(conn)
                if self.closing.is_set() and conn in self._opened:
                    self._opened.remove(conn)
                    conn.close()

    @staticmethod
    def state(conn: sqlite3.Connection) -> ArchiveState:
        archive, generation = conn.execute("SELECT archive, value FROM generation").fetchone()
        (count,) = conn.execute("SELECT COUNT(*) FROM records").fetchone()
        return ArchiveState(str(archive), int(generation), int(count))

    @staticmethod
    def changed_ids(conn: sqlite3.Connection, after_generation: int) -> list[int]:
        """The ids of the records stamped after `after_generation`, in order (by the generation's index)."""
        return sorted(rid for (rid,) in conn.execute("SELECT id FROM records WHERE generation > ?",
                                                     (after_generation,)))

    @staticmethod
    def indexed(conn: sqlite3.Connection, after_generation: int | None = None,
                stop: threading.Event | None = None) -> Iterator[Record]:
        """What the index sees of every record (or of those stamped after `after_generation`), in id order:
        dates, title, summary and the people named; not the notes, sources or page details it never reads."""
        if after_generation is None:
            last = -(2**63)
            while True:
                if stop is not None and stop.is_set():
                    raise ReaderClosed("the archive was closed while its index was being built")
                rows = conn.execute(f"{_INDEXED} WHERE id > ? ORDER BY id LIMIT ?", (last, CHUNK)).fetchall()
                if not rows:
                    return
                last = rows[-1][0]
                yield from _indexed(conn, rows, "record_id BETWEEN ? AND ?", (rows[0][0], last))
        else:  # the few changed: found by the generation's index, read by id
            ids = RecordReader.changed_ids(conn, after_generation)
            for start in range(0, len(ids), BATCH):
                chunk = ids[start:start + BATCH]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(f"{_INDEXED} WHERE id IN ({marks}) ORDER BY id", chunk).fetchall()
                yield from _indexed(conn, rows, f"record_id IN ({marks})", chunk)


_INDEXED = "SELECT id, year, month, day, title, summary FROM records"


def _indexed(conn: sqlite3.Connection, rows: list[tuple], where: str, params: Sequence[int]) -> Iterator[Record]:
    people: dict[int, list[Participant]] = {}
    mentioned: dict[int, list[Participant]] = {}
    for rid, name, role, kind in conn.execute(f"{NAMED_SELECT} WHERE {where} {NAMED_ORDER}", params):
        person = stored_participant(name, role, kind)
        (mentioned if person.role is Role.MENTIONED else people).setdefault(rid, []).append(person)
    for rid, year, month, day, title, summary in rows:
        yield Record(id=rid, date=stored_date(year, month, day), date_text="", title=title, summary=summary,
                     participants=tuple(people.get(rid, ())), mentioned=tuple(mentioned.get(rid, ())))
