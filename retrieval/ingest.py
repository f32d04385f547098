"""Files -> parse -> participants -> store, one transaction per file, and a report of what happened.

A small file is parsed, and its participants found, in a worker thread a batch at a time, so a bot that ingests
while serving keeps answering. A large one is parsed in a process of its own, which streams keyed batches in file
order (with the reader's layout, cut-off and repair counts at the end), and its participants, most of an ingest's
work, are found in worker processes (one per core): this process only plans and writes. A record whose
participants were found from the same text before (`people_input`) is given the stored ones. A file that fails,
or Ctrl-C, leaves the archive exactly as it was.
"""
from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import multiprocessing
import os
import re
import signal
import stat
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field
from itertools import islice, starmap
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Protocol

from .frozen import make_in_order
from .identity import Incoming, OccurrenceCounter, UpsertCounts, record_key
from .parse import PageReader, open_page
from .parse.html import looks_like_html
from .people import PeopleDirectory
from .people.directory import ParticipantRow
from .records import DocumentInfo, PageError, Participant, RawRecord, Repair
from .reroles import ROLES_VERSION, carry_roles_forward
from .store import ArchiveStore, StoreError, stored_date, stored_participant

log = logging.getLogger(__name__)

PAGE_SUFFIXES = {".txt", ".text", ".htm", ".html", ".xhtml"}
BATCH = 500
# A file this large has its participants found in worker processes, one per core: found in this process, they
# take most of an ingest's time. Smaller files (and tests) do without the workers' start-up (about a second).
POOL_BYTES = 1_000_000
WORKERS = min(os.cpu_count() or 1, 4)
RECORD_BYTES = 350  # a listing file's bytes per record, about: how many records a file brings (at most)
PARSER_NAME = "archive-bot parse"  # the process a large file is parsed in
# An ingest makes and drops some tens of tuples and lists a record, nearly none in a cycle: the cycle collector,
# run after every 700 more allocations than frees (Python's default), freed nothing and cost this process ~11,000
# instructions a new record, ~5 % (bench/ingest_instructions.py). While an ingest runs it waits for this many.
GC_ALLOCATIONS = 50_000

Progress = Callable[["IngestProgress"], None]


@dataclass
class FileResult:
    path: Path
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    records: int = 0
    layout: str = ""
    truncated: bool = False
    dropped: int = 0
    error: str | None = None
    repairs: tuple[Repair, ...] = ()  # what was mended or flagged rather than refused (bytes, dates, caps)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    not_read: list[Path] = field(default_factory=list)  # files left alone once the archive could not be written
    stopped_at: Path | None = None  # the file whose write failed (StoreError): it was read, but not stored

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if not f.ok]

    @property
    def totals(self) -> UpsertCounts:
        total = UpsertCounts()
        for f in self.files:
            if f.ok:
                total.add(f.counts)
        return total

    def summary_line(self) -> str:
        t = self.totals
        read = len(self.files) - len(self.failed)
        return (
            f"{read} file{'s' if read != 1 else ''} read: {t.new} new, {t.updated} updated, "
            f"{t.unchanged} unchanged; {len(self.failed)} failed" + (f"; {len(self.not_read)} not read"
                                                                     if self.not_read else "")
        )


@dataclass
class IngestProgress:
    file_index: int
    file_count: int
    path: Path
    records: int  # records read so far in this file
    bytes_done: int
    bytes_total: int


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """Files as named, and the listing-like files inside folders; what cannot be read (missing paths,
    unreadable folders, pipes and devices, which would block a reader) comes back as failures."""
    found: list[Path] = []
    failures: list[FileResult] = []
    for item in paths:
        path = Path(item)
        try:
            mode = path.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            failures.append(FileResult(path, error="no such file or folder"))
            continue
        except PermissionError:
            failures.append(FileResult(path, error="cannot be reached (permission denied on a folder in its path)"))
            continue
        except OSError as exc:
            failures.append(FileResult(path, error=f"cannot be read ({exc.strerror or exc})"))
            continue
        if stat.S_ISDIR(mode):
            found.extend(_listing_files(path, failures))
        elif stat.S_ISREG(mode):
            found.append(path)
        else:
            failures.append(FileResult(path, error="not a regular file (a pipe, socket or device); skipped"))
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique, failures


def _listing_files(folder: Path, failures: list[FileResult]) -> list[Path]:
    """The page files under `folder` in path order, hidden ones left out; a folder inside that cannot be
    listed is a failure, not silently nothing."""
    def unreadable(exc: OSError) -> None:
        reason = (exc.strerror or str(exc)).lower()
        failures.append(FileResult(Path(exc.filename or folder), error=f"folder cannot be read ({reason})"))

    files: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend(p for p in (Path(root, name) for name in names if not name.startswith("."))
                     if (p.suffix.lower() in PAGE_SUFFIXES or _mirror_page(p)) and p.is_file())
    return sorted(files)


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _mirror_page(path: Path) -> bool:
    """A mirror's page saved under its slug with no extension ('cable-filippov-stalin-cde-mao-zedong'): a
    slug-shaped name whose content starts as HTML. README, LICENSE and Makefile are not slugs; a slug-named
    file of another kind is not HTML."""
    if not _SLUG.fullmatch(path.name):
        return False
    try:
        with path.open("rb") as fh:
            head = fh.read(2048)
    except OSError:
        return True  # a page that cannot be read is reported as a failure, not silently skipped
    return looks_like_html(head.decode("utf-8", errors="replace"))


class Ingester:
    def __init__(self, store: ArchiveStore, people: PeopleDirectory, progress: Progress | None = None) -> None:
        self.store = store
        self.people = people
        self.progress = progress
        self._pool: ProcessPoolExecutor | None = None

    async def ingest(self, paths: Iterable[str | Path]) -> IngestReport:
        """Each file whole or not at all; an archive that cannot be written stops the ingest (the files
        before are kept, the rest are left for another run)."""
        files, failures = expand_paths(paths)
        report = IngestReport(files=list(failures))
        try:
            with _rare_collections():
                for index, path in enumerate(files):
                    try:
                        if index == 0:  # records stored before get today's roles too (a new archive at once)
                            await carry_roles_forward(self.store, self.people)
                        report.files.append(await self.ingest_file(path, index, len(files)))
                    except StoreError as exc:
                        log.warning("%s: %s", path, exc)
                        report.files.append(FileResult(path, error=str(exc)))
                        report.not_read = files[index + 1:]
                        report.stopped_at = path
                        break
        finally:  # Ctrl-C included: the workers finish the batch in hand and exit
            self._stop_pool()
        return report

    def _stop_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def ingest_file(self, path: Path, index: int = 0, count: int = 1) -> FileResult:
        """One file in one transaction; raises StoreError when the archive cannot be written."""
        result = FileResult(path)
        source = str(path.resolve())
        try:
            before = _identity(path)
            reader = await asyncio.to_thread(open_page, path)
            async with self.store.transaction():  # waits its turn, bounded by the store's write_wait
                # A new archive holds only this file's records: their base keys are known here, and their
                # participants are those they would be found again (the same texts, people file and rules): none
                # are looked up
                held = None if await self.store.has_records() else _Written()
                parse, resolve = self._pipeline(reader)  # started once the turn came: _batches stops it
                async with (aclosing(_batches(parse, resolve, self.store if held is None else None)) as batches,
                            self.store.ingesting(reader.size // RECORD_BYTES)):
                    async for batch in batches:
                        result.counts.add(await self.store.upsert(batch, source, held))
                        if held is not None:
                            held.add(batch)
                        result.records += len(batch)
                        self._report(index, count, path, result.records, parse.bytes_read(), reader.size)
                if _identity(path) != before:  # truncated or rewritten under us: what was read is not the file
                    raise PageError("changed while being read (another program wrote to it): nothing stored; "
                                    "ingest it again")
            result.layout, result.truncated, result.dropped = reader.layout, reader.truncated, reader.dropped
            result.repairs = reader.repairs()
        except PageError as exc:
            result.counts = UpsertCounts()
            result.error = str(exc)
        except OSError as exc:
            result.counts = UpsertCounts()
            result.error = f"cannot be read ({exc.strerror or exc})"
        except BrokenExecutor:  # killed, or out of memory: the next large file starts new ones
            self._stop_pool()
            result.counts = UpsertCounts()
            result.error = "a worker process parsing it or finding participants stopped (killed, or out of memory): "\
                "nothing stored; ingest it again"
        if result.error:
            log.warning("%s: %s", path, result.error)
        return result

    def _pipeline(self, reader: PageReader) -> tuple[Parse, Resolve]:
        """A small file is parsed, and its participants found, in threads of this process; a large one is parsed
        in a process of its own and its participants found in worker processes (one per core, started on the
        first such file), so this process only plans and writes: finding participants is most of an ingest's
        work, and parsing most of what is left once it is elsewhere."""
        fingerprint = self.people.fingerprint
        if reader.size < POOL_BYTES or WORKERS < 2:
            return _ThreadParse(reader, fingerprint), _Local(self.people)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker, initargs=(self.people,))
        return _ChildParse(reader, fingerprint), _Pooled(self._pool)

    def _report(self, index: int, count: int, path: Path, records: int, done: int, size: int) -> None:
        if self.progress is not None:
            self.progress(IngestProgress(index, count, path, records, done, size))


class _Written:
    """The base keys a file's batches wrote into a new archive: all it has rows under. Kept as bits of their hashes
    in a bitmap of fixed size (2 MiB, however large the file: a set of 100,000 hashes took 8): a key whose bit
    another key set costs that key a lookup, nothing else (~1 % of a 100,000-record file's, ~6 % of a million's)."""

    BITS = 1 << 24

    def __init__(self) -> None:
        self._bits = bytearray(self.BITS >> 3)

    def add(self, batch: Iterable[Incoming]) -> None:
        bits, mask = self._bits, self.BITS - 1
        for item in batch:
            bit = hash(item.base_key) & mask
            bits[bit >> 3] |= 1 << (bit & 7)

    def __contains__(self, base: object) -> bool:
        bit = hash(base) & (self.BITS - 1)
        return bool(self._bits[bit >> 3] >> (bit & 7) & 1)


# What a batch of parsed records' participants come back as from resolving: (name, role, kind) per participant.
Found = list[tuple[ParticipantRow, ...]]
# What a record's participants are found from: its title, its summary and the authors its own page lists. Sent
# to a worker as plain tuples, which cross between processes ten times cheaper than `RawRecord`s.
Texts = tuple[str, str, tuple[str, ...]]


@contextmanager
def _rare_collections() -> Iterator[None]:
    """The cycle collector run every GC_ALLOCATIONS while an ingest runs; the process's own setting after."""
    before = gc.get_threshold()
    gc.set_threshold(GC_ALLOCATIONS, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def texts_of(raw: RawRecord) -> Texts:
    return raw.title, raw.summary, raw.info.authors if raw.info is not None else ()


class Resolve(Protocol):
    ahead: int  # batches resolved while the one before is written

    def submit(self, texts: list[Texts]) -> asyncio.Future[Found]:
        """The participants found from `texts`, in their order, resolved while the caller goes on."""


@dataclass
class _Local:
    people: PeopleDirectory
    ahead: int = 1

    def submit(self, texts: list[Texts]) -> asyncio.Future[Found]:
        return asyncio.ensure_future(asyncio.to_thread(_resolve, self.people, texts))


@dataclass
class _Pooled:
    pool: ProcessPoolExecutor
    ahead: int = 2 * WORKERS

    def submit(self, texts: list[Texts]) -> asyncio.Future[Found]:
        # A worker is started by the submit that needs it
        with _no_ctrl_c():
            return asyncio.wrap_future(self.pool.submit(_resolve_in_worker, texts))


@contextmanager
def _no_ctrl_c() -> Iterator[None]:
    """A process started inside inherits this thread's signal mask: with Ctrl-C blocked it cannot die of one
    while it starts (a terminal sends it to every process of the command); once started it ignores it."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


_worker_people: PeopleDirectory | None = None


def _start_worker(people: PeopleDirectory) -> None:
    """A worker's start: the directory arrives once; Ctrl-C is the parent's to handle (it stops the pool), and
    the one a worker got while it started is dropped."""
    global _worker_people
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    people.for_bulk()
    _worker_people = people


def _resolve_in_worker(texts: list[Texts]) -> Found:
    assert _worker_people is not None, "started by _start_worker"
    return _resolve(_worker_people, texts)


def _resolve(people: PeopleDirectory, texts: list[Texts]) -> Found:
    """Plain tuples, which cross between processes several times faster than Participant objects."""
    return [people.participant_rows(*found_from) for found_from in texts]


def people_input(fingerprint: bytes, raw: RawRecord) -> bytes:
    """A digest of all that a record's participants are found from: its title, summary and authors, the people
    file (its `fingerprint`) and the rules' version. The same digest, the same participants."""
    title, summary, authors = texts_of(raw)
    text = "\0".join((str(ROLES_VERSION), title, summary, *authors)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=16, key=fingerprint).digest()


# A parsed record with what is computed where it was parsed, from it and the file's records before it: its base
# key (`record_key`), its `people_input` and its occurrence (`OccurrenceCounter`).
Keyed = tuple[RawRecord, str, bytes, int]


def _take(records: Iterator[RawRecord], fingerprint: bytes, occurrences: OccurrenceCounter) -> list[Keyed]:
    """The next batch of records, keyed and numbered; empty at the end."""
    return [(raw, key, people_input(fingerprint, raw), occurrences.number(key, raw.summary))
            for raw in islice(records, BATCH) for key in (record_key(raw.title, raw.date),)]


class Parse(Protocol):
    """Where a file's records are parsed: `take` gives them a batch at a time, in order, and an empty batch at
    the end, when the reader's layout, truncation, dropped count and repairs are final."""

    async def take(self) -> list[Keyed]: ...

    def bytes_read(self) -> int: ...

    async def close(self) -> None:
        """No longer wanted: nothing reads the file once this returns."""


@dataclass
class _ThreadParse:
    reader: PageReader
    fingerprint: bytes
    records: Iterator[RawRecord] = field(init=False)
    occurrences: OccurrenceCounter = field(init=False, default_factory=OccurrenceCounter)

    def __post_init__(self) -> None:
        self.records = self.reader.records()

    async def take(self) -> list[Keyed]:
        return await asyncio.to_thread(_take, self.records, self.fingerprint, self.occurrences)

    def bytes_read(self) -> int:
        return self.reader.bytes_read()

    async def close(self) -> None:
        return None  # the caller waits for the `take` in hand; nothing reads after it


# What a record crosses from the parsing process as: plain tuples, several times cheaper than RawRecords.
_Wire = tuple[str, int | None, int | None, int | None, str, str, tuple[str, ...], str | None, bool, bool, bool,
              DocumentInfo | None, str, bytes, int]


class _ChildParse:
    """A large file parsed in a process of its own (spawned, like the workers), which streams keyed batches
    down a pipe (it waits while the pipe is full: memory stays bounded) and, at the end, the reader's
    results; an exception it raises (PageError, OSError) is raised here, and a child killed is BrokenExecutor."""

    def __init__(self, reader: PageReader, fingerprint: bytes) -> None:
        self.reader = reader
        context = multiprocessing.get_context("spawn")
        self._pipe, send = context.Pipe(duplex=False)
        self._child = context.Process(target=_parse_in_child, args=(reader, fingerprint, send), daemon=True,
                                      name=PARSER_NAME)
        with _no_ctrl_c():
            self._child.start()
        send.close()  # this end is the child's: once it exits, reading the pipe ends (EOFError)
        self._done = 0

    async def take(self) -> list[Keyed]:
        return await asyncio.to_thread(self._receive)

    def _receive(self) -> list[Keyed]:
        try:
            message = self._pipe.recv()
        except (EOFError, OSError):  # gone, perhaps in the middle of a message
            raise BrokenProcessPool("the process parsing the file stopped") from None
        if isinstance(message, BaseException):
            raise message
        if isinstance(message, PageReader):  # the end: the reader as the child left it
            for name in ("layout", "truncated", "dropped", "count", "flagged", "decoding"):
                setattr(self.reader, name, getattr(message, name))
            return []
        wire: list[_Wire]
        wire, self._done = message
        # made as `frozen.make_in_order` makes them: half the time of RawRecord(...)'s frozen fields, set one by one
        return [(make_in_order(RawRecord, (date_text, stored_date(year, month, day), title, summary, notes, url,
                                           partial, impossible, cut, info)), key, digest, occurrence)
                for (date_text, year, month, day, title, summary, notes, url, partial, impossible, cut, info, key,
                     digest, occurrence) in wire]

    def bytes_read(self) -> int:
        return self._done

    async def close(self) -> None:
        if self._child.is_alive():
            self._child.kill()
        await asyncio.to_thread(self._child.join)
        self._pipe.close()


def _parse_in_child(reader: PageReader, fingerprint: bytes, pipe: Connection) -> None:
    """The parsing process: keyed batches as `_Wire` tuples with how far into the file they go, then the reader
    (its results final), or the exception that stopped it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        records, occurrences = reader.records(), OccurrenceCounter()
        while batch := _take(records, fingerprint, occurrences):
            pipe.send(([(raw.date_text, raw.date.year, raw.date.month, raw.date.day, raw.title, raw.summary,
                         raw.notes, raw.url, raw.summary_partial, raw.day_impossible, raw.fields_cut, raw.info,
                         key, digest, occurrence) for raw, key, digest, occurrence in batch], reader.bytes_read()))
        pipe.send(reader)
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it as a parse in a thread would
        pipe.send(exc)
    finally:
        pipe.close()


async def _batches(parse: Parse, resolve: Resolve,
                   known: ArchiveStore | None) -> AsyncGenerator[list[Incoming], None]:
    """The file's records a batch at a time, in order, with their participants (those `known` has stored for
    the same texts, else found): the next batches are parsed and resolved while the caller writes this one.
    When the caller stops (a failed write, Ctrl-C), nothing reads the file any more once this returns."""
    pending: deque[tuple[list[Keyed], dict[bytes, tuple[Participant, ...]], asyncio.Future[Found]]] = deque()
    reading: asyncio.Future[list[Keyed]] | None = asyncio.ensure_future(parse.take())
    try:
        while True:
            while reading is not None and len(pending) <= resolve.ahead:
                keyed = await reading
                reading = asyncio.ensure_future(parse.take()) if keyed else None
                if keyed:
                    # a file ingested again: most are stored
                    stored = ({} if known is None else
                              await known.participants_found_from([digest for _, _, digest, _ in keyed]))
                    wanted = [texts_of(raw) for raw, _, digest, _ in keyed if digest not in stored]
                    # none wanted (a file ingested again): no worker is asked, or started
                    pending.append((keyed, stored, resolve.submit(wanted) if wanted else _found_none()))
            if not pending:
                return
            keyed, stored, resolving = pending.popleft()
            found = iter(await resolving)
            batch = []
            for raw, key, digest, occurrence in keyed:
                named = stored.get(digest)
                if named is None:
                    named = tuple(starmap(stored_participant, next(found)))
                batch.append(Incoming(raw, named, occurrence, digest, key))
            yield batch
    finally:  # a parse still reading the file is stopped and waited for; what is being resolved is no longer wanted
        resolving_left = [future for *_, future in pending]
        for future in resolving_left:
            future.cancel()
        await parse.close()
        left: list[asyncio.Future[Found] | asyncio.Future[list[Keyed]]] = [*resolving_left]
        if reading is not None:
            left.append(reading)
        if left:
            await asyncio.wait(left)
        for done in left:
            if not done.cancelled():
                done.exception()  # retrieved: a read that failed after a write failed is not news


def _found_none() -> asyncio.Future[Found]:
    done: asyncio.Future[Found] = asyncio.get_running_loop().create_future()
    done.set_result([])
    return done


def _identity(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


async def ingest_if_empty(store: ArchiveStore, people: PeopleDirectory, seeds: Path) -> IngestReport | None:
    """First start: an empty archive gets the bundled seed pages, so a new user sees answers at once.

    An archive that looks empty may be being filled by another process right now: its emptiness is checked
    again once that writer is done (waiting for it as any writer does), so the seeds do not go in beside it.
    """
    if await store.count() > 0 or not seeds.is_dir():
        return None
    async with store.transaction():
        empty = await store.count() == 0
    return await Ingester(store, people).ingest([seeds]) if empty else None
