"""The token never leaves the process through the log, and a `.env` others can read is reported once.

The attacker here is an HTTP server that echoes the request's headers in its error body: discord.py puts the
body in the exception, the exception's traceback goes to the log, and the log goes to stderr and LOG_FILE.
"""
from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import quote

import discord
import pytest
import pytest_asyncio
from aiohttp import web

from bot.config import ConfigError, Settings, load_settings
from bot.runner import setup_logging

from ..conftest import ROOT
from .test_cli import cli
from .test_process import TOKEN

BOT_USER_ID_PART, _, SIGNATURE = TOKEN.split(".")  # the first names the bot, the last is the secret


async def _echo_headers(request: web.Request) -> web.Response:
    """Refuse every request, and say back what was sent: raw, URL-encoded and cut short."""
    auth = request.headers.get("Authorization", "")
    echoed = "\n".join(f"{name}: {value}" for name, value in request.headers.items())
    body = f"refused {request.method} {request.path}\n{echoed}\nquoted={quote(auth)}\ncut={auth[:60]}"
    return web.Response(status=403, text=body)


@pytest_asyncio.fixture
async def echo_server() -> AsyncIterator[str]:
    """A real HTTP server on 127.0.0.1 that answers every request with 403 and the request headers."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _echo_headers)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/api/v10"
    finally:
        await runner.cleanup()


@pytest.fixture
def root_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """setup_logging replaces the root handlers and the exception hooks; put pytest's back afterwards."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)


def assert_no_secret(text: str) -> None:
    assert TOKEN not in text
    assert SIGNATURE not in text and BOT_USER_ID_PART not in text


async def test_an_echoed_authorization_header_is_redacted_in_stderr_and_the_log_file(
        echo_server, tmp_path, root_logging, monkeypatch):
    log_file = tmp_path / "logs" / "bot.log"
    stderr = io.StringIO()
    setup_logging(Settings(discord_token=TOKEN, log_file=log_file, log_level="DEBUG"), stream=stderr)
    monkeypatch.setattr(discord.http.Route, "BASE", echo_server)
    log = logging.getLogger("archive-bot.test")

    http = discord.http.HTTPClient(asyncio.get_running_loop())
    try:
        with pytest.raises(discord.Forbidden) as refused:
            await http.static_login(TOKEN)
        assert TOKEN in str(refused.value)  # the server did echo it: without redaction it would leak
        try:
            try:
                raise refused.value
            except discord.Forbidden as exc:
                raise RuntimeError(f"login failed: {exc}") from exc  # a chained traceback, the token in both
        except RuntimeError as exc:
            log.exception("the bot stopped: %s", exc, stack_info=True)
            log.error("the bot stopped: %s", exc, exc_info=exc)
            log.warning("token %s in %s", TOKEN)  # arguments that do not fit: logging's own error path
    finally:
        await http.close()

    for handler in logging.getLogger().handlers:
        handler.flush()
    written = log_file.read_text(encoding="utf-8")
    for text in (stderr.getvalue(), written):
        assert "403 Forbidden" in text and "Traceback" in text and "Stack (most recent call last)" in text
        assert "The above exception was the direct cause" in text
        assert "Authorization: Bot [redacted]" in text and "cut=Bot [redacted]" in text
        assert re.search(r"^quoted=Bot%\S*\[redacted\]$", text, re.MULTILINE)  # "%20" may go with the token
        assert_no_secret(text)


@pytest.mark.slow
async def test_the_bot_process_keeps_the_token_out_of_stderr_and_the_log_file(echo_server, tmp_path):
    log_file = tmp_path / "bot.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "ARCHIVE_", "LOG_"))}
    env.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=echo_server, ARCHIVE_DB=str(tmp_path / "archive.db"),
               LOG_LEVEL="DEBUG", LOG_FILE=str(log_file))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr_bytes = await asyncio.wait_for(process.communicate(), 120)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    stderr = stderr_bytes.decode()
    assert process.returncode == 1, stderr
    assert "403 Forbidden" in stderr and "Authorization: Bot [redacted]" in stderr
    written = log_file.read_text(encoding="utf-8")
    assert "403 Forbidden" in written
    for text in (stderr, stdout.decode(), written):
        assert_no_secret(text)


def _settings_from(env_file: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for key in ("LOG_LEVEL", "DISCORD_TOKEN", "ARCHIVE_DB", "LOG_FILE", "DISCORD_API_BASE", "DISCORD_GATEWAY_URL",
                "DISCORD_DEV_GUILD", "ARCHIVE_SEEDS"):
        monkeypatch.delenv(key, raising=False)  # load_dotenv writes os.environ; monkeypatch undoes it
    return load_settings(env_file)


@pytest.mark.parametrize(("mode", "warned"), [(0o644, True), (0o640, True), (0o604, True), (0o660, True),
                                              (0o600, False), (0o400, False)])
def test_a_dotenv_others_can_read_is_reported_once_at_start(tmp_path, monkeypatch, root_logging, mode, warned):
    env_file = tmp_path / ".env"
    env_file.write_text(f"DISCORD_TOKEN={TOKEN}\nLOG_LEVEL=INFO\n")
    os.chmod(env_file, mode)
    settings = _settings_from(env_file, monkeypatch)
    stderr = io.StringIO()
    setup_logging(settings, stream=stderr)
    lines = [line for line in stderr.getvalue().splitlines() if ".env" in line]
    if warned:
        assert len(lines) == 1 and "WARNING" in lines[0], stderr.getvalue()
        assert f"chmod 600 {env_file}" in lines[0] and f"{mode:o}"[-3:] in lines[0]
    else:
        assert lines == []
    assert_no_secret(stderr.getvalue())


def test_no_dotenv_no_warning(tmp_path, monkeypatch, root_logging):
    settings = _settings_from(tmp_path / ".env", monkeypatch)
    stderr = io.StringIO()
    setup_logging(settings, stream=stderr)
    assert stderr.getvalue() == ""


@pytest.mark.slow
def test_the_warning_comes_once_per_start_not_once_per_command(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("ARCHIVE_DB=archive.db\n")
    os.chmod(env_file, 0o644)
    result = cli("console", cwd=tmp_path, input="/about\n/about\n/help\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("== About archive-bot ==") == 2
    assert result.stderr.count("chmod 600") == 1, result.stderr


@pytest.mark.slow
def test_an_uncaught_exception_goes_through_the_log_redacted(tmp_path):
    """What no code catches is printed by Python itself, not by a handler: it must take the same way out."""
    script = (
        "import sys\n"
        "from bot.config import Settings\n"
        "from bot.runner import setup_logging\n"
        f"setup_logging(Settings(discord_token={TOKEN!r}, log_file=__import__('pathlib').Path('bot.log')))\n"
        "import threading\n"
        f"def fail(): raise ValueError('in a thread: Bot {TOKEN}')\n"
        "worker = threading.Thread(target=fail, name='worker'); worker.start(); worker.join()\n"
        f"raise RuntimeError('refused: Authorization: Bot {TOKEN}')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1
    written = (tmp_path / "bot.log").read_text(encoding="utf-8")
    for text in (result.stderr, written):
        assert "CRITICAL" in text and "RuntimeError: refused: Authorization: Bot [redacted]" in text
        assert "uncaught exception in thread worker" in text and "ValueError: in a thread: Bot [redacted]" in text
        assert_no_secret(text)


@pytest.mark.parametrize("value", ["http://[::1/api/v10", "http://127.0.0.1:port/api", "ftp://proxy/api"])
def test_a_malformed_endpoint_url_is_one_configuration_error(tmp_path, monkeypatch, value):
    monkeypatch.setenv("DISCORD_API_BASE", value)  # undone after the test, unlike what a .env would leave
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / ".env")
    assert str(caught.value).startswith("DISCORD_API_BASE must be a http:// or https:// URL")
