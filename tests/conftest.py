"""Shared paths and fixtures. Real pages from ../shared/realpages are used when present, skipped when not."""
from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from retrieval.compiled import compiled_modules, stale
from retrieval.ingest import Ingester
from retrieval.people import PeopleDirectory
from retrieval.search import Archive
from retrieval.state import BotState, open_state
from retrieval.state.postgres import PostgresState
from retrieval.state.sqlite import SqliteState
from retrieval.store import SqliteArchiveStore
from retrieval.stores import open_store
from testing.archive_site import ArchiveSite, DocPage, SiteServer, load_docpages, serve
from testing.postgres import PostgresServer, PostgresUnavailable, bindir, postgres_server

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
REALPAGES = ROOT.parent / "shared" / "realpages"
HAVE_REALPAGES = (REALPAGES / "da").is_dir()

PEOPLE = PeopleDirectory.load()


async def ingest_into(db: str | Path, *paths: Path) -> None:
    async with await open_store(db) as store:
        await Ingester(store, PEOPLE).ingest(list(paths))


@pytest.fixture
def realpages() -> Path:
    if not HAVE_REALPAGES:
        pytest.skip("../shared/realpages is not beside this checkout")
    return REALPAGES


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed pages ingested once per run. Read it; to write, take `db` (a copy)."""
    db = tmp_path_factory.mktemp("seeded") / "seed.db"
    await ingest_into(db, SEEDS)
    return db


@pytest.fixture
def db(seeded_db: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded archive, for tests that write."""
    return Path(shutil.copyfile(seeded_db, tmp_path / "archive.db"))


async def open_seeded_archive(seeded_db: Path, folder: Path, *more: Path) -> Archive:
    """An archive of the seeds and `more` pages, opened on a copy so the shared file stays as it is."""
    db = Path(shutil.copyfile(seeded_db, folder / "archive.db"))
    if more:
        await ingest_into(db, *more)
    return await Archive.open(db, PEOPLE)



# -- a local stand-in of the archive's site, serving the real captured document pages (tests of `fetch`) ----
@pytest.fixture(scope="module")
def captured() -> list[DocPage]:
    if not (REALPAGES / "docpages" / "INDEX.tsv").is_file():
        pytest.skip("../shared/realpages/docpages is not beside this checkout")
    return load_docpages(REALPAGES / "docpages")


@pytest.fixture
def site(captured: list[DocPage]) -> ArchiveSite:
    return ArchiveSite(list(captured))


@pytest.fixture
def server(site: ArchiveSite) -> Iterator[SiteServer]:
    with serve(site) as running:
        yield running


# -- a real PostgreSQL server (testing/postgres.py), one per test session (per xdist worker) ----------------
def _postgres_bindir() -> Path | None:
    try:
        return bindir()
    except PostgresUnavailable:
        return None


def pytest_report_header() -> list[str]:
    found = _postgres_bindir()
    compiled = compiled_modules()
    return [("PostgreSQL: NOT INSTALLED HERE (no initdb/pg_ctl): EVERY POSTGRESQL TEST IS SKIPPED; "
             "apt-get install postgresql to run them") if found is None else f"PostgreSQL: {found}",
            f"compiled by mypyc (retrieval/compiled.py): {sum(compiled.values())} of {len(compiled)} modules"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """A compiled module older than its source would test the old code: refuse, and say how to rebuild."""
    if old := stale():
        pytest.exit(f"compiled from an older source: {', '.join(old)}; rebuild with `make` (or `pip install -e .`)",
                    returncode=4)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of our own for the session; skipped (loudly, see the report header) only when the
    server programs are not installed."""
    try:
        with postgres_server() as server:
            yield server
    except PostgresUnavailable as exc:
        if os.environ.get("ARCHIVE_REQUIRE_POSTGRES"):  # `make test` (CI): a missing server is a failure
            pytest.fail(f"ARCHIVE_REQUIRE_POSTGRES is set and {exc}")
        pytest.skip(f"POSTGRESQL TESTS SKIPPED: {exc}")


@pytest.fixture(scope="session")
def postgres_url(postgres: PostgresServer) -> str:
    """The session server's `postgres` database."""
    return postgres.url


@pytest.fixture
def pg_database(postgres: PostgresServer) -> str:
    """A fresh, empty database on the session's server: its URL."""
    return postgres.create_database()


class StateBackend:
    """Opens the bot's state (retrieval/state) of one kind for a test: SQLite on an archive's connection, or
    PostgreSQL on the test's own database, each `open` another process's view of it."""

    def __init__(self, kind: str, url: str | None) -> None:
        self.kind = kind
        self.url = url
        self.opened: list[BotState] = []

    async def open(self, store: SqliteArchiveStore, owner: str | None = None) -> BotState:
        state = await open_state(store, self.url, owner)
        self.opened.append(state)
        return state

    async def age_claims(self, state: BotState, span: timedelta) -> None:
        """Every claim started `span` earlier, on the database's clock (leases are measured on it)."""
        if isinstance(state, SqliteState):
            await state.conn.execute(
                "UPDATE daily_posts SET claimed_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', claimed_at, ?)",
                (f"-{span.total_seconds()} seconds",))
        else:
            assert isinstance(state, PostgresState)
            await state.db.pool.execute("UPDATE daily_posts SET claimed_at = claimed_at - $1::interval", span)

    async def close(self) -> None:
        for state in self.opened:
            await state.close()


@pytest_asyncio.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[StateBackend]:
    """Each test that takes it runs twice: on SQLite (the default) and on a real PostgreSQL."""
    url = request.getfixturevalue("pg_database") if request.param == "postgres" else None
    chosen = StateBackend(request.param, url)
    yield chosen
    await chosen.close()


# -- the archive's store of either kind (retrieval/store.py, retrieval/pgstore.py) ----------------------------
ArchiveTarget = str | Path  # what open_store takes: a SQLite file, or a postgresql:// URL


@pytest.fixture(params=["sqlite", "postgres"])
def archive_target(request: pytest.FixtureRequest, tmp_path: Path) -> ArchiveTarget:
    """Each test that takes it runs twice: its archive in a new SQLite file, and in a new PostgreSQL database on
    the session's real server. `open_store(archive_target)` is another process's view of the same archive."""
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_database"))
    return tmp_path / "archive.db"
