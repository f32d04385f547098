"""Settings from the environment and `.env` (python-dotenv); a bad value fails at start-up with one line.

The token is held here and nowhere else: it is never part of a repr, a log line or an error message.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dotenv import load_dotenv

from retrieval.daily import Shards
from retrieval.dburl import PROBLEM_TEXT, url_problem
from retrieval.text import is_number

DEFAULT_DB = Path("data") / "archive.db"
BUNDLED_SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TOKEN_CHARS = r"[A-Za-z0-9_\-]"  # all unreserved in URLs: a URL-encoded token is the token itself
_TOKEN_HEAD = rf"{_TOKEN_CHARS}{{20,}}\.{_TOKEN_CHARS}{{4,}}\."  # the bot's ID and a timestamp, then the secret
_TOKEN = re.compile(rf"{_TOKEN_HEAD}{_TOKEN_CHARS}{{20,}}")
TOKEN_LIKE = re.compile(rf"{_TOKEN_HEAD}{_TOKEN_CHARS}*")
"""A bot token, or one cut short: what the log redacts whoever's token it is."""
_OPEN_TO_OTHERS = stat.S_IRGRP | stat.S_IWGRP | stat.S_IROTH | stat.S_IWOTH


class ConfigError(ValueError):
    """A setting that cannot work; the message names the key and what is wrong (never a secret's value)."""


@dataclass(frozen=True)
class Settings:
    archive_db: Path = DEFAULT_DB
    log_level: str = "INFO"
    seeds: Path = BUNDLED_SEEDS
    discord_token: str | None = field(default=None, repr=False)
    dev_guild: int | None = None
    api_base: str | None = None  # e.g. a REST proxy: https://proxy.example/api/v10
    gateway_url: str | None = None  # e.g. wss://gateway-proxy.example
    log_file: Path | None = None
    warnings: tuple[str, ...] = ()  # found while reading the settings, logged once logging is set up
    fetch_contact: str | None = None  # ARCHIVE_FETCH_CONTACT: where the site can write about `fetch`
    database_url: str | None = field(default=None, repr=False)  # DATABASE_URL: the bot's state in PostgreSQL
    shards: Shards | None = None  # ARCHIVE_SHARDS / ARCHIVE_SHARD_COUNT: None, discord.py's automatic sharding

    @property
    def database_password(self) -> str | None:
        """The password in DATABASE_URL: a secret the log redacts like the token."""
        return urlparse(self.database_url).password if self.database_url else None


def _url(key: str, value: str, schemes: tuple[str, ...]) -> str:
    try:
        parsed = urlparse(value)
        parsed.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:  # that, or a bracket left open
        parsed = None
    if parsed is None or parsed.scheme not in schemes or not parsed.netloc:
        raise ConfigError(f"{key} must be a {' or '.join(s + '://' for s in schemes)} URL, got {value[:60]!r}")
    return value.rstrip("/")


def _open_to_others(env_file: Path) -> str | None:
    """A warning when the file that holds the token can be read (or changed) by other users of the computer."""
    try:
        mode = stat.S_IMODE(env_file.stat().st_mode)
    except OSError:  # no .env: nothing to protect
        return None
    if os.name == "nt" or not mode & _OPEN_TO_OTHERS:  # Windows has no such mode bits
        return None
    return (f"{env_file} is open to other users of this computer (mode {mode:o}), and it is where the bot's token "
            f"belongs: run `chmod 600 {env_file}`")


def load_settings(env_file: str | Path | None = None) -> Settings:
    """Read `.env` from the working directory (never overriding the real environment), then validate."""
    env_path = Path(env_file) if env_file is not None else Path.cwd() / ".env"
    load_dotenv(env_path, override=False)
    env = {k: v.strip() for k, v in os.environ.items()}
    level = env.get("LOG_LEVEL", "").upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL={level!r} is not one of {', '.join(LOG_LEVELS)}")
    token = env.get("DISCORD_TOKEN") or None
    if token is not None and not _TOKEN.fullmatch(token):
        raise ConfigError("DISCORD_TOKEN does not look like a bot token (three dot-separated parts): copy it "
                          "again from the Developer Portal, Bot page, Reset Token")
    guild = env.get("DISCORD_DEV_GUILD") or None
    if guild is not None and not (is_number(guild) and 15 <= len(guild) <= 21):
        raise ConfigError(f"DISCORD_DEV_GUILD must be a server ID (a long number), got {guild[:30]!r}")
    exposed = _open_to_others(env_path)
    api_base = env.get("DISCORD_API_BASE") or None
    gateway = env.get("DISCORD_GATEWAY_URL") or None
    return Settings(
        archive_db=Path(env["ARCHIVE_DB"]) if env.get("ARCHIVE_DB") else DEFAULT_DB,
        log_level=level,
        seeds=Path(env["ARCHIVE_SEEDS"]) if env.get("ARCHIVE_SEEDS") else BUNDLED_SEEDS,
        discord_token=token,
        dev_guild=int(guild) if guild else None,
        api_base=_url("DISCORD_API_BASE", api_base, ("http", "https")) if api_base else None,
        gateway_url=_url("DISCORD_GATEWAY_URL", gateway, ("ws", "wss")) if gateway else None,
        log_file=Path(env["LOG_FILE"]) if env.get("LOG_FILE") else None,
        warnings=(exposed,) if exposed else (),
        fetch_contact=_contact(env.get("ARCHIVE_FETCH_CONTACT") or None),
        database_url=database_url(env.get("DATABASE_URL") or None),
        shards=parse_shards(env.get("ARCHIVE_SHARDS") or None, env.get("ARCHIVE_SHARD_COUNT") or None),
    )


def database_url(value: str | None, key: str = "DATABASE_URL") -> str | None:
    """A postgresql:// URL (its text is never repeated in an error: it may hold a password)."""
    if value is None:
        return None
    problem = url_problem(value)
    if problem is not None:
        raise ConfigError(f"{key} {PROBLEM_TEXT[problem]}")
    return value


MAX_SHARDS = 10_000  # far beyond any bot's needs; keeps a typo from asking Discord for millions


def parse_shards(shards: str | None, count: str | None, keys: tuple[str, str] = ("ARCHIVE_SHARDS",
                 "ARCHIVE_SHARD_COUNT")) -> Shards | None:
    """'0-3' or '0,2,5' of `count` shards; both or neither must be given."""
    shards_key, count_key = keys
    if shards is None and count is None:
        return None
    if shards is None or count is None:
        raise ConfigError(f"{shards_key} and {count_key} go together: e.g. {shards_key}=0-3 {count_key}=8")
    if not is_number(count) or not 1 <= int(count) <= MAX_SHARDS:
        raise ConfigError(f"{count_key} must be a whole number from 1 to {MAX_SHARDS}, got {count[:20]!r}")
    total = int(count)
    ids: set[int] = set()
    for part in shards.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not is_number(low) or (dash and not is_number(high)):
            raise ConfigError(f"{shards_key} must be a range like 0-3 or a list like 0,2,5, got {shards[:40]!r}")
        first, last = int(low), int(high) if dash else int(low)
        if first > last:
            raise ConfigError(f"{shards_key}: the range {part} runs backwards")
        if last >= total:
            raise ConfigError(f"{shards_key}: shard {last} is out of range: with {count_key}={total} the shards "
                              f"are 0 to {total - 1}")
        ids.update(range(first, last + 1))
    return Shards(tuple(sorted(ids)), total)


def _contact(value: str | None) -> str | None:
    """A URL or an e-mail address for fetch's User-Agent; nothing that could break the header."""
    if value is None:
        return None
    if any(ch in value for ch in "()\r\n") or " " in value or len(value) > 200:
        raise ConfigError("ARCHIVE_FETCH_CONTACT must be one URL or e-mail address (no spaces or brackets)")
    if "@" in value and "://" not in value and not value.startswith("mailto:"):
        return f"mailto:{value}"
    return _url("ARCHIVE_FETCH_CONTACT", value, ("http", "https")) if "://" in value else value
