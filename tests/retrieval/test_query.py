"""Question understanding (retrieval/query.py) over a four-record index, built the way search.py builds it."""
from __future__ import annotations

import pytest

from retrieval.daterange import DateRange
from retrieval.dates import ArchiveDate
from retrieval.index import SearchIndex
from retrieval.people import PeopleDirectory
from retrieval.query import MAX_QUERY_CHARS, QueryParser
from retrieval.records import Record
from retrieval.spelling import SpellingIndex
from retrieval.text import WORD_RE, fold

RECORDS = [
    Record(id=1, date=ArchiveDate(1958, 9, 27), date_text="September 27, 1958",
           title="Record of Conversation between Mao Zedong and A.A. Gromyko",
           summary="Gromyko and Mao discuss the Taiwan Strait."),
    Record(id=2, date=ArchiveDate(1950, 2), date_text="February 1950",
           title="Ciphered Telegram from Mao Zedong to Filippov [Stalin]", summary="Mao asks for military goods."),
    Record(id=3, date=ArchiveDate(1963), date_text="1963",
           title="Letter from Nikita Khrushchev to Zhou Enlai on the Prohibition of Nuclear Testing",
           summary="Khrushchev proposes a nuclear testing ban."),
    Record(id=4, date=ArchiveDate(), date_text="", title="Memorandum on Separatism in Xinjiang",
           summary="Separatist movements in the region."),
]


@pytest.fixture(scope="module")
def parser() -> QueryParser:
    index = SearchIndex(RECORDS)
    spelling = SpellingIndex(fold(w) for r in RECORDS for w in WORD_RE.findall(f"{r.title} {r.summary}"))
    return QueryParser(PeopleDirectory.load(), spelling, index.postings)


@pytest.mark.parametrize(
    "question",
    ["nuclear testing", "hey bot can u find documents about nuclear testing pls", "<@1234567> **nuclear** testing"],
)
def test_terms_are_the_stemmed_words_that_matter(parser, question):
    parsed = parser.parse(question)
    assert parsed.terms == ("nuclear", "test")
    assert not parsed.empty
    assert (parsed.dates, parsed.people, parsed.corrections, parsed.unknown) == (None, (), (), ())


def test_chat_markup_is_not_searched(parser):
    parsed = parser.parse("<@1234567> **nuclear** testing https://example.org/x @everyone")
    assert parsed.text == "nuclear testing"
    assert parsed.original.startswith("<@1234567>")


def test_dates_leave_the_question_for_the_filter(parser):
    parsed = parser.parse("Mao cables in September 1958")
    assert parsed.dates == DateRange.month(1958, 9)
    assert parsed.text == "Mao cables"
    assert "1958" not in parsed.terms and "septemb" not in parsed.terms
    assert "mao" in parsed.terms


def test_a_question_of_only_a_date_has_no_terms(parser):
    parsed = parser.parse("between 1949 and 1952")
    assert parsed.dates == DateRange.years(1949, 1952)
    assert parsed.empty


def test_a_pseudonym_also_searches_the_canonical_name(parser):
    parsed = parser.parse("Filippov military goods")
    assert parsed.people == ("Joseph Stalin",)
    assert {"filippov", "stalin", "militari", "good"} <= set(parsed.terms)
    assert parsed.corrections == () and parsed.unknown == ()


def test_a_name_the_archive_never_wrote_is_no_typo(parser):
    parsed = parser.parse("Semenov military goods")  # no record says "Semenov"
    assert parsed.people == ("Joseph Stalin",)
    assert parsed.corrections == () and parsed.unknown == ()
    assert {"semenov", "stalin"} <= set(parsed.terms)


def test_an_old_spelling_searches_the_modern_one(parser):
    parsed = parser.parse("Chou En-lai nuclear")
    assert parsed.people == ("Zhou Enlai",)
    assert {"zhou", "enlai", "nuclear"} <= set(parsed.terms)


def test_a_typo_is_corrected_and_reported(parser):
    parsed = parser.parse("gromyko mao converstion")
    assert parsed.corrections == (("converstion", "conversation"),)
    assert parsed.text == "gromyko mao conversation"
    assert "convers" in parsed.terms and "converstion" not in parsed.terms


def test_a_corrected_word_also_searches_its_known_shorter_forms(parser):
    parsed = parser.parse("seperatist")
    assert parsed.corrections == (("seperatist", "separatist"),)
    assert parsed.terms == ("separatist", "separat")  # "separat-" is what "Separatism" indexes as


def test_an_unknown_word_is_kept_and_reported(parser):
    parsed = parser.parse("xyzzyq nuclear")
    assert parsed.unknown == ("xyzzyq",)
    assert parsed.corrections == ()
    assert parsed.terms == ("xyzzyq", "nuclear")


@pytest.mark.parametrize("question", ["", "   ", "**~~**", "<@1234567>", "hey bot pls"])
def test_an_empty_question(parser, question):
    parsed = parser.parse(question)
    assert parsed.empty
    assert parsed.terms == ()
    assert parsed.dates is None and parsed.people == () and parsed.unknown == ()


def test_a_very_long_question_is_cut(parser):
    question = "nuclear " * 1000
    parsed = parser.parse(question)
    assert len(parsed.text) == MAX_QUERY_CHARS
    assert question.startswith(parsed.text)
