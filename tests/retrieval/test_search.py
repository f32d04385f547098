"""Search, ask and citations over a real archive built from the seed pages (and the real pages when present)."""
from __future__ import annotations

import asyncio
import random

import numpy as np
import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from retrieval.cite import LinkKind, cite
from retrieval.daterange import DateRange
from retrieval.index import document_tokens
from retrieval.ingest import Ingester
from retrieval.intent import Intent
from retrieval.search import (
    Archive,
    Constraint,
    Count,
    Hint,
    HintKind,
    Notice,
    NoticeKind,
    QueryError,
    QueryProblem,
)
from retrieval.store import SqliteArchiveStore

from ..conftest import HAVE_REALPAGES, PEOPLE, REALPAGES, SEEDS, ingest_into, open_seeded_archive


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory):
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("archive"),
                                       *([REALPAGES / "da"] if HAVE_REALPAGES else []))
    yield opened
    await opened.close()


def titles(result) -> list[str]:
    return [h.record.title for h in result.hits]


def named(record) -> list[str]:
    """Everyone the record names: those who took part and those only mentioned."""
    return [p.name for p in (*record.participants, *record.mentioned)]


@pytest.mark.parametrize(
    "query, canonical",
    [
        ("Chou En-lai", "Zhou Enlai"),
        ("Mao Tse-tung", "Mao Zedong"),
        ("Chairman Mao", "Mao Zedong"),
        ("Filippov", "Joseph Stalin"),
        ("Khrushchov", "Nikita Khrushchev"),
        ("A.A. Gromyko", "Andrei Gromyko"),
        ("Jieshi", "Chiang Kai-shek"),
    ],
)
def test_any_spelling_of_a_name_finds_that_persons_documents(archive, query, canonical):
    result = archive.search_now(query, limit=5)
    assert canonical in result.understood.people
    assert result.hits
    assert all(canonical in named(h.record) for h in result.hits)


def test_a_pseudonym_finds_documents_that_never_write_it(archive):
    # "Semenov" is written once, but every document of Stalin's is his
    hits = archive.search_now("Semenov military goods", limit=3).hits
    assert hits[0].record.title == "Ciphered Telegram from Mao Zedong to Semenov [Stalin]"
    stalin = archive.search_now("Filippov Vasilevsky guns", limit=3).hits
    assert stalin[0].record.title == "Ciphered Telegram from Vasilevsky and Sokolovsky to Stalin"


@pytest.mark.parametrize(
    "query, title",
    [
        ("gromyko mao converstion", "Record of Conversation between Mao Zedong and A.A. Gromyko"),
        ("urumchi seperatism", "Memorandum on a Discussion held by the Consul-General of the USSR in Ürümchi, "
                               "G.S. DOBASHIN, with Deputy Chairman of the People’s Committee of the Xinjiang "
                               "Uyghur Autonomous Region, Comrade XIN LANTING"),
        ("khruschev nuclear testng ban", "Letter from Nikita Khrushchev to Zhou Enlai on the Prohibition of "
                                         "Nuclear Testing"),
        ("Ürümchi", None),
        ("URUMCHI", None),
    ],
)
def test_typos_case_and_accents(archive, query, title):
    result = archive.search_now(query, limit=3)
    assert result.hits, result.notice
    if title:
        assert result.hits[0].record.title == title
    else:
        assert "Ürümchi" in result.hits[0].record.title or "Urumchi" in result.hits[0].record.summary


def test_typos_are_reported_as_corrections(archive):
    understood = archive.search_now("gromyko mao converstion").understood
    assert ("converstion", "conversation") in understood.corrections


def test_word_forms_meet(archive):
    a = archive.search_now("deporting foreigners", limit=1).hits[0].record
    assert a.title.startswith("Memorandum of Conversation, Soviet Ambassador to China N.V. Roshchin")


def _spans(result):
    return [DateRange.of(h.record.date) for h in result.hits]


@pytest.mark.parametrize(
    "query, start, end",
    [
        ("zhou report to mao in September 1952", "1952-09-01", "1952-09-30"),
        ("zhou enlai report on 6 September 1952", "1952-09-06", "1952-09-06"),
        ("mao stalin between 1949 and 1952", "1949-01-01", "1952-12-31"),
        ("soviet nuclear assistance in the 1950s", "1950-01-01", "1959-12-31"),
        ("mao cables before 1950", "0001-01-01", "1949-12-31"),
        ("gorbachev after 1980", "1981-01-01", "9999-12-31"),
    ],
)
def test_dates_in_the_question_filter(archive, query, start, end):
    result = archive.search_now(query, limit=10)
    assert result.hits and not result.relaxed
    wanted = DateRange.from_iso(start, end)
    for hit, span in zip(result.hits, _spans(result), strict=True):
        named = [DateRange.of(d) for d in _title_dates(hit.record.title)]
        assert (span and wanted.contains(span)) or any(wanted.contains(n) for n in named), hit.record.title


def _title_dates(title):
    from retrieval.daterange import dates_in_title
    return dates_in_title(title)


def test_date_decides_between_near_neighbours(archive):
    first = archive.search_now("Report, Zhou Enlai to Chairman Mao on 1 September 1952", limit=1).hits[0].record
    assert (first.title, first.date.iso()) == ("Report, Zhou Enlai to Chairman Mao", "1952-09-01")


def test_month_and_year_only_records_match_ranges_that_contain_them(archive):
    in_1950 = archive.search_now("Vyshinsky Zhou Enlai note in 1950", limit=10)
    assert any(h.record.date.iso() == "1950-02" for h in in_1950.hits)
    in_feb = archive.search_now("Vyshinsky Zhou Enlai note in February 1950", limit=10)
    assert any(h.record.date.iso() == "1950-02" for h in in_feb.hits)
    on_day = archive.search_now("Vyshinsky Zhou Enlai note on 5 February 1950", limit=10)
    assert on_day.relaxed  # the month-only note is not "on 5 February": nothing matches that day
    assert on_day.notice.kind is NoticeKind.DATE_RELAXED
    assert on_day.notice.dates == DateRange.from_iso("1950-02-05", "1950-02-05")


def test_a_date_named_in_a_title_counts(archive):
    result = archive.search_now("Roshchin Luo Ruiqing on 24 December 1951", limit=3)
    assert not result.relaxed
    assert result.hits[0].record.date.iso() == "1952-01-18"  # its listing date; the title names 24 December 1951


def test_undated_records_never_match_a_date(archive, realpages):
    undated = archive.search_now("CC CPSU Information on Chinese Foreign Policy Issues", limit=3)
    assert undated.hits[0].record.date.precision == "none"
    dated = archive.search_now("CC CPSU Information on Chinese Foreign Policy Issues in 1979", limit=10)
    assert all(h.record.date.precision != "none" for h in dated.hits)


def test_no_match_at_the_date_says_so_and_shows_the_best_without_it(archive):
    result = archive.search_now("Gorbachev Honecker in 1950", limit=5)
    assert result.relaxed
    assert result.notice.kind is NoticeKind.DATE_RELAXED and result.notice.dates == DateRange.years(1950, 1950)
    named = {p.name for p in result.hits[0].record.participants} if result.hits else set()
    assert {"Mikhail Gorbachev", "Erich Honecker"} & named


def test_from_and_to_filter_strictly(archive):
    result = archive.search_now("Gorbachev Honecker", limit=5, date_from=1950, date_to=1950)
    assert not result.hits and not result.relaxed
    assert Hint(HintKind.WIDEN_YEARS) in result.suggestions
    only = archive.search_now("Mao Zedong", limit=20, date_from=1957, date_to=1958)
    assert only.hits and all(1957 <= h.record.date.year <= 1958 for h in only.hits)
    with pytest.raises(QueryError) as reversed_years:
        archive.search_now("Mao", date_from=1960, date_to=1950)
    assert (reversed_years.value.problem, reversed_years.value.values) == (QueryProblem.REVERSED_YEARS, (1960, 1950))


def test_person_filter(archive):
    result = archive.search_now("nuclear", limit=10, person="Khrushchov")
    assert result.hits
    assert all("Nikita Khrushchev" in named(h.record) for h in result.hits)
    with pytest.raises(QueryError) as nobody:
        archive.search_now("nuclear", person="Nobody McNobodyface")
    assert nobody.value.problem is QueryProblem.UNKNOWN_PERSON and nobody.value.values[0] == "Nobody McNobodyface"


def test_nothing_found_is_said_plainly_and_never_returns_zero_scores(archive):
    result = archive.search_now("zxqv blorft", limit=10)
    assert result.hits == []
    assert result.notice == Notice(NoticeKind.NOTHING_FOUND, searched=result.understood.text,
                                   counts=(Count(Constraint.WORDS, result.understood.text, 0),))
    assert any(h.kind is HintKind.UNKNOWN_WORD and h.value == "zxqv" for h in result.suggestions)


NO_HITS_NOTICES = (NoticeKind.NO_TERMS, NoticeKind.NOTHING_FOUND)


def assert_no_hits_explained(result) -> None:
    """No hits, and the reply says why; hits, and it never says nothing was found."""
    said_nothing = result.notice is not None and result.notice.kind in NO_HITS_NOTICES
    assert said_nothing == (not result.hits), (result.notice, result.hits[:1])


HOSTILE = [
    "", " ", "x" * 6000, "the of and to in", "?!?!...,,,;;", "🙂🔥🚀", "毛泽东 斯大林 Stalin", "Мао Сталин",
    "'; DROP TABLE records; --", "mao AND NOT stalin* OR title:\"treaty\"", "**bold** __under__ `code` ||spoiler||",
    "@everyone @here <@123456789> <#987> mao", "\x00\x01\x02", "NEAR(mao, stalin)", "%_%", "\\", "(((((",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_a_sensible_reply(archive, query):
    result = archive.search_now(query, limit=10)
    assert_no_hits_explained(result)
    assert all(h.score > 0 for h in result.hits) or result.intent is Intent.BROWSE
    assert len(result.understood.text) <= 500
    assert "@everyone" not in result.understood.text and "<@" not in result.understood.text
    searched = result.notice.searched if result.notice is not None else ""
    assert "@everyone" not in searched and "<@" not in searched
    answer = archive.ask_now(query)
    if answer.sentence is not None:  # the answer quotes its own source
        assert answer.sentence in answer.record.summary or answer.sentence == answer.record.title


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300), st.integers(min_value=-5, max_value=200))
def test_any_unicode_query_is_answered_without_error(archive, query, limit):
    result = archive.search_now(query, limit=limit)
    assert len(result.hits) <= max(1, min(limit, 100))
    assert all(h.score > 0 for h in result.hits) or result.intent is Intent.BROWSE
    assert_no_hits_explained(result)


def test_index_scores_are_rank_bm25_scores(archive):
    index = archive.snapshot.index
    reference = BM25Okapi([document_tokens(r) for r in archive.snapshot.records(index.live_positions().tolist())])
    rng = random.Random(3)
    vocabulary = list(index.base.terms)
    for _ in range(50):
        terms = rng.sample(vocabulary, rng.randint(1, 6)) + ["not-a-term"]
        ours = index.scores(terms)
        theirs = reference.get_scores(terms)
        assert np.allclose(ours, theirs)


def test_ask_answers_with_the_sentence_and_the_date(archive):
    answer = archive.ask_now("why did the soviets stop nuclear assistance to china in 1959?")
    assert answer.record.title.startswith("Letter from the Communist Party of the Soviet Union Central Committee "
                                          "to the Chinese Communist Party Central Committee on the Temporary Halt")
    assert answer.sentence in answer.record.summary
    assert answer.text.endswith("(June 20, 1959)")
    nothing = archive.ask_now("zxqv blorft")
    assert nothing.text is None and nothing.record is None


def test_citations_follow_the_archive_style(archive):
    record = archive.search_now("Cable, Mao Zedong to Filippov [Stalin] insects", limit=1).hits[0].record
    citation = cite(record)
    assert citation.text == (  # a listing gave no link: the search for the title, and it says so
        '"Cable, Mao Zedong to Filippov [Stalin]", February 21, 1952, Wilson Center Digital Archive. '
        "https://digitalarchive.wilsoncenter.org/search?search_api_fulltext=Cable%2C+Mao+Zedong+to+Filippov+%5B"
        "Stalin%5D"
    )
    assert citation.link is LinkKind.SEARCH
    assert citation.participants[:2] == ("Mao Zedong", "Joseph Stalin")
    month = archive.search_now("Note from Andrey Vyshinsky to Zhou Enlai, February 1950", limit=1).hits[0]
    assert month.citation.date == "February 1950"  # never an invented day


async def test_refresh_picks_up_new_records_while_searches_keep_running(tmp_path):
    db = tmp_path / "a.db"
    await ingest_into(db, SEEDS / "000_7db8b0dfcdf7ad4a.txt")
    async with await Archive.open(db, PEOPLE) as archive:
        before = archive.size
        assert not (await archive.search("Honecker Brezhnev Crimea")).hits
        async with await SqliteArchiveStore.open(db) as store:
            await Ingester(store, PEOPLE).ingest([SEEDS / "001_22247872895ba0cb.txt"])
        searches = [archive.search("Mao Gromyko") for _ in range(20)]
        results = await asyncio.gather(archive.refresh(), *searches)
        assert all(r.hits for r in results[1:])
        after = await archive.search("Honecker Brezhnev Crimea")
        size = archive.size
    assert (before, size) == (10, 18)  # the second page shares two records with the first
    assert after.hits[0].record.title.startswith("Transcript, Meeting of East German leader Erich Honecker")


async def test_an_ingest_by_another_process_is_noticed(tmp_path):
    db = tmp_path / "a.db"
    await ingest_into(db, SEEDS / "000_7db8b0dfcdf7ad4a.txt")
    async with await Archive.open(db, PEOPLE) as archive:
        assert await archive.refresh_if_changed() is False
        async with await SqliteArchiveStore.open(db) as other:  # another connection, as another process has
            await Ingester(other, PEOPLE).ingest([SEEDS / "003_be2553d67f853f49.txt"])
        assert await archive.refresh_if_changed() is True
        assert await archive.refresh_if_changed() is False
        size = archive.size
    assert size == 20


def test_the_answer_sentence_keeps_its_closing_quote(archive):
    from retrieval.dates import ArchiveDate
    from retrieval.records import Record
    from retrieval.search import best_sentence

    record = Record(id=1, date=ArchiveDate(1948, 3, 14), date_text="", title="Speech",
                    summary='Stalin says "war with the West is inevitable." He asks for a larger army.')
    sentence = best_sentence(record, {"inevit", "war"}, archive.snapshot.index)
    assert sentence.text == 'Stalin says "war with the West is inevitable."'


def test_a_cut_off_summary_answers_with_a_whole_sentence_when_one_answers(archive):
    from retrieval.dates import ArchiveDate
    from retrieval.records import Record
    from retrieval.search import Sentence, best_sentence

    index = archive.snapshot.index
    cut = Record(id=1, date=ArchiveDate(1948, 3, 14), date_text="", title="Speech", summary_partial=True,
                 summary="War with the West is inevitable, says Stalin. He adds that war with the West and its")
    assert best_sentence(cut, {"inevit", "war"}, index) == Sentence("War with the West is inevitable, says Stalin.")
    only = Record(id=2, date=ArchiveDate(1948, 3, 14), date_text="", title="Speech", summary_partial=True,
                  summary="Stalin asks for a larger army. He says war with the West is inevit")
    assert best_sentence(only, {"war"}, index) == Sentence("He says war with the West is inevit", cut_off=True)
    whole = Record(id=3, date=ArchiveDate(1948, 3, 14), date_text="", title="Speech",
                   summary="Stalin asks for a larger army. He says war with the West is inevitable.")
    assert best_sentence(whole, {"war"}, index) == Sentence("He says war with the West is inevitable.")


INITIALS = ("Conversation between Mao Zedong and S.F. Antonov, in which Mao asks for Soviet help. "
            "Mr. X arrived at 5 p.m. on Tuesday. The U.S. delegation met in Room No. 5 of the palace. "
            "Stalin says \"war is inevitable.\" It ended.")


def test_summaries_split_into_whole_sentences_past_initials_and_abbreviations():
    from retrieval.search import sentences

    assert sentences(INITIALS) == [
        "Conversation between Mao Zedong and S.F. Antonov, in which Mao asks for Soviet help.",
        "Mr. X arrived at 5 p.m. on Tuesday.",
        "The U.S. delegation met in Room No. 5 of the palace.",
        'Stalin says "war is inevitable."',
        "It ended.",
    ]
    assert sentences("") == [] and sentences("  ") == []
    assert sentences("Letter from J. V. Stalin to Mao Zedong") == ["Letter from J. V. Stalin to Mao Zedong"]
    # The archive's transliterated Russian: "Cde." (comrade) and "Yu." (Yuri) go on to a name.
    assert sentences("Cdes. Yu. V. Andropov and Cde. J. Koscelanský met. It ended.") == [
        "Cdes. Yu. V. Andropov and Cde. J. Koscelanský met.", "It ended."]
    # Quotes that open curly and close straight, as a real summary has them: the quote stays with its sentence.
    assert sentences('Plots to create “two Chinas." He denies.') == ['Plots to create “two Chinas."', "He denies."]


def test_the_answer_after_an_initial_is_the_whole_sentence(archive):
    from retrieval.dates import ArchiveDate
    from retrieval.records import Record
    from retrieval.search import Sentence, best_sentence

    record = Record(id=1, date=ArchiveDate(1949, 12, 16), date_text="", title="Conversation", summary=INITIALS)
    assert best_sentence(record, {"soviet", "help"}, archive.snapshot.index) == Sentence(
        "Conversation between Mao Zedong and S.F. Antonov, in which Mao asks for Soviet help.")


def test_sentences_split_the_same_from_many_threads_at_once():
    """The answering worker threads share one segmenter, which keeps the text it is splitting on itself."""
    from concurrent.futures import ThreadPoolExecutor

    from retrieval.search import sentences

    texts = [f"Dr. A. B. Smith met envoy No. {n} at {n} p.m. in the U.S. embassy. " * (1 + n % 4) + f"Item {n}."
             for n in range(60)]
    alone = [sentences(t) for t in texts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(sentences, texts)) == alone
    assert alone[1] == ["Dr. A. B. Smith met envoy No. 1 at 1 p.m. in the U.S. embassy."] * 2 + ["Item 1."]


CUT_PAGE = ("Documents\n\nMarch 2, 1958\n\nTelegram from Mao Zedong on the harvest\n\nMao writes about grain.\n\n"
            "March 2, 1958\n\nLetter from Peng Dehuai on the army\n\nPeng asks for trucks.\n\n"
            "March 3, 1958\n\nTelegram from Zhou Enlai on Jinmen\n\n"
            "Zhou explains that the shelling of Jinmen will continue until the Americans")


async def test_ask_says_when_its_answer_is_cut_off(tmp_path):
    page = tmp_path / "cut.txt"  # no `Pagination` footer: the capture was cut inside the last summary
    page.write_text(CUT_PAGE, encoding="utf-8")
    await ingest_into(tmp_path / "a.db", page)
    async with await Archive.open(tmp_path / "a.db", PEOPLE) as archive:
        answer = archive.ask_now("why was jinmen shelled")
    assert answer.record is not None and answer.record.summary_partial
    assert answer.cut_off and answer.sentence == answer.record.summary


# -- real words stay as typed; paraphrase and old names (the thesaurus) ------------------------------------
HALT = ("Letter from the Communist Party of the Soviet Union Central Committee to the Chinese Communist Party "
        "Central Committee on the Temporary Halt in Nuclear Assistance")


def test_stop_and_help_find_the_halt_in_nuclear_assistance(archive):
    result = archive.search_now("When did the Soviet Union stop its nuclear help to China?", limit=3)
    assert HALT in titles(result)
    assert {"Halt", "Assistance"} <= set(next(h for h in result.hits if h.record.title == HALT).matched)
    answer = archive.ask_now("When did the Soviet Union stop its nuclear help to China?")
    assert answer.record is not None and answer.record.title in titles(result)


@pytest.mark.parametrize(
    "old, new",
    [("Quemoy", "Jinmen"), ("Formosa", "Taiwan"), ("Peking", "Beijing"), ("Peiping", "Beijing")],
)
def test_an_old_name_finds_documents_that_use_the_new_one(archive, old, new):
    result = archive.search_now(old, limit=10)
    assert result.understood.absent == () and result.understood.corrections == ()
    found = [h for h in result.hits if new.lower() in f"{h.record.title} {h.record.summary}".lower()]
    assert found, titles(result)
    assert new in found[0].matched
    assert result.hits[0].score >= found[0].score


def test_port_arthur_is_a_phrase_and_finds_lushun(realpages, archive):
    result = archive.search_now("Port Arthur", limit=10)
    assert ("lushun",) in [e.terms for e in result.understood.expansions]
    assert any("Lüshun Port" in h.record.summary for h in result.hits)
    assert not archive.search_now("Arthur", limit=10).understood.expansions


@pytest.mark.parametrize("question, absent", [("Cominform", "Cominform"), ("Securitate", "Securitate"),
                                              ("Great Leap Forward", "Leap")])
def test_a_real_word_is_never_corrected_into_another(archive, question, absent):
    result = archive.search_now(question, limit=5)
    assert result.understood.corrections == ()
    assert absent in result.understood.absent
    assert "comintern" not in result.understood.terms and "secur" not in result.understood.terms


def test_every_word_absent_is_a_true_nothing_found(archive):
    result = archive.search_now("Cominform Securitate", limit=5)
    assert result.hits == []
    assert result.notice == Notice(NoticeKind.NOTHING_FOUND, searched="Cominform Securitate")


def test_an_absent_word_is_left_out_and_the_rest_searched(archive):
    result = archive.search_now("Cominform Stalin Tito Yugoslavia", limit=5)
    assert result.understood.absent == ("Cominform",) and result.hits and result.notice is None
    assert titles(result) == titles(archive.search_now("Stalin Tito Yugoslavia", limit=5))


def test_matched_words_are_the_words_whose_term_the_question_shares_as_written_each_once():
    from retrieval.dates import ArchiveDate
    from retrieval.records import Record
    from retrieval.search import matched_words
    from retrieval.text import WORD_RE, tokenize

    record = Record(id=1, date=ArchiveDate(1958), date_text="1958", title="Mao's talks with Khrushchev's envoy",
                    summary="Talks on the 'Taiwan Strait' crisis. Mao talked; the Soviets' note on TALKS, "
                            "the chargé d'Affaires, Gerő. 1958 talks.")
    assert matched_words(record, {"talk", "mao", "affair", "gero", "1958"}) == (
        "Mao's", "talks", "Talks", "Mao", "talked", "TALKS", "d'Affaires", "Gerő", "1958")
    rng = random.Random(3)
    text = f"{record.title} {record.summary}"
    vocabulary = sorted({t for w in WORD_RE.findall(text) for t in tokenize(w)})
    for _ in range(50):  # the words as the plain rule finds them, for any set of terms
        terms = set(rng.sample(vocabulary, rng.randint(0, len(vocabulary))))
        expected = tuple(w for w in dict.fromkeys(WORD_RE.findall(text)) if (tokenize(w) or [None])[0] in terms)
        assert matched_words(record, terms) == expected


def test_matched_words_stay_right_as_the_kept_word_terms_fill_and_are_emptied(monkeypatch):
    from retrieval import search
    from retrieval.dates import ArchiveDate
    from retrieval.records import Record

    monkeypatch.setattr(search, "WORD_TERMS_MAX", 16)
    monkeypatch.setattr(search, "_WORD_TERMS", {})
    first = Record(id=1, date=ArchiveDate(1958), date_text="", title="Talks in Moscow", summary="Mao talked.")
    second = Record(id=2, date=ArchiveDate(1958), date_text="", title="A note on talks",
                    summary="The envoys talk of Moscow, Beijing, Hanoi, Warsaw and Geneva again.")
    for _ in range(3):
        assert search.matched_words(first, {"talk", "moscow"}) == ("Talks", "Moscow", "talked")
        assert search.matched_words(second, {"talk", "moscow"}) == ("talks", "talk", "Moscow")
        assert 0 < len(search._WORD_TERMS) <= 16
