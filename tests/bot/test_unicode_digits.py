"""Numbers typed by users: `str.isdigit()` also accepts '²' and '①', which `int()` refuses. Every place that
reads a number a user typed answers such text with its usual one line, never a traceback."""
from __future__ import annotations

import pytest

from bot.commands import Commands, ReplyKind, run_text_command
from retrieval.fetch.http import retry_after
from retrieval.search import Archive
from retrieval.text import is_number

from ..conftest import PEOPLE
from .test_cli import cli

ODD_DIGITS = ("²", "①", "12²", "³⁴")


def test_is_number_takes_ascii_digits_only():
    assert is_number("1958") and is_number("0")
    assert not any(is_number(text) for text in ODD_DIGITS + ("", "-1", "1.5", " 1"))


@pytest.mark.parametrize("odd", ODD_DIGITS)
async def test_commands_answer_odd_digits_with_their_usual_line(db, odd):
    archive = await Archive.open(db, PEOPLE)
    try:
        commands = Commands(archive)
        for line in (f"/doc {odd}", f"/similar {odd}", f"/search from:{odd}", f"/search mao to:{odd}"):
            reply = await run_text_command(commands, line)
            assert reply is not None and reply.kind is ReplyKind.ERROR, line
        assert archive.snapshot.titles.by_number(odd, 25) == []
    finally:
        await archive.close()


def test_retry_after_of_odd_digits_is_unreadable_not_a_crash():
    assert retry_after("²") is None and retry_after("120") == 120.0


@pytest.mark.slow
def test_the_cli_refuses_odd_digits_in_one_line(tmp_path):
    for args, says in ((("show", "²"), "is not a document number"), (("search", "mao", "--from", "¹⁹⁵⁸"),
                       "is not a year like 1958"), (("search", "mao", "--limit", "²"), "is not a whole number")):
        result = cli(*args, "--db", "a.db", cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stderr, result.stderr
        assert says in result.stderr.strip().splitlines()[-1], result.stderr  # argparse's usage, then our line
