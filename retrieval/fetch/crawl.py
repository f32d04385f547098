"""`archive-bot fetch`: download the site's pages into a mirror folder, then ingest that folder.

The fetcher never parses what a page says: it saves the listing pages (`listing-N.html`) and document pages
(`<slug>/index.html`) exactly as served, and hands the files to the same `Ingester` that `archive-bot ingest`
uses. So a fetch builds the same archive as ingesting the same pages, and the mirror is a folder a user can
ingest again, copy or inspect.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..ingest import Ingester, IngestProgress, IngestReport
from ..people import PeopleDirectory
from ..site import ARCHIVE_URL
from ..store import ArchiveStore
from .frontier import Page, PageState, Run, frontier_for
from .http import DEFAULT_DELAY, FetchError, FetchProblem, Outcome, PoliteClient, Response
from .pages import PageKind, Verdict, document_slug, read_document, read_listing

NOT_THE_ARCHIVE = "not a page of the archive"


@dataclass(frozen=True)
class FetchOptions:
    agent: str  # the User-Agent (http.user_agent)
    mirror: Path
    base_url: str = ARCHIVE_URL
    max_pages: int | None = None
    max_documents: int | None = None
    listings_only: bool = False
    refresh: bool = False
    delay: float = DEFAULT_DELAY


@dataclass
class Counts:
    """What the requests of one kind of page came to in this run."""

    fetched: int = 0  # 200, saved
    unchanged: int = 0  # 304: the saved copy stands
    failed: int = 0  # given up after the tries, or not the archive's page
    disallowed: int = 0  # robots.txt says no

    @property
    def asked(self) -> int:
        return self.fetched + self.unchanged + self.failed


@dataclass(frozen=True)
class FetchProgress:
    kind: PageKind
    done: int  # pages of this kind asked for so far in this process
    total: int | None  # documents to ask for; None while walking the listing (its end is unknown)
    found: int  # documents known to the frontier
    started: float  # time.monotonic() when this kind began


@dataclass
class FetchReport:
    listings: Counts = field(default_factory=Counts)
    documents: Counts = field(default_factory=Counts)
    found: int = 0  # documents new to the frontier in this run
    held: int = 0  # documents already saved, not asked for (no --refresh)
    left: int = 0  # documents left for a later run by --max-documents
    resumed: bool = False  # this run went on from one that was stopped
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    ingest: IngestReport | None = None
    stopped: FetchError | None = None  # why the crawl stopped early; what it saved was still ingested

    @property
    def failed(self) -> bool:
        return self.stopped is not None or bool(self.failures) or bool(self.ingest and self.ingest.failed)


class Crawler:
    def __init__(self, store: ArchiveStore, people: PeopleDirectory, options: FetchOptions,
                 progress: Callable[[FetchProgress], None] | None = None,
                 ingest_progress: Callable[[IngestProgress], None] | None = None) -> None:
        self.store = store
        self.people = people
        self.options = options
        self.progress = progress
        self.ingest_progress = ingest_progress
        self.site = options.base_url.rstrip("/")
        self.frontier = frontier_for(store, self.site)
        self.report = FetchReport()
        self._known = 0

    async def run(self) -> FetchReport:
        """Crawl, then ingest whatever is saved and not yet in the archive (this run's pages and any a stopped
        run left). A problem that stops the crawl before anything was asked for is raised; one that stops it
        later ends the crawl, is kept in `report.stopped`, and what was saved is still ingested."""
        client = PoliteClient(self.site, self.options.delay, self.options.agent)  # checks the URL and delay
        async with client:
            await client.load_robots()
            if not client.allowed(_listing_path(0)):
                raise FetchError(FetchProblem.LISTING_DISALLOWED, client.host)
            run = await self.frontier.start_run()
            self.report.resumed = run.resumed
            try:
                if not run.listing_done:
                    await self._walk_listing(client, run)
                    await self.frontier.listing_done(run)
                if not self.options.listings_only:
                    await self._fetch_documents(client, run)
                await self.frontier.finish_run(run)
            except FetchError as exc:
                if not (self.report.listings.asked or self.report.documents.asked):
                    raise
                self.report.stopped = exc
        self.report.ingest = await self._ingest()
        return self.report

    # -- the listing --------------------------------------------------------------------------------
    async def _walk_listing(self, client: PoliteClient, run: Run) -> None:
        """Page 0, 1, ... until a page with no rows (or --max-pages); pages this run already asked for are
        passed over when it resumes."""
        counts = self.report.listings
        started = time.monotonic()
        number = 0
        while self.options.max_pages is None or number < self.options.max_pages:
            path = _listing_path(number)
            row = await self.frontier.page(path)
            if run.resumed and row is not None and row.run == run.number:
                number += 1
                continue
            if not client.allowed(path):
                counts.disallowed += 1
                await self.frontier.given_up(path, PageKind.LISTING, run, PageState.DISALLOWED, "robots.txt")
                return  # the pages after it cannot be reached in order
            file = f"listing-{number}.html"
            answer = await client.get(path, *self._validators(row, file))
            if answer.outcome is Outcome.FAILED:
                await self._give_up(path, PageKind.LISTING, run, answer.error, counts)
            else:
                body = answer.body if answer.outcome is Outcome.OK else (self.options.mirror / file).read_bytes()
                listing = read_listing(body)
                if listing.verdict is Verdict.FOREIGN:
                    raise FetchError(FetchProblem.FOREIGN, client.host, client.url(path))
                kept = file if listing.slugs else None  # the empty page past the end holds no records
                self.report.found += await self._record(path, PageKind.LISTING, run, answer, kept, counts,
                                                        listing.slugs)
                self._known += len(listing.slugs)
                if not listing.slugs:
                    return
            self._tell(PageKind.LISTING, counts.asked, None, started)
            number += 1

    # -- documents ----------------------------------------------------------------------------------
    async def _fetch_documents(self, client: PoliteClient, run: Run) -> None:
        counts = self.report.documents
        todo: list[Page] = []
        for page in await self.frontier.documents():
            if page.run == run.number:
                continue  # asked for already in this run (it is being resumed)
            if page.state is PageState.DONE and not self.options.refresh and self._has(page.file):
                self.report.held += 1
                continue
            todo.append(page)
        limit = self.options.max_documents
        if limit is not None and len(todo) > limit:
            self.report.left = len(todo) - limit
            todo = todo[:limit]
        started = time.monotonic()
        self._known = max(self._known, len(todo))
        for page in todo:
            slug = document_slug(page.path)
            if slug is None:  # a row this version would not have written: nothing to save it as
                continue
            if not client.allowed(page.path):
                counts.disallowed += 1
                await self.frontier.given_up(page.path, PageKind.DOCUMENT, run, PageState.DISALLOWED, "robots.txt")
                continue
            file = f"{slug}/index.html"
            answer = await client.get(page.path, *self._validators(page, file))
            if answer.outcome is Outcome.FAILED:
                await self._give_up(page.path, PageKind.DOCUMENT, run, answer.error, counts)
            elif answer.outcome is Outcome.OK and read_document(answer.body) is Verdict.FOREIGN:
                await self._give_up(page.path, PageKind.DOCUMENT, run, NOT_THE_ARCHIVE, counts)
            else:
                await self._record(page.path, PageKind.DOCUMENT, run, answer, file, counts)
            self._tell(PageKind.DOCUMENT, counts.asked + counts.disallowed, len(todo), started)

    # -- shared -------------------------------------------------------------------------------------
    def _has(self, file: str | None) -> bool:
        return file is not None and (self.options.mirror / file).is_file()

    def _validators(self, row: Page | None, file: str) -> tuple[str | None, str | None]:
        """A conditional request only when the copy it would keep is still in the mirror."""
        if row is None or row.state is not PageState.DONE or row.file != file or not self._has(file):
            return None, None
        return row.etag, row.last_modified

    async def _record(self, path: str, kind: PageKind, run: Run, answer: Response, file: str | None,
                      counts: Counts, found: tuple[str, ...] = ()) -> int:
        if answer.outcome is Outcome.NOT_MODIFIED:
            counts.unchanged += 1
            return await self.frontier.unchanged(path, run, found)
        if file is not None:
            _save(self.options.mirror / file, answer.body)
        counts.fetched += 1
        return await self.frontier.saved(path, kind, run, file, answer.etag, answer.last_modified, found)

    async def _give_up(self, path: str, kind: PageKind, run: Run, error: str, counts: Counts) -> None:
        counts.failed += 1
        self.report.failures.append((path, error))
        await self.frontier.given_up(path, kind, run, PageState.FAILED, error)

    def _tell(self, kind: PageKind, done: int, total: int | None, started: float) -> None:
        if self.progress is not None:
            self.progress(FetchProgress(kind, done, total, self._known, started))

    # -- ingest -------------------------------------------------------------------------------------
    async def _ingest(self) -> IngestReport | None:
        pages = [p for p in await self.frontier.not_ingested() if self._has(p.file)]
        if not pages:
            return None
        by_file = {(self.options.mirror / str(p.file)).resolve(): p.path for p in pages}
        report = await Ingester(self.store, self.people, self.ingest_progress).ingest(list(by_file))
        # A page ingest could not read is not handed to it again by every run (`archive-bot ingest` the mirror
        # after an upgrade); one the archive could not store, or never got to, is.
        done = [by_file[f.path.resolve()] for f in report.files
                if f.path != report.stopped_at and f.path.resolve() in by_file]
        await self.frontier.mark_ingested(done)
        return report


def _listing_path(number: int) -> str:
    return f"/search?page={number}"


def _save(path: Path, body: bytes) -> None:
    """Whole or not at all: a crash never leaves half a page in the mirror (the part file is hidden from ingest)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    part.write_bytes(body)
    os.replace(part, path)
