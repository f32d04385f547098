"""`archive-bot similar ID` as a user runs it: a real process over the seeds."""
from __future__ import annotations

import json

import pytest

from ..conftest import SEEDS
from .test_cli import cli

pytestmark = pytest.mark.slow  # real `archive-bot` processes


def test_similar_lists_the_nearest_documents_as_text_and_json(tmp_path):
    assert cli("ingest", str(SEEDS), cwd=tmp_path).returncode == 0
    exported = [json.loads(line) for line in cli("export", cwd=tmp_path).stdout.splitlines()]
    semenov = [r["id"] for r in exported if r["title"] == "Ciphered Telegram from Semenov [Stalin] to Mao Zedong"]
    first, twin = semenov
    shown = cli("similar", str(first), "--json", "--limit", "3", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["id"] == first and len(data["hits"]) == 3 and data["hits"][0]["id"] == twin
    assert all(set(hit) >= {"id", "score", "title", "date", "citation"} for hit in data["hits"])
    assert first not in [hit["id"] for hit in data["hits"]]
    assert [h["score"] for h in data["hits"]] == sorted((h["score"] for h in data["hits"]), reverse=True)
    text = cli("similar", f"#{first}", "-k", "2", cwd=tmp_path)
    assert text.returncode == 0 and f"More like #{first}" in text.stdout and "1. Ciphered Telegram" in text.stdout


def test_an_unknown_document_is_one_line_and_exit_1(tmp_path):
    assert cli("ingest", str(SEEDS), cwd=tmp_path).returncode == 0
    for extra in ((), ("--json",)):
        result = cli("similar", "99999", *extra, cwd=tmp_path)
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr == "archive-bot: no document #99999 in the archive\n"
    assert cli("similar", "nope", cwd=tmp_path).returncode == 2  # not a number: a usage error, as for show
