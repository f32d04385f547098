"""Bounds on HTML pages: field caps shared with text pages, a depth limit, and big pages read in parts."""
from __future__ import annotations

import re

import pytest

from retrieval.parse import html as html_parser
from retrieval.parse import open_page
from retrieval.parse.html import HtmlListing, parse_html
from retrieval.records import MAX_NOTE, MAX_SUMMARY, MAX_TITLE, PageError

from ..conftest import FIXTURES

HEAD = ('<!DOCTYPE html><html><head><title>Search | Wilson Center Digital Archive</title></head><body>'
        '<nav><a href="/document/999">Popular: a document in the menu</a></nav><main><h1>Results</h1>')
TAIL = '<ul class="pager"><li><a href="?page=2">next</a></li></ul></main></body></html>'


def item(n: int) -> tuple[str, str, str, str]:
    return (f"March {n % 28 + 1}, 1958", f"/document/{n}", f"Telegram {n} from Zhou Enlai to Mao Zedong",
            f"On the talks about the Chinese Eastern Railway, part {n}.")


def list_item(n: int) -> str:
    date, url, title, summary = item(n)
    return (f'<li><span class="date">{date}</span><h3><a href="{url}">{title}</a></h3><p>{summary}</p>'
            f'<a href="{url}">Read more</a></li>')


def table_row(n: int) -> str:
    date, url, title, summary = item(n)
    return f'<tr><td>{date}</td><td><a href="{url}">{title}</a></td><td>{summary}</td></tr>'


def views_row(n: int) -> str:
    date, url, title, summary = item(n)
    return (f'<div class="views-row"><div class="date">{date}</div><h2><a href="{url}">{title}</a></h2>'
            f'<div class="summary">{summary}</div></div>')


def dates_lead(n: int) -> str:
    date, url, title, summary = item(n)
    return f'<div class="date">{date}</div><h3><a href="{url}">{title}</a></h3><p>{summary}</p>'


def titles_lead(n: int) -> str:
    date, url, title, summary = item(n)
    return f'<dt><a href="{url}">{title}</a></dt><dd>{date}</dd><dd>{summary}</dd>'


LAYOUTS = {"list": list_item, "table": table_row, "views": views_row, "dates-lead": dates_lead,
           "titles-lead": titles_lead}
WRAPPERS = {"list": ("<ul>", "</ul>"), "table": ("<table><tbody>", "</tbody></table>"),
            "views": ('<div class="view-content">', "</div>"), "dates-lead": ("<div>", "</div>"),
            "titles-lead": ("<dl>", "</dl>")}


def page(layout: str, count: int, cut: bool = False) -> str:
    opening, closing = WRAPPERS[layout]
    text = HEAD + opening + "\n".join(LAYOUTS[layout](n) for n in range(count)) + closing + TAIL
    return text[:text.rindex("Chinese Eastern") + 12] if cut else text


def read(text: str, chunk_chars: int) -> tuple[HtmlListing, list]:
    listing = HtmlListing(text, chunk_chars=chunk_chars)
    return listing, list(listing.records())


@pytest.mark.parametrize("cut", [False, True], ids=["whole", "cut-off"])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_page_read_in_parts_gives_what_the_whole_page_gives(layout, cut):
    text = page(layout, 60, cut)
    whole = parse_html(text)
    listing, records = read(text, chunk_chars=600)
    assert records == whole.records
    assert (listing.truncated, listing.dropped) == (whole.truncated, whole.dropped)
    assert len(records) == 60  # the menu's link is no record; a cut-off page still closed its last title
    assert records[-1].summary_partial is cut or layout == "titles-lead"
    # Titles with their date and summary as siblings after them are parted before a title, where a record
    # starts; siblings with dates first are never parted from their date.
    assert (listing.parts > 1) is (layout != "dates-lead")


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "html").glob("*.html")))
def test_fixture_pages_read_in_parts_as_whole(name):
    text = (FIXTURES / "html" / name).read_bytes().decode("cp1252" if "cp1252" in name else "utf-8")
    try:
        whole = parse_html(text).records
    except PageError as exc:
        with pytest.raises(PageError, match=re.escape(str(exc))):
            read(text, chunk_chars=500)
        return
    assert read(text, chunk_chars=500)[1] == whole


def test_fields_over_their_caps_are_cut_and_marked_in_html_and_text(tmp_path):
    huge = "The ambassador reported at length. " * (4 * MAX_SUMMARY // 35)
    note = "A note. " * MAX_NOTE
    html = tmp_path / "page.html"
    html.write_text(HEAD + f'<ul><li><h3><a href="/document/1">Report one</a></h3><p>{huge}</p><p>{note}</p></li>'
                    f'<li><h3><a href="/document/2">{"Long " * MAX_TITLE}</a></h3><p>Lost.</p></li>'
                    '<li><h3><a href="/document/3">Report three</a></h3><p>Short.</p></li></ul>' + TAIL,
                    encoding="utf-8")
    text = tmp_path / "page.txt"
    text.write_text(f"Documents\n\nMarch 1, 1958\n\nReport one\n\n{huge[:60_000]}\n\n{note}\n\nMarch 2, 1958\n\n"
                    f"{'Long ' * MAX_TITLE}\n\nLost.\n\nMarch 3, 1958\n\nReport three\n\nShort.\n\nPagination\n",
                    encoding="utf-8")
    for path in (html, text):
        reader = open_page(path)
        records = {r.title: r for r in reader.records()}
        assert "Report three" in records and not any(title.startswith("Long") for title in records)
        one = records["Report one"]
        assert len(one.summary) <= MAX_SUMMARY and huge.startswith(one.summary)
        assert huge[len(one.summary)] == " "  # cut at a word
        assert one.summary_partial and one.fields_cut
        assert len(one.notes[0]) == MAX_NOTE and one.notes[0].endswith("…")
        assert not records["Report three"].fields_cut
        assert reader.dropped == 1


def test_markup_nested_too_deep_is_refused_with_one_line():
    depth = html_parser.MAX_DEPTH + 1
    bomb = HEAD + "<div>" * depth + '<a href="/document/1">Deep</a>' + "</div>" * depth + TAIL
    with pytest.raises(PageError, match=f"nested over {html_parser.MAX_DEPTH} elements deep"):
        parse_html(bomb)
    nested = HEAD + "<div>" * 900 + '<h3><a href="/document/1">Deep</a></h3><p>Found.</p>' + "</div>" * 900 + TAIL
    assert [(r.title, r.summary) for r in parse_html(nested).records][-1] == ("Deep", "Found.")


def test_a_big_page_that_cannot_be_read_in_parts_is_refused_over_the_element_limit(monkeypatch):
    monkeypatch.setattr(html_parser, "MAX_ELEMENTS", 200)
    with pytest.raises(PageError, match="cannot be read a part at a time"):
        read(page("dates-lead", 60), chunk_chars=600)
    assert len(read(page("list", 60), chunk_chars=600)[1]) == 60  # a list is read in parts, whatever its size
