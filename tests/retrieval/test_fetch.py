"""The polite crawler against a local stand-in of the archive's site (127.0.0.1): real captured document pages,
listing pages with the site's real row markup, and faults scripted per page. What the crawler did is measured
from the server's side (every request is logged with the time it arrived).

What ingest makes of a saved document page is the page parser's business; here only the crawl is tested
(what was asked for, what was saved, the frontier), plus one ingest of the saved folder's listing pages.
"""
from __future__ import annotations

import asyncio
import shutil
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from retrieval.fetch import Crawler, FetchError, FetchOptions, FetchProblem, FetchReport, user_agent
from retrieval.fetch.http import ATTEMPTS, check_delay, retry_after
from retrieval.fetch.pages import Verdict, is_challenge, read_document, read_listing
from retrieval.ingest import Ingester
from retrieval.pgstore import PostgresArchiveStore
from retrieval.store import SqliteArchiveStore
from retrieval.stores import open_store
from testing.archive_site import ArchiveSite, DocPage, SiteServer, serve

from ..conftest import PEOPLE, REALPAGES, ArchiveTarget

DOCPAGES = REALPAGES / "docpages"
CONTACT = "mailto:historian@example.org"
VERSION = "9.9.9"


def options(server: SiteServer, folder: Path, **kwargs) -> FetchOptions:
    return FetchOptions(agent=user_agent(VERSION, CONTACT), mirror=folder / "mirror", base_url=server.base_url,
                        **{"delay": 0.0, **kwargs})


async def crawl(server: SiteServer, folder: Path, target: ArchiveTarget | None = None, **kwargs) -> FetchReport:
    """A fetch into `target` (the tests taking `archive_target` run on SQLite and PostgreSQL), by default the
    SQLite file archive.db in `folder`."""
    async with await open_store(target or folder / "archive.db") as store:
        return await Crawler(store, PEOPLE, options(server, folder, **kwargs)).run()


async def frontier(target: ArchiveTarget) -> dict[str, tuple[str, str | None]]:
    """path -> (state, file) of every page in `target`'s frontier."""
    sql = "SELECT path, state, file FROM fetch_pages"
    async with await open_store(target) as store:
        if isinstance(store, PostgresArchiveStore):
            async with store.conn() as conn:
                rows = [tuple(row) for row in await conn.fetch(sql)]
        else:
            assert isinstance(store, SqliteArchiveStore)
            rows = [tuple(row) for row in await store.conn.execute_fetchall(sql)]
    return {path: (state, file) for path, state, file in rows}


def document_paths(site: ArchiveSite) -> list[str]:
    return [f"/document/{p.slug}" for p in site.documents]


# -- the crawl ---------------------------------------------------------------------------------------------
async def test_a_fetch_saves_every_listing_and_document_page_as_served(site, server, tmp_path, archive_target):
    report = await crawl(server, tmp_path, archive_target)

    mirror = tmp_path / "mirror"
    assert sorted(p.name for p in mirror.glob("listing-*.html")) == ["listing-0.html", "listing-1.html"]
    for page in site.documents:
        assert (mirror / page.slug / "index.html").read_bytes() == page.body
    assert report.documents.fetched == len(site.documents) == 14 and report.found == 14
    assert report.listings.asked == 3  # two pages of rows, then the page past the end (not saved)
    states = await frontier(archive_target)
    assert all(states[f"/document/{p.slug}"] == ("done", f"{p.slug}/index.html") for p in site.documents)
    assert states["/search?page=2"] == ("done", None)
    assert not list(mirror.rglob(".*.part"))


async def test_every_request_names_archive_bot_its_version_and_address(site, server, tmp_path):
    await crawl(server, tmp_path, max_documents=2)
    agents = {hit.headers.get("User-Agent") for hit in site.hits}
    assert agents == {f"archive-bot/{VERSION} (+{CONTACT})"}
    assert user_agent(VERSION) == f"archive-bot/{VERSION}"  # no address is made up when none is set
    assert site.hits[0].path == "/robots.txt"


async def test_requests_are_at_least_the_delay_apart(site, server, tmp_path):
    await crawl(server, tmp_path, delay=0.2, max_documents=4)
    arrivals = [hit.at for hit in site.hits]
    assert len(arrivals) == 1 + 3 + 4
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= 0.2, gaps


async def test_limits_stop_the_walk_and_the_documents(site, server, tmp_path):
    report = await crawl(server, tmp_path, max_pages=1, max_documents=3)
    assert [h.path for h in site.hits if h.path.startswith("/search")] == ["/search?page=0"]
    assert len(site.document_hits()) == 3 and report.left == 10 - 3

    site.hits.clear()
    listed = await crawl(server, tmp_path, listings_only=True)
    assert not site.document_hits() and listed.listings.asked == 3


async def test_robots_txt_disallow_is_honoured(site, server, tmp_path):
    site.robots = "User-agent: archive-bot\nDisallow: /document/cable-\n\nUser-agent: *\nDisallow: /\n"
    report = await crawl(server, tmp_path)

    asked = site.document_hits()
    barred = [p for p in document_paths(site) if p.startswith("/document/cable-")]
    assert barred and not set(barred) & set(asked)
    assert len(asked) == len(site.documents) - len(barred) and report.documents.disallowed == len(barred)
    states = await frontier(tmp_path / "archive.db")
    assert {states[p][0] for p in barred} == {"disallowed"}


async def test_a_listing_robots_txt_forbids_is_never_asked_for(site, server, tmp_path):
    site.robots = "User-agent: *\nDisallow: /search\n"
    with pytest.raises(FetchError) as caught:
        await crawl(server, tmp_path)
    assert caught.value.problem is FetchProblem.LISTING_DISALLOWED
    assert [h.path for h in site.hits] == ["/robots.txt"]


async def test_robots_txt_that_keeps_failing_stops_the_fetch_before_any_page(site, server, tmp_path):
    site.faults["/robots.txt"] = [(503, {})] * ATTEMPTS
    with pytest.raises(FetchError) as caught:
        await crawl(server, tmp_path)
    assert caught.value.problem is FetchProblem.ROBOTS_UNREADABLE
    assert {h.path for h in site.hits} == {"/robots.txt"}


async def test_429_with_retry_after_is_waited_out(site, server, tmp_path):
    path = document_paths(site)[0]
    site.faults[path] = [(429, {"Retry-After": "1"})]
    report = await crawl(server, tmp_path, max_documents=2)

    mine = [h for h in site.hits if h.path == path]
    assert [h.status for h in mine] == [429, 200]
    assert mine[1].at - mine[0].at >= 1.0
    assert report.documents.fetched == 2 and not report.failures


async def test_retry_after_as_an_http_date_is_waited_out(site, server, tmp_path):
    path = document_paths(site)[0]
    date = (datetime.now(UTC) + timedelta(seconds=2)).replace(microsecond=0)  # whole seconds: 1-2 s away
    site.faults[path] = [(503, {"Retry-After": format_datetime(date, usegmt=True)})]
    await crawl(server, tmp_path, max_documents=1)

    mine = [h for h in site.hits if h.path == path]
    assert [h.status for h in mine] == [503, 200]
    # The retry came at the date given, not before (hits are timed on the monotonic clock: put on the wall's).
    retried = datetime.now(UTC) - timedelta(seconds=time.monotonic() - mine[1].at)
    assert retried >= date - timedelta(seconds=0.05), (retried, date)


async def test_a_page_that_keeps_failing_is_given_up_and_the_crawl_goes_on(site, server, tmp_path, archive_target):
    path = document_paths(site)[1]
    site.faults[path] = [(503, {})] * 10
    report = await crawl(server, tmp_path, archive_target)

    assert [h.status for h in site.hits if h.path == path] == [503] * ATTEMPTS
    assert report.failures == [(path, "HTTP 503")] and report.documents.failed == 1
    assert report.documents.fetched == len(site.documents) - 1
    assert (await frontier(archive_target))[path] == ("failed", None)

    site.faults.clear()
    site.hits.clear()
    again = await crawl(server, tmp_path, archive_target)  # the next run asks again for what failed, and only that
    assert site.document_hits() == [path] and again.documents.fetched == 1


async def test_a_missing_page_is_not_retried(site, server, tmp_path):
    path = document_paths(site)[2]
    site.faults[path] = [(404, {})]
    report = await crawl(server, tmp_path)
    assert [h.status for h in site.hits if h.path == path] == [404]
    assert report.failures == [(path, "HTTP 404")]


async def test_a_second_run_asks_conditionally_and_fetches_only_what_is_new(site, server, tmp_path, archive_target):
    await crawl(server, tmp_path, archive_target)
    site.hits.clear()

    again = await crawl(server, tmp_path, archive_target)
    assert not site.document_hits(200) and not site.document_hits(304)  # held: not asked for at all
    listing = [h for h in site.hits if h.path.startswith("/search")]
    assert [h.status for h in listing] == [304, 304, 200]  # the page past the end was never saved
    assert all("If-None-Match" in h.headers and "If-Modified-Since" in h.headers for h in listing[:2])
    assert again.held == len(site.documents) and again.found == 0
    assert again.ingest is None  # every saved page was handed to ingest once, read or not (docpages: not yet)

    site.hits.clear()
    refreshed = await crawl(server, tmp_path, archive_target, refresh=True)
    assert len(site.document_hits(304)) == len(site.documents) and not site.document_hits(200)
    assert refreshed.documents.unchanged == len(site.documents)

    new = DocPage(site.documents[0].slug + "-new", "A New Document", "1961", "New.", site.documents[0].body)
    site.documents.insert(0, new)
    site.hits.clear()
    grown = await crawl(server, tmp_path, archive_target)
    assert site.document_hits() == [f"/document/{new.slug}"] and grown.found == 1


async def test_a_deleted_mirror_is_fetched_again_whole(site, server, tmp_path):
    await crawl(server, tmp_path)
    shutil.rmtree(tmp_path / "mirror")
    site.hits.clear()
    await crawl(server, tmp_path)
    assert sorted(site.document_hits()) == sorted(document_paths(site))
    assert not any("If-None-Match" in h.headers for h in site.hits)


async def test_a_cancelled_fetch_resumes_without_asking_again_for_what_it_saved(site, server, tmp_path, archive_target,
                                                                                 captured):
    site.hang_after = 5  # the sixth document request never gets an answer
    async with await open_store(archive_target) as store:
        task = asyncio.create_task(Crawler(store, PEOPLE, options(server, tmp_path)).run())
        while not any(h.status == 0 for h in site.hits):
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    saved = site.document_hits()
    assert len(saved) == 5

    site.hang_after = None
    site.hits.clear()
    report = await crawl(server, tmp_path, archive_target)

    assert report.resumed
    assert not [h for h in site.hits if h.path.startswith("/search")]  # the walk had ended in the stopped run
    assert not set(site.document_hits()) & set(saved)
    assert sorted(saved + site.document_hits()) == sorted(document_paths(site))
    assert {state for state, _ in (await frontier(archive_target)).values()} == {"done"}

    reference = tmp_path / "reference"
    reference.mkdir()
    with serve(ArchiveSite(list(captured))) as other:
        await crawl(other, reference)
    assert await records(archive_target) == await records(reference / "archive.db")


async def records(target: ArchiveTarget) -> list[tuple[str, str]]:
    async with await open_store(target) as store:
        return sorted((r.title, r.date_text) for r in await store.all_records())


# -- what stops a fetch --------------------------------------------------------------------------------------
async def test_an_anti_bot_challenge_stops_the_fetch_and_keeps_the_archive(site, server, db, tmp_path):
    before = await records(tmp_path / "archive.db")
    site.challenge = True
    with pytest.raises(FetchError) as caught:
        await crawl(server, tmp_path)
    assert caught.value.problem is FetchProblem.CHALLENGE
    assert len(site.hits) == 1 and not (tmp_path / "mirror").exists()
    assert await records(tmp_path / "archive.db") == before


async def test_a_challenge_part_way_keeps_and_ingests_what_was_saved(site, server, tmp_path):
    site.faults[document_paths(site)[3]] = [(403, {"cf-mitigated": "challenge"})]
    report = await crawl(server, tmp_path)
    assert report.stopped is not None and report.stopped.problem is FetchProblem.CHALLENGE
    assert report.documents.fetched == 3 and report.ingest is not None
    assert len(await records(tmp_path / "archive.db")) >= 14  # the listing's rows, at least


async def test_another_sites_html_is_not_taken_for_the_archive(site, server, tmp_path):
    site.foreign = True
    with pytest.raises(FetchError) as caught:
        await crawl(server, tmp_path)
    assert caught.value.problem is FetchProblem.FOREIGN
    assert not (tmp_path / "mirror").exists()


async def test_an_unreachable_host_is_one_problem(tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    opts = FetchOptions(agent=user_agent(VERSION), mirror=tmp_path / "m", base_url=f"http://127.0.0.1:{port}",
                        delay=0.0)
    async with await SqliteArchiveStore.open(tmp_path / "archive.db") as store:
        with pytest.raises(FetchError) as caught:
            await Crawler(store, PEOPLE, opts).run()
    assert caught.value.problem is FetchProblem.UNREACHABLE


async def test_a_name_that_does_not_resolve_is_one_problem(tmp_path, monkeypatch):
    """No DNS traffic leaves this machine: the resolver's answer is what cannot be had here."""
    def no_such_name(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    opts = FetchOptions(agent=user_agent(VERSION), mirror=tmp_path / "m", base_url="http://archive.invalid",
                        delay=0.5)
    async with await SqliteArchiveStore.open(tmp_path / "archive.db") as store:
        with pytest.raises(FetchError) as caught:
            await Crawler(store, PEOPLE, opts).run()
    assert caught.value.problem is FetchProblem.DNS and caught.value.host == "archive.invalid"


def test_a_short_delay_is_only_for_this_machine():
    check_delay("http://127.0.0.1:8080", 0.0)
    check_delay("http://localhost", 0.1)
    check_delay("https://digitalarchive.wilsoncenter.org", 0.5)
    for url in ("https://digitalarchive.wilsoncenter.org", "http://10.0.0.1"):
        with pytest.raises(FetchError) as caught:
            check_delay(url, 0.4)
        assert caught.value.problem is FetchProblem.DELAY_TOO_SHORT
    with pytest.raises(FetchError) as bad:
        check_delay("ftp://example.org", 2)
    assert bad.value.problem is FetchProblem.BAD_URL


# -- pages ---------------------------------------------------------------------------------------------------
def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2025, 1, 15, 10, 0, 0, tzinfo=UTC)
    assert retry_after("120", now) == 120
    assert retry_after("Wed, 15 Jan 2025 10:01:30 GMT", now) == 90
    assert retry_after("Wed, 15 Jan 2025 09:00:00 GMT", now) == 0
    assert retry_after("soon", now) is None and retry_after(None, now) is None


def test_real_document_pages_are_the_archives_and_no_challenge(captured):
    for page in captured:
        assert read_document(page.body) is Verdict.ARCHIVE, page.slug
        assert not is_challenge(200, {}, page.body)
        related = read_listing(page.body)  # a document page's Related Documents use the listing's rows
        assert related.verdict is Verdict.ARCHIVE


def test_a_challenge_is_told_from_a_page_that_mentions_one():
    page = (REALPAGES / "docpages").glob("*.html")
    body = next(page, None)
    if body is None:
        pytest.skip("no captured pages")
    assert not is_challenge(403, {}, body.read_bytes())
    assert is_challenge(503, {}, b"<html><head><title>Just a moment...</title></head><body>cf_chl_opt</body></html>")
    assert is_challenge(403, {"cf-mitigated": "challenge"}, b"")
    assert not is_challenge(503, {}, b"<html><title>Service Unavailable</title></html>")


# -- the saved folder ------------------------------------------------------------------------------------------
async def test_ingesting_the_saved_folder_reads_its_listing_pages(site, server, tmp_path):
    await crawl(server, tmp_path, listings_only=True)
    async with await SqliteArchiveStore.open(tmp_path / "again.db") as store:
        report = await Ingester(store, PEOPLE).ingest([tmp_path / "mirror"])
    listings = [f for f in report.files if f.path.name.startswith("listing-")]
    assert [f.path.name for f in listings] == ["listing-0.html", "listing-1.html"]
    assert all(f.ok for f in listings) and sum(f.records for f in listings) == len(site.documents)
    assert await records(tmp_path / "again.db") == await records(tmp_path / "archive.db")


async def test_a_fetch_builds_the_same_archive_as_ingesting_the_same_pages(site, server, tmp_path):
    """The captured pages and the listing pages the site served, ingested by hand, give the records a fetch
    gives: same titles, dates, links, Record IDs, authors and participants (ids and source paths aside)."""
    report = await crawl(server, tmp_path / "fetched")
    assert report.documents.fetched == len(site.documents) and report.ingest is not None
    assert not report.ingest.failed
    by_hand = tmp_path / "by_hand"
    by_hand.mkdir()
    for number in range(2):  # the two listing pages the site serves, as a browser would save them
        (by_hand / f"listing-{number}.html").write_bytes(
            (tmp_path / "fetched" / "mirror" / f"listing-{number}.html").read_bytes())
    for page in site.documents:  # the captured files themselves, under their own names
        shutil.copyfile(DOCPAGES / f"{page.slug}.html", by_hand / f"{page.slug}.html")
    async with await SqliteArchiveStore.open(tmp_path / "by_hand.db") as store:
        ingested = await Ingester(store, PEOPLE).ingest([by_hand])
    assert not ingested.failed

    async def records(db: Path) -> list[tuple]:
        async with await SqliteArchiveStore.open(db) as store:
            return sorted((r.title, r.date, r.url, r.info.record_id if r.info else None,
                           r.info.authors if r.info else (), tuple(p.name for p in r.participants))
                          for r in await store.all_records())

    fetched, hand = await records(tmp_path / "fetched" / "archive.db"), await records(tmp_path / "by_hand.db")
    assert fetched == hand
    assert sum(1 for r in fetched if r[3] is not None) == len(site.documents)  # every document by its Record ID
