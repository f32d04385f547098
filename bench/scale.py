"""Scale: start-up, memory, search speed, parity with rank-bm25 and refresh, on a generated archive of any size.

    PYTHONPATH=. nice python bench/scale.py [--records 17000] [--cache FOLDER] [--queries 300]

The archive (the seed pages and generated records, ingested as `archive-bot ingest` would) is cached in
FOLDER (default: the system's temporary folder) so a rerun skips the generation. Every figure is measured on a
working copy:
- start-up until the first answer: a fresh `archive-bot search` process (wall time), and `Archive.open` plus
  the first search in a fresh process; cold = the index must be built, warm = the index is on disk;
- resident memory of that process (VmHWM, VmRSS after the queries: testing/memory.py);
- search p50/p99 over realistic 2-5 word queries (words of random titles), in the warm process: the full search
  (understanding, ranking, hits read and cited) and the ranking alone (`scored(...).best(10)`);
- top-10 parity with `BM25Okapi.get_scores` on the same tokens, of the top 10 as a search finds them (from the
  tops of the postings when it can: `index.pruned`), on every query up to 100,000 records, a sample of 20 above
  (get_scores takes over a second per query at a million);
- the shown rows (retrieval/shown.py) written for every record, as `archive-bot index` leaves an archive: their time
  and the database's growth;
- refresh after ingesting 1,000 new records, while another thread searches: the refresh's time and the
  searches' longest wait;
- with --large-refresh N: a bot process (warm) refreshes after N new records were ingested by another process
  (more than the delta's 5 %: a new base is due), while a thread searches: the time until the new records are
  found, until the refresh ends, the bot's own peak memory (getrusage SELF) and its build children's
  (getrusage CHILDREN), CPU time of each, and the searches' longest wait. --large-refresh-only skips the rest.
  The code measured is whichever `retrieval` PYTHONPATH names (so main's code can be measured by this script).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

import retrieval
from retrieval.index import document_tokens
from retrieval.indexfiles import index_folder
from retrieval.reader import RecordReader
from retrieval.search import Archive
from retrieval.store import SqliteArchiveStore
from testing.database import every_record
from testing.listing_gen import percentile, write_listing
from testing.quality import ROOT as PROJECT
from testing.quality import build_archive

ROOT = Path(__file__).resolve().parent.parent
CODE = Path(retrieval.__file__).resolve().parent.parent  # the code measured: child processes run the same
NEW_WORD = "Zanzibar"  # in the large refresh's new titles only, so a search says when they are found

FULL_PARITY_UP_TO = 100_000
PARITY_SAMPLE = 20
REFRESH_RECORDS = 1000


def cached_archive(cache: Path, records: int) -> Path:
    """The generated archive of `records` records, made once per cache folder."""
    db = cache / f"scale-{records}.db"
    if not db.exists():
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            started = time.perf_counter()
            page = write_listing(Path(tmp) / "generated.txt", records - 55)
            asyncio.run(build_archive(Path(tmp) / db.name, [PROJECT / "seeds", page]))
            os.replace(Path(tmp) / db.name, db)
            print(f"generated and ingested {records:,} records in {time.perf_counter() - started:.0f} s")
    return db


def make_queries(db: Path, count: int) -> list[str]:
    """2-5 words of random titles (as people type them: no stop words dropped by hand)."""
    rng = random.Random(11)
    with sqlite3.connect(db) as conn:
        (top,) = conn.execute("SELECT MAX(id) FROM records").fetchone()
        titles: list[str] = []
        while len(titles) < count:
            wanted = [rng.randint(1, top) for _ in range(count)]
            marks = ",".join("?" * len(wanted))
            titles += [t for (t,) in conn.execute(f"SELECT title FROM records WHERE id IN ({marks})", wanted)]
    found = []
    for title in titles[:count]:
        words = [w for w in title.replace(",", " ").split() if w.isalpha()] or title.split()
        found.append(" ".join(rng.sample(words, min(len(words), rng.randint(2, 5)))))
    return found


def child(db: Path, queries_file: Path) -> None:
    """(A fresh process.) Open, first answer, the queries; print the figures as JSON."""
    from testing.memory import peak_rss_kib

    queries = json.loads(queries_file.read_text())

    async def run() -> dict:
        started = time.perf_counter()
        archive = await Archive.open(db)
        opened = time.perf_counter() - started
        await archive.search(queries[0])
        first = time.perf_counter() - started
        speed = timed(archive, queries)
        rss = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                   if line.startswith("VmRSS:"))
        await archive.close()
        return {"open": opened, "first": first, **speed, "hwm": peak_rss_kib(), "rss": rss}

    print(json.dumps(asyncio.run(run())))


def timed(archive: Archive, queries: list[str]) -> dict[str, float]:
    """Search p50/p99 (ms) over the queries: the whole search, and the ranking alone (the question's terms
    scored and the 10 best chosen)."""
    times, whole_cpu, ranking, cpu = [], [], [], []
    for query in queries:
        at, cpu_at = time.perf_counter(), time.process_time()
        archive.search_now(query)
        times.append((time.perf_counter() - at) * 1000)
        whole_cpu.append((time.process_time() - cpu_at) * 1000)
    index, parser = archive.snapshot.index, archive.snapshot.parser
    for query in queries:
        understood = parser.parse(query)
        at, cpu_at = time.perf_counter(), time.process_time()
        index.scored(understood.terms, understood.expansions).best(10)
        ranking.append((time.perf_counter() - at) * 1000)
        cpu.append((time.process_time() - cpu_at) * 1000)
    return {"p50": statistics.median(times), "p99": percentile(times, 99),
            "cpu_p50": statistics.median(whole_cpu), "cpu_p99": percentile(whole_cpu, 99),
            "rank_p50": statistics.median(ranking), "rank_p99": percentile(ranking, 99),
            "rank_cpu_p50": statistics.median(cpu), "rank_cpu_p99": percentile(cpu, 99)}


def in_child(db: Path, queries_file: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(db), "--queries-file", str(queries_file)],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def saved_index(source: Path) -> Path:
    """The index of the cached archive, saved beside it in the cache (built the first time, from a copy: the
    cached file stays as it was made, at its schema, for any version of the code to measure)."""
    folder = index_folder(source)
    if not folder.exists():
        async def build(db: Path) -> None:
            async with await Archive.open(db):
                pass

        with tempfile.TemporaryDirectory(dir=source.parent) as tmp:
            copy = Path(shutil.copyfile(source, Path(tmp) / source.name))
            asyncio.run(build(copy))
            os.replace(index_folder(copy), folder)
    return folder


@dataclass
class Filled:
    rows: int  # shown rows written (retrieval/shown.py): every record's
    seconds: float
    cpu: float
    before: int  # the database's bytes before them (its WAL checkpointed) ...
    after: int  # ... and after


def fill_shown(db: Path) -> Filled:
    """Every record's shown row written, as `archive-bot index` (and an ingest's `prepare_index`) leaves it."""
    async def migrate() -> None:
        async with await SqliteArchiveStore.open(db):
            pass

    def size() -> int:
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return db.stat().st_size

    asyncio.run(migrate())
    before = size()
    reader = RecordReader(db)
    started, cpu = time.perf_counter(), time.process_time()
    try:
        report = reader.fill()
    finally:
        reader.close()
    return Filled(report.written, time.perf_counter() - started, time.process_time() - cpu, before, size())


def cli_search(db: Path, query: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())", "search",
                    "--db", str(db), query], capture_output=True, check=True,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - started


def parity(archive: Archive, queries: list[str], sample: int | None) -> tuple[int, int, float]:
    """(queries checked, top 10s identical, get_scores' median seconds)."""
    index = archive.snapshot.index
    records = every_record(archive)
    reference = BM25Okapi([document_tokens(r) for r in records])
    del records
    positions = index.live_positions()
    chosen = queries if sample is None else random.Random(3).sample(queries, min(sample, len(queries)))
    same, took = 0, []
    for query in chosen:
        terms = list(archive.snapshot.parser.parse(query).terms)
        at = time.perf_counter()
        theirs = reference.get_scores(terms)
        took.append(time.perf_counter() - at)
        best = sorted(np.flatnonzero(theirs > 0).tolist(), key=lambda i: (-theirs[i], i))[:10]
        expected = [(int(index.ids[positions[i]]), float(theirs[i])) for i in best]
        ours = [(int(index.ids[i]), score) for i, score in index.scored(terms).best(10)]  # as a search ranks
        same += ours == expected
    return len(chosen), same, statistics.median(took)


@dataclass
class Refreshed:
    ingested: float  # seconds
    took: float  # the refresh's seconds
    longest: float  # the longest search (ms) while it ran
    delta: bool  # whether it added a delta (or built a new base)
    after: dict[str, float]  # `timed` on the refreshed snapshot
    checked: int  # parity on the refreshed snapshot: queries checked ...
    same: int  # ... and top 10s identical


def refresh(db: Path, queries: list[str], sample: int | None) -> Refreshed:
    """Ingest REFRESH_RECORDS new records, then refresh while a thread searches; then the searches' speed and
    parity on the refreshed snapshot (a base and a delta)."""

    async def run() -> Refreshed:
        archive = await Archive.open(db)
        page = write_listing(db.parent / "new.txt", REFRESH_RECORDS, seed=4242)
        started = time.perf_counter()
        await asyncio.to_thread(subprocess.run, [sys.executable, "-c",
                                                 "import sys; from bot.cli import main; sys.exit(main())",
                                                 "ingest", "--db", str(db), str(page)],
                                check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        ingested = time.perf_counter() - started
        with Searching(archive, queries) as searching:
            started = time.perf_counter()
            await archive.refresh()
            took = time.perf_counter() - started
        delta = archive.snapshot.index.delta is not None
        after = timed(archive, queries)
        checked, same, _ = await asyncio.to_thread(parity, archive, queries, sample)
        await archive.close()
        return Refreshed(ingested, took, searching.longest, delta, after, checked, same)

    return asyncio.run(run())


class Searching:
    """A thread asking `queries` over and over while a refresh runs (then `each`, when given, after every one):
    the longest search it saw, in ms."""

    def __init__(self, archive: Archive, queries: list[str], each: Callable[[], None] | None = None) -> None:
        self.archive, self.queries, self.each = archive, queries, each
        self.longest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        at = 0
        while not self._stop.is_set():
            began = time.perf_counter()
            self.archive.search_now(self.queries[at % len(self.queries)])
            self.longest = max(self.longest, (time.perf_counter() - began) * 1000)
            if self.each is not None:
                self.each()
            at += 1

    def __enter__(self) -> Searching:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def large_refresh_bot(db: Path, queries_file: Path) -> None:
    """(A fresh process: the bot.) Open the archive (its index on disk), say "ready", wait for "go" (the ingest
    done by another process), then refresh while a thread searches; print the figures as JSON."""
    import resource

    queries = json.loads(queries_file.read_text())

    async def run() -> dict:
        archive = await Archive.open(db)
        opened_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        found = [0.0]
        began_at = time.perf_counter()

        def look() -> None:
            if not found[0] and archive.search_now(NEW_WORD).hits:
                found[0] = time.perf_counter() - began_at

        cpu, children = time.process_time(), os.times()
        with Searching(archive, queries, look) as searching:
            await archive.refresh()
            took = time.perf_counter() - began_at
            while not found[0] and time.perf_counter() - began_at < took + 5:
                await asyncio.sleep(0.01)
        after = os.times()
        figures = {"found": found[0], "took": took, "longest": searching.longest, "cpu": time.process_time() - cpu,
                   "children_cpu": after.children_user + after.children_system - children.children_user
                   - children.children_system,
                   "rss_open": opened_rss, "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   "children_peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                   "delta": archive.snapshot.index.delta is not None}
        await archive.close()
        return figures

    print(json.dumps(asyncio.run(run())))


def ingest_more(db: Path, count: int) -> None:
    """(A process of its own.) `count` new records, each title naming NEW_WORD, ingested as `archive-bot ingest`
    does, without its index step: the bot's refresh is what is measured."""
    from testing.quality import build_archive

    page = write_listing(db.parent / "new.txt", count, seed=4242)
    page.write_text(page.read_text().replace(" (No. ", f" {NEW_WORD} (No. "))
    asyncio.run(build_archive(db, [page]))


def large_refresh(db: Path, queries_file: Path, count: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(CODE)}
    bot = subprocess.Popen([sys.executable, __file__, "--large-refresh-bot", str(db), "--queries-file",
                            str(queries_file)], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert bot.stdin is not None and bot.stdout is not None
    assert bot.stdout.readline() == "ready\n"
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--ingest-more", str(db), "--records", str(count)], env=env,
                   check=True)
    ingested = time.perf_counter() - started
    bot.stdin.write("go\n")
    bot.stdin.close()
    figures = dict(json.loads(bot.stdout.read().strip().splitlines()[-1]))
    bot.wait()
    return {**figures, "ingested": ingested, "count": count}


def print_large_refresh(f: dict) -> None:
    mib = 1024
    print(f"\nlarge refresh: {f['count']:,} new records ingested by another process ({f['ingested']:.1f} s), then "
          f"`Archive.refresh` in the bot (code: {CODE})")
    print(f"- new records found by a search after {f['found']:.2f} s; refresh done (new base mapped: "
          f"{'no, a delta' if f['delta'] else 'yes'}) after {f['took']:.2f} s")
    print(f"- CPU meanwhile: the bot {f['cpu']:.1f} s, its children {f['children_cpu']:.1f} s")
    print(f"- the bot's peak resident memory (getrusage SELF): {f['rss_open'] / mib:.0f} MiB after opening, "
          f"{f['rss_peak'] / mib:.0f} MiB at the end; its children's peak: {f['children_peak'] / mib:.0f} MiB")
    print(f"- longest search meanwhile: {f['longest']:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=17_000)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "archive-bot-scale")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warm-only", action="store_true",
                        help="skip the cold start: reuse an index saved beside the cached archive (built there once)")
    parser.add_argument("--large-refresh", type=int, default=0, metavar="N",
                        help="also measure a refresh after N new records (more than 5 %% of the archive)")
    parser.add_argument("--large-refresh-only", action="store_true", help="measure the large refresh alone")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--large-refresh-bot", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--ingest-more", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.queries_file)
        return
    if args.large_refresh_bot is not None:
        large_refresh_bot(args.large_refresh_bot, args.queries_file)
        return
    if args.ingest_more is not None:
        ingest_more(args.ingest_more, args.records)
        return
    source = cached_archive(args.cache, args.records)
    sample = None if args.records <= FULL_PARITY_UP_TO else PARITY_SAMPLE
    with tempfile.TemporaryDirectory(dir=args.cache) as tmp:
        db = Path(shutil.copyfile(source, Path(tmp) / "archive.db"))
        queries = make_queries(db, args.queries)
        queries_file = Path(tmp) / "queries.json"
        queries_file.write_text(json.dumps(queries))
        if args.large_refresh_only:
            shutil.copytree(saved_index(source), index_folder(db))
            print_large_refresh(large_refresh(db, queries_file, args.large_refresh))
            return
        cold: dict[str, float] | None = None
        filled = fill_shown(db)
        if args.warm_only:
            shutil.copytree(saved_index(source), index_folder(db))
        else:
            cli_cold = cli_search(db, queries[0])
        cli_warm = cli_search(db, queries[1])
        if not args.warm_only:
            shutil.rmtree(index_folder(db))
            cold = in_child(db, queries_file)
        warm = in_child(db, queries_file)
        files = sum(f.stat().st_size for f in index_folder(db).iterdir())

        async def check() -> tuple[int, int, float]:
            async with await Archive.open(db) as archive:
                return await asyncio.to_thread(parity, archive, queries, sample)

        checked, same, get_scores_s = asyncio.run(check())
        refreshed = refresh(db, queries, sample)
        grown = large_refresh(db, queries_file, args.large_refresh) if args.large_refresh else None
    mib = 1024

    def row(label: str, show: Callable[[dict[str, float]], str], cold_show: str | None = None) -> None:
        """A table row: the cold column (when measured), the warm one."""
        first = "(skipped)" if cold is None else cold_show or show(cold)
        print(f"| {label} | {first} | {show(warm)} |")

    def ms(low: str, high: str) -> Callable[[dict[str, float]], str]:
        return lambda f: f"{f[low]:.2f} / {f[high]:.2f} ms"

    after = refreshed.after
    print(f"\n{args.records:,} records (index files {files / 2**20:.0f} MiB)")
    print("| measure | cold (index built) | warm (index on disk) |")
    print("|---|---|---|")
    row("`archive-bot search` (fresh process, wall)", lambda f: f"{cli_warm:.2f} s",
        None if cold is None else f"{cli_cold:.2f} s")
    row("`Archive.open` + first search (fresh process)", lambda f: f"{f['first']:.2f} s")
    row("`Archive.open` alone", lambda f: f"{f['open']:.2f} s")
    row(f"resident memory: peak (VmHWM) / after {len(queries)} queries (VmRSS)",
        lambda f: f"{f['hwm'] / mib:.0f} / {f['rss'] / mib:.0f} MiB")
    row(f"search p50 / p99 ({len(queries)} queries of 2-5 words)", ms("p50", "p99"))
    row("search, CPU p50 / p99", ms("cpu_p50", "cpu_p99"))
    row("of which ranking alone p50 / p99 (terms scored, 10 best chosen)", ms("rank_p50", "rank_p99"))
    row("ranking alone, CPU p50 / p99", ms("rank_cpu_p50", "rank_cpu_p99"))
    print(f"\nshown rows (one per record, read by key when shown): {filled.rows:,} written in {filled.seconds:.2f} s "
          f"(CPU {filled.cpu:.2f} s, {filled.cpu / max(filled.rows, 1) * 1e6:.0f} µs a row); the database "
          f"{filled.before / 2**20:.1f} -> {filled.after / 2**20:.1f} MiB "
          f"(+{(filled.after - filled.before) / max(filled.rows, 1):.0f} bytes a record)")
    print(f"top 10 identical to BM25Okapi.get_scores: {same}/{checked} queries (get_scores: "
          f"{get_scores_s * 1000:.0f} ms per query)")
    print(f"refresh after ingesting {REFRESH_RECORDS:,} new records (ingest {refreshed.ingested:.1f} s): "
          f"{refreshed.took:.2f} s ({'delta' if refreshed.delta else 'new base'}); longest search meanwhile "
          f"{refreshed.longest:.1f} ms")
    print(f"search p50 / p99 after the refresh (a base and a delta): {ms('p50', 'p99')(after)}, ranking alone "
          f"{ms('rank_p50', 'rank_p99')(after)}, CPU {ms('rank_cpu_p50', 'rank_cpu_p99')(after)} (before it, warm: "
          f"{ms('p50', 'p99')(warm)}, ranking alone {ms('rank_p50', 'rank_p99')(warm)}, CPU "
          f"{ms('rank_cpu_p50', 'rank_cpu_p99')(warm)})")
    print(f"top 10 identical to BM25Okapi.get_scores after the refresh: {refreshed.same}/{refreshed.checked} "
          f"queries")
    if grown is not None:
        print_large_refresh(grown)

if __name__ == "__main__":
    main()
