"""A local chat with the bot: the same commands as Discord, through the same command layer, as text.

Interactive on a terminal (a prompt with line editing and history, Ctrl-C clears the line, quit or Ctrl-D
leaves); from a pipe it answers one line after another, so it can be scripted:
`printf '/search mao 1958\n' | archive-bot console`.
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .commands import Commands, parse_command, run_text_command
from .text_render import render_reply

log = logging.getLogger(__name__)

BANNER = (
    "archive-bot console: ask a question, or type a command (help lists them, quit leaves).\n"
    "Try: What did Stalin tell Mao about the Chinese Eastern Railway?"
)
QUIT = {"quit", "exit"}
PROMPT = "\narchive> "
HISTORY = Path(os.path.expanduser("~/.archive_bot_history"))
HISTORY_LINES = 1000
# Set when the prompt has taken a Ctrl-C (see `_interrupts_reach_the_prompt`): the watcher stops knocking.
_CTRL_C_TAKEN = threading.Event()
KNOCK_EVERY = 0.05  # seconds between the watcher's wake-up signals while a Ctrl-C waits to be taken
KNOCK_FOR = 2.0  # at most this long: a Ctrl-C that came between prompts is asyncio's, and no prompt takes it


async def _read_line(stream: TextIO) -> str | None:
    """The next line from a pipe or file, None at its end (in a thread: the loop stays free meanwhile)."""
    line = await asyncio.to_thread(stream.readline)
    return line if line else None


def _prompt_line() -> str | None:
    """The next line typed at the terminal, edited with readline; None on Ctrl-D. Ctrl-C drops the line
    being typed and asks again. It reads on the main thread, the only one Ctrl-C can interrupt, with
    Python's own handler in place of asyncio's (which would cancel the console, not the line). The loop waits
    meanwhile, which costs nothing: the console is all that runs in it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        while True:
            try:
                return input(PROMPT)
            except KeyboardInterrupt:
                _CTRL_C_TAKEN.set()
                print()
            except EOFError:
                print()
                return None
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _interrupts_reach_the_prompt() -> Iterator[None]:
    """Ctrl-C reaches the prompt whichever thread the kernel hands SIGINT to. Readline waits in `select` on
    the main thread and sees Ctrl-C only when a signal interrupts that wait; SIGINT taken by another thread
    (a database or worker thread: any may get it) only marks it pending, and the line stayed on screen until
    the next key. Each signal's number is written to a pipe (`set_wakeup_fd`) by whichever thread takes it, and
    a watcher sends the main thread SIGUSR1, whose handler does nothing: the wait ends, and the pending Ctrl-C
    is handled. A wake-up that lands just before readline enters its wait is lost (readline looks at signals
    only when the wait is interrupted), so the watcher knocks again every KNOCK_EVERY seconds until the prompt
    has taken the Ctrl-C. When the main thread took it itself, the extra signals change nothing."""
    read, write = os.pipe()
    os.set_blocking(write, False)
    main = threading.main_thread().ident
    assert main is not None
    previous_usr1 = signal.signal(signal.SIGUSR1, lambda signum, frame: None)
    previous_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)

    def watch() -> None:
        while numbers := os.read(read, 64):
            if signal.SIGINT in numbers:
                _CTRL_C_TAKEN.clear()
                until = time.monotonic() + KNOCK_FOR
                signal.pthread_kill(main, signal.SIGUSR1)
                while not _CTRL_C_TAKEN.wait(KNOCK_EVERY) and time.monotonic() < until:
                    signal.pthread_kill(main, signal.SIGUSR1)
        os.close(read)

    watcher = threading.Thread(target=watch, name="ctrl-c-to-prompt", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        _CTRL_C_TAKEN.set()  # a knocking under way stops (it may have begun after the prompt took its Ctrl-C)
        os.close(write)  # the watcher reads the end of the pipe and stops
        watcher.join(1)
        if not watcher.is_alive():  # a knock after this would end the process: SIGUSR1's default
            signal.signal(signal.SIGUSR1, previous_usr1)


@contextmanager
def _history(path: Path) -> Iterator[None]:
    """Readline's history, read from `path` at the start and written back at the end; a history that
    cannot be read or written is no reason to stop the console, so that failure is silent."""
    try:
        import readline  # imported only for a terminal: on some systems it writes to the terminal on import
    except ImportError:  # a Python built without it: plain input() still works
        yield
        return
    readline.set_history_length(HISTORY_LINES)
    try:
        readline.read_history_file(path)
    except OSError:
        pass
    try:
        yield
    finally:
        try:
            readline.write_history_file(path)
        except OSError:
            pass


async def run_console(commands: Commands, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                      stop: asyncio.Event | None = None) -> None:
    """Answer lines until quit, the end of input or `stop`. Only the process's own terminal gets the prompt
    and readline (which reads `sys.stdin`); any other stream is read as lines, as from a pipe."""
    terminal = stdin is sys.stdin and stdin.isatty()
    if terminal:
        print(BANNER, file=stdout)
        with _history(HISTORY), _interrupts_reach_the_prompt():
            await _answer_lines(commands, None, stdout, stop)
    else:
        await _answer_lines(commands, stdin, stdout, stop)


async def _answer_lines(commands: Commands, stdin: TextIO | None, stdout: TextIO, stop: asyncio.Event | None) -> None:
    """The console's loop; `stdin` None is the terminal, read with `_prompt_line`."""
    while stop is None or not stop.is_set():
        line = _prompt_line() if stdin is None else await _read_line(stdin)
        if line is None or parse_command(line)[0] in QUIT:
            break
        if not line.strip():
            continue
        try:
            await commands.archive.refresh_if_changed()  # an ingest in another terminal shows up at once
            reply = await run_text_command(commands, line)
        except Exception:  # a bug must not end the session: log it, say so, go on
            log.exception("console command failed: %r", line[:200])
            print("Sorry: something went wrong with that command (the details are in the log).", file=stdout)
            continue
        if reply is not None:
            print(render_reply(reply), file=stdout)
            if stdin is not None:  # a blank line between answers, which a prompt gives a terminal
                print("", file=stdout)
        stdout.flush()
