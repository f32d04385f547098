"""HTML search-result pages parse to the same records as the seed text pages they were built from."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from retrieval.dates import ArchiveDate, parse_date
from retrieval.parse import open_page
from retrieval.parse.encoding import Decoding
from retrieval.parse.html import declared_charset, decode_html, looks_like_html, parse_html
from retrieval.records import PageError, ParsedPage, RawRecord

from ..conftest import FIXTURES, SEEDS

HTML = FIXTURES / "html"
BASE = "https://digitalarchive.wilsoncenter.org"

SEED_000 = "000_7db8b0dfcdf7ad4a.txt"
SEED_002 = "002_2fa1fff422d2efeb.txt"
SEED_004 = "004_8922e319aefd50d6.txt"


@dataclass(frozen=True)
class SeedRecord:
    date_text: str
    title: str
    paragraphs: tuple[str, ...]


def seed_records(name: str) -> list[SeedRecord]:
    """A minimal reader of the seed text pages: a date paragraph opens a record, then title, then text."""
    text = (SEEDS / name).read_text("utf-8")
    paragraphs = [" ".join(p.replace("•", " ").split()) for p in text.split("\n\n")]
    records: list[list[str]] = []
    for paragraph in paragraphs:
        if not paragraph or paragraph == "Pagination":
            continue
        if parse_date(paragraph):
            records.append([paragraph])
        elif records:
            records[-1].append(paragraph)
    return [SeedRecord(r[0], r[1], tuple(r[2:])) for r in records]


def load(name: str) -> str:
    return decode_html((HTML / name).read_bytes())[0]


def assert_matches_seed(record: RawRecord, seed: SeedRecord, *, undated: bool = False) -> None:
    assert record.title == seed.title
    assert record.summary == (seed.paragraphs[0] if seed.paragraphs else "")
    assert record.notes == seed.paragraphs[1:]
    if undated:
        assert (record.date_text, record.date, record.date.precision) == ("", ArchiveDate(), "none")
    else:
        assert record.date_text == seed.date_text
        assert record.date == parse_date(seed.date_text)
    assert not record.summary_partial


# -- the modern list page ------------------------------------------------------------------------------------
LIST_URLS = [
    f"{BASE}/document/111236/from-the-diary-of-n-v-roshchin-memorandum-of-conversation-wi",
    f"{BASE}/document/110862",
    f"{BASE}/document/111445",
    f"{BASE}/document/110207/joseph-v-stalin-to-ja-far-pishevari-leader-of-the-democratic",
    f"{BASE}/document/119110",
    f"{BASE}/document/114126",
    f"{BASE}/document/118413/information-from-the-communist-party-of-the-soviet-union-cen",
    f"{BASE}/document/117762",
    f"{BASE}/document/121567",
    f"{BASE}/document/121560/oral-statement-of-the-prc-government-transmitted-by-prc-vice",
]
UNDATED_IN_LIST = 5  # the Bak Uiwan record, its date dropped from the fixture


@pytest.fixture(scope="module")
def list_page() -> ParsedPage:
    return parse_html(load("search_results_list.html"))


def test_list_page_gives_the_seed_records_in_order(list_page):
    seeds = seed_records(SEED_004)
    assert list_page.layout == "html"
    assert (list_page.truncated, list_page.dropped) == (False, 0)
    assert [r.title for r in list_page.records] == [s.title for s in seeds]
    for index, (record, seed) in enumerate(zip(list_page.records, seeds, strict=True)):
        assert_matches_seed(record, seed, undated=index == UNDATED_IN_LIST)


def test_list_page_links_are_absolute(list_page):
    # The fixture mixes /document/<id>/<slug>, /document/<id> and absolute links.
    assert [r.url for r in list_page.records] == LIST_URLS


def test_note_is_kept_apart_from_the_summary(list_page):
    speech = next(r for r in list_page.records if r.title.startswith("Stenographic Record of a Speech"))
    assert speech.date_text == "March 14, 1948"
    assert speech.summary.startswith("A purported speech by Stalin")
    assert "Brian Murray" not in speech.summary
    assert speech.notes == ("Brian Murray questions the validity of the document in CWIHP Working Paper No. 12, "
                            "where the document was first published.",)


def test_month_only_and_undated_records(list_page):
    month = next(r for r in list_page.records if r.title.startswith("Information from the Communist Party"))
    assert (month.date_text, month.date.precision, month.date.iso()) == ("September 1966", "month", "1966-09")
    undated = list_page.records[UNDATED_IN_LIST]
    assert undated.title == "Memorandum of Conversation with Bak Uiwan on 22 November 1956"
    assert (undated.date_text, undated.date.precision) == ("", "none")
    assert undated.summary.startswith("Discussion with Bak Uiwan")


def test_read_more_twins_and_repeated_items_make_one_record(list_page):
    text = load("search_results_list.html")
    assert text.count('about="/document/110207"') == 2  # the same item is in the page twice
    assert text.count("Read more<span") == 11  # and every item has a Read-more link to its own document
    assert [r.url for r in list_page.records].count(LIST_URLS[3]) == 1
    assert not any(r.title.startswith("Read more") or r.title == "Download PDF" for r in list_page.records)


def test_navigation_sidebar_scripts_and_noscript_links_are_not_records(list_page):
    text = load("search_results_list.html")
    for planted in ("/document/123070", "/document/115065", "/document/100001", "/document/999999"):
        assert planted in text
        assert not any(planted in r.url for r in list_page.records)
    assert not any("Enable JavaScript" in r.summary or "jQuery" in r.summary for r in list_page.records)


# -- the older table page ------------------------------------------------------------------------------------
TABLE_SEED_INDEXES = [0, 1, 2, 3, 7, 8, 9, 17]
TABLE_IDS = [111245, 117892, 113376, 113383, 113385, 121551, 121552, 114325]


def test_table_page_gives_the_seed_records():
    page = parse_html(load("search_results_table.html"))
    seeds = seed_records(SEED_002)
    assert len(page.records) == len(TABLE_SEED_INDEXES)
    for record, index, doc_id in zip(page.records, TABLE_SEED_INDEXES, TABLE_IDS, strict=True):
        assert_matches_seed(record, seeds[index])
        assert record.url == f"{BASE}/document/{doc_id}"


def test_table_dates_keep_their_precision_and_same_day_records_stay_apart():
    page = parse_html(load("search_results_table.html"))
    by_date = {}
    for record in page.records:
        by_date.setdefault(record.date_text, []).append(record)
    february = by_date["February, 1950"][0]
    assert (february.date.precision, february.date.iso()) == ("month", "1950-02")
    assert by_date["September 01, 1952"][0].date.iso() == "1952-09-01"
    assert [r.title for r in by_date["September 06, 1952"]] == [
        "Letter, Zhou Enlai to Comrade Molotov",
        "Report, Zhou Enlai to Chairman Mao [Zedong] and the Central Committee",
    ]


def test_relative_links_resolve_against_the_archive_when_the_page_names_no_base():
    page = parse_html(load("search_results_table.html"))
    assert page.records[0].url == f"{BASE}/document/111245"


# -- a Windows-1252 page of the 2013 site --------------------------------------------------------------------
def test_cp1252_page_is_decoded_by_its_declared_charset():
    data = (HTML / "search_results_cp1252.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    for raw in (b"\x91", b"\x92", b"\x93", b"\x94", b"\x97", b"L\xfcshun", b"Charg\xe9"):
        assert raw in data  # the special characters really are single cp1252 bytes
    assert declared_charset(data) == "cp1252"
    text = data.decode(declared_charset(data))
    assert decode_html(data) == (text, Decoding("cp1252"))
    # Ingest reads the page through the same decoder.
    titles = [record.title for record in open_page(HTML / "search_results_cp1252.html").records()]
    assert titles[0] == "I. Tugarinov to Cde. B.N. Ponomarev, ‘Concentering the Situation on Taiwan (Memorandum)’"
    for expected in ("‘Concentering", "Taiwan (Memorandum)’", "“inevitable”", "issue—the United States",
                     "Lüshun Port", "Chargé d’Affaires"):
        assert expected in text


def test_cp1252_page_gives_the_seed_records():
    page = parse_html(load("search_results_cp1252.html"))
    seeds = [seed_records(SEED_000)[0], seed_records(SEED_000)[3], seed_records(SEED_000)[7],
             seed_records(SEED_002)[5], seed_records(SEED_004)[9]]
    assert len(page.records) == len(seeds)
    for record, seed in zip(page.records, seeds, strict=True):
        assert_matches_seed(record, seed)
    # <base href="http://digitalarchive..."> resolves the links; the archive's address is always https.
    ids = (119254, 114348, 112689, 113378, 121562)
    assert [r.url for r in page.records] == [f"{BASE}/document/{i}" for i in ids]


def test_record_without_summary():
    page = parse_html(load("search_results_cp1252.html"))
    tugarinov = page.records[0]
    assert tugarinov.title == ("I. Tugarinov to Cde. B.N. Ponomarev, "
                               "‘Concentering the Situation on Taiwan (Memorandum)’")
    assert tugarinov.date_text == "October 11, 1956"
    assert (tugarinov.summary, tugarinov.notes) == ("", ())


# -- pages that are not listings -----------------------------------------------------------------------------
def test_page_of_another_site_is_rejected_by_its_title():
    with pytest.raises(PageError) as caught:
        parse_html(load("other_site.html"))
    assert str(caught.value) == ("HTML page of another site "
                                 "(title: Cold War: Primary Sources - Research Guides at Example University Library)")


def test_archive_page_without_records_is_rejected():
    page = """<!DOCTYPE html><html><head><title>Search | Wilson Center Digital Archive</title></head>
    <body><nav><a href="/browse">Browse</a><a href="/document/123070/latest">Latest</a></nav>
    <div class="view-empty"><p>No results found. Try another search.</p></div>
    <nav class="pager"><a href="?page=1">2</a></nav></body></html>"""
    with pytest.raises(PageError, match=r"^no archive records found in this HTML page$"):
        parse_html(page)


# -- structures beyond the fixtures --------------------------------------------------------------------------
def test_definition_list_layout():
    page = parse_html("""<dl class="results">
      <dt>January 22, 1950</dt><dd><a href="/document/1">First title</a></dd><dd>First summary.</dd>
      <dt>February, 1950</dt><dd><a href="/document/2">Second title</a></dd><dd>Second summary.</dd>
        <dd>A note on the second.</dd>
      <dd><a href="/document/3">Undated title</a></dd><dd>Third summary.</dd>
      <dt>1948</dt><dd><a href="/document/4">Title without summary</a></dd>
    </dl>""")
    assert [(r.date_text, r.title, r.summary, r.notes) for r in page.records] == [
        ("January 22, 1950", "First title", "First summary.", ()),
        ("February, 1950", "Second title", "Second summary.", ("A note on the second.",)),
        ("", "Undated title", "Third summary.", ()),
        ("1948", "Title without summary", "", ()),
    ]
    assert [r.date.precision for r in page.records] == ["day", "month", "none", "year"]


def test_div_layout_without_a_wrapper_per_record():
    page = parse_html("""<div class="results"><p>Results 1 - 2 of 2</p>
      <span class="date">March 14, 1948</span><h3><a href="/document/10/speech">Speech</a></h3>
      <p>The summary.</p><p>The note.</p><a href="/document/10/speech">Read more</a>
      <span class="date">1950</span><h3><a href="/document/11">Cable</a></h3><p>Another summary.</p>
    </div>""")
    assert [(r.date_text, r.title, r.summary, r.notes, r.url) for r in page.records] == [
        ("March 14, 1948", "Speech", "The summary.", ("The note.",), f"{BASE}/document/10/speech"),
        ("1950", "Cable", "Another summary.", (), f"{BASE}/document/11"),
    ]


def test_title_before_date_in_a_table_row():
    page = parse_html("""<table><tr><th>Title</th><th>Date</th><th>Summary</th></tr>
      <tr><td><a href="/document/7">Seven</a></td><td><time datetime="1966">1966</time></td><td>Summary seven.</td></tr>
      <tr><td><a href="/document/8">Eight</a></td><td class="date">c. 1950</td><td>Summary eight.</td></tr></table>""")
    assert [(r.title, r.date_text, r.date.precision, r.summary) for r in page.records] == [
        ("Seven", "1966", "year", "Summary seven."),
        ("Eight", "c. 1950", "none", "Summary eight."),  # marked as a date but not one the archive writes
    ]


def test_single_result_page_ignores_the_page_around_it():
    page = parse_html("""<!DOCTYPE html><html><head><title>Search | Wilson Center Digital Archive</title></head>
      <body><header role="banner"><a href="/">Digital Archive</a></header><main><div class="region">
      <div class="view-header">Results: 1 - 1 of 1</div><div class="view-content"><div class="views-row">
      <time>May 6, 1946</time><h3><a href="/document/9">Nine</a></h3><p>Summary nine.</p></div></div>
      <p>Try another search</p></div></main><footer><p>© Wilson Center</p></footer></body></html>""")
    assert [(r.date_text, r.title, r.summary, r.notes) for r in page.records] == [
        ("May 6, 1946", "Nine", "Summary nine.", ())]


def test_identical_records_within_a_page_collapse_but_different_ones_stay():
    item = '<li><time>1950</time><a href="/document/1">One</a><p>Same summary.</p></li>'
    page = parse_html(f"<ul>{item}{item}<li><a href='/document/1'>One</a><p>Other text.</p></li></ul>")
    assert [(r.title, r.summary) for r in page.records] == [("One", "Same summary."), ("One", "Other text.")]


def test_text_is_collapsed_entities_decoded_and_hidden_text_dropped():
    page = parse_html("""<ul><li><h3><a href="/document/5">Letter,\n   Mao&nbsp;Zedong &amp; Comrade
      Filippov&nbsp;[Stalin] &#8220;quoted&#8221; it&#39;s</a></h3>
      <p>Summary <script>var x = "junk";</script>text<style>p {color: red}</style> here.
      <span class="visually-hidden">hidden</span></p><!-- a comment --></li>
      <li><a href="/document/6"><img src="x.jpg" alt="thumb"></a><a href="/document/6">Six</a></li></ul>""")
    assert [(r.title, r.summary) for r in page.records] == [
        ("Letter, Mao Zedong & Comrade Filippov [Stalin] “quoted” it's", "Summary text here."),
        ("Six", ""),
    ]


def test_link_base_order_base_then_canonical_then_og_url():
    body = "<body><ul><li><a href='document/1'>One</a></li></ul></body>"
    head = {
        "base": "<base href='https://digitalarchive.wilsoncenter.org/old/'>"
                "<link rel='canonical' href='https://example.org/x/'>",
        "canonical": "<link rel='canonical' href='https://mirror.example.org/a/'>"
                     "<meta property='og:url' content='https://other.example.org/b/'>",
        "og:url": "<meta property='og:url' content='https://mirror.example.org/b/'>",
        "none": "",
    }
    urls = {name: parse_html(f"<html><head>{h}</head>{body}</html>").records[0].url for name, h in head.items()}
    assert urls == {
        "base": f"{BASE}/old/document/1",
        "canonical": "https://mirror.example.org/a/document/1",
        "og:url": "https://mirror.example.org/b/document/1",
        "none": f"{BASE}/document/1",
    }


def test_downloads_other_sites_and_wayback_copies():
    page = parse_html("""<html><head>
      <base href="https://web.archive.org/web/20200101000000/https://digitalarchive.wilsoncenter.org/search">
      </head><body><ul>
      <li><a href="/web/20200101000000/https://digitalarchive.wilsoncenter.org/document/123">Saved copy</a></li>
      <li><a href="https://example.com/document/5">Elsewhere</a></li>
      <li><a href="/web/20200101000000/https://digitalarchive.wilsoncenter.org/document/77/download">PDF</a></li>
      <li><a href="https://digitalarchive.wilsoncenter.org/document/78.pdf">PDF</a></li>
      <li><a href="/document/about-irans-approach-against-tudeh-party?highlight=iran#top">Slug only</a></li>
      </ul></body></html>""")
    assert [(r.title, r.url) for r in page.records] == [
        ("Saved copy", f"{BASE}/document/123"),
        ("Slug only", f"{BASE}/document/about-irans-approach-against-tudeh-party"),  # the Drupal site's form
    ]


def test_page_cut_off_mid_summary_flags_the_last_summary():
    page = parse_html('<!DOCTYPE html><html><body><ul><li><a href="/document/1">One</a><p>Summary one.</p></li>'
                      '<li><a href="/document/2">Two</a><p>Summary tw')
    assert page.truncated
    assert [(r.title, r.summary, r.summary_partial) for r in page.records] == [
        ("One", "Summary one.", False), ("Two", "Summary tw", True)]


def test_page_cut_off_mid_title_drops_the_last_record():
    page = parse_html('<!DOCTYPE html><html><body><ul><li><a href="/document/1">One</a><p>Summary one.</p></li>'
                      '<li><time>1950</time><a href="/document/2">Tw')
    assert (page.truncated, page.dropped, [r.title for r in page.records]) == (True, 1, ["One"])


# -- sniffing ------------------------------------------------------------------------------------------------
def test_looks_like_html():
    for name in ("search_results_list.html", "search_results_table.html", "search_results_cp1252.html",
                 "other_site.html"):
        assert looks_like_html(load(name)), name
    for seed in sorted(SEEDS.glob("*.txt")):
        assert not looks_like_html(seed.read_text("utf-8")), seed.name
    assert looks_like_html("\ufeff\n  <div class='views-row'><a href='/document/1'>x</a></div>")
    assert looks_like_html("saved from somewhere\n<!DOCTYPE html><html><body></body></html>")
    assert not looks_like_html("Results:\n\n1 - 10 of 43\n\nJanuary 19, 1949\n\nA < B and <i> is not a page")
    assert not looks_like_html("")


def test_declared_charset_forms():
    assert declared_charset(b'<html><head><meta charset="utf-8">') == "utf-8"
    assert declared_charset(b"<meta charset=windows-1252>") == "cp1252"
    assert declared_charset(
        b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">') == "cp1252"
    assert declared_charset(b"<meta charset='us-ascii'>") == "cp1252"  # browsers read both as Windows-1252
    assert declared_charset(b"\xef\xbb\xbf<html>") == "utf-8"
    assert declared_charset(b'<meta charset="no-such-charset">') is None
    assert declared_charset(b"<html><head><title>x</title>") is None
    assert declared_charset(b"<html>" + b" " * 5000 + b'<meta charset="cp1252">') is None  # past the sniff


def test_undeclared_pages_are_utf8_when_they_decode_else_windows_1252():
    assert decode_html("<p>Chargé d’Affaires</p>".encode())[0] == "<p>Chargé d’Affaires</p>"
    assert decode_html(b"<p>Charg\xe9 d\x92Affaires</p>")[0] == "<p>Chargé d’Affaires</p>"
    assert decode_html(b"\xef\xbb\xbf<p>x</p>")[0] == "<p>x</p>"  # the byte-order mark is not text


# -- size ----------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_five_megabyte_page_parses_whole():
    page = load("search_results_list.html")
    rows = re.findall(r'    <div class="views-row">.*?\n    </div>\n', page, re.DOTALL)
    template = next(row for row in rows if "/document/119110" in row)  # the item with a summary and a note
    start, end = page.index(rows[0]), page.index(rows[-1]) + len(rows[-1])
    items, size, count = [], 0, 0
    while size < 5 * 1024 * 1024:
        item = template.replace("119110", str(500_000 + count))
        items.append(item)
        size += len(item)
        count += 1
    big = page[:start] + "".join(items) + page[end:]
    assert len(big.encode("utf-8")) > 5 * 1024 * 1024

    parsed = parse_html(big)  # its speed is measured by bench/, not asserted here

    assert len(parsed.records) == count
    assert len({r.url for r in parsed.records}) == count
    assert parsed.records[-1].notes == parsed.records[0].notes != ()


def test_an_impossible_day_keeps_its_month_and_is_flagged():
    page = parse_html('<html><body><ul><li><span class="date">February 30, 1958</span><h3>'
                      '<a href="/document/1">Cable one</a></h3><p>On the talks.</p></li><li><span class="date">'
                      'March 3, 1958</span><h3><a href="/document/2">Cable two</a></h3><p>Reply.</p></li></ul>'
                      '</body></html>')
    first, second = page.records
    assert (first.date_text, first.date.iso(), first.day_impossible) == ("February 30, 1958", "1958-02", True)
    assert (second.date.iso(), second.day_impossible) == ("1958-03-03", False)
