"""Question understanding (retrieval/query.py) over a four-record index, built the way search.py builds it."""
from __future__ import annotations

import math

import pytest

from retrieval.daterange import DateRange
from retrieval.dates import ArchiveDate
from retrieval.index import SearchIndex
from retrieval.people import PeopleDirectory
from retrieval.query import EXPANSION_WEIGHT, MAX_QUERY_CHARS, QueryParser, clean
from retrieval.records import Record
from retrieval.spelling import SpellingIndex
from retrieval.text import WORD_RE, fold, stem
from retrieval.thesaurus import Thesaurus

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
    index = SearchIndex.of(RECORDS)
    spelling = SpellingIndex(fold(w) for r in RECORDS for w in WORD_RE.findall(f"{r.title} {r.summary}"))
    return QueryParser(PeopleDirectory.load(), spelling, index)


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


# -- real words stay as typed; the thesaurus expands -----------------------------------------------------
WORDS_RECORDS = [
    Record(id=11, date=ArchiveDate(1959, 6, 20), date_text="June 20, 1959",
           title="Letter on the Temporary Halt in Nuclear Assistance",
           summary="Moscow will lead the talks; the Comintern and state security are discussed."),
    Record(id=12, date=ArchiveDate(1958, 10, 5), date_text="October 5, 1958", title="Letter, Mao Zedong to Peng Dehuai",
           summary="Mao orders a cease to the shelling of Jinmen Island and will recognize the negotiations."),
    Record(id=13, date=ArchiveDate(1962), date_text="1962", title="Cable from the Soviet Embassy",
           summary="Stalin and Khrushchev on great plans going forward."),
]


@pytest.fixture(scope="module")
def words_parser() -> QueryParser:
    index = SearchIndex.of(WORDS_RECORDS)
    spelling = SpellingIndex(fold(w) for r in WORDS_RECORDS for w in WORD_RE.findall(f"{r.title} {r.summary}"))
    return QueryParser(PeopleDirectory.load(), spelling, index, Thesaurus.load())


@pytest.mark.parametrize(
    "question, absent",
    [
        ("Great Leap Forward", ("Leap",)),  # not "great lead forward"
        ("Cominform", ("Cominform",)),  # not "Comintern": a term of the period
        ("Securitate", ("Securitate",)),  # not "security"
        ("Comecon Politburo", ("Comecon", "Politburo")),
    ],
)
def test_a_real_word_the_archive_lacks_is_kept_reported_and_not_searched(words_parser, question, absent):
    parsed = words_parser.parse(question)
    assert parsed.corrections == () and parsed.unknown == ()
    assert parsed.absent == absent
    assert parsed.text == question
    assert not {stem(fold(w)) for w in absent} & set(parsed.terms)
    assert {stem(fold(w)) for w in absent} <= set(parsed.topic)  # still what the question is about


@pytest.mark.parametrize(
    "question, topic",
    [
        ("nuclear testing papers", ("nuclear", "test")),  # filler is no topic
        ("Mao cables on the Taiwan Strait in 1958", ("cabl", "taiwan", "strait")),  # nor a person, nor a date
        ("Khrushchev and Zhou Enlai", ()),
        ("Mao", ()),
    ],
)
def test_the_topic_is_the_terms_that_are_neither_a_person_a_date_nor_filler(parser, question, topic):
    assert parser.parse(question).topic == topic


def test_the_rest_of_the_words_are_searched(words_parser):
    parsed = words_parser.parse("Great Leap Forward")
    assert parsed.terms == ("great", "forward") and not parsed.empty
    assert words_parser.parse("Cominform").empty


@pytest.mark.parametrize(
    "question, corrections",
    [
        ("Stallin negotaitions", (("Stallin", "stalin"), ("negotaitions", "negotiations"))),
        ("Krushchev", ()),  # a spelling of a person's name: the directory knows it
        ("the comittern", (("comittern", "comintern"),)),  # no word: corrected
        ("recognise", (("recognise", "recognize"),)),  # a British spelling becomes the archive's American one
    ],
)
def test_typos_that_are_not_words_are_still_corrected(words_parser, question, corrections):
    parsed = words_parser.parse(question)
    assert parsed.corrections == corrections
    assert parsed.absent == ()


def test_the_thesaurus_expands_at_a_lower_weight(words_parser):
    parsed = words_parser.parse("When did the Soviet Union stop its nuclear help to China?")
    assert {"stop", "nuclear", "help"} <= set(parsed.terms)
    extra = {e.terms: e.weight for e in parsed.expansions}
    shared = EXPANSION_WEIGHT / math.sqrt(2)  # "stop": halt and cease, the two its group has in the archive
    assert extra == pytest.approx({("halt",): shared, ("ceas",): shared, ("assist",): EXPANSION_WEIGHT})
    assert 0 < EXPANSION_WEIGHT < 1
    assert {"halt", "assist"} <= parsed.matching_terms  # emphasis and answer sentences see them too


def test_an_old_place_name_searches_the_archives_and_is_not_absent(words_parser):
    parsed = words_parser.parse("Quemoy shelling")
    assert parsed.absent == () and parsed.corrections == ()
    assert ("jinmen",) in [e.terms for e in parsed.expansions]
    assert "quemoy" in parsed.terms


def test_a_phrase_alias_is_matched_as_a_phrase(words_parser):
    assert words_parser.parse("Saigon").absent == ("Saigon",)  # no document says Ho Chi Minh City here
    assert words_parser.parse("Arthur port").expansions == ()


def test_english_needs_no_file_but_the_periods_terms_do(words_parser):
    """Without the thesaurus file, a word of the period that English rarely uses is still taken for a typo."""
    bare = QueryParser(words_parser.people, words_parser.spelling, words_parser.known_terms)
    assert bare.parse("Cominform").corrections == (("Cominform", "comintern"),)
    assert bare.parse("Great Leap Forward").absent == ("Leap",)  # English (wordfreq) is known without the file


def test_characters_that_do_not_print_are_spaces_in_the_question():
    assert clean("mao\x00stalin\u200bzhou\u202e\n") == "mao stalin zhou"
    assert clean("plain question") == "plain question"
