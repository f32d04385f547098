"""The core returns codes; each front end words them in its own spelling. Unit tests, no archive needed."""
from __future__ import annotations

from bot.wording import (
    Front,
    browse_text,
    browse_title,
    hint_text,
    hints_line,
    meta_line,
    notice_text,
    people_with_roles,
    person_text,
    query_error_text,
)
from retrieval.daterange import DateRange
from retrieval.dates import ArchiveDate
from retrieval.records import Participant, Record, Role
from retrieval.search import (
    Constraint,
    Count,
    Hint,
    HintKind,
    Notice,
    NoticeKind,
    PersonCard,
    PersonDocuments,
    QueryError,
    QueryProblem,
)


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


def test_a_nothing_says_which_constraint_had_no_match():
    words, no_dates = Count(Constraint.WORDS, "treaty", 40), Count(Constraint.DATES, "1990", 0)
    dates = Count(Constraint.DATES, "1990", 2)
    relaxed = DateRange.years(1990, 1990)
    assert notice_text(Notice(NoticeKind.DATE_RELAXED, dates=relaxed, counts=(words, dates))) == (
        "None of the 2 documents dated 1990 matches \u201ctreaty\u201d; the best matches at any date:")
    assert notice_text(Notice(NoticeKind.DATE_RELAXED, dates=relaxed, counts=(words, no_dates))) == (
        "The archive has no document dated 1990; the best matches at any date:")
    person = Count(Constraint.PERSON, "Zhou Enlai", 120)
    assert notice_text(Notice(NoticeKind.NOTHING_FOUND, searched="treaty", counts=(words, dates, person))) == (
        "\u201ctreaty\u201d matches 40 documents, but none of them is dated 1990 and names Zhou Enlai.")
    years = Count(Constraint.YEARS, "1890", 0)
    assert notice_text(Notice(NoticeKind.NOTHING_FOUND, searched="treaty", counts=(words, years))) == (
        "\u201ctreaty\u201d matches 40 documents, but the archive has no document dated 1890.")
    assert notice_text(Notice(NoticeKind.NOTHING_FOUND, searched="zxqv",
                              counts=(Count(Constraint.WORDS, "zxqv", 0), dates))) == (
        "Nothing in the archive matches \u201czxqv\u201d.")


def test_an_empty_browse_says_which_constraint_had_no_match():
    one, nixon = Count(Constraint.DATES, "1952", 1), Count(Constraint.PERSON, "Richard Nixon", 8)
    assert notice_text(Notice(NoticeKind.NOTHING_FOUND, counts=(nixon, one))) == (
        "No document names Richard Nixon and is dated 1952, though 8 documents name Richard Nixon and "
        "1 document is dated 1952.")
    assert notice_text(Notice(NoticeKind.NOTHING_FOUND, counts=(Count(Constraint.DATES, "1890", 0),))) == (
        "The archive has no document dated 1890.")


def test_a_browse_says_how_many_and_how_many_are_listed():
    counts = (Count(Constraint.PERSON, "Zhou Enlai", 120), Count(Constraint.DATES, "1958", 300))
    assert browse_title(counts) == "Documents naming Zhou Enlai and dated 1958"
    assert browse_text(counts, 31, 31) == "31 documents naming Zhou Enlai and dated 1958, in date order."
    assert browse_text(counts[1:], 1, 1) == "1 document dated 1958, in date order."
    assert browse_text(counts[1:], 612, 500) == "612 documents dated 1958, in date order; the first 500 are listed."


def test_a_person_card_says_who_and_by_which_name():
    record = _record(1)
    documents = PersonDocuments("Joseph Stalin", [record], [])
    card = PersonCard("Joseph Stalin", "Filippov", ("Filippov", "I.V. Stalin"), "General Secretary", documents)
    assert person_text(card) == (
        "General Secretary.\n\u201cFilippov\u201d is Joseph Stalin.\nAlso written: Filippov, I.V. Stalin.\n"
        "Took part in 1 document, 1958 (in date order).")
    asked_plainly = PersonCard("Joseph Stalin", "stalin", (), "", PersonDocuments("Joseph Stalin", [], []))
    assert person_text(asked_plainly) == "No document in the archive names Joseph Stalin."
