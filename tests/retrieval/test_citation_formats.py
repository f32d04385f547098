"""Citations: the archive's own form and links, and RIS, BibTeX and Chicago checked against their specifications.

The documents are built by hand from real pages in ../shared/realpages/docpages (values as INDEX.tsv and the
pages give them), so these tests need neither the page parser nor the storage of document pages.
"""
from __future__ import annotations

import re
from dataclasses import replace

import pytest

from retrieval.citation_formats import CRLF, bibtex, bibtex_key, chicago, chicago_bibliography, chicago_note, ris, tex
from retrieval.cite import URL_MAX, LinkKind, cite, document_link, linkable, reading_name, usable_url
from retrieval.dates import ArchiveDate
from retrieval.records import DocumentInfo, EntityKind, Participant, Record, Role

ARCHIVE = "https://digitalarchive.wilsoncenter.org"
NEHRU = Record(
    id=4, date=ArchiveDate(1958, 2, 6), date_text="February 6, 1958",
    title="Abstract of Conversation: Premier Zhou and Ambassador Nehru",
    summary="Zhou Enlai and Ambassador Nehru discuss Sino-Indian relations and the situation in Tibet.",
    participants=(Participant("Zhou Enlai", Role.AUTHOR), Participant("R.K. Nehru", Role.PARTICIPANT),
                  Participant("China. Ministry of Foreign Affairs", Role.AUTHOR, EntityKind.ORGANIZATION)),
    info=DocumentInfo(
        record_id="116575",
        canonical_url=f"{ARCHIVE}/document/abstract-conversation-premier-zhou-and-ambassador-nehru",
        authors=("Zhou, Enlai", "Nehru, Ratan Kumar", "China. Ministry of Foreign Affairs"),
        source="PRC FMA 110-00713-02. Translated by Anna Beth Keim.",
        original_archive="Chinese Foreign Ministry Archives (PRC FMA)", doc_type="Memorandum of Conversation",
        languages=("Chinese",), places=("China", "India"), subjects=("China--Foreign relations--India",)),
)
MITROKHIN = Record(
    id=9, date=ArchiveDate(2007, 6), date_text="June 2007", title="About an Embassy. Folder 78. The Chekist Anthology",
    summary="", info=DocumentInfo(
        record_id="112849", authors=("Mitrokhin, Vasili",), source="Contributed to CWIHP by Vasili Mitrokhin.",
        doc_type="Summary", languages=("Russian",),
        scan_url="/sites/default/files/shared-media/imported_document_transcript/Volume%2078-%20About%20an%20Embassy.pdf"),
)
LISTED = Record(id=12, date=ArchiveDate(1949, 1, 14), date_text="January 14, 1949",
                title="Cable, Filippov [Stalin] to Cde. Mao Zedong", summary="",
                participants=(Participant("Joseph Stalin", Role.AUTHOR), Participant("Mao Zedong", Role.RECIPIENT)))
HOSTILE = "Cable {on} 100% & more_of #it $5 \\emph{x} ~^\nsecond line}"


# -- the archive's own form and its links ------------------------------------------------------------------

def test_the_citation_is_the_archives_own_with_the_record_id_link():
    citation = cite(NEHRU)
    assert citation.text == (
        '"Abstract of Conversation: Premier Zhou and Ambassador Nehru", February 6, 1958, Wilson Center Digital '
        "Archive, PRC FMA 110-00713-02. Translated by Anna Beth Keim. https://digitalarchive.wilsoncenter.org/"
        "document/116575")  # character for character as the page's own citation block
    assert citation.link is LinkKind.DOCUMENT and not citation.link_is_search


def test_without_a_record_id_the_canonical_page_then_the_listing_link_then_a_search():
    no_id = replace(NEHRU, info=replace(NEHRU.info, record_id=None))
    assert document_link(no_id) == (NEHRU.info.canonical_url, LinkKind.PAGE)
    listed = replace(LISTED, url=f"{ARCHIVE}/document/116969")
    assert document_link(listed) == (f"{ARCHIVE}/document/116969", LinkKind.PAGE)
    elsewhere = replace(LISTED, url="https://example.org/about")  # not a document's page: no real link
    url, kind = document_link(elsewhere)
    assert kind is LinkKind.SEARCH and url.startswith(f"{ARCHIVE}/search?search_api_fulltext=Cable")
    assert cite(LISTED).link_is_search


@pytest.mark.parametrize("record_id", ["11657 5", "<@123>", "1" * 13, ""])
def test_a_record_id_that_is_no_number_never_makes_a_link(record_id):
    record = replace(LISTED, info=DocumentInfo(record_id=record_id))
    assert document_link(record)[1] is LinkKind.SEARCH


def test_links_are_made_absolute_and_markup_characters_percent_encoded():
    assert linkable("/sites/a (copy).pdf") == f"{ARCHIVE}/sites/a%20%28copy%29.pdf"
    assert linkable("javascript:alert(1)") is None and linkable("ftp://x.example/f") is None
    assert linkable("https://x.example/" + "a" * URL_MAX) is None
    citation = cite(MITROKHIN)
    assert citation.scan_url == (f"{ARCHIVE}/sites/default/files/shared-media/imported_document_transcript/"
                                 "Volume%2078-%20About%20an%20Embassy.pdf")
    assert usable_url(citation.scan_url)


def test_a_source_without_a_full_stop_gets_one_before_the_link():
    record = replace(NEHRU, info=replace(NEHRU.info, source="PRC FMA 109-01354-04, 59. Translated by 7Brands"))
    assert cite(record).text.endswith("Translated by 7Brands. https://digitalarchive.wilsoncenter.org/document/116575")
    assert cite(LISTED).lead == '"Cable, Filippov [Stalin] to Cde. Mao Zedong", January 14, 1949, Wilson Center ' \
                                "Digital Archive."


def test_authors_come_from_the_page_else_from_the_author_roles():
    assert cite(NEHRU).authors == NEHRU.info.authors
    assert cite(NEHRU).author_names == ("Zhou Enlai", "Ratan Kumar Nehru", "China. Ministry of Foreign Affairs")
    assert cite(LISTED).authors == ("Joseph Stalin",)  # the recipient is no author
    assert reading_name("Pak, Song-chol (Pak Seong-cheol)") == "Song-chol Pak (Pak Seong-cheol)"
    assert reading_name("Kim, Il Sung", ("Kim Il Sung",)) == "Kim Il Sung"


# -- RIS -----------------------------------------------------------------------------------------------------

RIS_LINE = re.compile(r"([A-Z][A-Z0-9])  - (.*)")


def parse_ris(text: str) -> list[tuple[str, str]]:
    """The RIS specification's record: CRLF lines `TAG  - value`, TY first, ER (empty) last."""
    assert text.endswith(CRLF) and "\n" not in text.replace(CRLF, "") and "\r" not in text.replace(CRLF, "")
    tags = []
    for line in text.split(CRLF)[:-1]:
        match = RIS_LINE.fullmatch(line)
        assert match, repr(line)
        tags.append((match.group(1), match.group(2)))
    assert tags[0][0] == "TY" and tags[-1] == ("ER", "") and [t for t, _ in tags].count("ER") == 1
    return tags


def test_ris_parses_back_tag_by_tag():
    tags = parse_ris(ris(cite(NEHRU)))
    by = {}
    for tag, value in tags:
        by.setdefault(tag, []).append(value)
    assert by["TY"] == ["MANSCPT"] and by["TI"] == [NEHRU.title]
    assert by["AU"] == ["Zhou, Enlai", "Nehru, Ratan Kumar", "China. Ministry of Foreign Affairs"]
    assert by["DA"] == ["1958/02/06/"] and by["PY"] == ["1958"]
    assert by["PB"] == ["Wilson Center Digital Archive"] and by["UR"] == [f"{ARCHIVE}/document/116575"]
    assert by["AB"] == [NEHRU.summary] and by["M3"] == ["Memorandum of Conversation"] and by["LA"] == ["Chinese"]
    assert by["DB"] == ["Chinese Foreign Ministry Archives (PRC FMA)"]


def test_ris_dates_at_their_precision_and_no_search_link():
    month = dict(parse_ris(ris(cite(MITROKHIN))))
    assert month["DA"] == "2007/06//" and month["PY"] == "2007" and month["L1"].endswith("Embassy.pdf")
    undated = dict(parse_ris(ris(cite(replace(LISTED, date=ArchiveDate())))))
    assert "DA" not in undated and "PY" not in undated
    assert "UR" not in undated  # a search is no address of the document


def test_ris_keeps_a_title_with_line_breaks_on_one_line():
    tags = parse_ris(ris(cite(replace(NEHRU, title=HOSTILE, summary="one\r\ntwo\rthree\n\nfour"))))
    values = dict(tags)
    assert values["TI"] == " ".join(HOSTILE.split()) and values["AB"] == "one two three four"


# -- BibTeX --------------------------------------------------------------------------------------------------

def braces_balance(text: str) -> bool:
    """As BibTeX counts: every brace, a backslash before it or not."""
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def bib_fields(entry: str) -> dict[str, str]:
    """The fields of one entry, read the way BibTeX reads them: name = {balanced braces} or a macro."""
    head = re.match(r"@misc\{([^,\s]+),\n", entry)
    assert head, entry
    fields, at = {"key": head.group(1)}, head.end()
    while not entry.startswith("\n}\n", at):
        name = re.compile(r"\s*(\w+) = ").match(entry, at)
        assert name, entry[at:]
        at = name.end()
        if entry[at] == "{":
            depth, start = 0, at
            while True:
                depth += {"{": 1, "}": -1}.get(entry[at], 0)
                at += 1
                if depth == 0:
                    break
            fields[name.group(1)] = entry[start + 1:at - 1]
        else:
            macro = re.compile(r"\w+").match(entry, at)
            assert macro
            fields[name.group(1)], at = macro.group(0), macro.end()
        at += 1 if entry[at] == "," else 0
    assert at == len(entry) - 3
    return fields


def test_bibtex_escapes_every_special_character_and_its_braces_balance():
    entry = bibtex(cite(replace(NEHRU, title=HOSTILE, summary=HOSTILE)))
    assert braces_balance(entry)
    fields = bib_fields(entry)
    title = fields["title"]
    assert title.startswith("{") and title.endswith("}") and "\n" not in title
    assert re.search(r"(?<!\\)[%&_#$~^]", title.replace("\\textasciitilde{}", "").replace(
        "\\textasciicircum{}", "")) is None  # each of % & _ # $ escaped
    assert "\\textbraceleft{}on\\textbraceright{}" in title and "\\textbackslash{}emph" in title
    assert "100\\% \\& more\\_of \\#it \\$5" in title and "~" not in title.replace("asciitilde", "")
    assert braces_balance(tex("}{"))


def test_bibtex_entry_fields_and_a_stable_key():
    fields = bib_fields(bibtex(cite(NEHRU)))
    assert fields["key"] == "wcda116575"
    assert fields["author"] == "Zhou, Enlai and Nehru, Ratan Kumar and {China. Ministry of Foreign Affairs}"
    assert (fields["date"], fields["year"], fields["month"]) == ("1958-02-06", "1958", "feb")
    assert fields["url"] == f"{ARCHIVE}/document/116575"
    assert fields["howpublished"] == "Wilson Center Digital Archive"
    again = cite(replace(LISTED, id=999))  # another archive's number, the same document
    assert bibtex_key(cite(LISTED)) == bibtex_key(again) and re.fullmatch(r"wcda1949-[0-9a-f]{8}", bibtex_key(again))
    listed = bib_fields(bibtex(cite(LISTED)))
    assert listed["author"] == "{Joseph Stalin}" and "url" not in listed  # no search link as the URL


def test_bibtex_never_splits_a_name_holding_and():
    record = replace(NEHRU, info=replace(NEHRU.info, authors=("Smith and Sons, Ltd.", "Archives and Records")))
    assert bib_fields(bibtex(cite(record)))["author"] == "Smith {and} Sons, Ltd. and {Archives and Records}"


# -- Chicago -------------------------------------------------------------------------------------------------

def test_chicago_note_and_bibliography_for_an_archival_document():
    citation = cite(NEHRU)
    assert chicago_note(citation) == (
        "Zhou Enlai, Ratan Kumar Nehru, and China. Ministry of Foreign Affairs, \u201cAbstract of Conversation: "
        "Premier Zhou and Ambassador Nehru,\u201d February 6, 1958, PRC FMA 110-00713-02. Translated by Anna Beth "
        "Keim, Chinese Foreign Ministry Archives (PRC FMA), Wilson Center Digital Archive, "
        "https://digitalarchive.wilsoncenter.org/document/116575.")
    assert chicago_bibliography(citation).startswith(
        "Zhou, Enlai, Ratan Kumar Nehru, and China. Ministry of Foreign Affairs. \u201cAbstract of Conversation: "
        "Premier Zhou and Ambassador Nehru.\u201d February 6, 1958. PRC FMA")
    assert chicago(citation).splitlines()[0].startswith("Note: Zhou Enlai")


def test_chicago_without_authors_or_link():
    assert chicago_note(cite(LISTED)) == ("Joseph Stalin, \u201cCable, Filippov [Stalin] to Cde. Mao Zedong,\u201d "
                                          "January 14, 1949, Wilson Center Digital Archive.")
    question = replace(LISTED, title="Who Lost China?", participants=())
    assert chicago_note(cite(question)).startswith("\u201cWho Lost China?\u201d January 14, 1949")
    four = replace(NEHRU, info=replace(NEHRU.info, authors=("A, B", "C, D", "E, F", "G, H")))
    assert chicago_note(cite(four)).startswith("B A et al., \u201c")
