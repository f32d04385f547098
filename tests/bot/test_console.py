"""The console through a pipe, `run` without a token, and settings that cannot work."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import ProgressBar
from retrieval.ingest import IngestProgress

from .test_cli import cli


@pytest.mark.slow
def test_the_console_answers_piped_commands_in_order(tmp_path):
    script = "\n".join([
        "What did Stalin tell Mao about the Chinese Eastern Railway?",
        "/search Filippov insects",
        "/doc 3",
        "/person Chou En-lai",
        "/onthisday 27 September",
        "/about",
        "/help",
        "/nonsense",
        "/doc abc",
        "",
        "@everyone 🙂 ' OR 1=1 --",
        "/quit",
        "/about",  # after /quit: never read
    ]) + "\n"
    result = cli("console", cwd=tmp_path, input=script)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    order = ["== Answer ==", "Chinese-Eastern Railway", "== Search: Filippov insects ==",
             "#3 Record of Conversation between Mao Zedong and A.A. Gromyko", "== Zhou Enlai ==",
             "== On this day in 1958", "== About archive-bot ==", "== archive-bot commands ==",
             "Sorry: There is no /nonsense command", "Sorry: \u201cabc\u201d is not a document number"]
    positions = [out.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert out.count("== About archive-bot ==") == 1
    assert "Traceback" not in out + result.stderr


@pytest.mark.slow
def test_the_console_shows_daily_usage_and_todays_preview(tmp_path):
    result = cli("console", cwd=tmp_path, input="/daily\n/daily preview\n/onthisday\n/daily set\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    usage_heading = "== Daily \u201con this day\u201d post =="
    first = out.index(usage_heading)
    picks = [i for i in (out.find("== On this day in"), out.find("== Nearest to")) if i >= 0]
    preview, onthisday = min(picks), out.index("== ", min(picks) + 1)
    assert first < preview < onthisday < out.index(usage_heading, first + 1)  # /daily set: usage again
    assert "/daily preview —" in out[first:preview] and "`" not in out and "works in Discord" in out[first:preview]

    def first_document(block: str) -> str:
        return next(line for line in block.splitlines() if line.startswith(" 1. "))
    # the preview is the day's pick: the document /onthisday puts first
    assert first_document(out[preview:onthisday]) == first_document(out[onthisday:])
    assert "Sorry" not in out and "Traceback" not in result.stderr


@pytest.mark.slow
def test_run_without_a_token_explains_and_opens_the_console(tmp_path):
    result = cli("run", cwd=tmp_path, input="/search Khrushchov nuclear testing\n")
    assert result.returncode == 0, result.stderr
    assert "No DISCORD_TOKEN is configured" in result.stderr and "Reset Token" in result.stderr
    assert "Letter from Nikita Khrushchev to Zhou Enlai" in result.stdout
    assert (tmp_path / "data" / "archive.db").exists()


@pytest.mark.slow
def test_bad_settings_fail_at_start_with_one_line(tmp_path):
    cases = {
        "DISCORD_TOKEN": ("not a token", "DISCORD_TOKEN does not look like a bot token"),
        "DISCORD_DEV_GUILD": ("my-server", "DISCORD_DEV_GUILD must be a server ID"),
        "DISCORD_API_BASE": ("discord.example", "DISCORD_API_BASE must be a http:// or https:// URL"),
        "DISCORD_GATEWAY_URL": ("https://gw.example", "DISCORD_GATEWAY_URL must be a ws:// or wss:// URL"),
    }
    for key, (value, message) in cases.items():
        result = cli("run", cwd=tmp_path, env={key: value}, input="")
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, (key, result.stderr)
        assert lines[0].startswith(f"archive-bot: configuration error: {message}")
    secret = "a" * 30 + ".bbbbbb." + "c" * 30
    result = cli("run", cwd=tmp_path, env={"DISCORD_TOKEN": secret + " x"}, input="")
    assert secret not in result.stderr


def test_the_progress_bar_draws_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = ProgressBar(screen)
    bar(IngestProgress(0, 4, Path("page.txt"), 120, 50, 100))
    assert "[" in screen.getvalue() and "1/4 files, 120 records in page.txt" in screen.getvalue()
    bar.close()
    piped = io.StringIO()
    ProgressBar(piped)(IngestProgress(0, 1, Path("p.txt"), 1, 1, 1))
    assert piped.getvalue() == ""
