"""The `archive-bot` command as a user runs it: a real process, real files, exit codes and output."""
from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from retrieval.search import Archive
from testing.listing_gen import write_listing

from ..conftest import SEEDS

pytestmark = pytest.mark.slow  # each starts `archive-bot` processes (the 100,000-record ingest takes a minute)


def cli(*args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None, text: bool = True
        ) -> subprocess.CompletedProcess:
    """`archive-bot ARGS` in a real process; `text=False` gives the bytes as written (line endings kept)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DISCORD_", "LOG_"))}
    environ.update(env or {})
    stdin = input if input is not None else ""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=environ, capture_output=True, text=text, timeout=600,
        input=stdin if text else stdin.encode(),
    )


def test_ingest_prints_one_summary_line_and_defaults_to_data_archive_db(tmp_path):
    result = cli("ingest", str(SEEDS), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5 files read: 55 new, 0 updated, 5 unchanged; 0 failed"
    assert (tmp_path / "data" / "archive.db").exists()
    again = cli("ingest", str(SEEDS), cwd=tmp_path)
    assert again.stdout.strip() == "5 files read: 0 new, 0 updated, 60 unchanged; 0 failed"


def test_ingest_leaves_the_index_the_next_start_maps_and_index_says_when_it_is_current(tmp_path, caplog):
    first = cli("ingest", str(SEEDS / "000_7db8b0dfcdf7ad4a.txt"), "--db", "a.db", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().startswith("1 file read: ")  # stdout is still the one summary line
    assert first.stderr == ""  # what was built is said on a terminal only, as the progress bar
    assert (tmp_path / "a.index").is_dir()
    caplog.set_level(logging.INFO, logger="retrieval.search")

    async def start() -> int:
        archive = await Archive.open(tmp_path / "a.db")
        try:
            return archive.size
        finally:
            await archive.close()

    assert asyncio.run(start()) > 0
    assert "building the search index" not in caplog.text  # mapped, not built
    assert cli("index", "--db", "a.db", cwd=tmp_path).stdout.strip() == "search index: up to date"
    unchanged = cli("ingest", str(SEEDS / "000_7db8b0dfcdf7ad4a.txt"), "--db", "a.db", cwd=tmp_path)
    assert "search index" not in unchanged.stderr  # nothing new: nothing to build
    write_listing(tmp_path / "more.txt", 2)  # under 5 %: the saved index serves, the new records' rows are written
    assert cli("ingest", "more.txt", "--db", "a.db", cwd=tmp_path).returncode == 0
    with closing(sqlite3.connect(tmp_path / "a.db")) as conn:
        assert conn.execute("SELECT count(*) FROM records").fetchone()[0] > 2
        without = "SELECT count(*) FROM records WHERE id NOT IN (SELECT record_id FROM shown)"
        assert conn.execute(without).fetchone() == (0,)
    shutil.rmtree(tmp_path / "a.index")
    rebuilt = cli("index", "--db", "a.db", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert re.fullmatch(r"search index built: [\d,]+ documents in [\d.]+ s; the bot's next start maps it\n",
                        rebuilt.stdout), rebuilt.stdout
    missing = cli("index", "--db", "nothing-here.db", cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr.strip() == (
        f"archive-bot: no archive at {Path('nothing-here.db')}: run `archive-bot ingest PATH...` first")
    assert not (tmp_path / "nothing-here.db").exists()
    shutil.rmtree(tmp_path / "a.index")
    (tmp_path / "a.index").write_text("my notes\n")  # a file of the user's where the index would go
    refused = cli("index", "--db", "a.db", cwd=tmp_path)
    assert refused.returncode == 1 and refused.stderr.startswith("archive-bot: the search index could not be saved")
    assert "Traceback" not in refused.stderr and (tmp_path / "a.index").read_text() == "my notes\n"
    shared = cli("index", cwd=tmp_path, env={"DATABASE_URL": "postgresql://bot:Secret-9@127.0.0.1:1/archive"})
    assert shared.returncode == 2 and "builds the index of its own replica" in shared.stderr
    assert "Secret-9" not in shared.stderr


def test_database_from_env_file_and_from_flag(tmp_path):
    (tmp_path / ".env").write_text("ARCHIVE_DB=from-dotenv.db\n")
    assert cli("ingest", str(SEEDS / "000_7db8b0dfcdf7ad4a.txt"), cwd=tmp_path).returncode == 0
    assert (tmp_path / "from-dotenv.db").exists()
    assert cli("ingest", str(SEEDS), "--db", "flag.db", cwd=tmp_path).returncode == 0
    assert (tmp_path / "flag.db").exists()
    environment = cli("ingest", str(SEEDS), cwd=tmp_path, env={"ARCHIVE_DB": "env.db"})
    assert environment.returncode == 0 and (tmp_path / "env.db").exists()  # the environment beats .env


def test_failed_files_get_one_line_each_and_a_nonzero_exit(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = cli("ingest", str(SEEDS), str(tmp_path / "empty.txt"), "--db", "a.db", cwd=tmp_path)
    assert result.returncode == 1
    assert f"failed: {tmp_path / 'empty.txt'}: empty file" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == "5 files read: 55 new, 0 updated, 5 unchanged; 1 failed"


def test_export_jsonl_and_csv(tmp_path):
    cli("ingest", str(SEEDS), "--db", "a.db", cwd=tmp_path)
    result = cli("export", "--db", "a.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 55
    assert {"id", "date", "date_text", "precision", "title", "summary", "notes", "participants", "url",
            "sources"} <= set(rows[0])
    by_title = {r["title"]: r for r in rows}
    note = by_title["Note from Andrey Vyshinsky to Zhou Enlai, February 1950"]
    assert (note["date"], note["date_text"], note["precision"]) == ("1950-02", "February, 1950", "month")
    speech = next(r for r in rows if r["title"].startswith("Stenographic Record of a Speech"))
    assert speech["notes"][0].startswith("Brian Murray questions the validity")
    assert {"Andrey Vyshinsky", "Zhou Enlai"} <= set(note["participants"])
    assert all(s.endswith(".txt") for r in rows for s in r["sources"])

    out = tmp_path / "out" / "archive.csv"
    assert cli("export", "--format", "csv", "--db", "a.db", "-o", str(out), cwd=tmp_path).returncode == 0
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(table) == 55 and table[0]["title"] == rows[0]["title"]


def test_export_without_an_archive_says_what_to_do(tmp_path):
    result = cli("export", "--db", "nothing.db", cwd=tmp_path)
    assert result.returncode == 1
    assert "run `archive-bot ingest PATH...` first" in result.stderr
    assert not (tmp_path / "nothing.db").exists()


def test_a_bad_setting_fails_with_one_line(tmp_path):
    result = cli("ingest", str(SEEDS), cwd=tmp_path, env={"LOG_LEVEL": "LOUD"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "archive-bot: configuration error: LOG_LEVEL='LOUD' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL"
    )


PEAK_OF_INGEST = """
import sys
from bot.cli import main
from testing.memory import peak_rss_kib
try:
    code = main(sys.argv[1:])
finally:
    print("peak_kib", peak_rss_kib(), file=sys.stderr)
sys.exit(code)
"""


def test_100000_record_listing_ingests_in_bounded_memory(tmp_path):
    big = write_listing(tmp_path / "big.txt", 100_000)
    assert big.stat().st_size > 25_000_000
    # The ingest reports its own peak (see testing/memory.py: not ru_maxrss, which a child inherits).
    measured = subprocess.run(
        [sys.executable, "-c", PEAK_OF_INGEST, "ingest", str(big), "--db", "big.db"], cwd=tmp_path,
        capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if not k.startswith(("ARCHIVE_", "DISCORD_", "LOG_"))},
    )
    result, peak_kib = measured, int(measured.stderr.strip().splitlines()[-1].removeprefix("peak_kib "))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("1 file read: 100000 new")
    # The file alone is 35 MB of text; parsed into records at once it would take several times that.
    assert peak_kib < 150 * 1024, f"peak RSS {peak_kib / 1024:.0f} MiB"


def test_search_on_a_fresh_machine_ingests_the_seeds_first_and_answers(tmp_path):
    result = cli("search", "Chou En-lai", "Antonov", "Jinmen", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "was empty; added the bundled seed pages" in result.stderr
    first = result.stdout.split("\n\n")[1]
    assert "Meeting Minutes, Zhou Enlai’s Conversation with S.F. Antonov on the Taiwan Issue" in first
    assert "October 5, 1958" in first and "Wilson Center Digital Archive. https://" in first


def test_search_json_shape_and_filters(tmp_path):
    result = cli("search", "mao", "stalin", "korea", "--from", "1952", "--to", "1952", "--limit", "3", "--json",
                 cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["query"] == "mao stalin korea" and data["intent"] == "search"
    assert 1 <= len(data["hits"]) <= 3
    for hit in data["hits"]:
        assert set(hit) >= {"id", "score", "date", "date_text", "title", "summary", "participants", "mentioned", "url",
                            "citation"}
        assert all(set(p) == {"name", "role"} for p in hit["participants"])
        assert hit["date"].startswith("1952") and hit["score"] > 0
        assert hit["citation"]["text"].startswith('"' + hit["title"] + '", ')


def test_search_with_only_years_or_a_person_lists_by_date(tmp_path):
    result = cli("search", "--from", "1958", "--to", "1958", "--limit", "4", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "documents dated 1958, in date order; the first 4 are listed." in result.stdout
    data = json.loads(cli("search", "--from", "1958", "--to", "1958", "--json", "-k", "100", cwd=tmp_path).stdout)
    assert data["intent"] == "browse" and data["total"] == len(data["hits"]) > 4
    assert [h["date"] for h in data["hits"]] == sorted(h["date"] for h in data["hits"])
    assert all(h["date"].startswith("1958") for h in data["hits"])
    nobody = cli("search", cwd=tmp_path)
    assert nobody.returncode == 2 and "search needs a query, --from/--to/--person" in nobody.stderr


def test_ask_json_carries_the_intent_and_the_person(tmp_path):
    person = json.loads(cli("ask", "who", "was", "Filippov?", "--json", cwd=tmp_path).stdout)
    assert person["intent"] == "person" and person["answer"] is None
    assert person["person"]["name"] == "Joseph Stalin" and "Filippov" in person["person"]["aliases"]
    assert person["person"]["took_part"] + person["person"]["mentioned"] == len(person["hits"]) > 0
    assert json.loads(cli("ask", "help", "--json", cwd=tmp_path).stdout)["intent"] == "help"
    assert json.loads(cli("ask", "today in history", "--json", cwd=tmp_path).stdout)["intent"] == "onthisday"
    browse = json.loads(cli("ask", "documents from October 1958", "--json", cwd=tmp_path).stdout)
    assert browse["intent"] == "browse" and browse["person"] is None and browse["hits"]
    plain = cli("ask", "who was Filippov", cwd=tmp_path)
    assert plain.returncode == 0 and "\u201cFilippov\u201d is Joseph Stalin." in plain.stdout


def test_search_batch_loads_once_and_prints_a_json_line_per_query(tmp_path):
    batch = tmp_path / "queries.txt"
    batch.write_text("Filippov insects\n\nkhruschev nuclear testing\nzxqv blorft\n", encoding="utf-8")
    result = cli("search", "--batch", str(batch), "--limit", "2", cwd=tmp_path)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == ["Filippov insects", "khruschev nuclear testing", "zxqv blorft"]
    assert lines[0]["hits"][0]["title"] == "Cable, Mao Zedong to Filippov [Stalin]"
    assert lines[2]["hits"] == [] and lines[2]["notice"].startswith("Nothing in the archive matches")


def test_ask_and_show(tmp_path):
    answer = json.loads(cli("ask", "why did the soviets halt nuclear assistance?", "--json", cwd=tmp_path).stdout)
    assert answer["answer"]["text"].endswith("(June 20, 1959)")
    assert answer["hits"][0]["id"] == answer["answer"]["id"]
    shown = cli("show", f"#{answer['answer']['id']}", cwd=tmp_path)
    assert shown.returncode == 0
    assert "Temporary Halt in Nuclear Assistance" in shown.stdout and "Cite as:" in shown.stdout
    as_json = json.loads(cli("show", str(answer["answer"]["id"]), "--json", cwd=tmp_path).stdout)
    assert as_json["precision"] == "day" and as_json["citation"]["date"] == "June 20, 1959"


def test_show_exports_a_citation_in_each_format(tmp_path):
    cli("ingest", str(SEEDS), "--db", "a.db", cwd=tmp_path)
    gromyko = "Record of Conversation between Mao Zedong and A.A. Gromyko"
    ris = cli("show", "3", "--format", "ris", "--db", "a.db", cwd=tmp_path, text=False)
    assert ris.returncode == 0, ris.stderr
    lines = ris.stdout.decode("utf-8").split("\r\n")  # RIS's own line ending, every line
    assert lines[0] == "TY  - MANSCPT" and lines[-2:] == ["ER  - ", ""] and f"TI  - {gromyko}" in lines
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1])
    assert "DA  - 1957/11/19/" in lines and not any(line.startswith("UR") for line in lines)  # no search as URL
    bib = cli("show", "#3", "--format", "bibtex", "--db", "a.db", cwd=tmp_path).stdout
    assert re.match(r"@misc\{wcda1957-[0-9a-f]{8},\n  title = \{\{" + re.escape(gromyko) + r"\}\},", bib)
    assert bib.count("{") == bib.count("}") and bib.endswith("\n}\n")
    chicago = cli("show", "3", "--format", "chicago", "--db", "a.db", cwd=tmp_path).stdout.splitlines()
    assert chicago[0] == f"Note: \u201c{gromyko},\u201d November 19, 1957, Wilson Center Digital Archive."
    assert chicago[1].startswith(f"Bibliography: \u201c{gromyko}.\u201d November 19, 1957.")
    as_json = json.loads(cli("show", "3", "--format", "json", "--db", "a.db", cwd=tmp_path).stdout)
    assert as_json == json.loads(cli("show", "3", "--json", "--db", "a.db", cwd=tmp_path).stdout)
    assert as_json["citation"]["link"] == "search" and as_json["citation"]["link_is_search"] is True
    text = cli("show", "3", "--format", "text", "--db", "a.db", cwd=tmp_path).stdout
    assert text.splitlines()[-1].startswith(f'Cite as: "{gromyko}", November 19, 1957, Wilson Center Digital')
    wrong = cli("show", "3", "--format", "xml", "--db", "a.db", cwd=tmp_path)
    assert wrong.returncode == 2 and "invalid choice: 'xml'" in wrong.stderr and "Traceback" not in wrong.stderr


def test_bad_query_input_gets_clear_messages(tmp_path):
    missing = cli("show", "99999", cwd=tmp_path)
    assert (missing.returncode, missing.stderr.strip().splitlines()[-1]) == (
        1, "archive-bot: no document #99999 in the archive")
    huge = cli("show", "9" * 40, cwd=tmp_path)
    assert huge.returncode == 1 and "no document #" in huge.stderr and "Traceback" not in huge.stderr
    word = cli("show", "abc", cwd=tmp_path)
    assert word.returncode == 2 and "is not a document number" in word.stderr
    reversed_years = cli("search", "mao", "--from", "1960", "--to", "1950", cwd=tmp_path)
    assert reversed_years.returncode == 2 and "--from 1960 is after --to 1950" in reversed_years.stderr
    nobody = cli("search", "mao", "--person", "Nobody McNobodyface", cwd=tmp_path)
    assert nobody.returncode == 2 and "No one called \u201cNobody McNobodyface\u201d" in nobody.stderr
    for query in ["", "@everyone", "🙂", "x" * 6000]:
        result = cli("search", query, cwd=tmp_path)
        assert "Traceback" not in result.stderr
        assert result.returncode in (0, 2)


def test_onthisday_on_the_command_line(tmp_path):
    result = json.loads(cli("onthisday", "--date", "09-27", "--json", cwd=tmp_path).stdout)
    assert result["heading"].startswith("On this day in 1958")
    assert result["pick"]["date"] == "1958-09-27" and result["pick"]["precision"] == "day"
    nearest = json.loads(cli("onthisday", "--date", "23 November", "--json", cwd=tmp_path).stdout)
    assert not nearest["exact"] and nearest["note"].startswith("Nothing in the archive is dated 23 November")
    bad = cli("onthisday", "--date", "13-45", cwd=tmp_path)
    assert bad.returncode == 2 and "is not a day of the year" in bad.stderr
