"""The archive's thesaurus: words that mean the same, the other names of places, and the period's terms.

Read from an editable TOML file (the bundled data/thesaurus.toml) and checked like the people file: every
mistake is a `ThesaurusFileError` naming the file and the line, so a wrong edit stops the start instead of
silently searching the wrong words.
"""
from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .text import fold, tokenize, words

BUNDLED_FILE = Path(__file__).resolve().parent / "data" / "thesaurus.toml"
ENV_VAR = "ARCHIVE_THESAURUS_FILE"

Phrase = tuple[str, ...]  # the index terms of an entry, in order: matched as a phrase when more than one


class ThesaurusFileError(ValueError):
    """The thesaurus file cannot be used; the message names the file, the line and the problem."""


class GroupKind(StrEnum):
    SYNONYMS = "synonyms"
    PLACE = "place"


@dataclass(frozen=True)
class Group:
    """Entries that stand for one another in a question: the words of a [[synonyms]] or a place's names."""

    kind: GroupKind
    written: tuple[str, ...]  # as in the file; a place's name first
    entries: tuple[Phrase, ...]  # index terms of each written form, same order
    line: int


@dataclass(frozen=True)
class Expansion:
    """An entry found in a question and the other entries of its group, to search as well."""

    found: Phrase
    others: tuple[Phrase, ...]


class Thesaurus:
    def __init__(self, groups: Sequence[Group], terms: Sequence[str]) -> None:
        self.groups = tuple(groups)
        self.terms = tuple(terms)
        self._group_of: dict[Phrase, Group] = {e: g for g in self.groups for e in g.entries}
        self._longest = max((len(e) for e in self._group_of), default=0)
        # Every word the file names: a question's word among them is never "corrected" into another.
        self.words = frozenset(fold(w) for text in (*self.terms, *(w for g in self.groups for w in g.written))
                               for w in words(text))

    @classmethod
    def load(cls, path: str | Path | None = None) -> Thesaurus:
        """Read `path`, else $ARCHIVE_THESAURUS_FILE, else the bundled data/thesaurus.toml."""
        if path is None:
            path = os.environ.get(ENV_VAR) or BUNDLED_FILE
        return _parse(Path(path))

    def expand(self, terms: Sequence[str]) -> list[Expansion]:
        """The entries found in a question's index terms, longest phrase first, each with its group's others."""
        found: list[Expansion] = []
        at = 0
        while at < len(terms):
            for length in range(min(self._longest, len(terms) - at), 0, -1):
                phrase = tuple(terms[at:at + length])
                group = self._group_of.get(phrase)
                if group is not None:
                    found.append(Expansion(phrase, tuple(e for e in group.entries if e != phrase)))
                    at += length
                    break
            else:
                at += 1
        return found


# -- reading and checking the file ------------------------------------------------------------------------
_TABLE_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*([A-Za-z_]+)[ \t]*\]\]", re.MULTILINE)
_FIELDS = {GroupKind.SYNONYMS: {"words"}, GroupKind.PLACE: {"name", "aliases"}}  # each one required


def _parse(path: Path) -> Thesaurus:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ThesaurusFileError(f"{path}: cannot read the thesaurus ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ThesaurusFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThesaurusFileError(f"{path}: invalid TOML: {exc}") from exc
    unknown = set(data) - {"terms", *GroupKind}
    if unknown:
        raise ThesaurusFileError(f"{path}: unknown key(s) {', '.join(sorted(unknown))} (expected terms, "
                                 "[[synonyms]] and [[place]])")
    # tomllib keeps no positions: the n-th [[kind]] header of the text is the n-th table of that kind.
    lines: dict[str, list[int]] = {}
    for header in _TABLE_HEADER.finditer(text):
        lines.setdefault(header.group(1), []).append(text.count("\n", 0, header.start()) + 1)
    terms_line = next((n for n, line in enumerate(text.splitlines(), 1) if line.lstrip().startswith("terms")), 1)
    terms = _strings(f"{path}:{terms_line}: terms", data.get("terms", []))
    groups = [_group(path, kind, row, lines.get(kind, []), number)
              for kind in GroupKind for number, row in enumerate(_tables(path, kind, data.get(kind, [])))]
    _check_overlaps(path, groups)
    return Thesaurus(groups, terms)


def _tables(path: Path, kind: GroupKind, rows: Any) -> list[Any]:
    if not isinstance(rows, list):
        raise ThesaurusFileError(f"{path}: '{kind}' must be an array of tables ([[{kind}]])")
    return rows


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ThesaurusFileError(f"{where} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _group(path: Path, kind: GroupKind, row: Any, lines: list[int], number: int) -> Group:
    line = lines[number] if number < len(lines) else 0
    where = f"{path}:{line}: [[{kind}]]"
    if not isinstance(row, dict):
        raise ThesaurusFileError(f"{where} is not a table")
    extra, missing = set(row) - _FIELDS[kind], _FIELDS[kind] - set(row)
    if extra:
        raise ThesaurusFileError(f"{where}: unknown field(s) {', '.join(sorted(extra))}")
    if missing:
        raise ThesaurusFileError(f"{where}: missing {', '.join(sorted(missing))}")
    if kind is GroupKind.PLACE:
        name = row["name"]
        if not isinstance(name, str) or not name.strip():
            raise ThesaurusFileError(f"{where}: 'name' must be a non-empty string")
        where = f"{where} ({name.strip()})"
        written = (name.strip(), *_strings(f"{where}: 'aliases'", row["aliases"]))
    else:
        written = _strings(f"{where}: 'words'", row["words"])
    if len(written) < 2:
        raise ThesaurusFileError(f"{where}: a group needs at least two names or words")
    entries = []
    for form in written:
        phrase = tuple(tokenize(form))
        if not phrase:
            raise ThesaurusFileError(f"{where}: \u201c{form}\u201d has no word to search for")
        if phrase in entries:
            raise ThesaurusFileError(f"{where}: \u201c{form}\u201d is the same word as another of the group "
                                     f"(both search for \u201c{' '.join(phrase)}\u201d)")
        entries.append(phrase)
    return Group(kind, written, tuple(entries), line)


def _check_overlaps(path: Path, groups: list[Group]) -> None:
    """An entry stands for one group only: in two, a question's word would mean two things at once."""
    seen: dict[Phrase, Group] = {}
    for group in groups:
        for form, entry in zip(group.written, group.entries, strict=True):
            other = seen.setdefault(entry, group)
            if other is not group:
                raise ThesaurusFileError(f"{path}:{group.line}: \u201c{form}\u201d is already in the group on line "
                                         f"{other.line}")
