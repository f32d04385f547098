"""A local stand-in for the archive's site, for fetch tests and the fetch bench (127.0.0.1 only).

It serves real captured document pages (../shared/realpages/docpages) under `/document/<slug>`, search listing
pages `/search?page=N` generated with the site's real row markup (`td.date p`, `td.document a` holding
`h3.sub-title span` and `div.text p`, ten rows a page, rows pointing at those documents), and `/robots.txt`.
Every page carries an ETag and a Last-Modified and answers a matching conditional request with 304. Faults are
scripted per path (statuses with headers, served before the page), and every request is logged with the time
it arrived, so tests measure what the crawler did from the server's side.

    python -m testing.archive_site [--port 8080] [--copies 1]   # serve until Ctrl-C
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import html
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from bs4 import BeautifulSoup

PAGE_SIZE = 10
LAST_MODIFIED = "Wed, 15 Jan 2025 10:00:00 GMT"
CHALLENGE_PAGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                  b"<div id=\"cf-challenge-running\"></div><script src=\"/cdn-cgi/challenge-platform/h/b/orchestrate/"
                  b"chl_page/v1\"></script></body></html>")
OTHER_SITE = (b"<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body><h1>Welcome to nginx!"
              b"</h1><p>If you see this page, the nginx web server is successfully installed.</p></body></html>")


@dataclass(frozen=True)
class DocPage:
    slug: str
    title: str
    date: str
    summary: str
    body: bytes


def load_docpages(folder: Path, copies: int = 1) -> list[DocPage]:
    """The captured pages listed in `folder/INDEX.tsv`; `copies` > 1 serves each again under `<slug>-<k>`
    (for benchmarks wanting more pages than were captured)."""
    pages: list[DocPage] = []
    with (folder / "INDEX.tsv").open(encoding="utf-8") as index:
        rows = list(csv.DictReader(index, delimiter="\t"))
    for copy in range(copies):
        for row in rows:
            body = (folder / row["file"]).read_bytes()
            block = BeautifulSoup(body, "html.parser").select_one(".text-block")
            summary = " ".join(block.get_text(" ").split()) if block is not None else ""
            slug, title = row["slug"], row["title"]
            if copy:
                slug, title = f"{slug}-{copy}", f"{title} (copy {copy})"
                body = body.replace(f"/document/{row['slug']}\"".encode(), f"/document/{slug}\"".encode())
            pages.append(DocPage(slug, title, row["date"], summary, body))
    return pages


def listing_row(page: DocPage) -> str:
    """One row of the site's search listing (the markup of a document page's "Related Documents" too)."""
    return (f'<tr><td class="date"><p>{html.escape(page.date)}</p></td><td data-history-node-id="1" '
            f'class="document contextual-region"><a href="/document/{page.slug}"><h3 class="sub-title"><span>'
            f'{html.escape(page.title)}</span></h3><div class="text"><p></p><p>{html.escape(page.summary)}</p>'
            f'<p></p></div></a></td></tr>')


def listing_page(pages: Sequence[DocPage], number: int, total: int) -> bytes:
    """Search results page `number` (0 first); past the end, the site's page with no rows."""
    rows = "\n".join(listing_row(p) for p in pages)
    first = number * PAGE_SIZE + 1
    shown = f"{first} - {first + len(pages) - 1} of {total}" if pages else "No results"
    return (f'<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8">'
            f'<title>Search | Wilson Center Digital Archive</title></head><body><main>'
            f'<h1 class="title"><span>Search</span></h1><div class="view-header">{shown}</div>'
            f'<div class="documents"><div class="card table-responsive"><table class="table table-hover '
            f'table-striped"><tbody>\n{rows}\n</tbody></table></div></div>'
            f'<nav class="pager"><a href="/search?page={number + 1}">Next</a></nav></main></body></html>'
            ).encode()


@dataclass
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str  # with its query
    headers: dict[str, str]
    status: int


@dataclass
class ArchiveSite:
    """The site's content and behaviour; change the fields between runs (the server reads them per request)."""

    documents: list[DocPage]
    robots: str = "User-agent: *\nDisallow: /admin/\n"
    faults: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=dict)  # path -> answers first
    challenge: bool = False  # every page is an anti-bot challenge
    foreign: bool = False  # every page is another site's
    hang_after: int | None = None  # documents served before the next document request hangs for good
    hits: list[Hit] = field(default_factory=list)
    _served_documents: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/robots.txt", self._robots)
        app.router.add_get("/search", self._search)
        app.router.add_get("/document/{slug}", self._document)
        return app

    def document_hits(self, status: int = 200) -> list[str]:
        return [h.path for h in self.hits if h.path.startswith("/document/") and h.status == status]

    async def _robots(self, request: web.Request) -> web.StreamResponse:
        return self._answer(request, self.robots.encode(), "text/plain")

    async def _search(self, request: web.Request) -> web.StreamResponse:
        number = int(request.query.get("page", "0"))
        rows = self.documents[number * PAGE_SIZE:(number + 1) * PAGE_SIZE]
        return self._answer(request, listing_page(rows, number, len(self.documents)))

    async def _document(self, request: web.Request) -> web.StreamResponse:
        slug = request.match_info["slug"]
        page = next((p for p in self.documents if p.slug == slug), None)
        if page is None:
            return self._log(request, web.Response(status=404, text="Page not found"))
        if self.hang_after is not None and self._served_documents >= self.hang_after:
            self._log(request, web.Response(status=0))
            await asyncio.Event().wait()  # until the client is killed
        response = self._answer(request, page.body)
        if response.status == 200:
            self._served_documents += 1
        return response

    def _answer(self, request: web.Request, body: bytes, content_type: str = "text/html") -> web.StreamResponse:
        path = request.path_qs
        scripted = self.faults.get(path)
        if scripted:
            status, headers = scripted.pop(0)
            return self._log(request, web.Response(status=status, headers=headers, text=f"status {status}"))
        if self.challenge:
            return self._log(request, web.Response(status=403, body=CHALLENGE_PAGE, content_type="text/html",
                                                   headers={"cf-mitigated": "challenge"}))
        if self.foreign and content_type == "text/html":
            return self._log(request, web.Response(body=OTHER_SITE, content_type="text/html"))
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
        if request.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in request.headers and request.headers.get("If-Modified-Since") == LAST_MODIFIED):
            return self._log(request, web.Response(status=304, headers=validators))
        return self._log(request, web.Response(body=body, content_type=content_type, charset="utf-8",
                                               headers=validators))

    def _log(self, request: web.Request, response: web.Response) -> web.Response:
        self.hits.append(Hit(time.monotonic(), request.path_qs, dict(request.headers), response.status))
        return response


class SiteServer:
    """`ArchiveSite` served on 127.0.0.1 from a thread of its own, so a test may run the crawler in-process or
    as a subprocess."""

    def __init__(self, site: ArchiveSite) -> None:
        self.site = site
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop: asyncio.Event | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> SiteServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def _serve(self) -> None:
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        runner = web.AppRunner(self.site.app(), access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        tcp = web.TCPSite(runner, "127.0.0.1", 0)
        await tcp.start()
        server = tcp._server
        assert server is not None and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()
        pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]  # a hung request
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


@contextmanager
def serve(site: ArchiveSite) -> Iterator[SiteServer]:
    with SiteServer(site) as server:
        yield server


def main() -> None:
    parser = argparse.ArgumentParser(description="serve a local stand-in of the archive's site")
    parser.add_argument("docpages", type=Path, help="the folder of captured document pages (with INDEX.tsv)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    site = ArchiveSite(load_docpages(args.docpages, args.copies))
    web.run_app(site.app(), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
