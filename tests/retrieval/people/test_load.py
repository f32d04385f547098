"""The people file: the bundled data, and the loader's refusals of a broken file."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from retrieval.people import BUNDLED_FILE, PeopleDirectory, PeopleFileError, name_key

# ----------------------------------------------------------------------------------------------- the data file


def test_the_bundled_file_is_large_and_consistent(people: PeopleDirectory) -> None:
    persons = [e for e in people.entities if e.kind == "person"]
    bodies = [e for e in people.entities if e.kind == "organization"]
    assert len(persons) >= 150
    assert len(bodies) >= 25
    # No written form belongs to two entities (the loader refuses that; check the file itself too).
    raw = tomllib.loads(BUNDLED_FILE.read_text(encoding="utf-8"))
    owners: dict[str, str] = {}
    for row in raw["person"] + raw["organization"]:
        for alias in [row["name"], *row.get("aliases", [])]:
            key = name_key(alias).replace(" ", "")
            assert owners.setdefault(key, row["name"]) == row["name"], f"{alias!r} is claimed twice"
    # Deliberately absent: bare names that are ambiguous in this archive.
    for ambiguous in ("kim", "liu", "zhu", "li", "chen", "zhang", "wang", "peng", "deng", "su", "kennedy"):
        assert ambiguous not in owners


# ----------------------------------------------------------------------------------------------- loading


def write(tmp_path: Path, text: str, name: str = "people.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[[person]]\nname = "Joseph Stalin"\naliases = ["Stalin" "Koba"]\n\n[[person]]\nname = "Mao"\n',
                 "broken-people.toml")
    with pytest.raises(PeopleFileError) as caught:
        PeopleDirectory.load(path)
    message = str(caught.value)
    assert "broken-people.toml" in message and "line 3" in message and "\n" not in message


def test_entry_without_a_name_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[person]]\nname = "Mao Zedong"\n\n[[person]]\naliases = ["Zhou"]\n')
    with pytest.raises(PeopleFileError, match=r"people\.toml.*#2 has no name"):
        PeopleDirectory.load(path)


def test_alias_claimed_by_two_entities_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[person]]\nname = "Joseph Stalin"\naliases = ["Kuznetsov"]\n\n'
                           '[[person]]\nname = "Vasily Kuznetsov"\naliases = ["kuznetsov"]\n')
    with pytest.raises(PeopleFileError, match=r"people\.toml.*'kuznetsov' is claimed by both 'Joseph Stalin' "
                                              r"and 'Vasily Kuznetsov'"):
        PeopleDirectory.load(path)


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[[person]]\nname = "Mao Zedong"\nalias = ["Mao"]\n')
    with pytest.raises(PeopleFileError, match="unknown field"):
        PeopleDirectory.load(path)


def test_missing_file_is_a_people_file_error(tmp_path: Path) -> None:
    with pytest.raises(PeopleFileError, match="nowhere.toml"):
        PeopleDirectory.load(tmp_path / "nowhere.toml")


def test_environment_variable_chooses_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, '[[person]]\nname = "Mao Zedong"\naliases = ["Chairman Mao"]\n')
    monkeypatch.setenv("ARCHIVE_PEOPLE_FILE", str(path))
    small = PeopleDirectory.load()
    assert [e.name for e in small.entities] == ["Mao Zedong"]
    assert small.resolve("chairman mao") == "Mao Zedong"
    assert small.resolve("Stalin") is None
