"""The crawl's frontier in the archive's database (table `fetch_pages`, store.py's fetch migration and pg.py's
archive migration; the run in `bot_state`). Every SQL statement of the fetcher lives here: the runs are kept
through the store's interface, the pages by one small class per database (`frontier_for` picks it).

A run is numbered. Each page's row says what the last run that asked for it got, so a run that was stopped
(Ctrl-C, a crash, a challenge) is resumed under its own number: what it already asked for is not asked again,
and a finished run's successor asks again only for what may have changed (conditionally) or is new.
"""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from ..pgstore import PostgresArchiveStore
from ..store import ArchiveStore, SqliteArchiveStore
from .pages import PageKind

RUN_KEY = "fetch.run {site}"  # key-value state: the site's crawl run (its number, and whether it is open)


class PageState(StrEnum):
    PENDING = "pending"  # found, never fetched
    DONE = "done"  # fetched (saved under `file` when it had content to keep)
    FAILED = "failed"  # given up on in run `run`: asked for again by the next run
    DISALLOWED = "disallowed"  # robots.txt said no in run `run`


@dataclass(frozen=True)
class Page:
    path: str
    kind: PageKind
    state: PageState
    file: str | None
    etag: str | None
    last_modified: str | None
    run: int


@dataclass(frozen=True)
class Run:
    """A crawl run: `resumed` when an earlier process stopped inside it; `listing_done` once its walk ended."""

    number: int
    resumed: bool
    listing_done: bool


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def frontier_for(store: ArchiveStore, site: str) -> Frontier:
    """The frontier of `site` in `store`'s database."""
    if isinstance(store, PostgresArchiveStore):
        return PostgresFrontier(store, site)
    assert isinstance(store, SqliteArchiveStore)
    return SqliteFrontier(store, site)


class Frontier(ABC):
    def __init__(self, store: ArchiveStore, site: str) -> None:
        self.store = store
        self.site = site
        self._run_key = RUN_KEY.format(site=site)

    # -- runs --------------------------------------------------------------------------------------
    async def start_run(self) -> Run:
        """The open run of this site if one was stopped, else a new one."""
        async with self.store.transaction():
            state = json.loads(await self.store.get_state(self._run_key) or '{"run": 0, "open": false}')
            if state["open"]:
                return Run(int(state["run"]), True, bool(state.get("listing_done")))
            run = Run(int(state["run"]) + 1, False, False)
            await self._put_run(run, is_open=True)
        return run

    async def listing_done(self, run: Run) -> None:
        async with self.store.transaction():
            await self._put_run(Run(run.number, run.resumed, True), is_open=True)

    async def finish_run(self, run: Run) -> None:
        async with self.store.transaction():
            await self._put_run(run, is_open=False)

    async def _put_run(self, run: Run, is_open: bool) -> None:
        await self.store.put_state(self._run_key, json.dumps(
            {"run": run.number, "open": is_open, "listing_done": run.listing_done}))

    # -- pages -------------------------------------------------------------------------------------
    async def saved(self, path: str, kind: PageKind, run: Run, file: str | None, etag: str | None,
                    last_modified: str | None, found: Sequence[str] = ()) -> int:
        """A page fetched (and saved under `file`), with the documents it links; how many of those are new."""
        async with self.store.transaction():
            await self._saved(path, kind, run, file, etag, last_modified)
            return await self._add_documents(found)

    async def unchanged(self, path: str, run: Run, found: Sequence[str] = ()) -> int:
        """A 304: the saved copy stands; the documents it links are (re)added."""
        async with self.store.transaction():
            await self._unchanged(path, run)
            return await self._add_documents(found)

    async def given_up(self, path: str, kind: PageKind, run: Run, state: PageState, error: str) -> None:
        """Failed or disallowed in this run; a page fetched before keeps its saved copy and validators."""
        async with self.store.transaction():
            await self._given_up(path, kind, run, state, error)

    async def mark_ingested(self, paths: Sequence[str]) -> None:
        async with self.store.transaction():
            await self._mark_ingested(paths)

    @abstractmethod
    async def page(self, path: str) -> Page | None: ...

    @abstractmethod
    async def documents(self) -> list[Page]:
        """Every document of this site, in the order they were found."""

    @abstractmethod
    async def not_ingested(self) -> list[Page]:
        """Saved pages whose copy is not in the archive yet: listing pages first, then documents as found."""

    @abstractmethod
    async def _saved(self, path: str, kind: PageKind, run: Run, file: str | None, etag: str | None,
                     last_modified: str | None) -> None: ...

    @abstractmethod
    async def _unchanged(self, path: str, run: Run) -> None: ...

    @abstractmethod
    async def _given_up(self, path: str, kind: PageKind, run: Run, state: PageState, error: str) -> None: ...

    @abstractmethod
    async def _add_documents(self, slugs: Iterable[str]) -> int:
        """Documents found, added as pending unless known; how many were new."""

    @abstractmethod
    async def _mark_ingested(self, paths: Sequence[str]) -> None: ...


class SqliteFrontier(Frontier):
    def __init__(self, store: SqliteArchiveStore, site: str) -> None:
        super().__init__(store, site)
        self.conn = store.conn

    async def page(self, path: str) -> Page | None:
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM fetch_pages WHERE site = ? AND path = ?", (self.site, path)
        ) as cur:
            row = await cur.fetchone()
        return None if row is None else _page(row)

    async def documents(self) -> list[Page]:
        async with self.conn.execute(
            f"SELECT {_COLUMNS} FROM fetch_pages WHERE site = ? AND kind = 'document' ORDER BY rowid", (self.site,)
        ) as cur:
            return [_page(row) async for row in cur]

    async def _saved(self, path: str, kind: PageKind, run: Run, file: str | None, etag: str | None,
                     last_modified: str | None) -> None:
        await self.conn.execute(
            f"{_SAVED} VALUES (?, ?, ?, 'done', ?, ?, ?, ?, 0, 0, NULL, ?) {_SAVED_CONFLICT}",
            (self.site, path, kind, file, etag, last_modified, run.number, _now()),
        )

    async def _unchanged(self, path: str, run: Run) -> None:
        await self.conn.execute(
            "UPDATE fetch_pages SET run = ?, attempts = 0, error = NULL WHERE site = ? AND path = ?",
            (run.number, self.site, path),
        )

    async def _given_up(self, path: str, kind: PageKind, run: Run, state: PageState, error: str) -> None:
        await self.conn.execute(f"{_GIVEN_UP} VALUES (?, ?, ?, ?, ?, 1, ?) {_GIVEN_UP_CONFLICT}",
                                (self.site, path, kind, state, run.number, error))

    async def _add_documents(self, slugs: Iterable[str]) -> int:
        before = self.conn.total_changes
        await self.conn.executemany(
            "INSERT OR IGNORE INTO fetch_pages (site, path, kind, state) VALUES (?, ?, 'document', 'pending')",
            [(self.site, f"/document/{slug}") for slug in slugs],
        )
        return self.conn.total_changes - before

    async def not_ingested(self) -> list[Page]:
        async with self.conn.execute(
            f"""SELECT {_COLUMNS} FROM fetch_pages WHERE site = ? AND state = 'done' AND file IS NOT NULL
                AND ingested = 0 ORDER BY kind = 'document', rowid""", (self.site,)
        ) as cur:
            return [_page(row) async for row in cur]

    async def _mark_ingested(self, paths: Sequence[str]) -> None:
        await self.conn.executemany(
            "UPDATE fetch_pages SET ingested = 1 WHERE site = ? AND path = ?", [(self.site, p) for p in paths])


class PostgresFrontier(Frontier):
    """The same statements in PostgreSQL's dialect (`seq` is SQLite's rowid: the order pages were found)."""

    def __init__(self, store: PostgresArchiveStore, site: str) -> None:
        super().__init__(store, site)
        self.pg = store

    async def page(self, path: str) -> Page | None:
        async with self.pg.conn() as conn:
            row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM fetch_pages WHERE site = $1 AND path = $2",
                                      self.site, path)
        return None if row is None else _page(row)

    async def documents(self) -> list[Page]:
        async with self.pg.conn() as conn:
            rows = await conn.fetch(f"SELECT {_COLUMNS} FROM fetch_pages WHERE site = $1 AND kind = 'document' "
                                    "ORDER BY seq", self.site)
        return [_page(row) for row in rows]

    async def _saved(self, path: str, kind: PageKind, run: Run, file: str | None, etag: str | None,
                     last_modified: str | None) -> None:
        async with self.pg.conn() as conn:
            await conn.execute(f"{_SAVED} VALUES ($1, $2, $3, 'done', $4, $5, $6, $7, 0, 0, NULL, $8) "
                               f"{_SAVED_CONFLICT}",
                               self.site, path, str(kind), file, etag, last_modified, run.number, _now())

    async def _unchanged(self, path: str, run: Run) -> None:
        async with self.pg.conn() as conn:
            await conn.execute("UPDATE fetch_pages SET run = $1, attempts = 0, error = NULL "
                               "WHERE site = $2 AND path = $3", run.number, self.site, path)

    async def _given_up(self, path: str, kind: PageKind, run: Run, state: PageState, error: str) -> None:
        async with self.pg.conn() as conn:
            await conn.execute(f"{_GIVEN_UP} VALUES ($1, $2, $3, $4, $5, 1, $6) {_GIVEN_UP_CONFLICT}",
                               self.site, path, str(kind), str(state), run.number, error)

    async def _add_documents(self, slugs: Iterable[str]) -> int:
        paths = [f"/document/{slug}" for slug in slugs]
        if not paths:
            return 0
        async with self.pg.conn() as conn:
            status = await conn.execute(
                "INSERT INTO fetch_pages (site, path, kind, state) SELECT $1, unnest($2::text[]), 'document', "
                "'pending' ON CONFLICT DO NOTHING", self.site, paths)
        return int(status.split()[-1])  # "INSERT 0 <rows>"

    async def not_ingested(self) -> list[Page]:
        async with self.pg.conn() as conn:
            rows = await conn.fetch(f"SELECT {_COLUMNS} FROM fetch_pages WHERE site = $1 AND state = 'done' AND "
                                    "file IS NOT NULL AND ingested = 0 ORDER BY kind = 'document', seq", self.site)
        return [_page(row) for row in rows]

    async def _mark_ingested(self, paths: Sequence[str]) -> None:
        async with self.pg.conn() as conn:
            await conn.execute("UPDATE fetch_pages SET ingested = 1 WHERE site = $1 AND path = ANY($2::text[])",
                               self.site, list(paths))


# The statements both dialects share but for their placeholders.
_SAVED = """INSERT INTO fetch_pages (site, path, kind, state, file, etag, last_modified, run, ingested, attempts,
                                     error, fetched_at)"""
_SAVED_CONFLICT = """ON CONFLICT (site, path) DO UPDATE SET state = 'done', file = excluded.file,
                       etag = excluded.etag, last_modified = excluded.last_modified, run = excluded.run,
                       ingested = 0, attempts = 0, error = NULL, fetched_at = excluded.fetched_at"""
_GIVEN_UP = "INSERT INTO fetch_pages (site, path, kind, state, run, attempts, error)"
_GIVEN_UP_CONFLICT = """ON CONFLICT (site, path) DO UPDATE SET
                       state = CASE WHEN fetch_pages.state = 'done' THEN 'done' ELSE excluded.state END,
                       run = excluded.run, attempts = fetch_pages.attempts + 1, error = excluded.error"""
_COLUMNS = "path, kind, state, file, etag, last_modified, run"


def _page(row: Sequence[object]) -> Page:
    path, kind, state, file, etag, last_modified, run = row
    return Page(str(path), PageKind(str(kind)), PageState(str(state)), None if file is None else str(file),
                None if etag is None else str(etag), None if last_modified is None else str(last_modified),
                int(str(run)))
