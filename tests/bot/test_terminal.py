"""Archive text cannot drive the terminal: escape sequences, other control characters and bidi overrides in a
title, summary or note come out of `search`, `show` and the console written out, never raw."""
from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands import Card, Reply, ReplyKind
from bot.text_render import render_reply
from retrieval.dates import ArchiveDate
from retrieval.records import Participant, Record

from ..conftest import SEEDS
from .test_cli import cli

# What a terminal acts on instead of showing: C0 but newline and tab, DEL, C1, bidi overrides and isolates.
FORBIDDEN = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A))
             } - {"\n", "\t"}
HYPERLINK = "\x1b]8;;http://evil.example\x1b\\click here\x1b]8;;\x1b\\"
CLEAR = "\x1b[2J\x1b[H"
TITLE = f"Cable, Stalin to Mao {HYPERLINK} {CLEAR}"
SUMMARY = "Stalin tells Mao about zanzibarian bananas \x9b31m red\x9b0m, \u202eedisni\u202c and a bell\x07\r."


def assert_inert(text: str) -> None:
    assert not FORBIDDEN & set(text), sorted(FORBIDDEN & set(text))


def _record(title: str, summary: str, note: str) -> Record:
    return Record(id=7, date=ArchiveDate(1958, 9, 27), date_text="September 27, 1958", title=title,
                  summary=summary, notes=(note,), participants=(Participant("Mao Zedong"),))


def test_escape_sequences_are_written_out_not_sent_to_the_terminal():
    card = Card.of(_record(TITLE, SUMMARY, CLEAR))
    for reply in (Reply(kind=ReplyKind.DOCUMENT, title=TITLE, cards=[card]),
                  Reply(kind=ReplyKind.RESULTS, title=TITLE, lead=SUMMARY, cards=[card], footer=CLEAR)):
        text = render_reply(reply)
        assert_inert(text)
        assert r"\x1b]8;;http://evil.example\x1b\click here" in text and r"\x1b[2J" in text
        assert r"\x9b31m" in text and r"\u202eedisni\u202c" in text


@given(st.text(), st.text(), st.text())
def test_no_text_whatever_it_holds_reaches_the_terminal_raw(title, summary, note):
    card = Card.of(_record(title, summary, note))
    assert_inert(render_reply(Reply(kind=ReplyKind.DOCUMENT, title=title, cards=[card])))
    assert_inert(render_reply(Reply(kind=ReplyKind.RESULTS, title=title, lead=summary, cards=[card])))


@pytest.mark.slow
def test_search_show_and_the_console_write_escapes_out(tmp_path):
    page = tmp_path / "hostile.txt"
    page.write_text(f"Results:\n\nDocuments\n\nSeptember 27, 1958\n\n{TITLE}\n\n{SUMMARY}\n", encoding="utf-8")
    assert cli("ingest", str(SEEDS), str(page), "--db", "a.db", cwd=tmp_path).returncode == 0
    rows = [json.loads(line) for line in cli("export", "--db", "a.db", cwd=tmp_path).stdout.splitlines()]
    hostile = next(r for r in rows if "zanzibarian" in r["summary"])
    assert "\x1b" in hostile["title"]  # stored exactly: only what reaches the terminal is changed

    search = cli("search", "zanzibarian", "bananas", "--db", "a.db", cwd=tmp_path)
    show = cli("show", str(hostile["id"]), "--db", "a.db", cwd=tmp_path)
    console = cli("console", "--db", "a.db", cwd=tmp_path, input=f"/search zanzibarian bananas\n/doc {hostile['id']}\n")
    for result in (search, show, console):
        assert result.returncode == 0, result.stderr
        assert "Cable, Stalin to Mao" in result.stdout and r"\x1b[2J" in result.stdout
        assert_inert(result.stdout)
    for args in (("show", str(hostile["id"]), "--json"), ("search", "zanzibarian", "bananas", "--json")):
        as_json = cli(*args, "--db", "a.db", cwd=tmp_path).stdout
        assert_inert(as_json)  # escaped as \u009b, \u202e: the same JSON, exact when loaded
        loaded = json.loads(as_json)
        assert (loaded.get("title") or loaded["hits"][0]["title"]) == TITLE
        assert (loaded.get("summary") or loaded["hits"][0]["summary"]) == hostile["summary"]
