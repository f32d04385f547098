"""Checks the labelled retrieval question set: its shape, its mix, and that every answer is a real record.

The answers are checked against the listing pages themselves with a deliberately small reader that shares
nothing with the product's parser: an answer's title must occur as a whole line of some page, and the line
block just before that line (the date line, or nothing for an undated record) must give the answer's date.
"""
from __future__ import annotations

import calendar
import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from testing.quality import QUESTIONS

from ..conftest import REALPAGES, SEEDS

KINDS = ("paraphrase", "oldname", "keyword", "spelling", "typo", "wordform", "date", "chatty")
SOURCES = ("seed", "realpages")
MIN_QUESTIONS, MIN_PER_KIND, MIN_SEED, MIN_REALPAGES = 100, 10, 40, 50

ISO = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
# "October 11, 1956" / "September 01, 1952" / "February, 1950" / "February 1950" / "1948"
DATE_LINE = re.compile(r"^(?:(?P<month>[A-Za-z]+)(?:\s+(?P<day>\d{1,2}))?,?\s+)?(?P<year>\d{4})$")


def page_date(line: str) -> str | None:
    """The ISO form of a page's date line, None for a line that is not a date (an undated record)."""
    match = DATE_LINE.match(line)
    if not match:
        return None
    year, month, day = match["year"], match["month"], match["day"]
    if month is None:
        return year
    if month.lower() not in MONTHS:
        return None
    iso = f"{year}-{MONTHS[month.lower()]:02d}"
    return f"{iso}-{int(day):02d}" if day else iso


def _clean(line: str) -> str:
    return line.strip().lstrip("•").strip()


@cache
def index(folder: Path) -> dict[str, set[str | None]]:
    """title line -> the dates written in the block just before it, over every .txt page under `folder`."""
    found: dict[str, set[str | None]] = {}
    for path in sorted(folder.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        if lines and not text.endswith("\n"):
            lines = lines[:-1]  # a page cut off mid-line: its last line may be an incomplete title
        previous = ""  # last non-blank line seen
        for raw in lines:
            line = _clean(raw)
            if not line:
                continue
            found.setdefault(line, set()).add(page_date(previous) if previous else None)
            previous = line
    return found


def load() -> list[dict]:
    rows = []
    with QUESTIONS.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            assert line.strip(), f"line {number} is blank"
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:  # pragma: no cover - reported as a failure
                pytest.fail(f"line {number} is not JSON: {error}")
    return rows


def test_every_line_has_the_expected_shape():
    for number, row in enumerate(load(), 1):
        assert set(row) == {"q", "answers", "kind", "source"}, f"line {number}: keys {sorted(row)}"
        assert isinstance(row["q"], str) and row["q"].strip(), f"line {number}: empty question"
        assert row["kind"] in KINDS, f"line {number}: unknown kind {row['kind']!r}"
        assert row["source"] in SOURCES, f"line {number}: unknown source {row['source']!r}"
        assert isinstance(row["answers"], list) and row["answers"], f"line {number}: no answers"
        for answer in row["answers"]:
            assert set(answer) == {"title", "date"}, f"line {number}: answer keys {sorted(answer)}"
            assert isinstance(answer["title"], str) and answer["title"].strip() == answer["title"] != ""
            assert answer["date"] is None or ISO.match(answer["date"]), f"line {number}: date {answer['date']!r}"
        pairs = [(a["title"], a["date"]) for a in row["answers"]]
        assert len(pairs) == len(set(pairs)), f"line {number}: an answer is listed twice"


def test_the_mix_of_questions():
    rows = load()
    assert len(rows) >= MIN_QUESTIONS
    kinds = Counter(row["kind"] for row in rows)
    for kind in KINDS:
        assert kinds[kind] >= MIN_PER_KIND, f"only {kinds[kind]} {kind} questions"
    sources = Counter(row["source"] for row in rows)
    assert sources["seed"] >= MIN_SEED and sources["realpages"] >= MIN_REALPAGES, sources
    questions = [" ".join(row["q"].lower().split()) for row in rows]
    assert len(questions) == len(set(questions)), "a question is asked twice"


def _missing(answer: dict, found: dict[str, set[str | None]]) -> bool:
    return answer["date"] not in found.get(answer["title"], set())


def test_seed_answers_are_records_of_the_seed_pages():
    seeds = index(SEEDS)
    assert seeds, "no seed pages found"
    for row in load():
        if row["source"] != "seed":
            continue
        for answer in row["answers"]:
            assert not _missing(answer, seeds), f"{row['q']!r}: not in the seeds: {answer}"


def test_every_answer_is_a_record_of_some_page():
    if not (REALPAGES / "da").is_dir():
        pytest.skip("../shared/realpages is not beside this checkout")
    seeds, real = index(SEEDS), index(REALPAGES)
    for row in load():
        for answer in row["answers"]:
            assert not (_missing(answer, seeds) and _missing(answer, real)), f"{row['q']!r}: no such record: {answer}"
        if row["source"] == "realpages":
            assert any(_missing(a, seeds) for a in row["answers"]), f"{row['q']!r}: all answers are seed records"


def test_the_reader_understands_every_date_form():
    assert page_date("October 11, 1956") == "1956-10-11"
    assert page_date("September 01, 1952") == "1952-09-01"
    assert page_date("September 1, 1952") == "1952-09-01"
    assert page_date("February, 1950") == "1950-02"
    assert page_date("February 1950") == "1950-02"
    assert page_date("1948") == "1948"
    assert page_date("Zhou Enlai seeks technical support from the Soviet Union.") is None
