"""Database URLs: which name PostgreSQL, what is wrong with one a user typed, and the form of one that may be
shown or logged (never a password)."""
from __future__ import annotations

from enum import StrEnum
from urllib.parse import SplitResult, urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")
UNREADABLE_SHOWN = "(a database URL that cannot be read)"  # nothing of it is shown: it may hold a password


class UrlProblem(StrEnum):
    NOT_POSTGRES = "not_postgres"  # another scheme, or not a URL at all
    UNREADABLE = "unreadable"  # a bracket left open around an IPv6 host
    NO_HOST = "no_host"  # neither a host nor a host= parameter (a socket folder)
    BAD_PORT = "bad_port"  # a port that is not a number from 0 to 65535


# What each problem is, after the name of what holds the URL ("DATABASE_URL ...", "the PostgreSQL URL ...").
PROBLEM_TEXT = {
    UrlProblem.NOT_POSTGRES: "must be a postgresql://user:password@host/database URL",
    UrlProblem.UNREADABLE: "cannot be read as a URL (a bracket around its host is left open)",
    UrlProblem.NO_HOST: "must be a postgresql://user:password@host/database URL (it names no host)",
    UrlProblem.BAD_PORT: "has a port that is not a number from 0 to 65535",
}


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:
        return None


def is_postgres_url(url: str) -> bool:
    parts = _split(url)
    return parts is not None and parts.scheme in POSTGRES_SCHEMES


def url_problem(url: str) -> UrlProblem | None:
    """Why `url` cannot name a PostgreSQL database (None: it can), checked before anything connects."""
    parts = _split(url)
    if parts is None:
        return UrlProblem.UNREADABLE if url.split(":", 1)[0] in POSTGRES_SCHEMES else UrlProblem.NOT_POSTGRES
    if parts.scheme not in POSTGRES_SCHEMES:
        return UrlProblem.NOT_POSTGRES
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return UrlProblem.BAD_PORT
    if not parts.hostname and "host=" not in parts.query:
        return UrlProblem.NO_HOST
    return None


def safe_url(url: str) -> str:
    """`url` with any password replaced: the form of it that may be shown or logged."""
    parts = _split(url)
    if parts is None:
        return UNREADABLE_SHOWN
    if parts.password is None:
        return url
    try:
        port = parts.port
    except ValueError:
        return UNREADABLE_SHOWN
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}" + (f":{port}" if port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
