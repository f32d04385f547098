"""A local chat with the bot: the same commands as Discord, through the same command layer, as text.

Interactive on a terminal (a prompt, /quit to leave); from a pipe it answers one line after another, so
it can be scripted: `printf '/search mao 1958\n' | archive-bot console`.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from typing import TextIO

from .commands import Commands, run_text_command
from .text_render import render_reply

log = logging.getLogger(__name__)

BANNER = (
    "archive-bot console: ask a question, or type a command (/help lists them, /quit leaves).\n"
    "Try: What did Stalin tell Mao about the Chinese Eastern Railway?"
)
QUIT = {"/quit", "/exit", "quit", "exit"}


async def _read_line(stream: TextIO, prompt: str | None) -> str | None:
    def read() -> str | None:
        if prompt:
            print(prompt, end="", flush=True)
        line = stream.readline()
        return line if line else None
    return await asyncio.to_thread(read)


async def run_console(commands: Commands, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                      stop: asyncio.Event | None = None) -> None:
    interactive = stdin.isatty()
    if interactive:
        print(BANNER, file=stdout)
    while stop is None or not stop.is_set():
        line = await _read_line(stdin, "\narchive> " if interactive else None)
        if line is None or line.strip().lower() in QUIT:
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
            if not interactive:
                print("", file=stdout)
        stdout.flush()
