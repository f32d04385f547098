"""The `archive-bot` command: one entry point for ingest, export and what later commands add."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path
from typing import Sequence, TextIO

from retrieval.export import FORMATS, export
from retrieval.ingest import Ingester, IngestProgress
from retrieval.people import PeopleDirectory, PeopleFileError
from retrieval.store import ArchiveStore, StoreError

from .config import ConfigError, Settings, load_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class ProgressBar:
    """A one-line bar on a terminal, redrawn at most ten times a second; silent when not a terminal."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.enabled = stream.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, p: IngestProgress) -> None:
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        within = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
        fraction = (p.file_index + min(within, 1.0)) / max(p.file_count, 1)
        filled = int(fraction * self.width)
        line = (
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {p.file_index + 1}/{p.file_count} files, "
            f"{p.records:,} records in {p.path.name[:40]}"
        )
        self.stream.write(line.ljust(100)[:100])
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-bot",
        description="Ask the Wilson Center Digital Archive (Cold War documents) questions.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, help="the archive database (default: $ARCHIVE_DB or data/archive.db)")
        return p

    ingest = with_db(sub.add_parser("ingest", help="read listing pages (text or saved HTML) into the archive"))
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders of .txt/.html pages")
    ingest.add_argument("--quiet", "-q", action="store_true", help="no per-file failure lines, only the summary")

    exp = with_db(sub.add_parser("export", help="write the whole archive, one record per line"))
    exp.add_argument("--format", choices=FORMATS, default="jsonl")
    exp.add_argument("--output", "-o", type=Path, help="a file to write (default: standard output)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"archive-bot: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("retrieval.ingest").setLevel(logging.ERROR)  # the CLI prints failures itself
    handler = {"ingest": cmd_ingest, "export": cmd_export}[args.command]
    try:
        return asyncio.run(handler(args, settings))
    except (StoreError, PeopleFileError) as exc:
        print(f"archive-bot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("archive-bot: interrupted; the file being read was rolled back", file=sys.stderr)
        return 130


def _db(args: argparse.Namespace, settings: Settings) -> Path:
    return args.db if args.db is not None else settings.archive_db


async def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    people = PeopleDirectory.load()
    bar = ProgressBar(sys.stderr)
    async with await ArchiveStore.open(_db(args, settings)) as store:
        report = await Ingester(store, people, progress=bar).ingest(args.paths)
    bar.close()
    if not args.quiet:
        for failure in report.failed:
            print(f"failed: {failure.path}: {failure.error}", file=sys.stderr)
    print(report.summary_line())
    return EXIT_FAILED if report.failed else EXIT_OK


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    db = _db(args, settings)
    if not db.exists():
        print(f"archive-bot: no archive at {db}: run `archive-bot ingest PATH...` first", file=sys.stderr)
        return EXIT_FAILED
    async with await ArchiveStore.open(db) as store:
        if args.output is None:
            count = await export(store, sys.stdout, args.format)
        else:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            partial = args.output.with_name(args.output.name + ".part")
            with partial.open("w", encoding="utf-8", newline="") as out:
                count = await export(store, out, args.format)
            partial.replace(args.output)  # a reader never sees a half-written export
    print(f"exported {count} records", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
