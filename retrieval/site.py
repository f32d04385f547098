"""The archive this bot reads: its name and address, written out once."""
from __future__ import annotations

ARCHIVE_NAME = "Wilson Center Digital Archive"
ARCHIVE_HOST = "digitalarchive.wilsoncenter.org"
ARCHIVE_URL = f"https://{ARCHIVE_HOST}"
