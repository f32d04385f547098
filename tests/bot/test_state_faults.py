"""`archive-bot run` with its state in PostgreSQL that cannot be used: one clear line, a non-zero exit, and
the password in DATABASE_URL never printed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from testing.postgres import postgres_server

from .test_process import TOKEN

pytestmark = pytest.mark.slow  # real processes


def run(db: Path, url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ARCHIVE_", "DATABASE_"))}
    # No Discord is reachable either: the state is opened, and refused, before the bot connects.
    env.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE="http://127.0.0.1:9/api/v10", DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "bot.cli", "run", "--db", str(db), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_an_unreachable_server_at_start_is_one_clear_line_and_a_failed_exit(db, tmp_path):
    with postgres_server() as gone:
        url = gone.url
    done = run(db, url, tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("archive-bot: postgresql://archive:***@127.0.0.1:")
    assert "cannot reach PostgreSQL" in done.stderr and "Traceback" not in done.stderr
    assert gone.password not in done.stderr + done.stdout


def test_a_wrong_password_is_one_clear_line_and_never_printed(db, tmp_path, postgres):
    wrong = "Wr0ng-pass-9f3a"
    done = run(db, postgres.url.replace(postgres.password, wrong), tmp_path)
    assert done.returncode == 1
    assert "refused the user name or password in DATABASE_URL" in done.stderr.strip().splitlines()[-1]
    assert wrong not in done.stderr + done.stdout and "Traceback" not in done.stderr
    given = run(db, "", tmp_path, "--database-url", postgres.url.replace(postgres.password, wrong))
    assert given.returncode == 1 and wrong not in given.stderr + given.stdout
