"""The title grammar: who wrote a document and to whom, read off the wording of its title.

"Letter from X to Y", "Speech, X, '...'", "X's Notes on ...": the patterns below find the writers and the
addressees among the names the matcher found. Names inside a quoted subject are spoken of, never writing or
written to. Of the other names a title gives, those it is only about ("on X's visit", "regarding Z", a quoted
subject that records no exchange) are mentioned (`RoleReader.spoken_of`); the rest took part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import filterfalse

from ..dates import MONTHS
from ..records import Role
from ..text import ascii_spaced, fold
from .scan import Hit


@dataclass(frozen=True)
class CaseBlind:
    """A case-blind pattern of the title grammar, with a case-sensitive twin for an ASCII title lowercased: the
    same matches (ASCII has no letter that folds like "ı" or "ſ"), found about twice as fast."""

    any_case: re.Pattern[str]
    lower: re.Pattern[str]

    @classmethod
    def compile(cls, pattern: str) -> CaseBlind:
        return cls(re.compile(pattern, re.IGNORECASE), re.compile(pattern))

    @classmethod
    def words(cls, words: tuple[str, ...], capture: bool = False) -> CaseBlind:
        """One of `words` (patterns, each starting with a letter) standing as a word. The lowercase twin checks
        the boundary before a word after its first letter, so that each branch starts with a letter: the engine
        then skips in C to where one of them stands instead of trying every position."""
        group = "(" if capture else "(?:"
        checked = [rf"{word[0]}(?<=\b{word[0]}){word[1:]}" for word in words]
        return cls(re.compile(rf"\b{group}{'|'.join(words)})\b", re.IGNORECASE),
                   re.compile(rf"{group}{'|'.join(checked)})\b"))

    def over(self, title: str, lowered: str | None) -> tuple[str, re.Pattern[str]]:
        """The text to search for `title` (`lowered`: the title lowercased when it is ASCII, made once per
        title), and the pattern to search it with."""
        return (lowered, self.lower) if lowered is not None else (title, self.any_case)


# Strength of a role, strongest first: a name keeps its strongest role when a record names it twice.
ROLE_RANK: dict[Role, int] = {role: rank for rank, role in enumerate(Role)}


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
# Words after which a title says what it is about ("on", "regarding"): a name there is spoken of, unless that
# stretch records an exchange the name was in ("regarding a Meeting with Mao Zedong").
_SUBJECT = CaseBlind.words(("on", "about", "regarding", "concerning", "re", r"related\s+to"))
# Words saying a stretch of title records an exchange (its names took part): conversation words and verbs.
_EXCHANGE_WORDS = _CONVERSATION_WORDS | {
    "briefing", "briefings", "discuss", "discusses", "discussed", "talked", "meets", "met", "receives",
    "received", "speaks", "spoke", "corrections", "replies", "replied", "conversed",
}
# What a name's possessive makes the subject ("Pol Pot's Visit to the DPRK", "Khrushchev's Removal"): the
# event is spoken of; the owner takes no part in the document.
_SUBJECT_NOUNS = {
    "visit", "visits", "trip", "trips", "journey", "tour", "arrival", "departure", "stay", "return", "funeral",
    "death", "removal", "dismissal", "resignation", "ouster", "fall", "illness", "health", "election",
    "appointment", "birthday", "anniversary", "reaction", "reactions", "policy", "policies", "position",
    "views", "attitude", "role", "case", "fate",
}
_PHRASE_END = CaseBlind.compile(r"[,;:()\[\]]|\bby\b")
# Words a name may carry in a question without changing whom it names ("Soviet Ambassador Yudin").
RESOLVE_FILLERS = _FUNCTION_WORDS | _HONORIFICS | _OFFICE_NOUNS | {
    "soviet", "russian", "chinese", "korean", "north", "south", "vietnamese", "east", "west", "german",
    "polish", "hungarian", "czechoslovak", "romanian", "bulgarian", "albanian", "yugoslav", "mongolian",
    "cuban", "american", "us", "indian", "indonesian", "iranian", "japanese", "british", "french", "foreign",
    "vice", "deputy", "prime", "first", "leader", "former", "acting", "defense", "defence", "party",
}
# A word's fold, cached: the same few thousand words stand between the names of title after title.
_fold_word = lru_cache(maxsize=1 << 16)(fold)
_GAP_WORD_RE = re.compile(r"[^\W_]+")
# The same words in ASCII: every other character made a space by a byte table, then one split (three times as
# fast as the pattern, and the title grammar splits a dozen stretches of each title).
_ASCII_WORD_TABLE = ascii_spaced()
# "..., Transmitting a Letter to X from Y": a document that carries another's words. Few titles hold one of the
# verbs: a lowercased ASCII title is searched only when one is in it.
_RELAY_VERBS = ("transmitting", "relaying", "forwarding", "conveying", "enclosing", "passing on")
_RELAYED = CaseBlind.compile(
    rf"\b(?:{'|'.join(_RELAY_VERBS)})\s+(?:(?:a|an|the|his|her|their)\s+)?"
    r"(?:[\w'’-]+\s+){0,3}?(?:letter|message|cable|telegram|note|reply|appeal)s?\b")
_TO = CaseBlind.words(("to",))
_TRIGGER = CaseBlind.words(("from", "by", "of"), capture=True)
_POSSESSIVE_RE = re.compile(r"['’]s\b")
_SUBJECT_AFTER_RE = re.compile(r"\s*(?:,([^,:'‘\"“]*))?[,:]\s*['‘\"“]")


_QUOTES = (("'‘", "'’", re.compile("['‘’]")), ('"“', '"”', re.compile('["“”]')))
_QUOTE_MARKS = frozenset("'‘’\"“”")
_WORD_AFTER_SPACE_RE = re.compile(r"\s*([^\W_]+)")
_POSSESSIVE_SUBJECT_RE = re.compile(r"\]?['’]s\]?\s+")
_PHRASE_STOP_RE = re.compile(r"[^\w\s-]")
_LINK_RE = re.compile(r"\s*\b(to|from)\s+", re.IGNORECASE)
_FROM_OR_BY_RE = re.compile(r"\b(?:from|by)\b", re.IGNORECASE)
_POSSESSIVE_GAP_RE = re.compile(r"\s*['’]s\s+")
_POSSESSIVE_BRACKET_RE = re.compile(r"\s*['’]s\]?\s+")
_WITH_OR_AND_RE = re.compile(r"\s+(?:with|and)\b")


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Quoted subjects ('...', ‘...’, "...", “...”): names inside them are spoken of, not writing or written to."""
    spans: list[tuple[int, int]] = []
    if _QUOTE_MARKS.isdisjoint(text):  # most titles quote nothing
        return spans
    for opens, closes, marks in _QUOTES:
        open_at, close_at = [], []
        for i in (m.start() for m in marks.finditer(text)):  # only the quote marks: a title is mostly letters
            ch = text[i]
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
    if gap.isascii():
        return gap.encode().translate(_ASCII_WORD_TABLE).decode().split()
    return _GAP_WORD_RE.findall(gap)


_DESCRIPTOR_STOPS = frozenset(":;‘\"“”")  # a colon, a semicolon or a quote mark ends a description


def _is_descriptor(gap: str) -> bool:
    """A stretch of titles and descriptions ("Soviet Ambassador to the DPRK"), no verbs, no conversation.

    "to" belongs to a description only after an office ("Ambassador to China"); elsewhere it starts an
    addressee ("the Embassy in Vienna to Deputy Minister X").
    """
    if not _DESCRIPTOR_STOPS.isdisjoint(gap):
        return False
    previous = ""
    for word in _gap_words(gap):
        low = _fold_word(word)
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
    return all(_fold_word(word) in _LIST_WORDS for word in _gap_words(gap))


def _is_recipient_gap(gap: str) -> bool:
    """Between recipients: a list gap, or "and" followed by a description ("and Vice President of ... ")."""
    if _is_list_gap(gap):
        return True
    stripped = gap.strip(" ,")
    return stripped[:4].lower() == "and " and _is_descriptor(stripped[4:])


def _capitalised_run(text: str) -> list[str]:
    """The capitalised words at the start of `text`, up to the first other word or punctuation mark."""
    run = []
    for m in _WORD_AFTER_SPACE_RE.finditer(text):
        if not m.group(1)[0].isupper():
            break
        run.append(_fold_word(m.group(1)))
        nxt = text[m.end():m.end() + 1]
        if nxt and not nxt.isspace():
            break
    return run


def _names_document(words: list[str]) -> bool:
    """Does a run of title words name a document (letter, speech) rather than a conversation?"""
    return any(w in _DOC_NOUNS for w in words) and not any(w in _CONVERSATION_WORDS for w in words)


class RoleReader:
    """Reads authors and recipients off a title's wording; returns indexes into its list of hits."""

    def __init__(self, title: str, hits: list[Hit]) -> None:
        self.title = title
        self.lowered = title.lower() if title.isascii() else None  # what the CaseBlind patterns search
        self.hits = hits
        self.quotes = _quoted_spans(title)
        self.free = [k for k, h in enumerate(hits) if not self._quoted(h.start, h.end)] if self.quotes \
            else list(range(len(hits)))

    def _quoted(self, start: int, end: int) -> bool:
        return bool(self.quotes) and any(qs <= start and end <= qe for qs, qe in self.quotes)

    def _in_quote(self, pos: int) -> bool:
        return bool(self.quotes) and any(qs <= pos < qe for qs, qe in self.quotes)

    def _describes(self, start: int, end: int) -> bool:
        """Is title[start:end] a description (titles, offices) with no quoted subject in it?"""
        if self.quotes and any(qs < end and start < qe for qs, qe in self.quotes):
            return False
        return _is_descriptor(self.title[start:end])

    def spoken_of(self, roles: set[int]) -> set[int]:
        """The hits (other than the writers and addressees in `roles`) the title only speaks of: names in a
        quoted subject that records no exchange, names owning a subject ("on X's visit"), names in a stretch
        that says what the document is about ("regarding Z") and records no exchange."""
        if len(roles) == len(self.hits):  # `roles` are some of the hits: all of them, then
            return set()
        others = list(filterfalse(roles.__contains__, range(len(self.hits))))
        subjects = self._subjects(roles, max(self.hits[k].start for k in others))
        return {k for k in others if self._quoted_subject(k) or self._owns_subject(k)
                or any(start <= self.hits[k].start and self.hits[k].end <= end for start, end in subjects)}

    def _quoted_subject(self, k: int) -> bool:
        hit = self.hits[k]
        return bool(self.quotes) and any(
            qs <= hit.start and hit.end <= qe and not self._records_exchange(self.title[qs:qe])
            for qs, qe in self.quotes)

    @staticmethod
    def _records_exchange(text: str) -> bool:
        return not _EXCHANGE_WORDS.isdisjoint(map(_fold_word, _gap_words(text)))

    def _owns_subject(self, k: int) -> bool:
        """ "Pol Pot's Visit to the DPRK", "Tito's Official Visit", "Khrushchev's Removal"."""
        possessive = _POSSESSIVE_SUBJECT_RE.match(self.title, self.hits[k].end)
        if possessive is None:
            return False
        head = ""
        phrase = _PHRASE_STOP_RE.split(self.title[possessive.end():], maxsplit=1)[0]
        for word in _gap_words(phrase)[:3]:
            if _fold_word(word) in _FUNCTION_WORDS:
                break
            head = _fold_word(word)
        return head in _SUBJECT_NOUNS

    def _subjects(self, roles: set[int], last: int) -> list[tuple[int, int]]:
        """The stretches after "on"/"about"/"regarding"/... that record no exchange, up to those starting at
        `last` (a stretch starting later holds no name from `last` on). A stretch ends at punctuation, "by", a
        quote's edge or a writer or addressee."""
        found = []
        text, subject = _SUBJECT.over(self.title, self.lowered)
        for m in subject.finditer(text):
            if m.end() > last:
                break
            follows = _gap_words(self.title[m.end():m.end() + 20])
            if not follows or follows[0][0].isdigit() or _fold_word(follows[0]) in MONTHS \
                    or _fold_word(follows[0]) == "behalf":
                continue  # "on 6 May 1946", "on behalf of"
            end = self._subject_end(m.end(), roles)
            if not self._records_exchange(self.title[m.end():end]):
                found.append((m.end(), end))
        return found

    def _subject_end(self, start: int, roles: set[int]) -> int:
        ends = [len(self.title)]
        text, phrase_end = _PHRASE_END.over(self.title, self.lowered)
        stop = phrase_end.search(text, start)
        if stop:
            ends.append(stop.start())
        ends += [edge for qs, qe in self.quotes for edge in (qs, qe - 1) if edge >= start]
        ends += [self.hits[j].start for j in roles if self.hits[j].start >= start]
        return min(ends)

    def read(self) -> tuple[set[int], set[int]]:
        if not self.free:
            return set(), set()
        authors, recipients = self._connector()
        if not authors:
            authors = [k for k in self._trigger() or self._leading() or self._typed_leading() if k not in recipients]
        relayed_authors, relayed_recipients = self._relayed()
        written = set(authors) | set(relayed_authors)
        return written, (set(recipients) | set(relayed_recipients)) - written

    def _relayed(self) -> tuple[list[int], list[int]]:
        """ "Telegram from Shtykov to Stalin, Transmitting a Letter to Stalin from Kim Il Sung": the relayed
        letter's writer (Kim) and addressee are authors and recipients too; the document carries their words."""
        if self.lowered is not None and not any(map(self.lowered.__contains__, _RELAY_VERBS)):
            return [], []
        text, relayed = _RELAYED.over(self.title, self.lowered)
        match = relayed.search(text)
        if match is None or self._in_quote(match.start()):
            return [], []
        authors: list[int] = []
        recipients: list[int] = []
        position = match.end()
        while (link := _LINK_RE.match(self.title[position:])) is not None:
            start = position + link.end()
            k = self._next_free(start)
            if k is None or not self._describes(start, self.hits[k].start):
                break
            addressed = link.group(1).lower() == "to"
            members = self._list_forward(k, recipients=addressed)
            if not members:
                break
            (recipients if addressed else authors).extend(members)
            position = self.hits[members[-1]].end
        return authors, recipients

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
        text, to = _TO.over(self.title, self.lowered)
        for m in to.finditer(text):
            before = _gap_words(self.title[max(0, m.start() - 40):m.start()])
            if self._in_quote(m.start()) or (before and _fold_word(before[-1]) in _OFFICE_NOUNS):
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
        if before and _fold_word(before[-1]) in _DOC_NOUNS:
            return True
        clause = head[head.rfind(",") + 1:]
        if _FROM_OR_BY_RE.search(clause):
            return True
        opening = [_fold_word(w) for w in _gap_words(clause)[:2]]
        if len(opening) == 2 and opening[0] in _DOC_NOUNS and opening[1] == "of":  # "Telegram of the ambassador"
            return True
        comma = self.title.find(",")
        return 0 <= comma < to and _names_document(list(map(_fold_word, _gap_words(self.title[:comma])))) \
            and head.count(",") == 1

    def _journey_of(self, k: int) -> bool:
        """ "Visit of Soviet Ambassador X to ...": X travels, he does not write."""
        words = list(map(_fold_word, _gap_words(self.title[:self.hits[k].start])))
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
        possessive = _POSSESSIVE_GAP_RE.match(gap)
        if possessive:
            words = list(map(_fold_word, _gap_words(gap[possessive.end():])))
            return all(w[:1].isalpha() for w in words) and _names_document(words) \
                and all(w[0].isupper() for w in _gap_words(gap[possessive.end():]))
        return False

    def _starts_description(self, pos: int) -> bool:
        words = _gap_words(self.title[pos:pos + 40])
        return bool(words) and (words[0][0].isupper() or _fold_word(words[0]) in _HONORIFICS)

    def _recipients_after(self, pos: int) -> list[int]:
        k = self._next_free(pos)
        if k is None or not self._describes(pos, self.hits[k].start):
            return []
        return self._list_forward(k, recipients=True)

    def _trigger(self) -> list[int]:
        """ "from X", "by X", "Diary of X": X is the author."""
        text, trigger = _TRIGGER.over(self.title, self.lowered)
        for m in trigger.finditer(text):
            if self._in_quote(m.start()):
                continue
            word = m.group(1).lower()
            before = _gap_words(self.title[:m.start()])
            last = _fold_word(before[-1]) if before else ""
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
            low = _fold_word(word)
            if low in _DOC_NOUNS:
                return False
            if low in _CONVERSATION_WORDS:
                return True
        return False

    def _speaks_of_conversation(self, k: int) -> bool:
        """ "from Khrushchev's Talks with ...": the notes are about a conversation, not by its subject."""
        tail = self.title[self.hits[k].end:]
        m = _POSSESSIVE_BRACKET_RE.match(tail)
        return m is not None and any(w in _CONVERSATION_WORDS for w in _capitalised_run(tail[m.end():]))

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
        possessive = _POSSESSIVE_GAP_RE.match(tail)
        words = _capitalised_run(tail[possessive.end():] if possessive else tail)
        if (possessive or tail[:1].isspace()) and _names_document(words):
            return members
        return []

    def _typed_leading(self) -> list[int]:
        """ "Speech, Mao Zedong, '...'" and "Letter, X ...": a document type, a comma, then its author."""
        comma = self.title.find(",")
        if comma < 0 or self._in_quote(comma):
            return []
        head = list(map(_fold_word, _gap_words(self.title[:comma])))
        if not _names_document(head):
            return []
        k = self._next_free(comma + 1)
        if k is None or any(self.hits[j].start < comma for j in self.free):
            return []
        if not self._describes(comma + 1, self.hits[k].start):
            return []
        members = self._list_forward(k)
        if _WITH_OR_AND_RE.match(self.title[self.hits[members[-1]].end:]):
            return []
        return members
