"""The `archive-bot` command: one entry point for ingest, export and what later commands add."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from retrieval.build_index import Outcome, build_in_child
from retrieval.citation_formats import CRLF, CitationFormat, formatted
from retrieval.cite import cite
from retrieval.dburl import safe_url
from retrieval.export import FORMATS, export
from retrieval.fetch import (
    DEFAULT_DELAY,
    MIN_DELAY,
    Crawler,
    FetchError,
    FetchOptions,
    FetchProblem,
    FetchProgress,
    PageKind,
    is_loopback,
    user_agent,
)
from retrieval.ingest import Ingester, IngestProgress
from retrieval.people import PeopleDirectory, PeopleFileError
from retrieval.search import MAX_LIMIT, Archive, QueryError
from retrieval.serialize import citation_to_dict, record_to_dict
from retrieval.site import ARCHIVE_NAME, ARCHIVE_URL
from retrieval.store import StoreError
from retrieval.stores import open_store
from retrieval.text import is_number
from retrieval.thesaurus import ThesaurusFileError
from retrieval.transfer import ARCHIVE_ONLY, TABLES, Endpoint, TransferError, migrate

from . import runner
from .commands import Card, Commands, Reply, ReplyKind, app_version
from .config import ConfigError, Settings, database_url, load_settings, parse_shards
from .json_output import answer_to_dict, result_to_dict, similar_to_dict
from .runner import NO_TOKEN_HELP, run_bot, run_console_app, setup_logging
from .text_render import render_reply, terminal_json, visible
from .wording import Front, fetch_problem_text, fetch_summary_text, query_error_text, repairs_text

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
SHOW_FORMATS = ("text", "json", *(f.value for f in CitationFormat))
INGEST_WAIT = 600.0  # seconds an ingest waits for another process's (one big file takes about 20 s)


class ProgressBar:
    """A one-line bar on a terminal, redrawn at most ten times a second; silent when not a terminal."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.enabled = stream.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, p: IngestProgress) -> None:
        within = p.bytes_done / p.bytes_total if p.bytes_total else 1.0
        fraction = (p.file_index + min(within, 1.0)) / max(p.file_count, 1)
        self.draw(fraction, f"{p.file_index + 1}/{p.file_count} files, {p.records:,} records in {p.path.name[:40]}")

    def draw(self, fraction: float | None, text: str) -> None:
        """The bar filled to `fraction` (none when the end is unknown), then `text`."""
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.1:
            return
        self._last = now
        if fraction is not None:
            filled = int(min(fraction, 1.0) * self.width)
            text = f"[{'#' * filled}{'.' * (self.width - filled)}] {text}"
        self.stream.write(("\r" + text).ljust(100)[:100])
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * 100 + "\r")
            self.stream.flush()
            self._drawn = False


class FetchBar(ProgressBar):
    """The fetch's bar: pages asked for, their rate, and (for documents, whose number is known) the time left."""

    def fetched(self, p: FetchProgress) -> None:
        elapsed = time.monotonic() - p.started
        rate = p.done / elapsed if elapsed > 0 else 0.0
        if p.kind is PageKind.LISTING:
            self.draw(None, f"listing page {p.done:,}, {p.found:,} documents found, {rate:.1f} pages/s")
            return
        total = p.total or 0
        left = (total - p.done) / rate if rate > 0 else 0.0
        self.draw(p.done / total if total else 1.0,
                  f"{p.done:,}/{total:,} documents, {rate:.2f}/s, {_duration(left)} left")


def _duration(seconds: float) -> str:
    """'48 s', '12 min', '3 h 05 min'."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archive-bot",
        description=f"Ask the {ARCHIVE_NAME} (Cold War documents) questions.",
    )
    parser.add_argument("--version", action="version", version=f"archive-bot {app_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def with_db(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--db", type=Path, help="the archive database (default: $ARCHIVE_DB or data/archive.db)")
        return p

    def with_url(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--database-url", metavar="URL",
                       help="the archive in PostgreSQL instead of --db: postgresql://user:password@host/db "
                            "(default: $DATABASE_URL); searches read it through a local replica beside --db")
        return p

    run = with_db(sub.add_parser("run", help="start the bot on Discord (the local console when no DISCORD_TOKEN is "
                                             "set)"))
    run.add_argument("--database-url", metavar="URL",
                     help="keep everything (the archive, read through a local replica; subscriptions, the daily "
                          "ledger, command-sync state) in PostgreSQL, shared by several processes: "
                          "postgresql://user:password@host/db (default: $DATABASE_URL, else the archive's SQLite "
                          "database)")
    run.add_argument("--shards", metavar="IDS", help="run these shards only: 0-3 or 0,2,5 (default: $ARCHIVE_SHARDS)")
    run.add_argument("--shard-count", metavar="N", help="how many shards the application has in all "
                                                         "(default: $ARCHIVE_SHARD_COUNT)")
    with_url(with_db(sub.add_parser("console", help="chat with the bot locally: /help lists the commands")))

    ingest = with_url(with_db(sub.add_parser("ingest", help="read listing pages (text or saved HTML) into the "
                                                            "archive")))
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files, or folders of .txt/.html pages")
    ingest.add_argument("--quiet", "-q", action="store_true", help="no per-file failure lines, only the summary")
    ingest.add_argument("--wait", type=_seconds, default=INGEST_WAIT, metavar="SECONDS",
                        help=f"how long to wait for another process writing to the archive (default {INGEST_WAIT:g})")

    fetch = with_url(with_db(sub.add_parser("fetch", help="build or update the archive from the site (or a mirror "
                                                          "of it)")))
    fetch.add_argument("--base-url", default=ARCHIVE_URL, metavar="URL",
                       help=f"the site or a mirror of it (default {ARCHIVE_URL})")
    fetch.add_argument("--mirror", type=Path, metavar="DIR",
                       help="where the pages are saved (default: mirror/<host> beside the database)")
    fetch.add_argument("--max-pages", type=_count, metavar="N", help="read at most N listing pages")
    fetch.add_argument("--max-documents", type=_count, metavar="N", help="fetch at most N document pages this run")
    fetch.add_argument("--listings-only", action="store_true", help="only the listing pages, no document pages")
    fetch.add_argument("--refresh", action="store_true", help="ask again for documents already saved (conditionally)")
    fetch.add_argument("--delay", type=_seconds, default=DEFAULT_DELAY, metavar="SECONDS",
                       help=f"pause between requests (default {DEFAULT_DELAY:g}; at least {MIN_DELAY:g} "
                            "except for this machine)")
    fetch.add_argument("--quiet", "-q", action="store_true", help="no per-page failure lines, only the summary")

    index = with_db(sub.add_parser("index", help="build the search index now when the bot's next start would "
                                                 "(ingest and fetch do this themselves)"))
    index.add_argument("--quiet", "-q", action="store_true", help="say nothing when the index is up to date")

    exp = with_url(with_db(sub.add_parser("export", help="write the whole archive, one record per line")))
    exp.add_argument("--format", choices=FORMATS, default="jsonl")
    exp.add_argument("--output", "-o", type=Path, help="a file to write (default: standard output)")

    search = with_url(with_db(sub.add_parser("search", help="ranked documents for a query")))
    search.add_argument("query", nargs="*", help="words, names, dates: `zhou enlai nehru 1959`")
    search.add_argument("--limit", "-k", type=_positive, default=10, help="how many documents (default 10)")
    search.add_argument("--from", dest="date_from", type=_year, metavar="YEAR", help="only documents from YEAR on")
    search.add_argument("--to", dest="date_to", type=_year, metavar="YEAR", help="only documents up to YEAR")
    search.add_argument("--person", metavar="NAME", help="only documents with this participant (any spelling)")
    search.add_argument("--batch", type=Path, metavar="FILE", help="one query per line; prints JSON lines")
    search.add_argument("--json", action="store_true", help="one JSON object instead of text")

    ask = with_url(with_db(sub.add_parser("ask", help="a short answer from the best document, with its sources")))
    ask.add_argument("question", nargs="+")
    ask.add_argument("--json", action="store_true")

    day = with_url(with_db(sub.add_parser("onthisday", help="the day's document (the one a daily post would choose)")))
    day.add_argument("--date", metavar="MM-DD", help="a day of the year: 09-27 or '27 September' (default today)")
    day.add_argument("--json", action="store_true")

    like = with_url(with_db(sub.add_parser("similar", help="the documents most like one (More like this)")))
    like.add_argument("id", type=_record_id, help="the document's number, e.g. 42")
    like.add_argument("--limit", "-k", type=_positive, default=10, help="how many documents (default 10)")
    like.add_argument("--json", action="store_true", help="one JSON object instead of text")

    move = sub.add_parser("migrate", help="copy everything the bot keeps between SQLite and PostgreSQL, and check it")
    move.add_argument("--from", dest="source", required=True, metavar="WHERE",
                      help="sqlite:data/archive.db or postgresql://user:password@host/db")
    move.add_argument("--to", dest="destination", required=True, metavar="WHERE",
                      help="the same forms; it must hold no data yet")
    move.add_argument("--archive-only", action="store_true",
                      help="copy the archive (records, crawl state) but not the bot's subscriptions and ledger: "
                           "for a PostgreSQL that already keeps those")

    show = with_url(with_db(sub.add_parser("show", help="one document in full, with its citation")))
    show.add_argument("id", type=_record_id, metavar="ID")
    show.add_argument("--format", choices=SHOW_FORMATS, default="text",
                      help="text (default), json, or a citation to import: chicago, bibtex, ris (Zotero takes both)")
    show.add_argument("--json", action="store_true", help="the same as --format json")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_LIMIT}")
    return value


def _count(text: str) -> int:
    if not is_number(text) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError("must be between 0 and 86400 seconds")
    return value


def _year(text: str) -> int:
    if not (is_number(text) and len(text) == 4):
        raise argparse.ArgumentTypeError(f"{text!r} is not a year like 1958")
    return int(text)


def _record_id(text: str) -> int:
    value = text.lstrip("#")
    if not is_number(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a document number (see the #N in search results)")
    return int(value)


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
    if getattr(args, "db", None) is not None:
        settings = replace(settings, archive_db=args.db)
    try:
        settings = _run_options(args, settings)
    except ConfigError as exc:
        print(f"archive-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    setup_logging(settings)
    if args.command not in ("run", "console"):
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
        logging.getLogger("retrieval.ingest").setLevel(logging.ERROR)  # the CLI prints failures itself
    handler = {"run": cmd_run, "console": cmd_console, "ingest": cmd_ingest, "fetch": cmd_fetch, "export": cmd_export,
               "search": cmd_search, "ask": cmd_ask, "show": cmd_show, "onthisday": cmd_onthisday,
               "similar": cmd_similar, "migrate": cmd_migrate, "index": cmd_index}[args.command]
    try:
        return asyncio.run(handler(args, settings))
    except (StoreError, PeopleFileError, ThesaurusFileError) as exc:
        print(f"archive-bot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except sqlite3.Error as exc:  # a read of a damaged archive, wherever it happened
        print(f"archive-bot: {StoreError.from_sqlite(settings.archive_db, exc)}", file=sys.stderr)
        return EXIT_FAILED
    except QueryError as exc:
        print(f"archive-bot: {query_error_text(exc, Front.CLI)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `archive-bot export | head`: the reader has all it wanted
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        note = {"ingest": " (files already read are kept; the one being read was rolled back)",
                "index": " (the bot builds the search index on its next start)",
                "fetch": " (the pages saved are kept: `archive-bot fetch` again goes on from here)"
                }.get(args.command, "")
        if getattr(args, "indexing", False):  # ingest or fetch had finished; only the index was left
            note = " (the archive is complete; the bot builds the search index on its next start)"
        print(f"archive-bot: interrupted{note}", file=sys.stderr)
        return 130


def _run_options(args: argparse.Namespace, settings: Settings) -> Settings:
    """--database-url, and `run`'s --shards and --shard-count, over what the environment said."""
    if getattr(args, "database_url", None) is not None:
        settings = replace(settings, database_url=database_url(args.database_url, "--database-url"))
    shards, count = getattr(args, "shards", None), getattr(args, "shard_count", None)
    if shards is not None or count is not None:
        settings = replace(settings, shards=parse_shards(shards, count, ("--shards", "--shard-count")))
    return settings


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if settings.discord_token:
        return await run_bot(settings)
    print(NO_TOKEN_HELP, file=sys.stderr)
    return await run_console_app(settings)


async def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    return await run_console_app(settings)


def archive_target(args: argparse.Namespace, settings: Settings) -> str | Path:
    """Where ingest, fetch and export find the archive: PostgreSQL when a database URL is set (--database-url, or
    $DATABASE_URL unless --db names a file), else the SQLite file."""
    if settings.database_url and (args.database_url is not None or args.db is None):
        return settings.database_url
    return settings.archive_db


def shown_target(target: str | Path) -> str:
    return safe_url(target) if isinstance(target, str) else str(target)


async def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    people = PeopleDirectory.load()
    bar = ProgressBar(sys.stderr)

    said: list[bool] = []

    def waiting() -> None:  # once per run, however many files wait their turn
        if not said:
            said.append(True)
            bar.close()
            print(f"archive-bot: waiting for another process writing to {shown_target(target)} to finish…",
                  file=sys.stderr, flush=True)

    target = archive_target(args, settings)
    async with await open_store(target, write_wait=args.wait, on_wait=waiting) as store:
        report = await Ingester(store, people, progress=bar).ingest(args.paths)
    bar.close()
    if not args.quiet:
        for failure in report.failed:
            print(f"failed: {failure.path}: {failure.error}", file=sys.stderr)
        for done in report.files:
            if done.repairs:
                print(f"repaired: {done.path}: {repairs_text(done.repairs)}", file=sys.stderr)
    print(report.summary_line())
    if isinstance(target, Path) and report.totals.new + report.totals.updated:
        await prepare_index(args, target, people)
    return EXIT_FAILED if report.failed else EXIT_OK


async def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    if settings.database_url and args.db is None:
        print("archive-bot: with DATABASE_URL, each bot process builds the index of its own replica when it starts; "
              "`archive-bot index` is for an archive in SQLite (--db PATH)", file=sys.stderr)
        return EXIT_USAGE
    if not settings.archive_db.exists():
        print(f"archive-bot: no archive at {settings.archive_db}: run `archive-bot ingest PATH...` first",
              file=sys.stderr)
        return EXIT_FAILED
    started = time.perf_counter()
    try:
        size = await Archive.prepare_index(settings.archive_db)
    except OSError as exc:
        print(not_saved_text(settings.archive_db, exc.strerror or str(exc)), file=sys.stderr)
        return EXIT_FAILED
    if size is None:
        if not args.quiet:
            print("search index: up to date")
    else:
        print(built_text(size, time.perf_counter() - started))
    return EXIT_OK


def built_text(size: int, seconds: float) -> str:
    return f"search index built: {size:,} documents in {seconds:.1f} s; the bot's next start maps it"


def not_saved_text(db: Path, reason: str) -> str:
    return (f"archive-bot: the search index could not be saved beside {db} ({reason}); the bot builds it in "
            "memory when it starts")


async def prepare_index(args: argparse.Namespace, db: Path, people: PeopleDirectory) -> None:
    """After an ingest into SQLite, the index the bot's next start needs when the saved one would not serve it,
    built now in a process of its own (retrieval/build_index.py, as a running bot builds one: its memory goes
    back to the system at once, and a bot building the same index meanwhile is waited for, not doubled). The
    child is kept from the terminal's Ctrl-C, which stops it through this process, so that one line says what
    happened."""
    args.indexing = True
    if await Archive.index_serves(db, people):
        await Archive.write_shown(db)  # the rows of what the ingest changed; a build below writes them itself
        return
    started = time.perf_counter()
    done = await build_in_child(db)
    if done.outcome is Outcome.BUILT and sys.stderr.isatty():  # said on a terminal, like the progress bar
        print(built_text(done.records, time.perf_counter() - started), file=sys.stderr)
    elif done.outcome in (Outcome.NOT_SAVED, Outcome.FAILED):  # a problem, always
        print(not_saved_text(db, done.reason), file=sys.stderr)


MAX_FAILURE_LINES = 20


async def cmd_fetch(args: argparse.Namespace, settings: Settings) -> int:
    host = (urlsplit(args.base_url).netloc or "site").replace(":", "_")  # a folder name on any system
    mirror = args.mirror if args.mirror is not None else settings.archive_db.parent / "mirror" / host
    if settings.fetch_contact is None and not is_loopback(urlsplit(args.base_url).hostname or ""):
        print("archive-bot: note: set ARCHIVE_FETCH_CONTACT (a URL or an e-mail address) in .env so the site "
              "can tell who is fetching and write to you; the User-Agent names only archive-bot and its version",
              file=sys.stderr)
    options = FetchOptions(agent=user_agent(app_version(), settings.fetch_contact), mirror=mirror,
                           base_url=args.base_url,
                           max_pages=args.max_pages, max_documents=args.max_documents,
                           listings_only=args.listings_only, refresh=args.refresh, delay=args.delay)
    bar, ingest_bar = FetchBar(sys.stderr), ProgressBar(sys.stderr)
    people = PeopleDirectory.load()
    target = archive_target(args, settings)
    async with await open_store(target, write_wait=INGEST_WAIT) as store:
        try:
            report = await Crawler(store, people, options, bar.fetched, ingest_bar).run()
        except FetchError as exc:
            bar.close()
            print(f"archive-bot: {fetch_problem_text(exc)}", file=sys.stderr)
            usage = exc.problem in (FetchProblem.DELAY_TOO_SHORT, FetchProblem.BAD_URL)
            return EXIT_USAGE if usage else EXIT_FAILED
    bar.close()
    ingest_bar.close()
    if not args.quiet:
        for path, why in report.failures[:MAX_FAILURE_LINES]:
            print(f"failed: {options.base_url.rstrip('/')}{path}: {why}", file=sys.stderr)
        if len(report.failures) > MAX_FAILURE_LINES:
            print(f"failed: {len(report.failures) - MAX_FAILURE_LINES} more pages", file=sys.stderr)
        for failure in report.ingest.failed if report.ingest else []:
            print(f"not ingested: {failure.path}: {failure.error}", file=sys.stderr)
    print(fetch_summary_text(report))
    if report.stopped is not None:
        print(f"archive-bot: {fetch_problem_text(report.stopped)}", file=sys.stderr)
    if isinstance(target, Path) and report.ingest and report.ingest.totals.new + report.ingest.totals.updated:
        await prepare_index(args, target, people)
    return EXIT_FAILED if report.failed else EXIT_OK


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    target = archive_target(args, settings)
    if isinstance(target, Path) and not target.exists():
        print(f"archive-bot: no archive at {target}: run `archive-bot ingest PATH...` first", file=sys.stderr)
        return EXIT_FAILED
    async with await open_store(target) as store:
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


async def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    try:
        source, destination = Endpoint.parse(args.source), Endpoint.parse(args.destination)
    except TransferError as exc:
        print(f"archive-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    bar = ProgressBar(sys.stderr)
    try:
        report = await migrate(source, destination,
                               lambda table, done, total: bar.draw(done / total if total else 1.0,
                                                                   f"{table}: {done:,}/{total:,} rows"),
                               ARCHIVE_ONLY if args.archive_only else TABLES)
    finally:
        bar.close()
    for table in report.tables:
        print(f"{table.table:<15} {table.source.rows:>10,} rows  sha256 {table.source.hex[:16]}  "
              f"= {table.destination.rows:,} rows  sha256 {table.destination.hex[:16]}")
    print(f"migrated {report.source} -> {report.destination}: {report.rows:,} rows in {len(report.tables)} tables, "
          f"counts and checksums match ({report.seconds:.1f} s)")
    return EXIT_OK


async def open_archive(args: argparse.Namespace, settings: Settings) -> Archive:
    return await runner.open_archive(settings, lambda note: print(f"archive-bot: {note}", file=sys.stderr))


def _print_json(data: dict) -> None:
    print(terminal_json(data))


async def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    if args.batch is None and not args.query and args.date_from is None and args.date_to is None \
            and not args.person:
        print("archive-bot: search needs a query, --from/--to/--person, or --batch FILE", file=sys.stderr)
        return EXIT_USAGE
    if args.batch is not None and not args.batch.is_file():
        print(f"archive-bot: {args.batch}: no such file", file=sys.stderr)
        return EXIT_USAGE
    async with await open_archive(args, settings) as archive:
        if args.batch is not None:
            with args.batch.open(encoding="utf-8", errors="replace") as lines:
                for line in lines:
                    if line.strip():
                        result = await archive.search(line.strip(), args.limit, args.date_from, args.date_to,
                                                      args.person)
                        _print_json(result_to_dict(result))
            return EXIT_OK
        if args.json:
            query = " ".join(args.query)
            _print_json(result_to_dict(await archive.search(query, args.limit, args.date_from, args.date_to,
                                                            args.person)))
            return EXIT_OK
        reply = await Commands(archive, front=Front.CLI).search(" ".join(args.query), args.date_from, args.date_to,
                                                                args.person, limit=args.limit, browse_limit=args.limit)
    return _print_reply(reply)


def _print_reply(reply: Reply) -> int:
    print(render_reply(reply), file=sys.stderr if reply.kind is ReplyKind.ERROR else sys.stdout)
    return EXIT_USAGE if reply.kind is ReplyKind.ERROR else EXIT_OK


async def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_archive(args, settings) as archive:
        if args.json:
            _print_json(answer_to_dict(await archive.ask(" ".join(args.question))))
            return EXIT_OK
        reply = await Commands(archive, front=Front.CLI).ask(" ".join(args.question))
    return _print_reply(reply)


async def cmd_onthisday(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_archive(args, settings) as archive:
        reply = await Commands(archive, front=Front.CLI).onthisday(args.date)
    if not args.json:
        return _print_reply(reply)
    if reply.kind is ReplyKind.ERROR:
        print(f"archive-bot: {reply.lead}", file=sys.stderr)
        return EXIT_USAGE
    cards = reply.cards
    _print_json({
        "heading": reply.title,
        "note": reply.lead,
        "exact": reply.lead is None,
        "pick": {**record_to_dict(cards[0].record), "citation": citation_to_dict(cards[0].citation)} if cards else None,
        "others": [record_to_dict(c.record) for c in cards[1:]],
    })
    return EXIT_OK


async def cmd_similar(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_archive(args, settings) as archive:
        found = await archive.similar(args.id, args.limit)
        if found is None:
            print(f"archive-bot: no document #{args.id} in the archive", file=sys.stderr)
            return EXIT_FAILED
        if args.json:
            _print_json(similar_to_dict(found))
            return EXIT_OK
        reply = await Commands(archive, front=Front.CLI).similar(args.id, args.limit)
    return _print_reply(reply)


async def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_archive(args, settings) as archive:
        record = await archive.show(args.id)
    if record is None:
        print(f"archive-bot: no document #{args.id} in the archive", file=sys.stderr)
        return EXIT_FAILED
    form = "json" if args.json else args.format
    if form == "json":
        _print_json({**record_to_dict(record), "citation": citation_to_dict(cite(record))})
        return EXIT_OK
    if form == "text":
        return _print_reply(Reply(kind=ReplyKind.DOCUMENT, title=record.title, cards=[Card.of(record)]))
    # Exactly the format's own text (RIS keeps its CRLF), with what could drive a terminal written out.
    exported = formatted(cite(record), CitationFormat(form))
    sys.stdout.write(CRLF.join(visible(line) for line in exported.split(CRLF)))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
