"""A fetch of N local pages: the crawler against the local stand-in of the site (127.0.0.1), delay 0.

    python bench/fetch_local.py [--documents 500] [--delay 0]

Serves the captured document pages of ../shared/realpages/docpages (each again under new slugs until there are
N), with listing pages of ten rows. Prints pages per second for the crawl (robots.txt, listing and document
pages asked for, saved, and recorded in the frontier), for the ingest of what was saved, and for a second run
(conditional requests: the listing answers 304, documents already held are not asked for).
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import math
import tempfile
import time
from pathlib import Path

from retrieval.fetch import Crawler, FetchOptions, FetchProgress, user_agent
from retrieval.people import PeopleDirectory
from retrieval.store import SqliteArchiveStore
from testing.archive_site import ArchiveSite, load_docpages, serve

DOCPAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "realpages" / "docpages"


async def run(base_url: str, folder: Path, delay: float, people: PeopleDirectory) -> tuple[float, float, int, str]:
    """(crawl seconds, ingest seconds, requests, summary)."""
    last_page: list[float] = [time.perf_counter()]

    def fetched(_: FetchProgress) -> None:
        last_page[0] = time.perf_counter()

    options = FetchOptions(agent=user_agent("bench"), mirror=folder / "mirror", base_url=base_url, delay=delay)
    async with await SqliteArchiveStore.open(folder / "archive.db") as store:
        start = time.perf_counter()
        report = await Crawler(store, people, options, progress=fetched).run()
        end = time.perf_counter()
    crawled = last_page[0] - start
    asked = report.listings.asked + report.documents.asked + 1  # and robots.txt
    ingest = report.ingest.summary_line() if report.ingest else "nothing to ingest"
    return crawled, end - start - crawled, asked, ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    logging.getLogger("retrieval.ingest").setLevel(logging.ERROR)  # one line per page ingest cannot read yet
    if not (DOCPAGES / "INDEX.tsv").is_file():
        raise SystemExit(f"{DOCPAGES} is not there: the bench serves the captured document pages")
    pages = load_docpages(DOCPAGES, copies=math.ceil(args.documents / 14))[:args.documents]
    size = sum(len(p.body) for p in pages) / 1e6
    people = PeopleDirectory.load()
    site = ArchiveSite(pages)
    print(f"{len(pages)} document pages ({size:.1f} MB), {math.ceil(len(pages) / 10)} listing pages, "
          f"delay {args.delay:g} s, 127.0.0.1")
    with serve(site) as server, tempfile.TemporaryDirectory() as tmp:
        for label in ("first run", "second run"):
            crawled, ingested, asked, summary = asyncio.run(run(server.base_url, Path(tmp), args.delay, people))
            print(f"{label}: {asked} requests in {crawled:.2f} s = {asked / crawled:.0f} pages/s crawled; "
                  f"ingest {ingested:.2f} s ({summary})")


if __name__ == "__main__":
    main()
