"""Ingest on real files into real databases (SQLite, and PostgreSQL for the tests taking `archive_target`):
seeds, real pages, and every kind of bad input."""
from __future__ import annotations

import gc
import multiprocessing
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest

from retrieval import ingest as ingest_module
from retrieval.dates import ArchiveDate
from retrieval.identity import Incoming
from retrieval.ingest import Ingester, IngestProgress, IngestReport
from retrieval.people import PeopleDirectory
from retrieval.people.directory import ParticipantRow
from retrieval.people.load import read_people
from retrieval.records import RawRecord, Record, Repair, RepairKind
from retrieval.store import SCHEMA_VERSION
from retrieval.stores import open_store
from testing.database import before_shown
from testing.listing_gen import write_listing

from ..conftest import FIXTURES, PEOPLE, SEEDS, ArchiveTarget


async def ingest(db: ArchiveTarget, *paths: Path) -> tuple[IngestReport, list[Record]]:
    async with await open_store(db) as store:
        report = await Ingester(store, PEOPLE).ingest(list(paths))
        return report, await store.all_records()


async def stored(db: ArchiveTarget) -> list[Record]:
    async with await open_store(db) as store:
        return await store.all_records()


async def test_seeds_give_55_records_from_60_entries(archive_target, tmp_path):
    report, records = await ingest(archive_target, SEEDS)
    assert len(report.files) == 5 and not report.failed
    assert (report.totals.new, report.totals.unchanged) == (55, 5)
    assert len(records) == 55
    doubled = [r for r in records if len(r.sources) > 1]
    assert len(doubled) == 5  # the five records that two seed pages share


async def test_reingest_changes_nothing(archive_target):
    db = archive_target
    _, before = await ingest(db, SEEDS)
    report, after = await ingest(db, SEEDS)
    assert (report.totals.new, report.totals.updated, report.totals.unchanged) == (0, 0, 60)
    assert before == after


@pytest.mark.slow
async def test_real_pages_ingest_and_reingest_is_stable(tmp_path, realpages):
    db = tmp_path / "a.db"
    report, records = await ingest(db, realpages / "da")
    assert not report.failed
    assert len(records) == 555  # 554 title-and-date pairs, one of which names two documents
    again, _ = await ingest(db, realpages / "da")
    assert (again.totals.new, again.totals.updated) == (0, 0)


async def test_a_changed_summary_for_a_known_record_updates_it(archive_target, tmp_path):
    db = archive_target
    page = tmp_path / "page.txt"
    text = (SEEDS / "000_7db8b0dfcdf7ad4a.txt").read_text(encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    await ingest(db, page)
    page.write_text(text.replace("Gromyko informs Liu Xiao", "Foreign Minister Gromyko informs Liu Xiao"),
                    encoding="utf-8")
    report, records = await ingest(db, page)
    assert (report.totals.updated, report.totals.unchanged) == (1, 9)
    assert any(r.summary.startswith("Foreign Minister Gromyko informs") for r in records)


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": tmp_path / "empty.txt",
        "binary": tmp_path / "picture.txt",
        "no records": tmp_path / "notes.txt",
        "other site": tmp_path / "other.html",
        "endless line": tmp_path / "endless.txt",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    files["no records"].write_text("Shopping list\n\nmilk\n\neggs\n", encoding="utf-8")
    shutil.copy(FIXTURES / "html" / "other_site.html", files["other site"])
    with files["endless line"].open("wb") as fh:
        chunk = b"Mao Zedong " * 100_000
        for _ in range(48):  # about 50 MB, one line
            fh.write(chunk)
    return files


async def test_bad_files_fail_one_by_one_and_lose_nothing(db, tmp_path):
    files = _bad_files(tmp_path)
    report, records = await ingest(db, *files.values(), SEEDS / "000_7db8b0dfcdf7ad4a.txt", tmp_path / "missing.txt")
    reasons = {f.path.name: f.error for f in report.failed}
    assert reasons == {
        "empty.txt": "empty file",
        "picture.txt": "binary file, not a text or HTML listing",
        "notes.txt": "no archive records found: not a listing page of the archive",
        "other.html": reasons["other.html"],
        "endless.txt": "line 1 is over 1 MB long: not a listing",
        "missing.txt": "no such file or folder",
    }
    assert "another site" in reasons["other.html"]
    assert len(records) == 55  # nothing already stored was lost
    assert report.totals.unchanged == 10  # the good file still went in


async def test_windows_1252_text_is_decoded_not_rejected(archive_target, tmp_path):
    page = tmp_path / "cp1252.txt"
    page.write_bytes(
        "Documents\n\nAugust 22, 1952\n\nReport, Zhou Enlai to Chairman Mao [Zedong] \u2013 \u201cL\u00fcshun\u201d\n\n"
        "Zhou reports on the L\u00fcshun Port and the Charg\u00e9 d\u2019Affaires.\n\nPagination\n".encode("cp1252")
    )
    report, records = await ingest(archive_target, page)
    assert not report.failed
    assert records[0].title.endswith("\u2013 \u201cL\u00fcshun\u201d")
    assert "Charg\u00e9 d\u2019Affaires" in records[0].summary


async def test_html_pages_go_in_with_their_links(archive_target, tmp_path):
    report, records = await ingest(archive_target, FIXTURES / "html" / "search_results_list.html")
    assert not report.failed and records
    assert all(r.url and "/document/" in r.url for r in records)
    assert report.files[0].layout == "html"


async def test_participants_are_resolved_at_ingest(seeded_db):
    records = await stored(seeded_db)
    by_title = {r.title: r for r in records}
    cable = by_title["Cable, Mao Zedong to Filippov [Stalin]"]
    assert [(p.name, p.role) for p in cable.participants][:2] == [("Mao Zedong", "author"),
                                                                   ("Joseph Stalin", "recipient")]
    letter = by_title["Letter from Nikita Khrushchev to Zhou Enlai on the Prohibition of Nuclear Testing"]
    assert [(p.name, p.role) for p in letter.participants][:2] == [("Nikita Khrushchev", "author"),
                                                                    ("Zhou Enlai", "recipient")]
    talks = by_title["Record of Conversation between Mao Zedong and A.A. Gromyko"]
    assert {p.name for p in talks.participants} >= {"Mao Zedong", "Andrei Gromyko"}
    assert all(p.role == "participant" for p in talks.participants)


PAGE = ("Documents\n\nAugust 22, 1952\n\nReport, Zhou Enlai to Chairman Mao on L\u00fcshun\n\n"
        "Zhou reports on the L\u00fcshun Port and the Charg\u00e9 d\u2019Affaires.\n\nSeptember 1, 1952\n\n"
        "Cable, Gromyko to Liu Xiao\n\nGromyko\u2019s note on the Port Arthur talks.\n\nPagination\n")


async def test_a_stray_byte_neither_overwrites_nor_duplicates_and_is_reported(archive_target, tmp_path):
    db, page = archive_target, tmp_path / "page.txt"
    page.write_text(PAGE, encoding="utf-8")
    _, clean = await ingest(db, page)
    # Saved again by a Windows-1252 editor that wrote one ü and one apostrophe as single bytes.
    data = PAGE.encode().replace("Mao on L\u00fcshun".encode(), b"Mao on L\xfcshun")
    page.write_bytes(data.replace("Gromyko\u2019s".encode(), b"Gromyko\x92s"))
    report, records = await ingest(db, page)
    assert not report.failed
    assert report.files[0].repairs == (Repair(RepairKind.BYTES_REPLACED, 2),)
    assert [(r.title, r.summary) for r in records] == [(r.title, r.summary) for r in clean]
    assert (report.totals.new, report.totals.updated) == (0, 0)


async def test_impossible_days_and_cut_fields_are_reported(archive_target, tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(PAGE.replace("September 1, 1952", "February 30, 1952")
                    .replace("Port Arthur talks.", "Port Arthur talks. " + "And more. " * 2000), encoding="utf-8")
    report, records = await ingest(archive_target, page)
    assert report.files[0].repairs == (Repair(RepairKind.IMPOSSIBLE_DAY, 1), Repair(RepairKind.FIELD_CUT, 1))
    cable = next(r for r in records if r.title.startswith("Cable"))
    assert (cable.date.iso(), cable.date_text, cable.summary_partial) == ("1952-02", "February 30, 1952", True)


async def test_a_file_truncated_while_being_read_is_rolled_back_and_reported(archive_target, tmp_path):
    page = write_listing(tmp_path / "big.txt", 3000)

    def truncate_after_first_batch(progress: IngestProgress) -> None:
        if progress.records and page.stat().st_size > 1000:
            with page.open("r+b") as fh:
                fh.truncate(page.stat().st_size // 2)

    async with await open_store(archive_target) as store:
        report = await Ingester(store, PEOPLE, progress=truncate_after_first_batch).ingest([page])
        assert await store.count() == 0
    assert [f.error for f in report.failed] == [
        "changed while being read (another program wrote to it): nothing stored; ingest it again"]
    assert report.summary_line() == "0 files read: 0 new, 0 updated, 0 unchanged; 1 failed"


@pytest.mark.slow
async def test_a_large_file_read_with_worker_processes_stores_what_one_process_would(tmp_path, monkeypatch):
    page = write_listing(tmp_path / "big.txt", 4000)
    assert page.stat().st_size > ingest_module.POOL_BYTES
    workers_seen: list[int] = []

    def watch(progress: IngestProgress) -> None:
        workers_seen.append(len(multiprocessing.active_children()))

    async with await open_store(tmp_path / "pooled.db") as store:
        report = await Ingester(store, PEOPLE, progress=watch).ingest([page, SEEDS])
        pooled = await store.all_records()
    assert not report.failed and max(workers_seen) >= 2
    assert multiprocessing.active_children() == []  # stopped once the ingest is done
    monkeypatch.setattr(ingest_module, "POOL_BYTES", page.stat().st_size + 1)
    _, alone = await ingest(tmp_path / "alone.db", page, SEEDS)
    assert len(pooled) > 3000
    assert pooled == alone


class CountingDirectory(PeopleDirectory):
    """The people directory, counting the records whose participants it is asked to find."""

    found = 0

    def participant_rows(self, title: str, summary: str, authors: Sequence[str]) -> tuple[ParticipantRow, ...]:
        self.found += 1
        return super().participant_rows(title, summary, authors)


async def ingest_with(db: ArchiveTarget, people: PeopleDirectory, *paths: Path) -> tuple[IngestReport, list[Record]]:
    async with await open_store(db) as store:
        report = await Ingester(store, people).ingest(list(paths))
        return report, await store.all_records()


async def test_records_ingested_again_unchanged_keep_their_participants_without_finding_them_again(archive_target):
    db = archive_target
    people = CountingDirectory.load()
    _, first = await ingest_with(db, people, SEEDS)
    assert people.found == 55  # the five records two seed pages share are found stored by the second
    people.found = 0
    report, again = await ingest_with(db, people, SEEDS)
    assert people.found == 0
    assert (report.totals.new, report.totals.updated, report.totals.unchanged) == (0, 0, 60)
    assert again == first

    # Another people file finds other participants in the same texts: they are found again, and stored.
    fewer = CountingDirectory([e for e in people.entities if e.name != "Zhou Enlai"], read_people().not_names)
    report, changed = await ingest_with(db, fewer, SEEDS)
    assert fewer.found == 55
    named = {r.id for r in first if "Zhou Enlai" in {p.name for p in (*r.participants, *r.mentioned)}}
    assert named and report.totals.updated == len(named)
    assert not any("Zhou Enlai" in {p.name for p in (*r.participants, *r.mentioned)} for r in changed)


def listing_of(*entries: tuple[str, str, str]) -> str:
    """A listing page (the blank-line layout) of (date line, title, summary) entries."""
    return "Documents\n\n" + "".join(f"{date}\n\n{title}\n\n{summary}\n\n" for date, title, summary in entries)


async def test_a_new_archive_looks_up_no_participants_and_stores_those_it_would_have_found(archive_target, tmp_path,
                                                                                            monkeypatch):
    """Into a new archive, every record's participants are found: the only ones stored are its own file's, found
    from the same texts by the same rules. Into one with records, those found from the same text are taken."""
    monkeypatch.setattr(ingest_module, "BATCH", 2)  # the repeated text comes in a later batch than the first
    text = ("Letter from Mao Zedong to Joseph Stalin", "Zhou Enlai reports on the talks with Nikita Khrushchev.")
    first = tmp_path / "first.txt"
    others = [(f"May {day}, 1950", f"Cable {day}", "Ho Chi Minh asks.") for day in range(1, 7)]
    first.write_text(listing_of(("March 13, 1965", *text), *others, ("June 6, 1951", *text)))  # batches 1 and 4
    people = CountingDirectory.load()
    async with await open_store(archive_target) as store:
        assert not await store.has_records()
    report, records = await ingest_with(archive_target, people, first)
    assert report.totals.new == 8 and people.found == 8
    assert records[0].participants and records[0].participants == records[7].participants
    again = tmp_path / "again.txt"
    again.write_text(listing_of(("July 7, 1952", *text)))
    people.found = 0
    report, records = await ingest_with(archive_target, people, again)
    assert report.totals.new == 1 and people.found == 0 and records[8].participants == records[0].participants
    async with await open_store(archive_target) as store:
        assert await store.has_records()


async def test_a_new_archive_finds_its_files_earlier_batches_records_again(archive_target, tmp_path, monkeypatch):
    """Into a new archive only the base keys a file's batches wrote are looked up: a record seen again in a later
    batch, or another document under its title and date, finds the one stored, as in an archive with records."""
    monkeypatch.setattr(ingest_module, "BATCH", 2)
    entries = [("March 13, 1965", "Report", "Kim Il Sung writes"), ("April 2, 1977", "Cable", "Ho Chi Minh asks."),
               ("May 5, 1950", "Note", "Zhou Enlai replies."), ("March 13, 1965", "Report", "Kim Il Sung writes more."),
               ("May 5, 1950", "Note", "Another note."), ("April 2, 1977", "Cable", "Ho Chi Minh asks.")]
    page = tmp_path / "page.txt"
    page.write_text(listing_of(*entries))
    report, records = await ingest(archive_target, page)
    assert (report.totals.new, report.totals.updated, report.totals.unchanged) == (4, 1, 1)
    assert sorted((r.title, r.summary) for r in records) == [
        ("Cable", "Ho Chi Minh asks."), ("Note", "Another note."), ("Note", "Zhou Enlai replies."),
        ("Report", "Kim Il Sung writes more.")]
    other = tmp_path / "other.txt"  # the same page into an archive with a record: every base key looked up
    other.write_text(listing_of(("June 6, 1951", "Letter", "Mao Zedong writes.")))
    _, before = await ingest(tmp_path / "known.db", other)
    known, after = await ingest(tmp_path / "known.db", page)
    assert (known.totals.new, known.totals.updated, known.totals.unchanged) == (4, 1, 1)
    def shown(stored: list[Record]) -> list[tuple[str, str, object]]:
        return [(r.title, r.summary, r.date) for r in stored]

    assert shown(after[len(before):]) == shown(records)


@pytest.mark.parametrize("bits", [8, ingest_module._Written.BITS])
async def test_a_new_archives_written_keys_cost_a_false_match_a_lookup_only(tmp_path, monkeypatch, bits):
    """The written base keys are kept as bits of a fixed bitmap: every key written is found, few others are, and
    a key that matches by chance (all of them, in a bitmap of 8 bits) is only looked up, the records the same."""
    monkeypatch.setattr(ingest_module._Written, "BITS", bits)
    written = ingest_module._Written()
    batch = [Incoming(RawRecord("", ArchiveDate(1950), f"Title {n}"), ()) for n in range(2000)]
    written.add(batch)
    assert all(item.base_key in written for item in batch)
    chance = sum(f"other {n}|1950" in written for n in range(2000))
    assert chance == 2000 if bits == 8 else chance < 20
    monkeypatch.setattr(ingest_module, "BATCH", 2)
    entries = [("March 13, 1965", "Report", "Kim Il Sung writes"), ("May 5, 1950", "Note", "Zhou Enlai replies."),
               ("March 13, 1965", "Report", "Kim Il Sung writes more."), ("May 5, 1950", "Note", "Another note.")]
    page = tmp_path / "page.txt"
    page.write_text(listing_of(*entries))
    report, records = await ingest(tmp_path / "a.db", page)
    assert (report.totals.new, report.totals.updated) == (3, 1)
    assert sorted((r.title, r.summary) for r in records) == [
        ("Note", "Another note."), ("Note", "Zhou Enlai replies."), ("Report", "Kim Il Sung writes more.")]


async def test_a_large_file_ingested_again_unchanged_starts_no_worker_process(archive_target, monkeypatch):
    """Workers find participants; a file whose records all have theirs stored needs none (starting them costs
    their imports and the people file, and the file waits for them)."""
    _, first = await ingest(archive_target, SEEDS)
    monkeypatch.setattr(ingest_module, "POOL_BYTES", 1)  # every seed page is a large file now
    workers_seen: list[int] = []

    def watch(progress: IngestProgress) -> None:  # the process that parses a large file is no such worker
        workers_seen.append(sum(c.name != ingest_module.PARSER_NAME for c in multiprocessing.active_children()))

    async with await open_store(archive_target) as store:
        report = await Ingester(store, PEOPLE, progress=watch).ingest([SEEDS])
        again = await store.all_records()
    assert (report.totals.new, report.totals.updated, report.totals.unchanged) == (0, 0, 60)
    assert workers_seen and max(workers_seen) == 0
    assert again == first


async def test_an_archive_from_before_participant_digests_finds_them_once_more_then_keeps_them(tmp_path):
    db = tmp_path / "a.db"
    _, first = await ingest(db, SEEDS)
    with sqlite3.connect(db) as conn:  # the archive as schema 8 left it: no digests
        before_shown(conn)
        conn.execute("DROP INDEX records_people_input")
        conn.execute("ALTER TABLE records DROP COLUMN people_input")
        conn.execute("PRAGMA user_version = 8")
    people = CountingDirectory.load()
    report, again = await ingest_with(db, people, SEEDS)
    assert people.found == 55 and report.totals.unchanged == 60
    assert again == first
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT COUNT(*) FROM records WHERE people_input IS NULL").fetchone()[0] == 0
    people.found = 0
    await ingest_with(db, people, SEEDS)
    assert people.found == 0  # the participants found once more matched the stored ones: their digests were kept


def parsers() -> int:
    return sum(c.name == ingest_module.PARSER_NAME for c in multiprocessing.active_children())


async def test_a_large_file_is_parsed_in_a_process_of_its_own_and_reports_what_a_thread_would(tmp_path, monkeypatch):
    """Its layout, truncation, dropped entries and repairs come back from that process exactly."""
    data = write_listing(tmp_path / "big.txt", 8000).read_bytes()  # more than fits the pipe: the parser waits
    cut = data[:data.rindex(b"\n\n", 0, len(data) // 2) + 2] + b"March 3, 1950\n\nA title cut"  # no footer
    page = tmp_path / "page.txt"
    page.write_bytes(PAGE.encode().replace(b"Pagination\n", b"").replace(b"September 1", b"February 30")
                     .replace("Mao on L\u00fcshun".encode(), b"Mao on L\xfcshun") + cut)
    parsers_seen: list[int] = []

    async def run(db: Path) -> tuple[IngestReport, list[Record]]:
        async with await open_store(db) as store:
            report = await Ingester(store, PEOPLE, progress=lambda _: parsers_seen.append(parsers())).ingest([page])
            return report, await store.all_records()

    monkeypatch.setattr(ingest_module, "POOL_BYTES", page.stat().st_size + 1)
    alone, alone_records = await run(tmp_path / "alone.db")
    assert parsers_seen and max(parsers_seen) == 0
    monkeypatch.setattr(ingest_module, "POOL_BYTES", 1)
    parsers_seen.clear()
    apart, apart_records = await run(tmp_path / "apart.db")
    assert max(parsers_seen) == 1 and parsers() == 0
    assert not apart.failed and apart_records == alone_records and len(apart_records) > 3000
    file, expected = apart.files[0], alone.files[0]
    assert (file.layout, file.truncated, file.dropped, file.repairs) == ("blank-line", True, 1, (
        Repair(RepairKind.BYTES_REPLACED, 1), Repair(RepairKind.IMPOSSIBLE_DAY, 1)))
    assert (file.layout, file.truncated, file.dropped, file.repairs, file.records, file.counts) == (
        expected.layout, expected.truncated, expected.dropped, expected.repairs, expected.records, expected.counts)


async def test_a_large_file_that_is_no_listing_fails_as_in_one_process(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "POOL_BYTES", 1)
    page = tmp_path / "notes.txt"
    page.write_text("Shopping list\n\nmilk, bread\n" * 100, encoding="utf-8")
    report, records = await ingest(tmp_path / "a.db", page)
    assert [f.error for f in report.failed] == ["no archive records found: not a listing page of the archive"]
    assert records == [] and parsers() == 0


async def test_a_parsing_process_killed_mid_file_stores_nothing_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "POOL_BYTES", 1)
    monkeypatch.setattr(ingest_module, "WORKERS", 2)
    page = write_listing(tmp_path / "big.txt", 6000)  # more than this process reads ahead: the parser is busy

    def kill_the_parser(progress: IngestProgress) -> None:
        for child in multiprocessing.active_children():
            if child.name == ingest_module.PARSER_NAME:
                child.kill()

    async with await open_store(tmp_path / "a.db") as store:
        report = await Ingester(store, PEOPLE, progress=kill_the_parser).ingest([page, SEEDS])
        assert await store.count() == 55  # the seeds, after: the next files are read as usual
    assert [f.error for f in report.failed] == ["a worker process parsing it or finding participants stopped "
                                                "(killed, or out of memory): nothing stored; ingest it again"]
    assert multiprocessing.active_children() == []


async def test_an_ingest_collects_cycles_rarely_and_gives_the_process_its_setting_back(db, tmp_path):
    """A bot ingesting while it serves has its own collector setting again after, a failed file included."""
    during: list[int] = []
    (tmp_path / "broken.txt").write_bytes(b"\x00" * 64)  # binary: fails
    before = gc.get_threshold()
    async with await open_store(db) as store:
        report = await Ingester(store, PEOPLE, lambda _: during.append(gc.get_threshold()[0])).ingest(
            [SEEDS, tmp_path / "broken.txt"])
    assert len(report.failed) == 1 and during
    assert set(during) == {ingest_module.GC_ALLOCATIONS} != {before[0]}
    assert gc.get_threshold() == before
