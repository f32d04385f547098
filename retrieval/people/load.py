"""Reading and checking the people file: a TOML of [[person]] and [[organization]] tables and not_names.

Every problem is a `PeopleFileError` naming the file and the problem on one line, so a wrong edit to the
file is reported at start-up instead of silently matching the wrong names.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..records import EntityKind

BUNDLED_FILE = Path(__file__).resolve().parents[1] / "data" / "people.toml"
ENV_VAR = "ARCHIVE_PEOPLE_FILE"


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
    kind: EntityKind
    aliases: tuple[str, ...]
    country: str | None = None
    note: str | None = None
    cover_names: tuple[str, ...] = ()
    cover_context: tuple[str, ...] = ()
    context_names: tuple[str, ...] = ()

    @property
    def written_forms(self) -> tuple[str, ...]:
        """The canonical name, then every alias: all the ways this entity is written as itself."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class PeopleFile:
    """A people file's entries, checked field by field; names across entries are checked by the directory."""

    path: Path
    entities: tuple[Entity, ...]
    not_names: tuple[str, ...]


def read_people(path: str | Path | None = None) -> PeopleFile:
    """Read `path`, else $ARCHIVE_PEOPLE_FILE, else the bundled data/people.toml."""
    if path is None:
        path = os.environ.get(ENV_VAR) or BUNDLED_FILE
    path = Path(path)
    entities, not_names = _parse_entities(path, _read_file(path))
    return PeopleFile(path, tuple(entities), not_names)


_PERSON_FIELDS = {"name", "aliases", "country", "note", "cover_names", "cover_context"}
_ORG_FIELDS = _PERSON_FIELDS | {"context_names"}
_TABLES = ((EntityKind.PERSON, _PERSON_FIELDS), (EntityKind.ORGANIZATION, _ORG_FIELDS))


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
    for kind, allowed in _TABLES:
        table = kind.value
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
