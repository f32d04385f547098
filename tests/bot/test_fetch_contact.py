"""ARCHIVE_FETCH_CONTACT: who runs a fetch, as the site sees it in the User-Agent; never made up."""
from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings
from retrieval.fetch import user_agent


@pytest.mark.parametrize("written, sent", [
    ("you@example.org", "mailto:you@example.org"),
    ("mailto:you@example.org", "mailto:you@example.org"),
    ("https://example.org/our-bot/", "https://example.org/our-bot"),
])
def test_the_contact_goes_into_the_user_agent(tmp_path, monkeypatch, written, sent):
    monkeypatch.setenv("ARCHIVE_FETCH_CONTACT", written)
    settings = load_settings(tmp_path / ".env")
    assert user_agent("1.0", settings.fetch_contact) == f"archive-bot/1.0 (+{sent})"


def test_without_a_contact_no_address_is_made_up(tmp_path, monkeypatch):
    monkeypatch.delenv("ARCHIVE_FETCH_CONTACT", raising=False)
    assert user_agent("1.0", load_settings(tmp_path / ".env").fetch_contact) == "archive-bot/1.0"


@pytest.mark.parametrize("bad", ["two words", "a)b", "ftp://example.org", "x\r\nHost: evil"])
def test_a_contact_that_could_break_the_header_fails_with_one_line(tmp_path, monkeypatch, bad):
    monkeypatch.setenv("ARCHIVE_FETCH_CONTACT", bad)
    with pytest.raises(ConfigError, match="ARCHIVE_FETCH_CONTACT"):
        load_settings(tmp_path / ".env")
