"""Settings from the environment and `.env` (python-dotenv); a bad value fails at start-up with one line."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_DB = Path("data") / "archive.db"
BUNDLED_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class ConfigError(ValueError):
    """A setting that cannot work; the message names the key and what is wrong."""


@dataclass(frozen=True)
class Settings:
    archive_db: Path = DEFAULT_DB
    log_level: str = "INFO"
    seeds: Path = BUNDLED_SEEDS


def load_settings(env_file: str | Path | None = None) -> Settings:
    """Read `.env` from the working directory (never overriding the real environment), then validate."""
    load_dotenv(env_file or Path.cwd() / ".env", override=False)
    db = os.environ.get("ARCHIVE_DB", "").strip()
    level = os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"LOG_LEVEL={level!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    seeds = os.environ.get("ARCHIVE_SEEDS", "").strip()
    return Settings(archive_db=Path(db) if db else DEFAULT_DB, log_level=level,
                    seeds=Path(seeds) if seeds else BUNDLED_SEEDS)
