"""The thesaurus file: the bundled one loads and finds words and phrases; a wrong edit names its line."""
from __future__ import annotations

import pytest

from bot.cli import main
from retrieval.text import tokenize
from retrieval.thesaurus import BUNDLED_FILE, ENV_VAR, Expansion, GroupKind, Thesaurus, ThesaurusFileError

GOOD = """\
terms = ["Cominform", "Viet Minh"]

[[synonyms]]
words = ["halt", "stop", "cease"]

[[place]]
name = "Lüshun"
aliases = ["Port Arthur", "Lüshunkou"]
"""


def write(tmp_path, text: str):
    path = tmp_path / "thesaurus.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_bundled_file_loads_with_the_issues_groups():
    thesaurus = Thesaurus.load()
    places = {g.written[0]: g.written[1:] for g in thesaurus.groups if g.kind is GroupKind.PLACE}
    assert {"Quemoy", "Kinmen"} <= set(places["Jinmen"])
    assert "Formosa" in places["Taiwan"] and {"Peking", "Peiping"} <= set(places["Beijing"])
    assert "Port Arthur" in places["Lüshun"] and "Saigon" in places["Ho Chi Minh City"]
    assert {"cominform", "securitate", "stasi", "politburo"} <= thesaurus.words
    assert Thesaurus.load(BUNDLED_FILE).groups == thesaurus.groups


def test_words_by_stem_and_phrases_in_order(tmp_path):
    thesaurus = Thesaurus.load(write(tmp_path, GOOD))
    assert thesaurus.expand(tokenize("the talks halted at Port Arthur")) == [
        Expansion(("halt",), (("stop",), ("ceas",))),
        Expansion(("port", "arthur"), (("lushun",), ("lushunkou",))),
    ]
    assert thesaurus.expand(tokenize("Arthur's port")) == []  # not the phrase
    assert {"cominform", "viet", "minh", "port", "arthur", "lushun"} <= thesaurus.words


def test_the_environment_names_another_file(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(write(tmp_path, GOOD)))
    assert len(Thesaurus.load().groups) == 2


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD + '\n[[synonyms]]\nwords = ["stop", "end"]\n',
         "thesaurus.toml:10: “stop” is already in the group on line 3"),
        (GOOD + '\n[[place]]\nname = "Dalian"\nalias = ["Dairen"]\n',
         "thesaurus.toml:10: [[place]]: unknown field(s) alias"),
        (GOOD + '\n[[place]]\nname = "Dalian"\n', "thesaurus.toml:10: [[place]]: missing aliases"),
        (GOOD + '\n[[synonyms]]\nwords = ["fleet"]\n', "thesaurus.toml:10: [[synonyms]]: a group needs at least two"),
        (GOOD + '\n[[synonyms]]\nwords = ["fleet", "the"]\n', "thesaurus.toml:10: [[synonyms]]: “the” has no word"),
        (GOOD + '\n[[synonyms]]\nwords = ["talks", "talk"]\n',
         "thesaurus.toml:10: [[synonyms]]: “talk” is the same word"),
        (GOOD + '\n[[place]]\nname = "Dalian"\naliases = "Dairen"\n',
         "thesaurus.toml:10: [[place]] (Dalian): 'aliases' must be a list of strings"),
        ('terms = "Cominform"\n', "thesaurus.toml:1: terms must be a list of strings"),
        (GOOD + "\n[[synonym]]\nwords = []\n", "unknown key(s) synonym"),
        (GOOD + "\n[[place]\n", "invalid TOML"),
    ],
)
def test_a_mistake_names_the_line(tmp_path, text, message):
    with pytest.raises(ThesaurusFileError) as caught:
        Thesaurus.load(write(tmp_path, text))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_an_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(ThesaurusFileError, match="cannot read the thesaurus"):
        Thesaurus.load(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_bytes(b"terms = ['\xff']\n")
    with pytest.raises(ThesaurusFileError, match="not UTF-8"):
        Thesaurus.load(tmp_path / "bad.toml")


def test_the_command_line_reports_a_bad_thesaurus_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(ENV_VAR, str(write(tmp_path, GOOD + '\n[[synonyms]]\nwords = ["stop", "end"]\n')))
    monkeypatch.setenv("ARCHIVE_SEEDS", str(tmp_path / "none"))
    assert main(["search", "mao", "--db", str(tmp_path / "a.db")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("archive-bot: ") and "is already in the group on line 3" in err
    assert err.count("\n") == 1
