"""Finding names in text: folding, word boundaries, brackets, initials, cover names."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from retrieval.people import PeopleDirectory, scan
from retrieval.text import fold
from testing.listing_gen import generate_records

ROOT = Path(__file__).resolve().parents[3]

# ----------------------------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ceaușescu", "ceausescu"),
        ("Gerő", "gero"),
        ("Michałowski", "michalowski"),
        ("Wałęsa", "walesa"),
        ("Søren", "soren"),
        ("Straße", "strasse"),
        ("Æsop", "aesop"),
        ("Đilas", "dilas"),
        ("Bodnăraş", "bodnaras"),
        ("Mao’s ‘plan’", "mao's 'plan'"),
        ("`quote`", "'quote'"),
        ("“Che”", '"che"'),
        ("1954–1955 — end", "1954-1955 - end"),
        ("KIM IL SUNG", "kim il sung"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


# ----------------------------------------------------------------------------------------------- find


def spans(people: PeopleDirectory, text: str) -> list[tuple[str, str]]:
    return [(text[m.start:m.end], m.name) for m in people.find(text)]


def test_find_respects_word_boundaries(people: PeopleDirectory) -> None:
    assert spans(people, "A report on Maoist policy and Stalinism") == []
    assert spans(people, "Stalin's 70th birthday") == [("Stalin", "Joseph Stalin")]


def test_find_reads_bracketed_names_as_one_mention(people: PeopleDirectory) -> None:
    title = "Cable, Zhou Enlai to the Chairman [Mao Zedong] and Comrades Liu [Shaoqi], Zhu [De], Peng [Dehuai], [Li] Fuchun"
    assert spans(people, title) == [
        ("Zhou Enlai", "Zhou Enlai"),
        ("Chairman [Mao Zedong]", "Mao Zedong"),
        ("Liu [Shaoqi]", "Liu Shaoqi"),
        ("Zhu [De]", "Zhu De"),
        ("Peng [Dehuai]", "Peng Dehuai"),
        ("[Li] Fuchun", "Li Fuchun"),
    ]
    assert spans(people, "Ciphered Telegram No. 58986 from Kovalev to Filippov [Stalin]") == [
        ("Kovalev", "Ivan Kovalev"),
        ("Filippov [Stalin]", "Joseph Stalin"),
    ]
    assert spans(people, "Cable, Zhou Enlai to Chairman Mao [Zedong]")[1] == ("Chairman Mao [Zedong]", "Mao Zedong")
    assert spans(people, "Conversation from [Mao Zedong's] Audience") == [("Mao Zedong", "Mao Zedong")]


def test_find_handles_initials_and_brackets_inside_words(people: PeopleDirectory) -> None:
    assert spans(people, "Cde. B.N. Ponomarev and A. A. Gromyko") == [
        ("B.N. Ponomarev", "Boris Ponomarev"),
        ("A. A. Gromyko", "Andrei Gromyko"),
    ]
    assert spans(people, "Comrade Oskar Fischer and the Soviet Ambassador V[yacheslav] I. Kochemassov") == [
        ("Oskar Fischer", "Oskar Fischer"),
        ("V[yacheslav] I. Kochemassov", "Vyacheslav Kochemasov"),
    ]


def test_find_spans_index_the_original_text_with_accents(people: PeopleDirectory) -> None:
    text = "Talks between Nicolae Ceauşescu, Emil Bodnăraş and Rezső Nyers"
    assert spans(people, text) == [
        ("Nicolae Ceauşescu", "Nicolae Ceaușescu"),
        ("Emil Bodnăraş", "Emil Bodnăraș"),
        ("Rezső Nyers", "Rezső Nyers"),
    ]


def test_find_keeps_stalins_cover_names_apart_from_vv_kuznetsov(people: PeopleDirectory) -> None:
    assert [m.name for m in people.find("Cable, Stalin [Kuznetsov] to Mao Zedong [via Terebin]")] == [
        "Joseph Stalin", "Mao Zedong", "Andrei Orlov"]
    assert [m.name for m in people.find("Ciphered Telegram No. 69738 from Terebin to Kuznetsov")] == [
        "Andrei Orlov", "Joseph Stalin"]
    assert [m.name for m in people.find("Kuznetsov (Stalin) tells Terebin (Andrei Orlov) that two planes")] == [
        "Joseph Stalin", "Andrei Orlov"]
    assert [m.name for m in people.find("Telegram from Kuznetsov to Soviet Foreign Ministry")] == [
        "Vasily Kuznetsov", "Soviet Ministry of Foreign Affairs"]


def test_find_skips_places_named_after_people(people: PeopleDirectory) -> None:
    assert people.find("recalling its Consul General from Ho Chi Minh City") == []
    assert [m.name for m in people.find("Ho Chi Minh met Mao")] == ["Ho Chi Minh", "Mao Zedong"]


def test_find_disambiguates_by_title(people: PeopleDirectory) -> None:
    assert [m.name for m in people.find("Premier Zhou Enlai and Ambassador Nehru discuss")] == [
        "Zhou Enlai", "Ratan Kumar Nehru"]
    assert [m.name for m in people.find("Nehru gives a detailed report on his visit to China")] == ["Jawaharlal Nehru"]
    assert [m.name for m in people.find("the assassination of President Park Chung Hee.")] == ["Park Chung Hee"]


# ----------------------------------------------------------------------------------------------- tokens


@pytest.mark.parametrize("text", [
    "", "   ", "Mao", "V[yacheslav] I. Kochemassov, [Li] Fuchun and Liu [Shaoqi].", "snake_case_words and _x_",
    "Ceaus\u0326escu e\u0301 \u0301 lone mark", "Mao’s 1954–1955 ‘plan’", "[[Stalin]] (via Kuznetsov)", "a]b[c d",
    "trailing word", "  leading spaces", "中文 名字 Zhou Enlai", "x_\u0301y",
])
def test_tokens_are_the_token_patterns_matches_with_their_spans(text: str) -> None:
    """The split that finds tokens without a Match object each finds exactly what `finditer` finds."""
    expected = [(m.group(), *m.span()) for m in scan._TOKEN_RE.finditer(text)]
    tokens, starts, ends = scan._tokens(text)
    assert list(zip(tokens, starts, ends, strict=True)) == expected


# A character soup for the tokenizer: ASCII letters, digits and punctuation, "_", brackets, typographic
# punctuation, a no-break space, letters with accents or whose lowercase is longer (İ) or ASCII (the Kelvin
# sign), combining marks, superscript digits and CJK.
_SOUP = "aZ09 .,;:'\"-_[]()\t\n’‘“”–—…«»\u00a0\u2009éİ\u212a\u0301\u0326²中ª"


def _reference_words(text: str) -> list[tuple[str, int, int]]:
    """Each token the pattern finds, folded, with its span: the plain definition the fast path must keep."""
    found = [(scan._NON_WORD_RE.sub("", fold(m.group())), *m.span()) for m in scan._TOKEN_RE.finditer(text)]
    return [word for word in found if word[0]]


def _soups() -> list[str]:
    rng = random.Random(5)
    return ["".join(rng.choice(_SOUP) for _ in range(rng.randint(0, 40))) for _ in range(3000)]


def test_words_are_the_folded_tokens_with_their_spans() -> None:
    """`words` (a translate-and-split fast path for texts of ASCII words, the pattern otherwise) finds exactly
    the pattern's tokens, folded, on generated titles and summaries and on random character soup."""
    texts = [text for _, title, summary in generate_records(3000, seed=3) for text in (title, summary)]
    for text in [*texts, *_soups(), "Mao’s 1954–1955 ‘plan’", "snake_case_words", "KELVIN \u212a", "İstanbul"]:
        keys, starts, ends = scan.words(text)
        assert list(zip(keys, starts, ends, strict=True)) == _reference_words(text), text


def test_words_of_plain_texts_take_the_fast_path() -> None:
    """Texts of ASCII words, Latin letters that fold to one and typographic punctuation, most of an archive's,
    are split without the pattern."""
    for text in ["Letter from Mao Zedong to Stalin, 12 May 1950", "Mao’s “plan” – 1954—1955…", "a_b\tc\u00a0d", "",
                 "Gerő", "Nicolae Ceaușescu and Emil Bodnăraş", "İstanbul"]:
        assert scan._plain_words(text) is not None, text
    for text in ["V[yacheslav] Kochemassov", "Straße", "Æsop", "x\u0301", "Ceaus\u0326escu", "中文"]:
        assert scan._plain_words(text) is None, text


# ----------------------------------------------------------------------------------------------- the pattern

_EDGES = [
    "Letter from Mao Zedong to Stalin (No. 5)", "Stalin (Kuznetsov) to Mao Zedong", "Kuznetsov (Stalin) tells Terebin",
    "the assassination of President Park Chung Hee.", "President Park and Park Chung Hee", "Ho Chi Minh City and Ho Chi Minh",
    "Mao,  Zedong -- and Mao Zedong's  visit", "Zhou Enlai, Chou En-lai and Chou Enlai", "A. A. Gromyko and AA Gromyko",
    "Stalin Stalin", "Filippov (Stalin)", "(Mao Zedong)", "Mao (Zedong)", "the Central Committee of the Party", "", " ",
    "Soviet Foreign Ministry", "Telegram from Kuznetsov to Soviet Foreign Ministry", "Premier Zhou Enlai and Ambassador Nehru",
    "Talks between Nicolae Ceauşescu, Emil Bodnăraş and Rezső Nyers", "GERŐ and Ernő Gerő", "Nicolae CEAUȘESCU",
]


def _pattern_texts() -> list[str]:
    """Generated titles and summaries, the seed pages' lines, the cases above, and the seed lines cut and
    glued at random (names broken, run together, put in brackets)."""
    generated = [text for _, title, summary in generate_records(3000, seed=21) for text in (title, summary)]
    seeds = [line for page in sorted(ROOT.joinpath("seeds").glob("*.txt"))
             for line in page.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(8)
    mixed = []
    for _ in range(3000):
        words = " ".join(rng.sample(seeds, 2)).split()
        at = rng.randrange(len(words))
        piece = words[at:at + rng.randint(2, 12)]
        if rng.random() < 0.3:
            k = rng.randrange(len(piece))
            piece[k] = f"({piece[k]})"
        mixed.append(rng.choice([" ", "  ", ", ", " - "]).join(piece))
    return [*generated, *seeds, *_EDGES, *mixed]


def test_the_compiled_pattern_finds_exactly_what_the_scan_finds(people: PeopleDirectory) -> None:
    """`plain_hits` (one pattern in C, no word list) gives the same hits, spans, words and keys as the trie walk
    over the scanned words, or leaves the text to the scan; and it takes most titles and summaries."""
    matcher = people._matcher
    texts = _pattern_texts()
    taken = 0
    for text in texts:
        plain = matcher.plain_hits(text)
        if plain is not None:
            taken += 1
            assert plain.hits == matcher.hits(scan.scan_text(text)), text
    assert taken >= 0.9 * len(texts)


def test_the_pattern_leaves_brackets_and_longer_names_to_the_scan(people: PeopleDirectory) -> None:
    matcher = people._matcher
    for text in ["Stalin (Kuznetsov) to Mao Zedong", "(Mao Zedong)", "the assassination of President Park Chung Hee.",
                 "V[yacheslav] I. Kochemassov", "Straße"]:
        assert matcher.plain_hits(text) is None, text
    for text in ["Letter from Mao Zedong to Stalin (No. 5)", "President Park and Park Chung Hee", "Mao,  Zedong",
                 "Talks between Nicolae Ceauşescu, Emil Bodnăraş and Rezső Nyers"]:
        assert matcher.plain_hits(text) is not None, text


def test_the_entities_of_a_summary_are_those_of_its_hits(people: PeopleDirectory) -> None:
    """`plain_mentioned` (a summary's entities by the trie walk alone, no hits) gives the entities of the
    hits, context phrases and cover names applied, each once in order, or leaves the text to them; on the pattern
    texts, every real page's titles and summaries, and every country a context phrase belongs to."""
    from tests.retrieval.people.test_participants_golden import REALPAGES, _page_records

    matcher = people._matcher
    pages = [text for title, summary, _ in _page_records(REALPAGES) for text in (title, summary)] \
        if REALPAGES.is_dir() else []
    texts = [*_pattern_texts(), *pages, "Kuznetsov tells Terebin and Andrei Orlov", "the Central Committee met"]
    countries = [None, *matcher._context]
    taken = 0
    for text in texts:
        for country in countries:
            hits = matcher.context_hits(matcher.find(text), country)
            expected = list(dict.fromkeys(hit.entity for hit in hits))
            fast = matcher.plain_mentioned(text, country)
            if fast is not None:
                taken += country is None
                assert fast == expected, (text, country)
            assert matcher.mentioned(text, country) == expected, (text, country)
    assert taken >= 0.5 * len(texts)
