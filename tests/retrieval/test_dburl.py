"""Database URLs as users type them: what is wrong with one is said in words, and a password never shows."""
from __future__ import annotations

import pytest

from retrieval.dburl import UrlProblem, safe_url, url_problem


@pytest.mark.parametrize(("url", "problem"), [
    ("postgresql://bot:pw@db.example/archive", None),
    ("postgres://bot:pw@db.example:6432/archive", None),
    ("postgresql:///archive?host=/run/postgresql", None),
    ("mysql://bot:pw@db/archive", UrlProblem.NOT_POSTGRES),
    ("not a url", UrlProblem.NOT_POSTGRES),
    ("postgresql://bot:pw@/archive", UrlProblem.NO_HOST),
    ("postgresql://bot:pw@[::1/archive", UrlProblem.UNREADABLE),
    ("postgresql://bot:pw@db:99999/archive", UrlProblem.BAD_PORT),
    ("postgresql://bot:pw@db:port/archive", UrlProblem.BAD_PORT),
])
def test_what_is_wrong_with_a_url_is_named(url: str, problem: UrlProblem | None) -> None:
    assert url_problem(url) is problem


@pytest.mark.parametrize("url", ["postgresql://bot:Pw-77@[::1/x", "postgresql://bot:Pw-77@db:99999/x",
                                 "postgresql://bot:Pw-77@db:port/x"])
def test_a_malformed_url_is_shown_without_its_password_and_without_failing(url: str) -> None:
    shown = safe_url(url)
    assert "Pw-77" not in shown and shown
