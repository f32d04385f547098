"""`archive-bot fetch` as a real process against a local stand-in of the archive's site (127.0.0.1): one summary
line when it works; one clear line and a non-zero exit when it cannot (a challenge, an unreachable host, another
site, a delay too short for a remote host); killed or interrupted part-way, the next run goes on from there."""
from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import FetchBar
from retrieval.fetch import FetchProgress, PageKind
from testing.archive_site import ArchiveSite, SiteServer

pytestmark = pytest.mark.slow  # real processes


def command(base_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", "fetch", "--db", "a.db", "--base-url", base_url, *args]


def environment(contact: str | None = "mailto:historian@example.org") -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DISCORD_", "LOG_"))}
    return clean | ({"ARCHIVE_FETCH_CONTACT": contact} if contact else {})


def fetch(base_url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command(base_url, "--delay", "0.01", *args), cwd=cwd, env=environment(),
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def titles(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT title, date_text FROM records"))


def test_a_fetch_prints_one_summary_line(site, server, tmp_path):
    result = fetch(server.base_url, "--listings-only", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    [summary] = lines(result.stdout)
    assert summary.startswith("listing: 3 pages; documents: 0 fetched; 14 new documents found. Ingest: 2 files read")
    mirror = tmp_path / "mirror" / f"127.0.0.1_{server.port}"
    assert sorted(p.name for p in mirror.iterdir()) == ["listing-0.html", "listing-1.html"]


def test_an_anti_bot_challenge_is_one_line_and_the_archive_is_kept(site, server, tmp_path, db):
    (tmp_path / "a.db").write_bytes(db.read_bytes())
    before = titles(tmp_path / "a.db")
    site.challenge = True
    result = fetch(server.base_url, cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert lines(result.stderr) == ["archive-bot: 127.0.0.1 answered with an anti-bot challenge: save the pages "
                                    "with a browser and use `archive-bot ingest`"]
    assert titles(tmp_path / "a.db") == before


def test_another_sites_html_is_one_line(site, server, tmp_path):
    site.foreign = True
    result = fetch(server.base_url, cwd=tmp_path)
    assert result.returncode == 1
    [line] = lines(result.stderr)
    assert line == f"archive-bot: {server.base_url}/search?page=0 is not the archive's search listing " \
                   "(another site's HTML): check --base-url"


def test_an_unreachable_host_is_one_line(tmp_path):
    with SiteServer(ArchiveSite([])) as gone:
        url = gone.base_url  # a port that was just closed
    result = fetch(url, cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith("archive-bot: cannot reach 127.0.0.1 (") and "check --base-url" in line


def test_a_short_delay_for_another_host_is_refused_before_any_request(tmp_path):
    result = subprocess.run(command("https://digitalarchive.wilsoncenter.org", "--delay", "0.1"), cwd=tmp_path,
                            env=environment(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert lines(result.stderr) == ["archive-bot: --delay must be at least 0.5 s for digitalarchive.wilsoncenter.org "
                                    "(less only for this machine)"]


def wait_for_hung_request(site: ArchiveSite, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not any(h.status == 0 for h in site.hits):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT])
def test_a_killed_fetch_goes_on_from_where_it_stopped(site, server, tmp_path, captured, stop):
    site.hang_after = 6
    process = subprocess.Popen(command(server.base_url, "--delay", "0.01"), cwd=tmp_path, env=environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    wait_for_hung_request(site, process)
    process.send_signal(stop)
    out, err = process.communicate(timeout=60)
    if stop is signal.SIGINT:
        assert process.returncode == 130
        assert lines(err) == ["archive-bot: interrupted (the pages saved are kept: `archive-bot fetch` again goes "
                              "on from here)"]
    saved = site.document_hits()
    assert len(saved) == 6

    site.hang_after = None
    site.hits.clear()
    again = fetch(server.base_url, cwd=tmp_path)
    assert "went on from a stopped run" in again.stdout
    assert not [h for h in site.hits if h.path.startswith("/search")]
    assert not set(site.document_hits()) & set(saved)
    assert len(saved) + len(site.document_hits()) == len(site.documents)

    reference = tmp_path / "reference"
    reference.mkdir()
    fetch(server.base_url, cwd=reference)
    assert titles(tmp_path / "a.db") == titles(reference / "a.db")
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert {state for (state,) in conn.execute("SELECT DISTINCT state FROM fetch_pages")} == {"done"}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_fetch_bar_shows_the_rate_and_the_time_left():
    screen = Terminal()
    bar = FetchBar(screen)
    started = time.monotonic() - 10
    bar.fetched(FetchProgress(PageKind.LISTING, 20, None, 200, started))
    assert "listing page 20, 200 documents found, 2.0 pages/s" in screen.getvalue()
    assert "[" not in screen.getvalue()  # the listing's end is unknown: no bar
    bar._last = 0.0  # the next draw is not held back by the ten-a-second limit
    bar.fetched(FetchProgress(PageKind.DOCUMENT, 5, 305, 305, started))
    assert "[" in screen.getvalue() and "5/305 documents, 0.50/s, 10 min left" in screen.getvalue()
    piped = io.StringIO()
    FetchBar(piped).fetched(FetchProgress(PageKind.DOCUMENT, 5, 305, 305, started))
    assert piped.getvalue() == ""


def test_without_a_contact_a_fetch_from_another_host_says_to_set_one(tmp_path):
    """No address is made up: the note names the setting (the host here does not resolve: nothing is sent)."""
    result = subprocess.run(command("http://archive.invalid", "--delay", "2"), cwd=tmp_path,
                            env=environment(contact=None), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    note, *_ = lines(result.stderr)
    assert note.startswith("archive-bot: note: set ARCHIVE_FETCH_CONTACT")
