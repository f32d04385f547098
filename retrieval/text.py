"""Text normalisation shared by documents, names and queries, so that every side compares the same forms."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

# Letters that NFKD does not decompose into a base letter plus a mark, and the typographic punctuation
# that archive pages mix freely with the ASCII forms users type.
_SPECIAL = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "đ": "d",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "ʼ": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "–": "-",
        "—": "-",
    }
)


def fold(text: str) -> str:
    """Lowercase, strip diacritics and normalise quotes and dashes, so "Gerő" matches "gero" and "Mao’s" "mao's".

    The result can be longer or shorter than the input (ß -> ss, combining marks dropped): do not use its
    offsets for the original text.
    """
    if text.isascii():
        return text.lower().replace("`", "'")
    text = text.casefold().translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# -- one tokenizer for documents and questions ------------------------------------------------------------
# Words as written: letters and digits, with inner apostrophes ("Mao’s", "d'Affaires").
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_FOLDED_WORD = re.compile(r"[^\W_]+")
# The same two on ASCII text (most of the archive's): a class of ASCII letters and digits is tested by a table,
# `[^\W_]` by Unicode's categories, a third slower over a summary.
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)*")
_ASCII_FOLDED_WORD = re.compile(r"[A-Za-z0-9]+")
_POSSESSIVE = re.compile(r"'s\b")


def ascii_spaced(keep: str = "") -> bytes:
    """A `bytes.translate` table for ASCII text: letters, digits and `keep` stay, every other byte is a space, so
    one `split` gives the words (the one rule for what a word character is in ASCII)."""
    return bytes(byte if chr(byte).isascii() and (chr(byte).isalnum() or chr(byte) in keep) else 0x20
                 for byte in range(256))


# `words` of ASCII text without the regex engine (half the time: every hit's summary is split for emphasis):
# each byte but a letter, digit or apostrophe becomes a space, and the text is split. That is _ASCII_WORD's
# answer unless an apostrophe starts or ends a piece ("'tis", "the Soviets' note", "x''y"): then the regex runs.
_SPACED = ascii_spaced("'")

# English function words, plus what people type around a question in chat ("hey bot can u find ...").
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before being below
    between both but by can cannot could did do does doing down during each few for from further had has have
    having he her here hers herself him himself his how i if in into is it its itself let me more most my
    myself no nor not of off on once only or other ought our ours ourselves out over own same she should so
    some such than that the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you your yours
    yourself yourselves s t d ll m re ve
    anything something everything got get gets getting give find found show tell told know want wanted look
    looking search searching say says said saying hey hi hello yo pls please plz thanks thank thx u ur r im lol
    lmao bot ok okay
    any anyone somebody someone doc docs document documents record records stuff thing things info kind sort
    """.split()
)

# What people wrap a request in ("what happened in 1948", "show me the papers from October 1962"): never the
# thing searched for in a question, though documents keep these words.
QUERY_FILLER = frozenset(
    """
    happen happens happened happening occur occurs occurred occurring event events list listing papers
    materials sources archive archives dated written year years month months period going
    """.split()
)

_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball (Porter2) English stem of a folded word: 'negotiating' and 'negotiations' meet."""
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """The words of `text` as written (WORD_RE's)."""
    if not text.isascii():
        return WORD_RE.findall(text)
    spaced = text.encode().translate(_SPACED)
    if b"'" in spaced and (b" '" in spaced or b"' " in spaced or b"''" in spaced or spaced[:1] == b"'"
                           or spaced[-1:] == b"'"):
        return _ASCII_WORD.findall(text)
    return spaced.decode().split()


def tokenize(text: str) -> list[str]:
    """Index terms of a text: folded, possessives dropped, stop words dropped, stemmed; digits kept."""
    terms = []
    folded = _POSSESSIVE.sub("", fold(text))
    for word in (_ASCII_FOLDED_WORD if folded.isascii() else _FOLDED_WORD).findall(folded):
        if word in STOP_WORDS or (len(word) == 1 and not word.isdigit()):
            continue
        terms.append(stem(word))
    return terms


def is_number(text: str) -> bool:
    """ASCII digits only: a number a user typed. `str.isdigit()` also accepts '²' and '①', which `int()` refuses."""
    return text.isascii() and text.isdigit()
