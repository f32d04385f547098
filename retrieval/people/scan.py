"""Finding names in text: folded word tokens, and a trie over every written form of every entity.

Names are compared as sequences of folded word tokens ("A.A. Gromyko", "A. A. Gromyko" and "AA Gromyko" are
all `a a gromyko` or `aa gromyko`), and every alias is indexed with all ways of joining its tokens, so
"Chou En-lai" also matches "Chou Enlai" and "Kim Il-sung" matches "Kim Ilsung". The trie is built once at
load: `Matcher.hits` costs a dict lookup per word of text. For ingest, `Matcher.find` matches a plain title or
summary (most of them) with the same trie compiled into one regular expression, so no word list is made and the
engine, in C, looks only after spaces; the scan decides the rest, and tests check both find the same. A summary
needs only whom it names (`Matcher.mentioned`): the trie walk over its words, with no offsets and no hits.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, count, repeat
from operator import add, attrgetter
from os.path import commonprefix
from typing import Any

from ..text import ascii_spaced, fold
from .load import Entity, PeopleFileError

_WORD = r"(?:[^\W_]|[\u0300-\u036f])"
# Brackets inside a word join it: "V[yacheslav] I. Kochemassov" reads "Vyacheslav".
_TOKEN_RE = re.compile(rf"{_WORD}+(?:[\[\]]{_WORD}+)*")
# The same tokens in a text without "_" (there `\w` and `[^\W_]` agree), with one class per character instead
# of an alternation: twice as fast, and tokenising titles and summaries is most of ingest's name finding.
_PLAIN_TOKEN_RE = re.compile(r"[\w\u0300-\u036f]+(?:[\[\]][\w\u0300-\u036f]+)*")
# Both as one capturing group for `split`: tokens and the text between them, with no Match object per token.
_TOKEN_SPLIT, _PLAIN_TOKEN_SPLIT = (re.compile(f"({pattern.pattern})") for pattern in (_TOKEN_RE, _PLAIN_TOKEN_RE))
_NON_WORD_RE = re.compile(r"[\W_]+")
_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_MAX = 200_000


def _token_key(raw: str) -> str:
    """Folded form of one word, cached: texts repeat the same words thousands of times at ingest."""
    key = _KEY_CACHE.get(raw)
    if key is None:
        key = _NON_WORD_RE.sub("", fold(raw))
        if len(_KEY_CACHE) < _KEY_CACHE_MAX:
            _KEY_CACHE[raw] = key
    return key


def _tokens(text: str) -> tuple[list[str], list[int], list[int]]:
    """The tokens of `text`, their starts and their ends: one split, and the running sum of the pieces' lengths
    for the offsets, all in C (a Match object per token was most of the time scanning a summary took)."""
    pieces = (_TOKEN_SPLIT if "_" in text else _PLAIN_TOKEN_SPLIT).split(text)
    edges = list(accumulate(map(len, pieces)))  # pieces alternate: between, token, between, ..., between
    return pieces[1::2], edges[0:-1:2], edges[1::2]


# The characters of a plain text: ASCII, and the Latin-1 and general punctuation characters that are no word
# character. Each is a letter, a digit or a separator (but the brackets, which can join words).
_PLAIN_CHARS = frozenset(
    ch for ch in map(chr, chain(range(0x80), range(0xA0, 0x100), range(0x2000, 0x2070)))
    if ch.isascii() or not re.fullmatch(_WORD, ch)
)
# A plain text's bytes as ASCII, its other characters each a "?": letters lowercased, separators as spaces.
_SPACED = ascii_spaced().lower()


# The Latin letters that fold to one ASCII letter or digit ("ő" -> "o", "Ș" -> "s"): a word of them folds letter by
# letter, so a text of them and ASCII is plain once they are replaced.
_ONE_LETTER_FOLDS = {code: fold(chr(code)) for code in range(0xC0, 0x250)
                     if re.fullmatch(_WORD, chr(code)) and len(fold(chr(code))) == 1 and fold(chr(code)).isascii()
                     and fold(chr(code)).isalnum()}


def _spaced(text: str) -> str | None:
    """A plain text (words of ASCII and of Latin letters that fold to one, between separators, no brackets:
    most titles and summaries) as its folded words between spaces, offset for offset (one or two translates);
    None for any other text."""
    if "[" in text or "]" in text:
        return None
    if not (text.isascii() or _PLAIN_CHARS.issuperset(text)):  # a translate by a dict costs a lookup per letter:
        text = text.translate(_ONE_LETTER_FOLDS)  # only for a text that has a letter to fold
        if not _PLAIN_CHARS.issuperset(text):
            return None
    return text.encode("ascii", "replace").translate(_SPACED).decode()


def _plain_words(text: str) -> tuple[list[str], list[int], list[int]] | None:
    """`words` for a plain text: the words of `_spaced` by one split, their offsets summed in C, no pattern;
    None for any other text."""
    spaced = _spaced(text)
    if spaced is None:
        return None
    pieces = spaced.split(" ")  # words and the empty strings between neighbouring separators
    starts = list(compress(accumulate(map(add, map(len, pieces), repeat(1)), initial=0), pieces))
    keys = list(filter(None, pieces))
    return keys, starts, list(map(add, starts, map(len, keys)))


def words(text: str) -> tuple[list[str], list[int], list[int]]:
    """The folded key of each word of `text` (tokens that fold to nothing are no words), its start and end."""
    plain = _plain_words(text)
    if plain is not None:
        return plain
    tokens, starts, ends = _tokens(text)
    keys = _keys_of(tokens)
    if "" in keys:  # a token of combining marks alone folds to nothing: it is no word
        kept = [k for k, key in enumerate(keys) if key]
        return [keys[k] for k in kept], [starts[k] for k in kept], [ends[k] for k in kept]
    return keys, starts, ends


def _keys_of(tokens: list[str]) -> list[str]:
    """The folded key of each token (some may be empty), through the cache."""
    cached = list(map(_KEY_CACHE.get, tokens))
    if None in cached:
        return [_token_key(token) if key is None else key for key, token in zip(cached, tokens, strict=True)]
    return cached  # type: ignore[return-value]  # no None in it


def token_keys(text: str) -> list[str]:
    return words(text)[0]


def name_key(text: str) -> str:
    """The form `alias_index` uses: folded words joined by single spaces ("A.A. Gromyko" -> "a a gromyko")."""
    return " ".join(token_keys(text))


def squash(text: str) -> str:
    """Spacing- and punctuation-blind identity of a name: two aliases with the same squash are the same."""
    return "".join(token_keys(text))


def _join_variants(tokens: list[str]) -> list[tuple[str, ...]]:
    """Every way of gluing neighbouring tokens: ["chou","en","lai"] -> chou en lai, chou enlai, chouen lai, ..."""
    n = len(tokens)
    if n == 1:
        return [tuple(tokens)]
    if n > 6:
        return [tuple(tokens), ("".join(tokens),)]
    variants = []
    for mask in range(1 << (n - 1)):
        parts, current = [], tokens[0]
        for k in range(1, n):
            if mask >> (k - 1) & 1:
                current += tokens[k]
            else:
                parts.append(current)
                current = tokens[k]
        parts.append(current)
        variants.append(tuple(parts))
    return variants


_PLAIN_KEY_RE = re.compile("[a-z0-9]+")


def _alternation(branches: list[tuple[str, str]]) -> str:
    """Words, each followed by its own pattern, as one alternation that shares their common beginnings: the
    regex engine compares a letter once per position, not once per word. Words that share more than a first
    letter share it as one literal, not a group per letter (a sixth of the groups: the pattern parses in a
    third of the time, an ingest worker's start)."""
    by_first: dict[str, list[tuple[str, str]]] = {}
    for word, after in branches:
        by_first.setdefault(word[:1], []).append((word, after))
    parts = []
    for first, rest in by_first.items():
        if not first:  # the word ends here; the others go on with letters, which its `\b` refuses
            parts.append(rest[0][1])
        elif len(rest) == 1:
            parts.append(re.escape(rest[0][0]) + rest[0][1])
        else:
            shared = commonprefix([word for word, _ in rest])
            parts.append(f"{re.escape(shared)}(?:{_alternation([(w[len(shared):], a) for w, a in rest])})")
    return "|".join(parts)


def _names_from(node: dict[str, Any]) -> str | None:
    """A pattern of the names that go on from `node` in plain text, each as long as it goes (the engine tries
    going on before stopping, and a word ends at `\b`, so one path is followed): the trie walk of
    `Matcher.hits`, as a pattern. None when no name does."""
    branches = []
    for token, child in node.items():
        if token and _PLAIN_KEY_RE.fullmatch(token):  # other keys never meet a plain text's words
            rest = _names_from(child)
            if rest is not None:
                branches.append((token, rf"\b(?: +(?:{rest})){'?' if '' in child else ''}"))
            elif "" in child:
                branches.append((token, r"\b"))
    return _alternation(branches) if branches else None


@dataclass(frozen=True, slots=True)
class PlainName:
    """A name of plain words as `Matcher.plain_hits` meets it: its entity (-1: a phrase that is no name), how
    many words it has, their squash, and whether a word after its first starts a longer name of the same
    entity that goes on past its end (then `Matcher._extend` may lengthen it, and the scan decides)."""

    entity: int
    size: int
    key: str
    may_extend: bool


def _plain_names(trie: dict[str, Any]) -> dict[str, PlainName]:
    """Every name of plain words in the trie, its words joined by single spaces -> what `plain_hits` needs."""
    names: dict[str, PlainName] = {}

    def ends_below(node: dict[str, Any]) -> set[int]:
        """The entities of the names that go on past `node`."""
        return {value for token, child in node.items() if token
                for value in (ends_below(child) | ({child[""]} if "" in child else set()))}

    def goes_on(words: tuple[str, ...], entity: int) -> bool:
        """Does a name of `entity` start with `words` and go on past them?"""
        node: dict[str, Any] | None = trie
        for word in words:
            node = node.get(word) if node is not None else None
        return node is not None and entity in ends_below(node)

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        for token, child in node.items():
            if not token:
                may_extend = child >= 0 and any(goes_on(path[k:], child) for k in range(1, len(path)))
                names[" ".join(path)] = PlainName(child, len(path), "".join(path), may_extend)
            elif _PLAIN_KEY_RE.fullmatch(token):
                walk(child, (*path, token))

    walk(trie, ())
    return names


@dataclass(slots=True)
class Hit:
    """A match under construction: entity index, token span, char span, and the squashed matched text."""

    entity: int
    first: int
    last: int  # exclusive token index
    start: int
    end: int
    key: str


@dataclass
class Scan:
    """One text, tokenised, with its bracket groups: what the matcher and the role parser share."""

    text: str
    keys: list[str]
    starts: list[int]
    ends: list[int]
    groups: list[tuple[int, int, int, int]] = field(default_factory=list)  # open, close, first tok, last tok
    token_group: list[int] | None = None


_GROUP_RE = re.compile(r"[\[(]([^\[\]()]*)[\])]")
_ADJACENT_RE = re.compile(r"(?:['’]s)?[\s\[\]()]*")
_BEFORE_GROUP_RE = re.compile(r"\s*(?:['’]s\s*)?")


def scan_text(text: str) -> Scan:
    keys, starts, ends = words(text)
    scan = Scan(text, keys, starts, ends)
    if "[" in text or "(" in text:
        token_group = [-1] * len(keys)
        t = 0
        for m in _GROUP_RE.finditer(text):
            open_, close = m.start(), m.end() - 1
            first = bisect_right(starts, open_, t)  # the words inside: from the first after the bracket opens
            t = bisect_right(ends, close, first)  # to the last that ends before it closes
            if t > first:
                token_group[first:t] = [len(scan.groups)] * (t - first)
                scan.groups.append((open_, close, first, t))
        scan.token_group = token_group
    return scan


@dataclass(slots=True)
class Found:
    """The names found in one text, and what they were found in: the text's words between spaces when one
    pattern found them (`Matcher.plain_hits`), else its scan."""

    text: str
    hits: list[Hit]
    spaced: str | None = None
    _scan: Scan | None = None

    @property
    def scan(self) -> Scan:
        """The text's scan, made when first asked for (the pattern needs none)."""
        if self._scan is None:
            self._scan = scan_text(self.text)
        return self._scan

    def may_hold(self, words: list[str]) -> bool:
        """Might the text hold all these words? Never False when it does: substring tests on the spaced text
        (no word list is made for them), else the first word among the scan's words."""
        if self.spaced is not None:
            return all(map(self.spaced.__contains__, words))
        return words[0] in self.scan.keys


class Matcher:
    """The trie over every entity's written forms, with the cover-name and context-name rules.

    `by_key` maps the squash of every claimed name to its entity index; the directory has already refused
    names claimed twice.
    """

    def __init__(self, entities: Sequence[Entity], not_names: Sequence[str], by_key: Mapping[str, int]) -> None:
        self._bulk = False  # `find` by the compiled pattern: see `for_bulk`
        self._plain_made: tuple[re.Pattern[str], dict[str, PlainName]] | None = None  # see `_plain`
        self._trie: dict[str, Any] = {}
        self._cover: dict[int, frozenset[str]] = {}
        self._cover_by_key: dict[str, list[int]] = {}
        self._cover_context: dict[int, frozenset[int]] = {}
        self._context: dict[str, list[tuple[int, list[str]]]] = {}
        # Canonical spellings first, so a glued variant never shadows a real alias of the same entity.
        for idx, entity in enumerate(entities):
            for alias in entity.written_forms:
                for variant in _join_variants(token_keys(alias)):
                    self._insert(variant, idx)
        for phrase in not_names:
            if token_keys(phrase):
                for variant in _join_variants(token_keys(phrase)):
                    self._insert(variant, -1)
        for idx, entity in enumerate(entities):
            if entity.cover_names:
                covers = frozenset(squash(c) for c in entity.cover_names)
                self._cover[idx] = covers
                for key in covers:
                    self._cover_by_key.setdefault(key, []).append(idx)
            if entity.cover_context:
                context = set()
                for name in entity.cover_context:
                    other = by_key.get(squash(name))
                    if other is None:
                        raise PeopleFileError(f"'{entity.name}': cover_context '{name}' is not in the directory")
                    context.add(other)
                self._cover_context[idx] = frozenset(context)
            if entity.context_names and entity.country:
                for phrase in entity.context_names:
                    self._context.setdefault(entity.country, []).append((idx, token_keys(phrase)))
        # Every beginning of a cover name's squash: a name whose first word is none of them is no cover name.
        self._cover_starts = frozenset(key[:end] for key in self._cover_by_key for end in range(1, len(key) + 1))
        # The words all of a country's context phrases hold: a text lacking one of them holds none of its phrases.
        self._context_common = {country: tuple(set.intersection(*(set(words) for _, words in phrases)))
                                for country, phrases in self._context.items()}

    def _insert(self, tokens: tuple[str, ...], idx: int) -> None:
        node = self._trie
        for token in tokens:
            node = node.setdefault(token, {})
        node.setdefault("", idx)

    def hits(self, scan: Scan) -> list[Hit]:
        """All entity mentions in `scan`, longest match first, non-overlapping, in order of position."""
        spans = self._spans(scan.keys, None if scan.token_group is None else scan)
        return self._finish(scan.text, scan, [self._new_hit(scan, *span) for span in spans])

    def _spans(self, keys: list[str], grouped: Scan | None) -> list[tuple[int, int, int]]:
        """Entity, first and last word (exclusive) of every name in `keys` (not-names pass over their words):
        the longest from each word on, then on after it. `grouped`: the scan when the text has brackets, whose
        edges a name may not straddle."""
        trie = self._trie
        spans: list[tuple[int, int, int]] = []
        n, resume = len(keys), 0
        # Only a token that starts some name can start a hit: visit those (most words start none).
        for i in compress(count(), map(trie.__contains__, keys)):
            if i < resume:
                continue
            node = trie[keys[i]]
            end = 0
            j = i + 1
            while True:
                found = node.get("")
                if found is not None and (grouped is None or self._fits_groups(grouped, i, j)):
                    end, value = j, found
                if j >= n:
                    break
                node = node.get(keys[j])
                if node is None:
                    break
                j += 1
            if not end:
                continue
            if value >= 0:
                if end > i + 1:  # only a name of two words or more can run on
                    end = self._extend(keys, grouped, i, end, value)
                spans.append((value, i, end))
            resume = end
        return spans

    def _finish(self, text: str, scan: Scan | None, hits: list[Hit]) -> list[Hit]:
        """Merged annotations and cover names; `scan` is None when no name touches a bracket."""
        if len(hits) > 1:
            hits = self._merge(text, scan, hits)
        if hits and self._cover_by_key:
            self._apply_cover_context(hits)
        return hits

    def for_bulk(self) -> None:
        """From now on `find` uses the compiled pattern, compiled now: its quarter second of CPU pays off only over
        thousands of texts (an ingest's workers), never over a small file's few or a question's one."""
        self._bulk = True
        self._plain()  # compiled here, not inside the first batch

    def find(self, text: str) -> Found:
        """The names in `text`: in bulk (`for_bulk`) by one compiled pattern when it is plain and no name touches
        a bracket (most titles and summaries), else by its scan. The same hits either way."""
        found = self.plain_hits(text) if self._bulk else None
        if found is None:
            scan = scan_text(text)
            return Found(text, self.hits(scan), None, scan)
        return found

    def _plain(self) -> tuple[re.Pattern[str], dict[str, PlainName]]:
        """Every name of plain words as one pattern, a space and the longest name after it (the engine skips to
        the spaces in C and follows one path of letters from each), and each name as the pattern matches it ->
        what it is. Made when first used (about a quarter second) and kept: set in an attribute, not a
        `cached_property`, which a class compiled by mypyc cannot hold."""
        if self._plain_made is None:
            names = _names_from(self._trie)
            self._plain_made = (re.compile(f" (?:{names})" if names else "(?!)"),
                                {f" {words}": name for words, name in _plain_names(self._trie).items()})
        return self._plain_made

    def _runs_on(self, padded: str, start: int, end: int) -> bool:
        """Does a name start at a word of this one after its first and run on past `end` (a superset of the
        names `_extend` lengthens a hit by)?"""
        words = _PLAIN_KEY_RE.finditer(padded, start + 1, end)
        next(words)
        match = self._plain()[0].match
        return any((longer := match(padded, word.start() - 1)) is not None
                   and longer.end() > end for word in words)

    def plain_hits(self, text: str) -> Found | None:
        """`hits(scan_text(text))`, with the text's spaced words, found by the plain pattern (`_plain`) with no word
        list; None when the text is not plain, a name touches a bracket, or a titled alias may run on into a longer
        name (`_extend`): the scan decides those."""
        spaced = _spaced(text)
        if spaced is None:
            return None
        groups = [(m.start(), m.end()) for m in _GROUP_RE.finditer(text)] if "(" in text else []
        padded = " " + spaced  # a name starts after a space: at padded[start], its first word at text[start]
        pattern, names = self._plain()
        search = pattern.search
        hits: list[Hit] = []
        position, counted, before = 0, 0, 0  # where to search; text[:counted] holds `before` words
        while (m := search(padded, position)) is not None:
            start, position = m.span()
            end = position - 1
            for open_, close in groups:
                if open_ < end and start < close:
                    return None
            found = m.group()
            name = names.get(found) or names[" " + " ".join(found.split())]
            if name.entity < 0:
                continue
            if name.may_extend and self._runs_on(padded, start, m.end()):
                return None
            before += len(spaced[counted:start].split())
            hits.append(Hit(name.entity, before, before + name.size, start, end, name.key))
            before += name.size
            counted = end
        return Found(text, self._finish(text, None, hits), spaced)

    def _extend(self, keys: list[str], grouped: Scan | None, first: int, end: int, value: int) -> int:
        """Let a titled alias run on into the full name: "President Park" + "Park Chung Hee" is one mention."""
        n, trie = len(keys), self._trie
        for k in range(first + 1, end):
            node = trie.get(keys[k])
            j = k + 1
            while node is not None:
                if j > end and node.get("") == value and (grouped is None or self._fits_groups(grouped, k, j)):
                    end = j
                if j >= n:
                    break
                node = node.get(keys[j])
                j += 1
        return end

    @staticmethod
    def _new_hit(scan: Scan, entity: int, first: int, last: int) -> Hit:
        """A hit whose span takes in a bracket it wholly contains at either edge ("[Li] Fuchun", "Liu [Shaoqi]")."""
        start, end = scan.starts[first], scan.ends[last - 1]
        if scan.token_group is not None:
            g = scan.token_group[first]
            if g >= 0 and scan.groups[g][2] == first and scan.groups[g][3] <= last:
                start = scan.groups[g][0]
            g = scan.token_group[last - 1]
            if g >= 0 and scan.groups[g][3] == last and scan.groups[g][2] >= first:
                end = scan.groups[g][1] + 1
        return Hit(entity, first, last, start, end, "".join(scan.keys[first:last]))

    @staticmethod
    def _fits_groups(scan: Scan, first: int, last: int) -> bool:
        """A name may hold a whole bracket ("Liu [Shaoqi]") or lie inside one, never straddle its edge."""
        assert scan.token_group is not None
        for t in (first, last - 1):
            g = scan.token_group[t]
            if g >= 0:
                _, _, a, b = scan.groups[g]
                if not (first <= a and b <= last) and not (a <= first and last <= b):
                    return False
        return True

    def _merge(self, text: str, scan: Scan | None, hits: list[Hit]) -> list[Hit]:
        """Fold "Filippov [Stalin]", "Chairman Mao [Zedong]" and "Stalin [via Kuznetsov]" into one mention."""
        out: list[Hit] = [hits[0]]
        for hit in hits[1:]:
            prev = out[-1]
            if hit.entity == prev.entity and _ADJACENT_RE.fullmatch(text[prev.end:hit.start]):
                prev.last, prev.end = hit.last, hit.end if scan is None else self._close_after(scan, hit)
                continue
            if scan is None:
                out.append(hit)
                continue
            group = self._annotation_group(scan, prev, hit)
            if group is not None:
                _, close, first, _ = group
                via = hit.first == first + 1
                winner = self._annotation_winner(prev, hit, via)
                if winner is not None:
                    prev.entity, prev.last, prev.end = winner, hit.last, close + 1
                    continue
            out.append(hit)
        return out

    @staticmethod
    def _close_after(scan: Scan, hit: Hit) -> int:
        """End of a merged mention: past the closing bracket when the absorbed name filled a bracket."""
        if scan.token_group is not None:
            g = scan.token_group[hit.last - 1]
            if g >= 0 and (scan.groups[g][3] == hit.last
                           or scan.groups[g][3] == hit.last + 1 and scan.keys[hit.last] == "s"):
                return scan.groups[g][1] + 1
        return hit.end

    @staticmethod
    def _annotation_group(scan: Scan, prev: Hit, hit: Hit) -> tuple[int, int, int, int] | None:
        """The bracket right after `prev` when it holds exactly `hit`, or "via" and `hit`."""
        if scan.token_group is None:
            return None
        g = scan.token_group[hit.first]
        if g < 0:
            return None
        group = scan.groups[g]
        open_, _, first, last = group
        if hit.last == last - 1 and scan.keys[hit.last] == "s":  # "[Zhou Enlai's]"
            last -= 1
        if hit.last != last or open_ < prev.end or not _BEFORE_GROUP_RE.fullmatch(scan.text[prev.end:open_]):
            return None
        if hit.first == first or (hit.first == first + 1 and scan.keys[first] == "via"):
            return group
        return None

    def _annotation_winner(self, prev: Hit, hit: Hit, via: bool) -> int | None:
        """Which entity a name-plus-bracket pair means; None keeps them apart (a real intermediary)."""
        if prev.entity == hit.entity:
            return prev.entity
        if hit.key in self._cover.get(prev.entity, ()):
            return prev.entity
        if via:
            return None
        if prev.key in self._cover.get(hit.entity, ()):
            return hit.entity
        return hit.entity  # "Kuznetsov (Stalin)", "Pham No Mach [Pham Ngoc Thach]": the bracket names the person

    def _apply_cover_context(self, hits: list[Hit]) -> None:
        if self._cover_by_key.keys().isdisjoint(map(attrgetter("key"), hits)):  # most texts name no cover name
            return
        present = {hit.entity for hit in hits}
        for hit in hits:
            for owner in self._cover_by_key.get(hit.key, ()):
                if self._cover_context.get(owner, frozenset()) & present:
                    hit.entity = owner
                    break

    def _holds_no_context(self, country: str, spaced: str | None) -> bool:
        """Surely none of `country`'s context phrases in a text (`spaced`: its spaced words, None when unknown):
        the country has none, or the text lacks a word all of them hold."""
        common = self._context_common.get(country)
        return common is None or spaced is not None and not all(map(spaced.__contains__, common))

    def mentioned(self, text: str, country: str | None) -> list[int]:
        """The entities of `context_hits(find(text), country)`, each once, in order of first mention: all a
        summary gives (whoever it names is mentioned, whatever the wording)."""
        entities = self.plain_mentioned(text, country)
        if entities is None:
            entities = list(dict.fromkeys([hit.entity for hit in self.context_hits(self.find(text), country)]))
        return entities

    def plain_mentioned(self, text: str, country: str | None) -> list[int] | None:
        """`mentioned` of a plain text with no bracket, by the trie walk over its words alone (no offsets, no
        hits, no pattern); None, for `mentioned` to decide, when a context phrase may stand in it or a name it
        holds is a cover name."""
        spaced = None if "(" in text else _spaced(text)
        if spaced is None or country is not None and not self._holds_no_context(country, spaced):
            return None
        keys = spaced.split()
        spans = self._spans(keys, None)
        if spans and not self._cover_starts.isdisjoint([keys[first] for _, first, _ in spans]) \
                and not self._cover_by_key.keys().isdisjoint(["".join(keys[first:last]) for _, first, last in spans]):
            return None
        return list(dict.fromkeys([value for value, _, _ in spans]))

    def context_hits(self, found: Found, country: str | None) -> list[Hit]:
        """Bare "the Central Committee" etc., read as the body of the document's country."""
        hits = found.hits
        # Only the phrases whose first word the text holds (most texts hold none; a phrase whose other words it
        # lacks cannot match either): the scan's words are made only when the text may hold a whole phrase.
        if country is None or self._holds_no_context(country, found.spaced):
            return hits
        phrases = [phrase for phrase in self._context[country] if found.may_hold(phrase[1])]
        if not phrases:
            return hits
        scan = found.scan
        keys = scan.keys
        phrases = [phrase for phrase in phrases if phrase[1][0] in keys]
        if not phrases:
            return hits
        taken = [False] * len(scan.keys)
        for hit in hits:
            for t in range(hit.first, hit.last):
                taken[t] = True
        extra: list[Hit] = []
        for idx, words in phrases:
            size, t = len(words), 0
            while True:  # a phrase is tried only where its first word stands
                try:
                    t = keys.index(words[0], t)
                except ValueError:
                    break
                if t + size > len(keys):
                    break
                if keys[t:t + size] == words and not any(taken[t:t + size]):
                    extra.append(Hit(idx, t, t + size, scan.starts[t], scan.ends[t + size - 1], ""))
                    for k in range(t, t + size):
                        taken[k] = True
                t += 1
        return sorted(hits + extra, key=lambda h: h.start) if extra else hits
