"""The people directory: canonical names of the archive's people and bodies, their many written forms, and
who a record names in which role. Build once with `PeopleDirectory.load`, share freely."""
from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from ..records import EntityKind, Participant, Role
from .load import Entity, PeopleFileError, read_people
from .roles import RESOLVE_FILLERS, ROLE_RANK, RoleReader
from .scan import Hit, Matcher, name_key, scan_text, squash


@dataclass(frozen=True)
class Mention:
    """One occurrence of an entity; `start`/`end` index the text that was searched, as given."""

    name: str
    kind: EntityKind
    start: int
    end: int


# A participant as plain values: its name, role and kind (`Role.value`, `EntityKind.value`).
ParticipantRow = tuple[str, str, str]

_AUTHOR, _RECIPIENT, _PARTICIPANT, _MENTIONED = (ROLE_RANK[role] for role in (Role.AUTHOR, Role.RECIPIENT,
                                                                              Role.PARTICIPANT, Role.MENTIONED))


class PeopleDirectory:
    """Canonical names, their aliases, and the matcher over them."""

    def __init__(self, entities: Iterable[Entity], not_names: Iterable[str] = (), source: str = "<memory>") -> None:
        self.entities: list[Entity] = list(entities)
        self.source = source
        self._by_name: dict[str, int] = {}
        self._by_key: dict[str, int] = {}
        self._index: dict[str, str] = {}
        not_names = list(not_names)
        self._not_names = not_names
        self._check_and_index(not_names)
        self._matcher = Matcher(self.entities, not_names, self._by_key)
        # Each entity in each role (by the role's rank), made once: participants() hands out these (frozen) objects.
        self._participant = [[Participant(e.name, role, e.kind) for e in self.entities] for role in ROLE_RANK]
        self._row = [[(e.name, role.value, e.kind.value) for e in self.entities] for role in ROLE_RANK]
        # Each entity's country when it is a person (else None): what `_context_country` asks of every title's hits.
        self._person_country = [e.country if e.kind == EntityKind.PERSON and e.country else None for e in self.entities]
        # Another people file (or another version of it) can find other participants in the same text.
        self.fingerprint = hashlib.blake2b(repr((self.entities, sorted(not_names))).encode(), digest_size=16).digest()

    def __reduce__(self) -> tuple[type[PeopleDirectory], tuple[list[Entity], list[str], str]]:
        """Pickled as what it is made from (an ingest's workers get it so): made again on arrival, as the matcher,
        when compiled (retrieval/compiled.py), cannot be pickled as its state."""
        return type(self), (self.entities, self._not_names, self.source)

    def for_bulk(self) -> None:
        """Participants of thousands of records follow (an ingest's worker): names are found by the compiled
        pattern (`Matcher.for_bulk`), the same names, a quarter cheaper each once its quarter second is paid."""
        self._matcher.for_bulk()

    # -- construction

    @classmethod
    def load(cls, path: str | Path | None = None) -> PeopleDirectory:
        """Read the people file: `path`, else $ARCHIVE_PEOPLE_FILE, else the bundled data/people.toml."""
        people = read_people(path)
        try:
            return cls(people.entities, people.not_names, source=str(people.path))
        except PeopleFileError as exc:
            raise PeopleFileError(f"{people.path}: {exc}") from None

    def _check_and_index(self, not_names: list[str]) -> None:
        """Refuse a name listed twice, an alias of two entities, a not_names phrase that is a name."""
        claimed: dict[str, tuple[int, str]] = {}
        for idx, entity in enumerate(self.entities):
            if entity.name in self._by_name:
                raise PeopleFileError(f"'{entity.name}' is listed twice")
            self._by_name[entity.name] = idx
            for alias in entity.written_forms:
                key = squash(alias)
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
            key = squash(phrase)
            if key in claimed:
                raise PeopleFileError(f"not_names phrase '{phrase}' is also a name of "
                                      f"'{self.entities[claimed[key][0]].name}'")

    # -- lookups

    def get(self, canonical: str) -> Entity | None:
        idx = self._by_name.get(canonical)
        return None if idx is None else self.entities[idx]

    def alias_index(self) -> dict[str, str]:
        """Every alias and canonical name in `name_key` form -> canonical name, for query understanding."""
        return dict(self._index)

    def resolve(self, name: str) -> str | None:
        """Any written form of a name -> its canonical name; None when it is unknown or names several."""
        idx = self._by_key.get(squash(name))
        if idx is not None:
            return self.entities[idx].name
        scan = scan_text(name)
        if not scan.keys:
            return None
        hits = self._matcher.hits(scan)
        covered = [False] * len(scan.keys)
        for hit in hits:
            for t in range(hit.first, hit.last):
                covered[t] = True
        leftovers = [k for k, c in zip(scan.keys, covered, strict=True) if not c]
        if not hits or any(k not in RESOLVE_FILLERS for k in leftovers):
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

    # -- matching

    def find(self, text: str) -> list[Mention]:
        """All mentions in `text`, longest match first, non-overlapping, in order of position. By the scan: a
        question is short, and the bot's first one should not wait for `participants`' compiled pattern."""
        return [self._mention(hit) for hit in self._matcher.hits(scan_text(text))]

    def _mention(self, hit: Hit) -> Mention:
        entity = self.entities[hit.entity]
        return Mention(entity.name, entity.kind, hit.start, hit.end)

    # -- participants

    def participants(self, title: str, summary: str = "") -> list[Participant]:
        """Everyone named in a record, with the part the title gives them: author, recipient, participant, or
        only mentioned.

        Roles come from the title's wording only ("Letter from X to Y", "Speech, X, '...'"). Those the title
        only speaks of (a quoted subject, "on X's visit", "regarding Z": `RoleReader.spoken_of`) and everyone
        named only in the summary are mentioned. One entry per canonical name, with its strongest role;
        authors first, then recipients, participants and the mentioned, each in order of appearance.
        """
        return [self._participant[rank][entity] for entity, rank in self._ranked(title, summary)]

    def participant_rows(self, title: str, summary: str, authors: Sequence[str]) -> tuple[ParticipantRow, ...]:
        """`participants_with_authors` as plain (name, role, kind) values, what crosses from an ingest's workers:
        a listing's record (no authors) takes each from a table made once (an enum's `.value` runs Python, twice a
        participant)."""
        if any(written.strip() for written in authors):
            return tuple((p.name, p.role.value, p.kind.value)
                         for p in self.participants_with_authors(title, summary, authors))
        return tuple(self._row[rank][entity] for entity, rank in self._ranked(title, summary))

    def _ranked(self, title: str, summary: str) -> list[tuple[int, int]]:
        """(entity, the rank of its role) of everyone `participants` gives, in its order."""
        title_found = self._matcher.find(title)
        country = self._context_country(title_found.hits)
        title_hits = self._matcher.context_hits(title_found, country)
        reader = RoleReader(title, title_hits)
        authors, recipients = reader.read()
        spoken_of = reader.spoken_of(authors | recipients)

        # entity -> the rank of its strongest role, in order of first appearance (ranks, not roles: an enum
        # hashes in Python, an int in C)
        best: dict[int, int] = {}
        for position, hit in enumerate(title_hits):
            rank = _AUTHOR if position in authors else _RECIPIENT if position in recipients \
                else _MENTIONED if position in spoken_of else _PARTICIPANT
            known = best.get(hit.entity)
            if known is None or rank < known:
                best[hit.entity] = rank
        for entity in self._matcher.mentioned(summary, country) if summary else ():
            best.setdefault(entity, _MENTIONED)  # mentioned is the weakest role: it never replaces another
        return sorted(best.items(), key=itemgetter(1))

    def author(self, written: str) -> Participant:
        """An author as a document page writes it ("Stalin, Joseph", "Kim, Il Sung", "China. Ministry of Foreign
        Affairs"): its canonical name when the people file knows it, else the name shown "First Last" (a body
        as written)."""
        forms, shown, kind = _author_forms(" ".join(written.split()))
        for form in forms:
            canonical = self.resolve(form)
            if canonical is not None:
                entity = self.get(canonical)
                return Participant(canonical, Role.AUTHOR, entity.kind if entity else kind)
        return Participant(shown, Role.AUTHOR, kind)

    def participants_with_authors(self, title: str, summary: str, authors: Sequence[str]) -> list[Participant]:
        """`participants`, with the authors a document page lists first (in its order): a name the title
        gave another role becomes an author."""
        first: dict[str, Participant] = {}
        for written in authors:
            if written.strip():
                author = self.author(written)
                first.setdefault(author.name, author)
        return [*first.values(), *(p for p in self.participants(title, summary) if p.name not in first)]

    def _context_country(self, hits: list[Hit]) -> str | None:
        """The country a bare "the Central Committee" belongs to: that of the first person the title names."""
        for hit in hits:
            country = self._person_country[hit.entity]
            if country is not None:
                return country
        return None


_BODY = re.compile(r"^(?P<country>[^,.]+)\.\s+(?P<body>.+)$")  # "China. Ministry of Foreign Affairs"
_ALSO = re.compile(r"\s*\((?P<also>[^)]*)\)\s*$")  # "Pak, Song-chol (Pak Seong-cheol)"


def _author_forms(written: str) -> tuple[list[str], str, EntityKind]:
    """The forms to look an author up by, best first; the name to show when none is known; its kind."""
    body = _BODY.match(written)
    if body and "," not in written:
        country, rest = body.group("country"), body.group("body")
        return [written, f"{country} {rest}", f"{rest} of {country}"], written, EntityKind.ORGANIZATION
    also_match = _ALSO.search(written)
    also = also_match.group("also").strip() if also_match else ""
    plain = written[:also_match.start()] if also_match else written
    if "," not in plain:
        return [written, plain, also], plain, EntityKind.PERSON
    last, first = (part.strip() for part in plain.split(",", 1))
    shown = f"{first} {last}".strip()
    forms = [shown, f"{last} {first}", f"{first.split()[0]} {last}" if first else last]
    if also:  # the given names written out ("G. Frederick (George Frederick)"), or the name in another spelling
        forms += [f"{also} {last}", also]
    return [form for form in dict.fromkeys(forms) if form], shown, EntityKind.PERSON
