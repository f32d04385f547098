"""The people directory: canonical names of the archive's people and bodies, their many written forms, and
finding them in titles and summaries.

Names are compared as sequences of folded word tokens ("A.A. Gromyko", "A. A. Gromyko" and "AA Gromyko" are
all `a a gromyko` or `aa gromyko`), and every alias is indexed with all ways of joining its tokens, so
"Chou En-lai" also matches "Chou Enlai" and "Kim Il-sung" matches "Kim Ilsung". The matcher is a trie over
tokens built once at load: `find` costs a dict lookup per word of text.
"""
from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .records import Participant
from .text import fold

BUNDLED_FILE = Path(__file__).with_name("data") / "people.toml"
ENV_VAR = "ARCHIVE_PEOPLE_FILE"

ROLE_RANK = {"author": 0, "recipient": 1, "participant": 2}


class PeopleFileError(ValueError):
    """The people file cannot be used; the message names the file and the problem on one line."""


@dataclass(frozen=True)
class Entity:
    """A person or body under its canonical name.

    `cover_names` are names this person signed under that belong to someone else in plain use (Stalin's
    cables as "Kuznetsov"): they mean this entity only next to it ("Stalin [Kuznetsov]") or when an entity
    named in `cover_context` is in the same text ("Terebin to Kuznetsov"). `context_names` let a bare
    "the Central Committee" in a document of this body's country mean this body.
    """

    name: str
    kind: str  # person | organization
    aliases: tuple[str, ...]
    country: str | None = None
    note: str | None = None
    cover_names: tuple[str, ...] = ()
    cover_context: tuple[str, ...] = ()
    context_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity; `start`/`end` index the text that was searched, as given."""

    name: str
    kind: str
    start: int
    end: int


# ---------------------------------------------------------------------------------------------- tokens

_WORD = r"(?:[^\W_]|[\u0300-\u036f])"
# Brackets inside a word join it: "V[yacheslav] I. Kochemassov" reads "Vyacheslav".
_TOKEN_RE = re.compile(rf"{_WORD}+(?:[\[\]]{_WORD}+)*")
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


def _keys(text: str) -> list[str]:
    return [k for k in (_token_key(m.group()) for m in _TOKEN_RE.finditer(text)) if k]


def name_key(text: str) -> str:
    """The form `alias_index` uses: folded words joined by single spaces ("A.A. Gromyko" -> "a a gromyko")."""
    return " ".join(_keys(text))


def _squash(text: str) -> str:
    """Spacing- and punctuation-blind identity of a name: two aliases with the same squash are the same."""
    return "".join(_keys(text))


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


@dataclass
class _Hit:
    """A match under construction: entity index, token span, char span, and the squashed matched text."""

    entity: int
    first: int
    last: int  # exclusive token index
    start: int
    end: int
    key: str


@dataclass
class _Scan:
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


def _scan(text: str) -> _Scan:
    keys, starts, ends = [], [], []
    for m in _TOKEN_RE.finditer(text):
        key = _token_key(m.group())
        if key:
            keys.append(key)
            starts.append(m.start())
            ends.append(m.end())
    scan = _Scan(text, keys, starts, ends)
    if "[" in text or "(" in text:
        token_group = [-1] * len(keys)
        t = 0
        for m in _GROUP_RE.finditer(text):
            open_, close = m.start(), m.end() - 1
            while t < len(keys) and starts[t] <= open_:
                t += 1
            first = t
            while t < len(keys) and ends[t] <= close:
                t += 1
            if t > first:
                for k in range(first, t):
                    token_group[k] = len(scan.groups)
                scan.groups.append((open_, close, first, t))
        scan.token_group = token_group
    return scan


# ---------------------------------------------------------------------------------------------- loading

_PERSON_FIELDS = {"name", "aliases", "country", "note", "cover_names", "cover_context"}
_ORG_FIELDS = _PERSON_FIELDS | {"context_names"}


def _read_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PeopleFileError(f"{path}: cannot read the people file ({exc.strerror or exc})") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PeopleFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PeopleFileError(f"{path}: invalid TOML: {exc}") from exc


def _string_list(path: Path, where: str, field_name: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PeopleFileError(f"{path}: {where}: '{field_name}' must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _parse_entities(path: Path, data: dict[str, Any]) -> tuple[list[Entity], tuple[str, ...]]:
    unknown = set(data) - {"person", "organization", "not_names"}
    if unknown:
        raise PeopleFileError(f"{path}: unknown table(s) {', '.join(sorted(unknown))} (expected [[person]], "
                              "[[organization]] and not_names)")
    entities: list[Entity] = []
    for kind, table, allowed in (("person", "person", _PERSON_FIELDS), ("organization", "organization", _ORG_FIELDS)):
        rows = data.get(table, [])
        if not isinstance(rows, list):
            raise PeopleFileError(f"{path}: '{table}' must be an array of tables ([[{table}]])")
        for number, row in enumerate(rows, 1):
            where = f"[[{table}]] #{number}"
            if not isinstance(row, dict):
                raise PeopleFileError(f"{path}: {where} is not a table")
            name = row.get("name")
            if not isinstance(name, str) or not name.strip():
                raise PeopleFileError(f"{path}: {where} has no name")
            where = f"{where} ({name.strip()})"
            extra = set(row) - allowed
            if extra:
                raise PeopleFileError(f"{path}: {where}: unknown field(s) {', '.join(sorted(extra))}")
            for opt in ("country", "note"):
                if opt in row and not isinstance(row[opt], str):
                    raise PeopleFileError(f"{path}: {where}: '{opt}' must be a string")
            entities.append(
                Entity(
                    name=name.strip(),
                    kind=kind,
                    aliases=_string_list(path, where, "aliases", row.get("aliases", [])),
                    country=row.get("country") or None,
                    note=row.get("note") or None,
                    cover_names=_string_list(path, where, "cover_names", row.get("cover_names", [])),
                    cover_context=_string_list(path, where, "cover_context", row.get("cover_context", [])),
                    context_names=_string_list(path, where, "context_names", row.get("context_names", [])),
                )
            )
    not_names = _string_list(path, "top level", "not_names", data.get("not_names", []))
    return entities, not_names


# ---------------------------------------------------------------------------------------------- role words

# Words that may stand between "to" and a recipient, or before an author: titles and descriptions.
_FUNCTION_WORDS = {"of", "the", "to", "in", "for", "and", "at", "de", "da", "d", "du", "von", "van", "der",
                   "del", "la", "le", "s", "ad", "interim", "y"}
_HONORIFICS = {"comrade", "comrades", "cde", "cdes", "com", "cmrade", "tov", "mr", "mrs", "ms", "dr", "prof",
               "sir", "general", "gen", "marshal", "marshall", "chairman", "premier", "president",
               "ambassador", "minister", "secretary", "the", "and", "col", "colonel", "h", "e", "his",
               "excellency", "honorable", "baron", "prince"}
_LIST_WORDS = {"and", "the", "comrade", "comrades", "cde", "cdes", "com", "cmrade", "tov", "mr", "mrs", "dr",
               "prof", "sir", "general", "marshal", "chairman", "premier", "president", "ambassador"}
_CONVERSATION_WORDS = {"conversation", "conversations", "meeting", "meetings", "talk", "talks", "discussion",
                       "discussions", "audience", "reception", "visit", "minutes", "record", "records",
                       "transcript", "dinner", "luncheon", "lunch", "interview", "exchange", "session",
                       "negotiations", "consultations", "summary", "between", "with"}
_DOC_NOUNS = {"letter", "letters", "cable", "cables", "telegram", "telegrams", "note", "notes", "report",
              "reports", "speech", "speeches", "address", "statement", "message", "memorandum", "memo",
              "diary", "journal", "entry", "comments", "remarks", "account", "approval", "directive",
              "decision", "decree", "resolution", "notice", "information", "instructions", "instruction",
              "proposal", "draft", "declaration", "appeal", "protocol", "guidelines", "announcement", "reply",
              "response", "order", "analysis", "request", "plan", "article", "notebook", "memoirs"}
_OFFICE_NOUNS = {"ambassador", "ambassadors", "envoy", "envoys", "delegate", "delegates", "representative",
                 "representatives", "mission", "affaires", "charge", "chargé", "consul", "attache", "attaché",
                 "minister", "adviser", "advisor", "advisers", "emissary", "delegation", "secretary", "counselor"}
_JOURNEY_WORDS = {"visit", "trip", "journey", "arrival", "departure", "reception", "audience", "mission"}
_CAPITAL_STOPS = {"regarding", "concerning", "re", "on", "about", "via", "with", "in", "including",
                  "transmitting", "conveying", "containing", "relaying"}
_BY_EXCLUDED = {"led", "headed", "chaired", "accompanied", "attended", "received", "hosted", "organized",
                "organised", "visited", "followed", "replaced", "joined"}
# Words a name may carry in a question without changing whom it names ("Soviet Ambassador Yudin").
_RESOLVE_FILLERS = _FUNCTION_WORDS | _HONORIFICS | _OFFICE_NOUNS | {
    "soviet", "russian", "chinese", "korean", "north", "south", "vietnamese", "east", "west", "german",
    "polish", "hungarian", "czechoslovak", "romanian", "bulgarian", "albanian", "yugoslav", "mongolian",
    "cuban", "american", "us", "indian", "indonesian", "iranian", "japanese", "british", "french", "foreign",
    "vice", "deputy", "prime", "first", "leader", "former", "acting", "defense", "defence", "party",
}
_GAP_WORD_RE = re.compile(r"[^\W_]+")
_TO_RE = re.compile(r"\bto\b", re.IGNORECASE)
_TRIGGER_RE = re.compile(r"\b(from|by|of)\b", re.IGNORECASE)
_POSSESSIVE_RE = re.compile(r"['’]s\b")
_SUBJECT_AFTER_RE = re.compile(r"\s*(?:,([^,:'‘\"“]*))?[,:]\s*['‘\"“]")


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Quoted subjects ('...', ‘...’, "...", “...”): names inside them are spoken of, not writing or written to."""
    spans: list[tuple[int, int]] = []
    for opens, closes in (("'‘", "'’"), ('"“', '"”')):
        open_at, close_at = [], []
        for i, ch in enumerate(text):
            if ch in opens and (i == 0 or text[i - 1] in " \t([,:;-") and i + 1 < len(text) \
                    and not text[i + 1].isspace():
                open_at.append(i)
            if ch in closes and i > 0 and not text[i - 1].isspace() \
                    and (i + 1 == len(text) or text[i + 1] in " \t,.;:)]?!"):
                close_at.append(i)
        position = -1
        for k, o in enumerate(open_at):
            if o <= position:
                continue
            limit = open_at[k + 1] if k + 1 < len(open_at) else len(text)
            candidates = [c for c in close_at if o < c < limit]
            if not candidates:  # an unclosed quote (a cut-off title) runs on to the end
                later = [c for c in close_at if c > o]
                end = later[-1] if later else len(text)
            else:
                end = candidates[-1]
            spans.append((o, end + 1))
            position = end
    return spans


def _gap_words(gap: str) -> list[str]:
    return _GAP_WORD_RE.findall(gap)


def _is_descriptor(gap: str) -> bool:
    """A stretch of titles and descriptions ("Soviet Ambassador to the DPRK"), no verbs, no conversation.

    "to" belongs to a description only after an office ("Ambassador to China"); elsewhere it starts an
    addressee ("the Embassy in Vienna to Deputy Minister X").
    """
    if any(ch in gap for ch in ":;‘\"“”"):
        return False
    previous = ""
    for word in _gap_words(gap):
        low = fold(word)
        if low == "to" and previous not in _OFFICE_NOUNS:
            return False
        previous = low
        if low in _CONVERSATION_WORDS or low in _CAPITAL_STOPS and word[0].isupper() and low not in ("in",):
            return False
        if low in _FUNCTION_WORDS or low in _HONORIFICS:
            continue
        if word[0].isdigit() or not word[0].isupper() or low.endswith("ing"):
            return False
    return True


def _is_list_gap(gap: str) -> bool:
    """Between two members of one list: commas, "and", and honorifics ("], and Comrades ")."""
    if any(ch not in " \t,.[]()&" and not ch.isalpha() for ch in gap):
        return False
    return all(fold(word) in _LIST_WORDS for word in _gap_words(gap))


def _is_recipient_gap(gap: str) -> bool:
    """Between recipients: a list gap, or "and" followed by a description ("and Vice President of ... ")."""
    if _is_list_gap(gap):
        return True
    stripped = gap.strip(" ,")
    return stripped[:4].lower() == "and " and _is_descriptor(stripped[4:])


def _capitalised_run(text: str) -> list[str]:
    """The capitalised words at the start of `text`, up to the first other word or punctuation mark."""
    run = []
    for m in re.finditer(r"\s*([^\W_]+)", text):
        if not m.group(1)[0].isupper():
            break
        run.append(fold(m.group(1)))
        nxt = text[m.end():m.end() + 1]
        if nxt and not nxt.isspace():
            break
    return run


def _names_document(words: list[str]) -> bool:
    """Does a run of title words name a document (letter, speech) rather than a conversation?"""
    return any(w in _DOC_NOUNS for w in words) and not any(w in _CONVERSATION_WORDS for w in words)


# ---------------------------------------------------------------------------------------------- directory


class PeopleDirectory:
    """Canonical names, their aliases, and the matcher over them. Build once with `load`, share freely."""

    def __init__(self, entities: list[Entity], not_names: Iterable[str] = (), source: str = "<memory>"):
        self.entities: list[Entity] = list(entities)
        self.source = source
        self._by_name: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._trie: dict[str, Any] = {}
        self._cover: dict[int, frozenset[str]] = {}
        self._cover_by_key: dict[str, list[int]] = {}
        self._cover_context: dict[int, frozenset[int]] = {}
        self._index: dict[str, str] = {}
        self._context: dict[str, list[tuple[int, list[str]]]] = {}
        self._build(list(not_names))

    # -- construction

    @classmethod
    def load(cls, path: str | Path | None = None) -> "PeopleDirectory":
        """Read the people file: `path`, else $ARCHIVE_PEOPLE_FILE, else the bundled data/people.toml."""
        if path is None:
            path = os.environ.get(ENV_VAR) or BUNDLED_FILE
        path = Path(path)
        entities, not_names = _parse_entities(path, _read_file(path))
        try:
            return cls(entities, not_names, source=str(path))
        except PeopleFileError as exc:
            raise PeopleFileError(f"{path}: {exc}") from None

    def _build(self, not_names: list[str]) -> None:
        claimed: dict[str, tuple[int, str]] = {}
        for idx, entity in enumerate(self.entities):
            if entity.name in self._by_name:
                raise PeopleFileError(f"'{entity.name}' is listed twice")
            self._by_name[entity.name] = idx
            for alias in (entity.name, *entity.aliases):
                key = _squash(alias)
                if not key:
                    raise PeopleFileError(f"'{entity.name}': alias '{alias}' has no letters")
                owner = claimed.get(key)
                if owner is not None and owner[0] != idx:
                    raise PeopleFileError(f"alias '{alias}' is claimed by both '{self.entities[owner[0]].name}' "
                                          f"and '{entity.name}'")
                claimed.setdefault(key, (idx, alias))
                self._index.setdefault(name_key(alias), entity.name)
        self._by_key = {key: idx for key, (idx, _) in claimed.items()}
        for phrase in not_names:
            key = _squash(phrase)
            if key in claimed:
                raise PeopleFileError(f"not_names phrase '{phrase}' is also a name of "
                                      f"'{self.entities[claimed[key][0]].name}'")
        # Canonical spellings first, so a glued variant never shadows a real alias of the same entity.
        for idx, entity in enumerate(self.entities):
            for alias in (entity.name, *entity.aliases):
                for variant in _join_variants(_keys(alias)):
                    self._insert(variant, idx)
        for phrase in not_names:
            if _keys(phrase):
                for variant in _join_variants(_keys(phrase)):
                    self._insert(variant, -1)
        for idx, entity in enumerate(self.entities):
            if entity.cover_names:
                covers = frozenset(_squash(c) for c in entity.cover_names)
                self._cover[idx] = covers
                for key in covers:
                    self._cover_by_key.setdefault(key, []).append(idx)
            if entity.cover_context:
                context = set()
                for name in entity.cover_context:
                    other = self._by_key.get(_squash(name))
                    if other is None:
                        raise PeopleFileError(f"'{entity.name}': cover_context '{name}' is not in the directory")
                    context.add(other)
                self._cover_context[idx] = frozenset(context)
            if entity.context_names and entity.country:
                for phrase in entity.context_names:
                    self._context.setdefault(entity.country, []).append((idx, _keys(phrase)))

    def _insert(self, tokens: tuple[str, ...], idx: int) -> None:
        node = self._trie
        for token in tokens:
            node = node.setdefault(token, {})
        node.setdefault("", idx)

    # -- lookups

    def get(self, canonical: str) -> Entity | None:
        idx = self._by_name.get(canonical)
        return None if idx is None else self.entities[idx]

    def alias_index(self) -> dict[str, str]:
        """Every alias and canonical name in `name_key` form -> canonical name, for query understanding."""
        return dict(self._index)

    def resolve(self, name: str) -> str | None:
        """Any written form of a name -> its canonical name; None when it is unknown or names several."""
        idx = self._by_key.get(_squash(name))
        if idx is not None:
            return self.entities[idx].name
        scan = _scan(name)
        if not scan.keys:
            return None
        hits = self._hits(scan)
        covered = [False] * len(scan.keys)
        for hit in hits:
            for t in range(hit.first, hit.last):
                covered[t] = True
        leftovers = [k for k, c in zip(scan.keys, covered) if not c]
        if not hits or any(k not in _RESOLVE_FILLERS for k in leftovers):
            return None
        found = {hit.entity for hit in hits}
        return self.entities[found.pop()].name if len(found) == 1 else None

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Canonical names whose spellings are closest to an unknown `name` ("Krushchyov"), best first."""
        key = name_key(name)
        if not key:
            return []
        close = difflib.get_close_matches(key, list(self._index), n=limit * 4, cutoff=0.75)
        found: list[str] = []
        for alias in close:
            canonical = self._index[alias]
            if canonical not in found:
                found.append(canonical)
        return found[:limit]

    def complete(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        """Autocomplete: (label, canonical) for names any of whose words or spellings start with `typed`.

        A match on an alias shows it beside the canonical name ("Zhou Enlai (Chou En-lai)"); persons come
        before organisations, whole-name prefixes before word prefixes.
        """
        key = name_key(typed)
        ranked: list[tuple[int, int, str, str, str]] = []
        for entity in self.entities:
            best: tuple[int, str] | None = None
            for form in (entity.name, *entity.aliases):
                form_key = name_key(form)
                if not key or form_key.startswith(key):
                    rank = 0
                elif any(word.startswith(key) for word in form_key.split()):
                    rank = 1
                else:
                    continue
                if best is None or rank < best[0]:
                    best = (rank, form)
                if rank == 0 and form == entity.name:
                    break
            if best is not None:
                rank, form = best
                label = entity.name if form == entity.name or not key else f"{entity.name} ({form})"
                ranked.append((rank, entity.kind != "person", entity.name, label, entity.name))
        ranked.sort()
        return [(label, value) for _, _, _, label, value in ranked[:limit]]

    # -- matching

    def find(self, text: str) -> list[Mention]:
        """All mentions in `text`, longest match first, non-overlapping, in order of position."""
        return [self._mention(hit) for hit in self._hits(_scan(text))]

    def _mention(self, hit: _Hit) -> Mention:
        entity = self.entities[hit.entity]
        return Mention(entity.name, entity.kind, hit.start, hit.end)

    def _hits(self, scan: _Scan) -> list[_Hit]:
        keys, trie = scan.keys, self._trie
        hits: list[_Hit] = []
        i, n = 0, len(keys)
        while i < n:
            node = trie.get(keys[i])
            if node is None:
                i += 1
                continue
            best: tuple[int, int] | None = None
            j = i + 1
            while True:
                value = node.get("")
                if value is not None and (scan.token_group is None or self._fits_groups(scan, i, j)):
                    best = (j, value)
                if j >= n:
                    break
                node = node.get(keys[j])
                if node is None:
                    break
                j += 1
            if best is None:
                i += 1
                continue
            end, value = best
            if value >= 0:
                end = self._extend(scan, i, end, value)
                hits.append(self._new_hit(scan, value, i, end))
            i = end
        if hits:
            hits = self._merge(scan, hits)
            if self._cover_by_key:
                self._apply_cover_context(hits)
        return hits

    def _extend(self, scan: _Scan, first: int, end: int, value: int) -> int:
        """Let a titled alias run on into the full name: "President Park" + "Park Chung Hee" is one mention."""
        keys, n = scan.keys, len(scan.keys)
        for k in range(first + 1, end):
            node = self._trie.get(keys[k])
            j = k + 1
            while node is not None:
                if j > end and node.get("") == value and (scan.token_group is None or self._fits_groups(scan, k, j)):
                    end = j
                if j >= n:
                    break
                node = node.get(keys[j])
                j += 1
        return end

    @staticmethod
    def _new_hit(scan: _Scan, entity: int, first: int, last: int) -> _Hit:
        """A hit whose span takes in a bracket it wholly contains at either edge ("[Li] Fuchun", "Liu [Shaoqi]")."""
        start, end = scan.starts[first], scan.ends[last - 1]
        if scan.token_group is not None:
            g = scan.token_group[first]
            if g >= 0 and scan.groups[g][2] == first and scan.groups[g][3] <= last:
                start = scan.groups[g][0]
            g = scan.token_group[last - 1]
            if g >= 0 and scan.groups[g][3] == last and scan.groups[g][2] >= first:
                end = scan.groups[g][1] + 1
        return _Hit(entity, first, last, start, end, "".join(scan.keys[first:last]))

    @staticmethod
    def _fits_groups(scan: _Scan, first: int, last: int) -> bool:
        """A name may hold a whole bracket ("Liu [Shaoqi]") or lie inside one, never straddle its edge."""
        assert scan.token_group is not None
        for t in (first, last - 1):
            g = scan.token_group[t]
            if g >= 0:
                _, _, a, b = scan.groups[g]
                if not (first <= a and b <= last) and not (a <= first and last <= b):
                    return False
        return True

    def _merge(self, scan: _Scan, hits: list[_Hit]) -> list[_Hit]:
        """Fold "Filippov [Stalin]", "Chairman Mao [Zedong]" and "Stalin [via Kuznetsov]" into one mention."""
        out: list[_Hit] = [hits[0]]
        for hit in hits[1:]:
            prev = out[-1]
            between = scan.text[prev.end:hit.start]
            if hit.entity == prev.entity and _ADJACENT_RE.fullmatch(between):
                prev.last, prev.end = hit.last, self._close_after(scan, hit)
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
    def _close_after(scan: _Scan, hit: _Hit) -> int:
        """End of a merged mention: past the closing bracket when the absorbed name filled a bracket."""
        if scan.token_group is not None:
            g = scan.token_group[hit.last - 1]
            if g >= 0 and (scan.groups[g][3] == hit.last
                           or scan.groups[g][3] == hit.last + 1 and scan.keys[hit.last] == "s"):
                return scan.groups[g][1] + 1
        return hit.end

    @staticmethod
    def _annotation_group(scan: _Scan, prev: _Hit, hit: _Hit) -> tuple[int, int, int, int] | None:
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

    def _annotation_winner(self, prev: _Hit, hit: _Hit, via: bool) -> int | None:
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

    def _apply_cover_context(self, hits: list[_Hit]) -> None:
        present = {hit.entity for hit in hits}
        for hit in hits:
            for owner in self._cover_by_key.get(hit.key, ()):
                if self._cover_context.get(owner, frozenset()) & present:
                    hit.entity = owner
                    break

    # -- participants

    def _context_hits(self, scan: _Scan, hits: list[_Hit], country: str | None) -> list[_Hit]:
        """Bare "the Central Committee" etc., read as the body of the document's country."""
        phrases = self._context.get(country) if country else None
        if not phrases:
            return hits
        taken = [False] * len(scan.keys)
        for hit in hits:
            for t in range(hit.first, hit.last):
                taken[t] = True
        extra: list[_Hit] = []
        for idx, words in phrases:
            size = len(words)
            for t in range(len(scan.keys) - size + 1):
                if scan.keys[t] == words[0] and scan.keys[t:t + size] == words and not any(taken[t:t + size]):
                    extra.append(_Hit(idx, t, t + size, scan.starts[t], scan.ends[t + size - 1], ""))
                    for k in range(t, t + size):
                        taken[k] = True
        return sorted(hits + extra, key=lambda h: h.start) if extra else hits

    def participants(self, title: str, summary: str = "") -> list[Participant]:
        """Everyone named in a record, with the part the title gives them: author, recipient or participant.

        Roles come from the title's wording only ("Letter from X to Y", "Speech, X, '...'"); names in a
        quoted subject and everyone named in the summary are participants. One entry per canonical name,
        with its strongest role; authors first, then recipients, then the rest in order of appearance.
        """
        title_scan = _scan(title)
        title_hits = self._hits(title_scan)
        country = self._context_country(title_hits)
        title_hits = self._context_hits(title_scan, title_hits, country)
        authors, recipients = _RoleReader(title, title_hits).read()
        summary_hits: list[_Hit] = []
        if summary:
            summary_scan = _scan(summary)
            summary_hits = self._context_hits(summary_scan, self._hits(summary_scan), country)

        best: dict[int, str] = {}
        order: list[int] = []
        for position, hit in enumerate(title_hits):
            role = "author" if position in authors else "recipient" if position in recipients else "participant"
            self._keep(best, order, hit.entity, role)
        for hit in summary_hits:
            self._keep(best, order, hit.entity, "participant")
        ranked = sorted(range(len(order)), key=lambda k: (ROLE_RANK[best[order[k]]], k))
        return [
            Participant(self.entities[order[k]].name, best[order[k]], self.entities[order[k]].kind) for k in ranked
        ]

    @staticmethod
    def _keep(best: dict[int, str], order: list[int], entity: int, role: str) -> None:
        if entity not in best:
            best[entity] = role
            order.append(entity)
        elif ROLE_RANK[role] < ROLE_RANK[best[entity]]:
            best[entity] = role

    def _context_country(self, hits: list[_Hit]) -> str | None:
        """The country a bare "the Central Committee" belongs to: that of the first person the title names."""
        for hit in hits:
            entity = self.entities[hit.entity]
            if entity.kind == "person" and entity.country:
                return entity.country
        return None


class _RoleReader:
    """Reads authors and recipients off a title's wording; returns indexes into its list of hits."""

    def __init__(self, title: str, hits: list[_Hit]):
        self.title = title
        self.hits = hits
        self.quotes = _quoted_spans(title)
        self.free = [k for k, h in enumerate(hits) if not self._quoted(h.start, h.end)]

    def _quoted(self, start: int, end: int) -> bool:
        return any(qs <= start and end <= qe for qs, qe in self.quotes)

    def _in_quote(self, pos: int) -> bool:
        return any(qs <= pos < qe for qs, qe in self.quotes)

    def _describes(self, start: int, end: int) -> bool:
        """Is title[start:end] a description (titles, offices) with no quoted subject in it?"""
        if any(qs < end and start < qe for qs, qe in self.quotes):
            return False
        return _is_descriptor(self.title[start:end])

    def read(self) -> tuple[set[int], set[int]]:
        if not self.free:
            return set(), set()
        authors, recipients = self._connector()
        if not authors:
            authors = [k for k in self._trigger() or self._leading() or self._typed_leading() if k not in recipients]
        return set(authors), set(recipients)

    # -- helpers over the free (unquoted) hits

    def _next_free(self, pos: int) -> int | None:
        for k in self.free:
            if self.hits[k].start >= pos:
                return k
        return None

    def _prev_free(self, pos: int) -> int | None:
        found = None
        for k in self.free:
            if self.hits[k].end <= pos:
                found = k
        return found

    def _possessive(self, k: int) -> bool:
        return bool(_POSSESSIVE_RE.match(self.title, self.hits[k].end))

    def _list_forward(self, k: int, recipients: bool = False) -> list[int]:
        """`k` and the hits that continue its list ("X, Y and Comrade Z"). An addressee is never possessive:
        in "to the Ministry, Pol Pot's Visit" Pol Pot is the subject, not a second addressee."""
        if recipients and self._possessive(k):
            return []
        members = [k]
        position = self.free.index(k)
        for nxt in self.free[position + 1:]:
            gap = self.title[self.hits[members[-1]].end:self.hits[nxt].start]
            if self._in_quote(self.hits[nxt].start) or (recipients and self._possessive(nxt)):
                break
            if _is_list_gap(gap) or (recipients and _is_recipient_gap(gap)):
                members.append(nxt)
            else:
                break
        return members

    def _list_backward(self, k: int) -> list[int]:
        members = [k]
        position = self.free.index(k)
        for prev in reversed(self.free[:position]):
            gap = self.title[self.hits[prev].end:self.hits[members[-1]].start]
            if _is_list_gap(gap):
                members.append(prev)
            else:
                break
        return list(reversed(members))

    # -- the patterns

    def _connector(self) -> tuple[list[int], list[int]]:
        """ "X to Y": X wrote to Y. The author must stand right before "to"; else "from <place> to Y"."""
        fallback: tuple[list[int], list[int]] = ([], [])
        for m in _TO_RE.finditer(self.title):
            before = _gap_words(self.title[max(0, m.start() - 40):m.start()])
            if self._in_quote(m.start()) or (before and fold(before[-1]) in _OFFICE_NOUNS):
                continue  # "Ambassador to France" is an office, not an address
            recipients = self._recipients_after(m.end())
            prev = self._prev_free(m.start())
            if prev is not None and self._writes_to(self.hits[prev].end, m.start()):
                authors = self._list_backward(prev)
                if (recipients or self._starts_description(m.end())) and not self._journey_of(authors[0]):
                    return authors, recipients
            if recipients and not fallback[1] and self._addressed(m.start()):
                fallback = ([], recipients)
        return fallback

    def _addressed(self, to: int) -> bool:
        """Without a named writer, is this "to" still an address? "Letter to X", "from the Embassy to X",
        "Sent by ... to X", "Report, Embassy of Hungary in Belgium to X"."""
        head = self.title[:to]
        before = _gap_words(head)
        if before and fold(before[-1]) in _DOC_NOUNS:
            return True
        clause = head[head.rfind(",") + 1:]
        if re.search(r"\b(?:from|by)\b", clause, re.IGNORECASE):
            return True
        opening = [fold(w) for w in _gap_words(clause)[:2]]
        if len(opening) == 2 and opening[0] in _DOC_NOUNS and opening[1] == "of":  # "Telegram of the ambassador"
            return True
        comma = self.title.find(",")
        return 0 <= comma < to and _names_document([fold(w) for w in _gap_words(self.title[:comma])]) \
            and head.count(",") == 1

    def _journey_of(self, k: int) -> bool:
        """ "Visit of Soviet Ambassador X to ...": X travels, he does not write."""
        words = [fold(w) for w in _gap_words(self.title[:self.hits[k].start])]
        while words and (words[-1] in _HONORIFICS or words[-1] in _FUNCTION_WORDS - {"of", "by"}
                         or words[-1] in _OFFICE_NOUNS):
            words.pop()
        while words and words[-1] not in ("of", "by") and words[-1] not in _CONVERSATION_WORDS \
                and words[-1] not in _DOC_NOUNS:
            words.pop()
        return len(words) >= 2 and words[-1] in ("of", "by") and words[-2] in _JOURNEY_WORDS

    def _writes_to(self, end: int, to: int) -> bool:
        """May the text between a name and "to" join them as writer and "to"? Nothing, an apposition
        (", Canadian Embassy, Moscow, "), or a possessive document ("'s Typed Notes ")."""
        gap = self.title[end:to]
        if gap.strip(" ])") == "":
            return True
        if gap.lstrip().startswith(",") and gap.rstrip().endswith(","):
            return self._describes(end, to)
        possessive = re.match(r"\s*['’]s\s+", gap)
        if possessive:
            words = [fold(w) for w in _gap_words(gap[possessive.end():])]
            return all(w[:1].isalpha() for w in words) and _names_document(words) \
                and all(w[0].isupper() for w in _gap_words(gap[possessive.end():]))
        return False

    def _starts_description(self, pos: int) -> bool:
        words = _gap_words(self.title[pos:pos + 40])
        return bool(words) and (words[0][0].isupper() or fold(words[0]) in _HONORIFICS)

    def _recipients_after(self, pos: int) -> list[int]:
        k = self._next_free(pos)
        if k is None or not self._describes(pos, self.hits[k].start):
            return []
        return self._list_forward(k, recipients=True)

    def _trigger(self) -> list[int]:
        """ "from X", "by X", "Diary of X": X is the author."""
        for m in _TRIGGER_RE.finditer(self.title):
            if self._in_quote(m.start()):
                continue
            word = m.group(1).lower()
            before = _gap_words(self.title[:m.start()])
            last = fold(before[-1]) if before else ""
            if word == "by" and last in _BY_EXCLUDED:
                continue
            if word in ("by", "from") and self._about_conversation(before):
                continue
            if word == "of" and last not in _DOC_NOUNS:
                continue
            k = self._next_free(m.end())
            if k is None or not self._describes(m.end(), self.hits[k].start):
                continue
            if self._speaks_of_conversation(k):
                continue
            return self._list_forward(k)
        return []

    @staticmethod
    def _about_conversation(before: list[str]) -> bool:
        """Is the nearest document-or-conversation word before a "by"/"from" a conversation ("Reception
        of ... by X", "Conversation between A and Counselor from the Embassy ...")?"""
        for word in reversed(before):
            low = fold(word)
            if low in _DOC_NOUNS:
                return False
            if low in _CONVERSATION_WORDS:
                return True
        return False

    def _speaks_of_conversation(self, k: int) -> bool:
        """ "from Khrushchev's Talks with ...": the notes are about a conversation, not by its subject."""
        tail = self.title[self.hits[k].end:]
        m = re.match(r"\s*['’]s\]?\s+", tail)
        return bool(m) and any(w in _CONVERSATION_WORDS for w in _capitalised_run(tail[m.end():]))

    def _leading(self) -> list[int]:
        """ "Mao Zedong, 'Speech ...'", "Khrushchev's Speech ...", "CPSU CC Politburo Directive ..."."""
        first = self.free[0]
        if not self._describes(0, self.hits[first].start) or self._in_quote(self.hits[first].start):
            return []
        members = self._list_forward(first)
        tail = self.title[self.hits[members[-1]].end:]
        subject = _SUBJECT_AFTER_RE.match(tail)
        if subject and (subject.group(1) is None or _is_descriptor(subject.group(1))):
            return members
        possessive = re.match(r"\s*['’]s\s+", tail)
        words = _capitalised_run(tail[possessive.end():] if possessive else tail)
        if (possessive or tail[:1].isspace()) and _names_document(words):
            return members
        return []

    def _typed_leading(self) -> list[int]:
        """ "Speech, Mao Zedong, '...'" and "Letter, X ...": a document type, a comma, then its author."""
        comma = self.title.find(",")
        if comma < 0 or self._in_quote(comma):
            return []
        head = [fold(w) for w in _gap_words(self.title[:comma])]
        if not _names_document(head):
            return []
        k = self._next_free(comma + 1)
        if k is None or any(self.hits[j].start < comma for j in self.free):
            return []
        if not self._describes(comma + 1, self.hits[k].start):
            return []
        members = self._list_forward(k)
        if re.match(r"\s+(?:with|and)\b", self.title[self.hits[members[-1]].end:]):
            return []
        return members
