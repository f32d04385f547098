"""The core returns codes; each front end words them in its own spelling. Unit tests, no archive needed."""
from __future__ import annotations

from bot.wording import Front, hint_text, hints_line, meta_line, notice_text, people_with_roles, query_error_text
from retrieval.daterange import DateRange
from retrieval.dates import ArchiveDate
from retrieval.records import Participant, Record, Role
from retrieval.search import Hint, HintKind, Notice, NoticeKind, QueryError, QueryProblem


def _record(people: int) -> Record:
    participants = tuple(Participant(f"Person {i}", Role.AUTHOR if i == 0 else Role.PARTICIPANT)
                         for i in range(people))
    return Record(id=7, date=ArchiveDate(1958, 9, 27), date_text="September 27, 1958", title="T", summary="",
                  participants=participants)


def test_notices_name_what_had_no_match():
    assert notice_text(Notice(NoticeKind.DATE_RELAXED, dates=DateRange.years(1950, 1950))) == (
        "Nothing dated 1950 matches; the best matches at any date:")
    assert notice_text(Notice(NoticeKind.NOTHING_FOUND, searched="zxqv")) == (
        "Nothing in the archive matches \u201czxqv\u201d.")
    assert notice_text(Notice(NoticeKind.NO_TERMS)).startswith("That question has no words to search for")


def test_each_front_spells_the_year_filter_its_own_way():
    widen = Hint(HintKind.WIDEN_YEARS)
    assert hint_text(widen, Front.CLI) == "widen or drop --from/--to"
    assert hint_text(widen, Front.CONSOLE) == "widen or drop from:/to:"
    assert "--" not in hint_text(widen, Front.DISCORD)
    reversed_years = QueryError(QueryProblem.REVERSED_YEARS, 1960, 1950)
    assert query_error_text(reversed_years, Front.CLI) == "--from 1960 is after --to 1950"
    assert query_error_text(reversed_years, Front.DISCORD) == "from:1960 is after to:1950"


def test_hints_and_unknown_people_carry_their_values():
    hints = [Hint(HintKind.UNKNOWN_WORD, "zxqv", ("zhou",)), Hint(HintKind.DROP_PERSON, "Mao Zedong")]
    assert hints_line(hints, Front.DISCORD) == (
        "Try: \u201czxqv\u201d is not in the archive; close: zhou; drop the person filter (Mao Zedong).")
    assert hints_line([], Front.DISCORD) is None
    unknown = QueryError(QueryProblem.UNKNOWN_PERSON, "Krushchyov", "Nikita Khrushchev")
    assert query_error_text(unknown, Front.CONSOLE) == (
        "No one called \u201cKrushchyov\u201d is in the archive's list of people. Did you mean Nikita Khrushchev?")


def test_one_meta_line_and_one_participant_list():
    assert meta_line(_record(2), people=5) == "September 27, 1958 · Person 0, Person 1 · #7"
    assert meta_line(_record(8), people=5) == (
        "September 27, 1958 · Person 0, Person 1, Person 2, Person 3, Person 4 +3 · #7")
    assert meta_line(_record(0), people=5) == "September 27, 1958 · #7"
    assert people_with_roles(_record(2)) == "Person 0 (author); Person 1"
