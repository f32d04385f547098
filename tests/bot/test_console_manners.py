"""Console manners: line editing, history and Ctrl-C on a terminal, `help`/`quit` without a slash, no Discord
markup in terminal text, and `archive-bot --version`."""
from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.commands import Moment, Quoted, Reply, ReplyKind, TimeStyle, app_version, parse_command
from bot.text_render import render_reply

from .test_cli import cli

HELP_TITLE = "== archive-bot commands =="


def test_plain_help_quit_and_exit_are_commands_and_other_words_stay_questions():
    assert parse_command("help") == ("help", "")
    assert parse_command("  Quit ") == ("quit", "")
    assert parse_command("exit") == ("exit", "")
    assert parse_command("/help") == ("help", "")
    assert parse_command("help me find Mao's letters") == ("ask", "help me find Mao's letters")
    assert parse_command("exit strategy in Korea") == ("ask", "exit strategy in Korea")


def test_the_bots_own_markup_is_dropped_but_quoted_and_plain_text_is_shown_literally():
    from datetime import UTC, datetime
    when = Moment(datetime(2026, 1, 2, 9, 30, tzinfo=UTC), TimeStyle.TIME)
    reply = Reply(kind=ReplyKind.INFO, title="Daily **post**", timed_lead=(
        "**Where:** #history\nRun `/daily set` (", when, ")\n**Paused because:** ", Quoted("`**odd**` name"), "."))
    text = render_reply(reply)
    assert "Where: #history\nRun /daily set (" in text
    assert "Paused because: `**odd**` name." in text  # the user's text as typed
    assert "== Daily **post** ==" in text  # a title is text, never markup
    plain = Reply(kind=ReplyKind.ERROR, title="Sorry", lead="There is no `**x**` here")
    assert render_reply(plain) == "Sorry: There is no `**x**` here"


@pytest.mark.slow
def test_the_piped_console_takes_help_and_quit_without_a_slash_and_shows_no_markup(tmp_path):
    result = cli("console", cwd=tmp_path, input="help\n/daily\nquit\n/about\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert HELP_TITLE in out and "/search [query] [from] [to] [person] — ranked documents" in out
    assert "`" not in out and "**" not in out
    assert "== About archive-bot ==" not in out  # after quit: never read


@pytest.mark.slow
def test_version_flag_prints_the_version(tmp_path):
    result = cli("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"archive-bot {app_version()}"


# A fresh interpreter makes the terminal its controlling terminal, then becomes the console. pty.fork() would fork
# the pytest worker itself, whose other threads (servers of earlier tests) can hold a lock the child then waits
# on forever; subprocess starts the child without running Python between fork and exec.
_ON_TERMINAL = ("import fcntl, os, sys, termios; os.setsid(); fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
                "os.execv(sys.executable, [sys.executable, '-m', 'bot.cli', 'console'])")


class Terminal:
    """`archive-bot console` on a pseudo-terminal: what a user at a real terminal types and sees."""

    def __init__(self, cwd: Path, home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DISCORD_", "LOG_"))}
        env.update(HOME=str(home), TERM="xterm")
        self.fd, terminal = pty.openpty()
        self.process = subprocess.Popen([sys.executable, "-c", _ON_TERMINAL], cwd=cwd, env=env, stdin=terminal,
                                        stdout=terminal, stderr=terminal, close_fds=True)
        os.close(terminal)  # the child holds it now; the parent reads and writes through `fd`
        self.seen = ""

    def wait_for(self, text: str, timeout: float = 120) -> str:
        """Everything shown until `text` appears (and the text itself); fails after `timeout` seconds."""
        start, deadline = len(self.seen), time.monotonic() + timeout
        while text not in self.seen[start:]:
            assert time.monotonic() < deadline, f"no {text!r} in {self.seen[start:]!r}; {self.threads()}"
            if select.select([self.fd], [], [], 1)[0]:
                try:
                    self.seen += os.read(self.fd, 65536).decode("utf-8", "replace")
                except OSError:  # the console ended
                    break
        found = self.seen.index(text, start) + len(text)
        shown, self.seen = self.seen[:found], self.seen[found:]
        return shown

    def threads(self) -> str:
        """What each thread of the console is doing (state, kernel wait, signals pending and blocked), and the
        terminal's foreground group: why a console shows nothing, for the failure message."""
        found = [f"terminal foreground group {self._foreground()}, console group {self._group()}"]
        for task in sorted(Path(f"/proc/{self.process.pid}/task").glob("*")):
            try:
                status = dict(line.split(":\t", 1) for line in (task / "status").read_text().splitlines()
                              if ":\t" in line)
                wchan = (task / "wchan").read_text()
            except OSError:
                continue
            found.append(f"{task.name} {status.get('Name', '?')}: {status.get('State', '?')}, wchan {wchan}, "
                         f"pending {status.get('ShdPnd', '?')}/{status.get('SigPnd', '?')}, "
                         f"blocked {status.get('SigBlk', '?')}")
        return "; ".join(found)

    def _foreground(self) -> int | str:
        try:
            return os.tcgetpgrp(self.fd)
        except OSError as exc:
            return str(exc)

    def _group(self) -> int | str:
        try:
            return os.getpgid(self.process.pid)
        except OSError as exc:
            return str(exc)

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def exit_status(self, timeout: float = 30) -> int:
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("the console did not exit") from None
        os.close(self.fd)
        return status


def first_prompt(cwd: Path, home: Path, prompt: str) -> Terminal:
    """The console started on a terminal and showing its prompt. Under a loaded CI run a start has been seen
    to show nothing at all for minutes (cause not found yet); one fresh start is tried before failing."""
    for attempt in (1, 2):
        term = Terminal(cwd, home)
        try:
            term.wait_for(prompt, timeout=60)
            return term
        except AssertionError:
            term.process.kill()
            term.process.wait()
            os.close(term.fd)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@pytest.mark.slow
def test_a_terminal_gets_line_editing_history_and_ctrl_c_clears_the_line(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    prompt = "archive> "
    term = first_prompt(tmp_path, home, prompt)
    term.type("/abot\x1b[Du\r")  # left arrow, then the missing letter: the line is edited, not sent raw
    assert "== About archive-bot ==" in term.wait_for(prompt)
    term.type("/nonsense")
    term.wait_for("/nonsense")  # in readline's line
    # Ctrl-C: what the terminal does with it, SIGINT to its foreground process group. Typing "\x03" into the
    # pseudo-terminal was seen, under load, to bring no signal at all (nothing shown for minutes, while a SIGINT
    # sent then was handled at once); the cause, on the kernel's side of the terminal, was not found.
    os.killpg(term.process.pid, signal.SIGINT)
    term.wait_for(prompt)  # the line is dropped and a new prompt shown
    term.type("\x1b[A\r")  # up arrow: the last line sent, /about, again (the dropped one is not history)
    assert "== About archive-bot ==" in term.wait_for(prompt)
    term.type("help\r")
    assert HELP_TITLE in term.wait_for(prompt)
    term.type("quit\r")
    assert term.exit_status() == 0
    assert "There is no /nonsense" not in term.seen and "Traceback" not in term.seen
    history = (home / ".archive_bot_history").read_text().splitlines()
    assert history[-2:] == ["help", "quit"] and "/about" in history and "/nonsense" not in history

    again = first_prompt(tmp_path, home, prompt)  # a new session remembers the last one
    again.type("\x1b[A\x1b[A\r")  # up twice: past quit to help
    assert HELP_TITLE in again.wait_for(prompt)
    again.type("\x04")  # Ctrl-D leaves too
    assert again.exit_status() == 0


def _signal_thread(pid: int, tid: int, signum: int) -> None:
    """tgkill(2): a signal to one thread of another process (what the kernel may do with Ctrl-C's SIGINT)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(234, pid, tid, signum) != 0:  # SYS_tgkill on x86-64
        raise OSError(ctypes.get_errno(), "tgkill")


@pytest.mark.slow
@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the tgkill syscall number is x86-64's")
def test_ctrl_c_taken_by_another_thread_still_clears_the_line(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    prompt = "archive> "
    term = first_prompt(tmp_path, home, prompt)
    pid = term.process.pid
    others = [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir() if int(t.name) != pid]
    assert others, "the console runs database and worker threads"
    term.type("/nonsense")
    term.wait_for("/nonsense")
    _signal_thread(pid, others[0], signal.SIGINT)  # not the main thread, where readline waits
    term.wait_for(prompt, timeout=20)
    term.type("help\r")
    assert HELP_TITLE in term.wait_for(prompt)  # the dropped line is gone: only "help" was sent
    term.type("quit\r")
    assert term.exit_status() == 0


LATE_KNOCKS = """
import os, signal, time
from bot import console

signal.signal(signal.SIGINT, lambda signum, frame: None)
with console._interrupts_reach_the_prompt():
    os.kill(os.getpid(), signal.SIGINT)  # no prompt takes it: the watcher knocks for up to KNOCK_FOR
    time.sleep(0.2)
time.sleep(0.5)  # the console's last moments after `quit`
print("ended", flush=True)
"""


def test_the_console_ends_cleanly_while_the_watcher_still_knocks_for_a_ctrl_c():
    """A Ctrl-C the prompt took before the watcher read it leaves the watcher knocking for two seconds; `quit`
    meanwhile put back SIGUSR1's default before the knocks stopped, and the next one ended the process
    (exit status -10: seen once in CI)."""
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", LATE_KNOCKS], env={**os.environ, "PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout.strip()) == (0, "ended")

