"""A polite HTTP client for one site: one connection, a pause between requests, robots.txt, backing off.

aiohttp (already installed with discord.py, async like the rest of the core) does the HTTP; this module adds
the manners. Every request, robots.txt and retries included, waits `delay` seconds after the previous one
ended; 429 and 5xx are retried after the server's Retry-After (seconds or an HTTP date) or a doubling pause;
a page that still fails after `attempts` tries is given up (the crawler goes on). What cannot go on at all (no
route to the host, a name that does not resolve, an anti-bot challenge, a site that asks for a longer pause
than a run should sit through) raises FetchError with a problem code.
"""
from __future__ import annotations

import asyncio
import ipaddress
import time
import urllib.robotparser
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from types import TracebackType
from urllib.parse import urlsplit

import aiohttp

from ..text import is_number
from .pages import is_challenge

AGENT = "archive-bot"  # the token robots.txt rules are matched against
MIN_DELAY = 0.5  # seconds between requests to a host that is not this machine; the default is DEFAULT_DELAY
DEFAULT_DELAY = 2.0
ATTEMPTS = 4  # tries of one page before it is given up
MAX_RETRY_AFTER = 900.0  # a longer Retry-After stops the run: come back later rather than sit for hours
MAX_BYTES = 32 << 20  # the same cap ingest puts on an HTML page
TIMEOUT = aiohttp.ClientTimeout(total=120, sock_connect=20, sock_read=60)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchProblem(StrEnum):
    """Why a fetch cannot go on (the values of FetchError carry the host, a status, seconds)."""

    DNS = "dns"  # the host's name does not resolve
    UNREACHABLE = "unreachable"  # refused, reset or timed out connecting, after every try
    CHALLENGE = "challenge"  # an anti-bot service answered instead of the site
    FOREIGN = "foreign"  # the listing is not the archive's: another site's HTML
    ROBOTS_UNREADABLE = "robots_unreadable"  # robots.txt answered 5xx: its rules are unknown, so nothing is fetched
    LISTING_DISALLOWED = "listing_disallowed"  # robots.txt forbids the search listing
    WAIT_TOO_LONG = "wait_too_long"  # Retry-After over MAX_RETRY_AFTER
    DELAY_TOO_SHORT = "delay_too_short"  # --delay under MIN_DELAY for a host that is not this machine
    BAD_URL = "bad_url"  # --base-url is not an http(s) address


class FetchError(RuntimeError):
    def __init__(self, problem: FetchProblem, host: str = "", detail: str = "", seconds: float = 0.0) -> None:
        super().__init__(f"{problem}: {host} {detail}".strip())
        self.problem = problem
        self.host = host
        self.detail = detail  # a status code or the library's reason, for the wording
        self.seconds = seconds


class Outcome(StrEnum):
    OK = "ok"  # 200: a body
    NOT_MODIFIED = "not_modified"  # 304 to a conditional request: the saved copy stands
    FAILED = "failed"  # given up: `error` says why (an HTTP status, "timeout", "too large")


@dataclass(frozen=True)
class Response:
    outcome: Outcome
    status: int = 0
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    error: str = ""


def user_agent(version: str, contact: str | None = None) -> str:
    """ "archive-bot/0.1.0 (+https://example.org/bot)": who is asking, and where to write about it (the
    operator's ARCHIVE_FETCH_CONTACT; the project has no address of its own to give in its place)."""
    return f"{AGENT}/{version} (+{contact})" if contact else f"{AGENT}/{version}"


def is_loopback(host: str) -> bool:
    """This machine: `localhost` or a loopback address (no other host may be fetched with a short delay)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_delay(base_url: str, delay: float) -> None:
    """--base-url must be http(s); --delay at least MIN_DELAY unless the host is this machine."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(FetchProblem.BAD_URL, base_url)
    if delay < MIN_DELAY and not is_loopback(parts.hostname):
        raise FetchError(FetchProblem.DELAY_TOO_SHORT, parts.hostname, seconds=MIN_DELAY)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if is_number(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteClient:
    """One site, one connection, one request at a time, `delay` seconds apart."""

    def __init__(self, base_url: str, delay: float, agent: str, attempts: int = ATTEMPTS) -> None:
        check_delay(base_url, delay)
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        self.host = parts.hostname or ""
        self.root = f"{parts.scheme}://{parts.netloc}"
        self.delay = delay
        self.agent = agent
        self.attempts = attempts
        self.robots = urllib.robotparser.RobotFileParser()
        self.robots.parse([])  # no rules until robots.txt is read (and none when it is missing)
        self._ready_at = 0.0  # monotonic time before which no request starts
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> PoliteClient:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=1, limit_per_host=1),  # one connection at a time
            headers={"User-Agent": self.agent, "Accept": "text/html,*/*;q=0.5"},
            timeout=TIMEOUT,
        )
        return self

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._session is not None:
            await self._session.close()

    def url(self, path: str) -> str:
        return self.base_url + path

    async def load_robots(self) -> None:
        """The host's robots.txt rules (RFC 9309): a 4xx means no rules; a 5xx that lasts means none may be
        assumed, so nothing is fetched. Its Crawl-delay, when longer, becomes the pause."""
        answer = await self._get(self.root + "/robots.txt", {})
        if answer.outcome is Outcome.OK:
            self.robots.parse(answer.body.decode("utf-8", "replace").splitlines())
            wanted = self.robots.crawl_delay(AGENT)
            if wanted is not None:
                self.delay = max(self.delay, float(wanted))
        elif answer.status >= 500 or not answer.status:
            raise FetchError(FetchProblem.ROBOTS_UNREADABLE, self.host, answer.error)

    def allowed(self, path: str) -> bool:
        return self.robots.can_fetch(AGENT, self.url(path))

    async def get(self, path: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET base + path, conditional when a validator is given."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._get(self.url(path), headers)

    async def _get(self, url: str, headers: dict[str, str]) -> Response:
        assert self._session is not None, "use `async with PoliteClient(...)`"
        last = Response(Outcome.FAILED, error="no answer")
        for attempt in range(self.attempts):
            await self._pace()
            wait: float | None = None
            try:
                try:
                    async with self._session.get(url, headers=headers, max_redirects=5) as resp:
                        body = await _read_capped(resp)
                        answer_headers = {k.lower(): v for k, v in resp.headers.items()}
                        status = resp.status
                finally:  # the next request, retry or not, starts `delay` after this one ended
                    self._ready_at = time.monotonic() + self.delay
            except aiohttp.ClientConnectorDNSError as exc:  # a name that does not resolve will not in seconds
                raise FetchError(FetchProblem.DNS, self.host, _reason(exc)) from None
            except aiohttp.ClientConnectorError as exc:
                last = Response(Outcome.FAILED, error=_reason(exc))
                if attempt == self.attempts - 1:
                    raise FetchError(FetchProblem.UNREACHABLE, self.host, last.error) from None
            except (aiohttp.ClientError, TimeoutError) as exc:  # a reset, a cut-off body, a timeout: try again
                last = Response(Outcome.FAILED, error="timeout" if isinstance(exc, TimeoutError) else _reason(exc))
            except _TooLarge:
                return Response(Outcome.FAILED, 200, error="too large")
            else:
                if is_challenge(status, answer_headers, body):
                    raise FetchError(FetchProblem.CHALLENGE, self.host, str(status))
                if status == 200:
                    return Response(Outcome.OK, 200, body, answer_headers.get("etag"),
                                    answer_headers.get("last-modified"))
                if status == 304:
                    return Response(Outcome.NOT_MODIFIED, 304)
                last = Response(Outcome.FAILED, status, error=f"HTTP {status}")
                if status not in RETRY_STATUSES:
                    return last
                wait = retry_after(answer_headers.get("retry-after"))
                if wait is not None and wait > MAX_RETRY_AFTER:
                    raise FetchError(FetchProblem.WAIT_TOO_LONG, self.host, str(status), seconds=wait)
            if attempt < self.attempts - 1:
                await self._back_off(attempt, wait)
        return last

    async def _pace(self) -> None:
        pause = self._ready_at - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)

    async def _back_off(self, attempt: int, wait: float | None) -> None:
        """The server's Retry-After, else a doubling pause; never less than the usual delay."""
        pause = wait if wait is not None else max(self.delay, 0.05) * 2 ** (attempt + 1)
        self._ready_at = time.monotonic() + max(pause, self.delay)


class _TooLarge(Exception):
    pass


async def _read_capped(resp: aiohttp.ClientResponse) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > MAX_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(exc: BaseException) -> str:
    cause = getattr(exc, "os_error", None) or exc.__cause__ or exc
    return str(getattr(cause, "strerror", None) or cause or type(exc).__name__)
