"""The text parser against the seed pages, the 126 real pages, and hand-made edge cases."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from retrieval.parse.text import MAX_LINE, MAX_PARAGRAPH, TextListing
from retrieval.records import PageError, RawRecord

from ..conftest import SEEDS


@dataclass
class Parsed:
    """A listing parsed, with its records: the listing's own attributes read through (a compiled TextListing has
    no `__dict__` to hold the records)."""

    listing: TextListing
    result: list[RawRecord]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.listing, name)


def parse_file(path: Path) -> Parsed:
    listing = TextListing(path.open(encoding="utf-8"), str(path))
    return Parsed(listing, list(listing.records()))


def parse_text(text: str) -> tuple[TextListing, list]:
    listing = TextListing(text.splitlines(keepends=True))
    return listing, list(listing.records())


def identity(record) -> tuple[str, str | None]:
    folded = unicodedata.normalize("NFKD", record.title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", folded).strip(), record.date.iso()


def test_seed_pages_hold_60_entries_in_two_layouts():
    layouts, entries = {}, 0
    for path in sorted(SEEDS.glob("*.txt")):
        listing = parse_file(path)
        layouts[path.name[:3]] = listing.layout
        entries += len(listing.result)
    assert entries == 60
    assert layouts == {"000": "blank-line", "001": "blank-line", "002": "bullet", "003": "blank-line",
                       "004": "blank-line"}


def _seed_record(title_start: str):
    records = [r for path in sorted(SEEDS.glob("*.txt")) for r in parse_file(path).result]
    exact = [r for r in records if r.title == title_start]
    starting = [r for r in records if r.title.startswith(title_start)]
    assert exact or starting, f"no seed record titled {title_start!r}"
    return (exact or starting)[0]


@pytest.mark.parametrize(
    "title_start, date_text, iso, precision, summary_start, notes",
    [
        ("I. Tugarinov to Cde. B.N. Ponomarev", "October 11, 1956", "1956-10-11", "day", "", 0),
        ("Note from Andrey Vyshinsky to Zhou Enlai", "February, 1950", "1950-02", "month", "Dialogue between", 0),
        ("Information from the Communist Party of the Soviet Union Central Committee to the Polish",
         "September 1966", "1966-09", "month", "A record of a North Vietnamese delegation", 0),
        ("Stenographic Record of a Speech by Comrade J. V. Stalin", "March 14, 1948", "1948-03-14", "day",
         "A purported speech by Stalin", 1),
        ("Report, Zhou Enlai to Chairman Mao", "September 01, 1952", "1952-09-01", "day", "Zhou and Molotov", 0),
        ("Memorandum of Conversation, Soviet Ambassador to China N.V. Roshchin with Chinese Minister",
         "January 18, 1952", "1952-01-18", "day", "In the course of the discussion", 0),
        ("Cable, Mao Zedong to Filippov [Stalin]", "February 21, 1952", "1952-02-21", "day",
         "Mao Zedong requests help from Stalin", 0),
        ("Transcript, Meeting of East German leader Erich Honecker", "July 25, 1978", "1978-07-25", "day",
         "Brezhnev and Honecker discuss", 0),
    ],
)
def test_seed_records_parse_to_exact_fields(title_start, date_text, iso, precision, summary_start, notes):
    record = _seed_record(title_start)
    assert record.date_text == date_text
    assert record.date.iso() == iso
    assert record.date.precision == precision
    assert record.summary.startswith(summary_start)
    assert (record.summary == "") == (summary_start == "")
    assert len(record.notes) == notes


def test_note_paragraph_is_kept_apart_from_the_summary():
    record = _seed_record("Stenographic Record of a Speech by Comrade J. V. Stalin")
    assert record.notes == (
        "Brian Murray questions the validity of the document in CWIHP Working Paper No. 12, where the document "
        "was first published.",
    )
    assert "Brian Murray" not in record.summary


def test_a_date_inside_a_title_is_not_the_record_date():
    record = _seed_record("Memorandum of Conversation, Soviet Ambassador to China N.V. Roshchin")
    assert record.title.endswith("24 December 1951")
    assert record.date.iso() == "1952-01-18"


def test_real_pages_parse_to_what_a_careful_reader_sees(realpages):
    distinct: set[tuple[str, str | None]] = set()
    summaries: dict[tuple[str, str | None], set[str]] = {}
    layouts: set[str] = set()
    for path in sorted((realpages / "da").glob("*.txt")):
        listing = parse_file(path)
        assert listing.result, f"{path.name}: no records"
        layouts.add(listing.layout)
        for record in listing.result:
            assert record.title and len(record.title) < 2000
            key = identity(record)
            distinct.add(key)
            summaries.setdefault(key, set()).add(record.summary[:40])
    assert layouts == {"blank-line", "bullet", "dash"}
    # 554 (title, date) pairs; page_105 lists two different documents under one title and date.
    assert len(distinct) == 554
    assert any(len(s - {""}) == 2 for s in summaries.values())


def test_cut_off_captures_never_store_half_a_title(realpages):
    da = realpages / "da"
    # page_026 ends "July 29, 1968 / Note on " (cut mid-title); page_099 right after a date line.
    titles_026 = [r.title for r in parse_file(da / "page_026.txt").result]
    assert titles_026[-1].startswith("Directive of the Ministry of Defense")
    assert not any(t.startswith("Note on") for t in titles_026)
    listing = parse_file(da / "page_099.txt")
    assert listing.truncated and listing.dropped == 1
    assert listing.result[-1].date.iso() != "1979-01-19"
    # page_001 is cut inside the last summary: the record is whole, its summary marked partial.
    last = parse_file(da / "page_001.txt").result[-1]
    assert last.title == "Letter from Cde. Mao Zedong to Cde. Filippov [Stalin] via Kovalev"
    assert last.summary == "Detailed report on the arrival of the PLA in Xinjia"
    assert last.summary_partial


def test_undated_records_and_records_without_summary(realpages):
    records = parse_file(realpages / "da" / "page_051.txt").result
    undated = [r for r in records if r.date.precision == "none"]
    assert [r.title for r in undated] == ["CC CPSU Information on Chinese Foreign Policy Issues"]
    assert undated[0].summary.startswith("Discusses the joint efforts")
    assert undated[0].date_text == ""
    no_summary = [r for r in parse_file(realpages / "da" / "page_074.txt").result if not r.summary]
    assert len(no_summary) >= 4


def test_people_pages_skip_the_biography(realpages):
    listing = parse_file(realpages / "da" / "page_022.txt")
    assert listing.result[0].title.startswith("First Conversation between N.S. Khrushchev and Mao Zedong")
    assert not any("consequential" in r.title or "consequential" in r.summary for r in listing.result)


def test_mirror_pages_parse_and_the_facet_sidebar_is_not_a_listing(realpages):
    counts = {p.name: len(parse_file(p).result) for p in sorted((realpages / "mirror").glob("*.txt"))}
    assert counts.pop("other_007.txt") == 0
    assert all(n > 0 for n in counts.values())


def test_blank_line_layout_edge_cases():
    text = (
        "Skip to content\n\nResults:\n\n1 - 4 of 4\n\nDocuments\n\n"
        "October 5, 1958\n\nMeeting Minutes, Zhou Enlai’s Conversation with S.F. Antonov\n\nThey talk.\n\n"
        "1966\n\nA Year-Only Document\n\n"
        "\n\nAn Undated Document\n\nWith a summary.\n\n"
        "February 1950\n\nA Month-Only Document\n\nSummary.\n\nA note on authenticity.\n\nPagination\n"
    )
    listing, records = parse_text(text)
    assert [(r.title, r.date.precision, r.summary, r.notes) for r in records] == [
        ("Meeting Minutes, Zhou Enlai’s Conversation with S.F. Antonov", "day", "They talk.", ()),
        ("A Year-Only Document", "year", "", ()),
        ("An Undated Document", "none", "With a summary.", ()),
        ("A Month-Only Document", "month", "Summary.", ("A note on authenticity.",)),
    ]
    assert listing.expected == 4 and not listing.truncated


def test_cut_date_line_at_the_end_is_not_a_note():
    text = "Documents\n\nMay 6, 1946\n\nA Title\n\nA summary.\n\nDecember 2, 1"
    listing, records = parse_text(text)
    assert listing.truncated
    assert records[-1].notes == () and records[-1].summary == "A summary."


def test_dash_and_bullet_layouts():
    dash = "SEARCH RESULTS FOR “zedong”\n-\nJuly 14, 1968\nA Title\nIts summary.\n-\n\nUndated Title\nSummary two.\n-\n"
    listing, records = parse_text(dash + "Pagination\n")
    assert listing.layout == "dash"
    assert [(r.title, r.date.iso(), r.summary) for r in records] == [
        ("A Title", "1968-07-14", "Its summary."), ("Undated Title", None, "Summary two.")]
    bullet = "Search in\n\nSEARCH RESULTS\n\n  • 1971\n\n    A Title\n\n    A summary.\n\n  •\n\n    Undated\n\n"
    listing, records = parse_text(bullet + "Pagination\n")
    assert listing.layout == "bullet"
    assert [(r.title, r.date.precision) for r in records] == [("A Title", "year"), ("Undated", "none")]


def test_an_endless_line_is_refused_early():
    listing = TextListing(iter(["x" * (2 << 20)]))
    with pytest.raises(PageError, match="MB long"):
        list(listing.records())


@pytest.mark.parametrize("page", [
    "SEARCH RESULTS\n-\nFebruary 30, 1958\nCable from Zhou Enlai\nOn the talks.\n-\n"
    "March 3, 1958\nCable from Mao Zedong\nOn the reply.\nPagination\n",
    "Documents\n\nMarch 1, 1958\n\nCable from Mao Zedong\n\nOn the reply.\n\nFebruary 30, 1958\n\n"
    "Cable from Zhou Enlai\n\nOn the talks.\n\nPagination\n",
    "SEARCH RESULTS\n  \u2022 February 30, 1958\n\n    Cable from Zhou Enlai\n\n    On the talks.\n\n"
    "  \u2022 March 3, 1958\n\n    Cable from Mao Zedong\n\n    On the reply.\nPagination\n",
], ids=["dash", "blank-line", "bullet"])
def test_an_impossible_day_is_a_date_line_kept_at_month_precision_and_flagged(page):
    _, records = parse_text(page)
    by_title = {r.title: r for r in records}
    assert set(by_title) == {"Cable from Zhou Enlai", "Cable from Mao Zedong"}
    zhou = by_title["Cable from Zhou Enlai"]
    assert (zhou.date_text, zhou.date.iso(), zhou.summary) == ("February 30, 1958", "1958-02", "On the talks.")
    assert zhou.day_impossible
    assert not by_title["Cable from Mao Zedong"].day_impossible


# -- text in pieces cut anywhere (a reader's fixed-size reads) ----------------------------------------------


def _parsed(pieces) -> tuple[str, bool, int, int | None, list]:
    listing = TextListing(pieces)
    records = list(listing.records())
    return listing.layout, listing.truncated, listing.dropped, listing.expected, records


def _cuts(text: str, size: int) -> list[str]:
    return [text[k:k + size] for k in range(0, len(text), size)]


_AWKWARD = (
    # a byte-order mark, CRLF, a blank line of spaces and tabs
    "\ufeffSkip to content\r\n\r\n \t\r\n1 - 4 of 4\n\n\nDocuments\n\n"
    "March 14, 1948\n  \nStenographic Record of a Speech\nby Comrade J. V. Stalin  \n\n"  # two lines, one title
    "A purported speech by Stalin.\n\u2003\nA note\x00 after it.\n\n\n\n"
    "Untitled because undated\n\nIts summary.\n\n"  # after two blank lines: undated
    "February 30, 1958\n\nCable, Mao Zedong to Filippov [Stalin]\n\nMao asks"  # cut off inside the summary
)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 64, 1000])
def test_pieces_cut_anywhere_parse_as_lines_do(size):
    """The paragraphs a blank line ends, and the blank lines counted before them, do not depend on where the
    text was cut: a paragraph or a run of blank lines may go on in the next piece."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))] + [_AWKWARD]
    for text in texts:
        by_lines = _parsed(text.replace("\r\n", "\n").splitlines(keepends=True))
        assert by_lines[4], "each text holds records"
        assert _parsed(_cuts(text, size)) == by_lines
        assert _parsed([text]) == by_lines


def test_awkward_text_reads_as_a_reader_sees_it():
    _, truncated, _, expected, records = _parsed(_cuts(_AWKWARD, 7))
    assert (truncated, expected) == (True, 4)
    assert [(r.date.iso(), r.title, r.summary, r.notes) for r in records] == [
        ("1948-03-14", "Stenographic Record of a Speech by Comrade J. V. Stalin", "A purported speech by Stalin.",
         ("A note after it.",)),
        (None, "Untitled because undated", "Its summary.", ()),
        ("1958-02", "Cable, Mao Zedong to Filippov [Stalin]", "Mao asks", ()),
    ]
    assert records[2].summary_partial and records[2].day_impossible


def test_real_pages_in_pieces_parse_as_lines_do(realpages):
    for path in sorted(realpages.glob("*/*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        by_lines = _parsed(text.splitlines(keepends=True))
        for size in (17, 4096):
            assert _parsed(_cuts(text, size)) == by_lines, f"{path.name} in pieces of {size}"


def test_a_page_read_in_small_pieces_gives_the_same_records(tmp_path, monkeypatch):
    from retrieval import parse
    from testing.listing_gen import write_listing

    page = write_listing(tmp_path / "listing.txt", 300)
    whole = list(parse.open_page(page).records())
    monkeypatch.setattr(parse, "READ_CHARS", 11)
    assert list(parse.open_page(page).records()) == whole
    assert len(whole) == 300


@pytest.mark.parametrize("size", [100, 70_000, 3 << 20])
def test_an_overlong_line_is_named_by_its_number_however_it_arrives(size):
    text = "Documents\n\nMarch 14, 1948\n\n" + "Mao " * (MAX_LINE // 4 + 1) + "\n\nmore\n"
    with pytest.raises(PageError, match=r"^line 5 is over 1 MB long: not a listing$"):
        _parsed(_cuts(text, size))


@pytest.mark.parametrize("size", [4096, 3 << 20])
def test_a_line_is_refused_from_one_million_characters_on(size):
    """A line of MAX_LINE - 1 characters is read (as the line reader did: with its line end it fits)."""
    def page(length: int) -> str:
        return "SEARCH RESULTS\n-\nMarch 14, 1948\nA title\n" + "x" * length + "\n-\n"
    *_, records = _parsed(_cuts(page(MAX_LINE - 1), size))
    assert len(records) == 1 and records[0].fields_cut and records[0].summary.startswith("xxx")
    with pytest.raises(PageError, match=r"^line 5 is over 1 MB long"):
        _parsed(_cuts(page(MAX_LINE), size))


@pytest.mark.parametrize("size", [64, 65_536])
def test_a_paragraph_of_many_short_lines_over_the_limit_is_refused(size):
    lines = "A line of a paragraph that never ends with a blank line.\n" * (MAX_PARAGRAPH // 50)
    with pytest.raises(PageError, match="a paragraph of over 64 KB"):
        _parsed(_cuts(f"Documents\n\nMarch 14, 1948\n\nA title\n\n{lines}\nPagination\n", size))
    short = lines[:MAX_PARAGRAPH - 2000]
    *_, records = _parsed(_cuts(f"Documents\n\nMarch 14, 1948\n\nA title\n\n{short}\nPagination\n", size))
    assert len(records) == 1 and records[0].summary.startswith("A line of a paragraph")
