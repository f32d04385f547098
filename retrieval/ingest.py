"""Files -> parse -> participants -> store, one transaction per file, and a report of what happened.

Parsing and name resolution are CPU work done in a worker thread a batch at a time, so a bot that
ingests while serving keeps answering; a file that fails leaves the archive exactly as it was.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path

from .identity import Incoming, OccurrenceCounter, UpsertCounts
from .parse import PageReader, open_page
from .people import PeopleDirectory
from .records import PageError, RawRecord, Repair
from .store import ArchiveStore

log = logging.getLogger(__name__)

PAGE_SUFFIXES = {".txt", ".text", ".htm", ".html", ".xhtml"}
BATCH = 500

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
            f"{t.unchanged} unchanged; {len(self.failed)} failed"
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
    """Files as named, and the listing-like files inside folders; missing paths come back as failures."""
    found: list[Path] = []
    missing: list[FileResult] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            found.append(path)
        else:
            missing.append(FileResult(path, error="no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique, missing


class Ingester:
    def __init__(self, store: ArchiveStore, people: PeopleDirectory, progress: Progress | None = None) -> None:
        self.store = store
        self.people = people
        self.progress = progress

    async def ingest(self, paths: Iterable[str | Path]) -> IngestReport:
        files, missing = expand_paths(paths)
        report = IngestReport(files=list(missing))
        for index, path in enumerate(files):
            report.files.append(await self.ingest_file(path, index, len(files)))
        return report

    async def ingest_file(self, path: Path, index: int = 0, count: int = 1) -> FileResult:
        result = FileResult(path)
        source = str(path.resolve())
        try:
            reader = await asyncio.to_thread(open_page, path)
            records = reader.records()
            occurrences = OccurrenceCounter()
            async with self.store.transaction():
                while True:
                    batch = await asyncio.to_thread(self._next_batch, records, occurrences)
                    if not batch:
                        break
                    result.counts.add(await self.store.upsert(batch, source))
                    result.records += len(batch)
                    self._report(index, count, path, result.records, reader)
            result.layout, result.truncated, result.dropped = reader.layout, reader.truncated, reader.dropped
            result.repairs = reader.repairs()
        except PageError as exc:
            result.counts = UpsertCounts()
            result.error = str(exc)
        except OSError as exc:
            result.counts = UpsertCounts()
            result.error = f"cannot be read ({exc.strerror or exc})"
        if result.error:
            log.warning("%s: %s", path, result.error)
        return result

    def _next_batch(self, records: Iterator[RawRecord], occurrences: OccurrenceCounter) -> list[Incoming]:
        batch = []
        for raw in islice(records, BATCH):
            item = Incoming(raw, tuple(self.people.participants(raw.title, raw.summary)))
            batch.append(replace(item, occurrence=occurrences.number(item.base_key, raw.summary)))
        return batch

    def _report(self, index: int, count: int, path: Path, records: int, reader: PageReader) -> None:
        if self.progress is None:
            return
        self.progress(IngestProgress(index, count, path, records, reader.bytes_read(), reader.size))


async def ingest_if_empty(store: ArchiveStore, people: PeopleDirectory, seeds: Path) -> IngestReport | None:
    """First start: an empty archive gets the bundled seed pages, so a new user sees answers at once."""
    if await store.count() > 0 or not seeds.is_dir():
        return None
    return await Ingester(store, people).ingest([seeds])
