"""cite.py's own quoting of a search link is urllib's quote_plus, character for character."""
from __future__ import annotations

import urllib.parse

from hypothesis import given
from hypothesis import strategies as st

from retrieval.cite import quote_plus, search_url


@given(st.text(st.characters(exclude_categories=("Cs",))))
def test_quote_plus_is_urllibs(text: str) -> None:
    assert quote_plus(text) == urllib.parse.quote_plus(text)


def test_a_search_link_quotes_every_kind_of_character() -> None:
    title = "Memo ~ «Zhou Enlai» & Kim Il-sung: 50% (draft) / Ñ_é.🙂+"
    assert search_url(title).endswith("search_api_fulltext=" + urllib.parse.quote_plus(title))
