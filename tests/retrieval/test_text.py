"""The tokenizer's word splits: an ASCII text takes a faster pattern, which must find exactly the same words."""
from __future__ import annotations

import random
import re

from retrieval.text import WORD_RE, tokenize, words
from testing.listing_gen import write_listing

# The patterns as the tokenizer has always written them, for any text: what the fast paths must agree with.
_FOLDED_WORD = re.compile(r"[^\W_]+")
_SOUP = "aZ09_'’-. ,;:!?()[]\"`~@#$%^&*+=/\\|<>{}\t\nÉéßİı²①Ωж中\u200b\u00a0"


def _texts(tmp_path) -> list[str]:
    page = write_listing(tmp_path / "listing.txt", 400)
    rng = random.Random(5)
    soup = ["".join(rng.choice(_SOUP) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    ascii_soup = ["".join(rng.choice(_SOUP[:40]) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    return page.read_text(encoding="utf-8").splitlines() + soup + ascii_soup + ["", "_", "'", "a'b", "a''b", "x'"] + [
        "Mao's and Zhou's talks on rock'n'roll, 1950s", "the Soviets' note", "'tis Stalin's", "x'' y",
        "\x1c\x0bA_b\x7fc", "d'Affaires Khrushchev's"]


def test_words_are_word_re_s_words_for_ascii_and_other_texts(tmp_path):
    texts = _texts(tmp_path)
    assert sum(t.isascii() for t in texts) > 3000  # the fast path is exercised
    for text in texts:
        assert words(text) == WORD_RE.findall(text), text


def test_tokenize_splits_folded_text_as_the_folded_word_pattern_does(tmp_path):
    from retrieval.text import _POSSESSIVE, STOP_WORDS, fold, stem

    for text in _texts(tmp_path):
        expected = [stem(w) for w in _FOLDED_WORD.findall(_POSSESSIVE.sub("", fold(text)))
                    if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]
        assert tokenize(text) == expected, text
