"""The archive as JSON Lines or CSV, one record per line, streamed so memory stays flat.

JSON Lines are exact. CSV is for spreadsheets, which run a cell that starts with `=`, `+`, `-`, `@`, a tab or
a carriage return as a formula (a title like `=HYPERLINK(...)` would be a live link, or worse): such a cell
gets a leading `'`, OWASP's advice, so it shows as the text it is.
"""
from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from typing import TextIO

from .records import Record
from .serialize import DOCUMENT_KEYS, LIST_KEYS, record_to_dict
from .store import ArchiveStore

CSV_COLUMNS = (
    "id", "date", "date_text", "precision", "title", "summary", "notes", "participants", "roles", "mentioned", "url",
    "sources", *DOCUMENT_KEYS,
)
FORMATS = ("jsonl", "csv")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value a spreadsheet shows as written, never runs: text that starts like a formula gets a `'`."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


async def export(store: ArchiveStore, out: TextIO, fmt: str = "jsonl") -> int:
    """Write every record to `out`; returns how many were written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose {' or '.join(FORMATS)}")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore") if fmt == "csv" else None
    if writer:
        writer.writeheader()
    written = 0
    records: AsyncIterator[Record] = store.iter_records()
    async for record in records:
        row = record_to_dict(record)
        if writer:
            row["notes"] = "\n\n".join(row["notes"])
            row["participants"] = "; ".join(row["participants"])
            row["roles"] = "; ".join(f"{r['name']} ({r['role']})" for r in row["roles"])
            row["mentioned"] = "; ".join(row["mentioned"])
            row["sources"] = "; ".join(row["sources"])
            row.update({key: "; ".join(row[key]) for key in LIST_KEYS})
            writer.writerow({key: csv_cell(value) for key, value in row.items()})
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        written += 1
    return written
