"""Document pages of the archive's current site: every real page in ../shared/realpages/docpages against its
INDEX.tsv, related rows and the search listing, cut and hostile pages, mirrors, one record per document,
the migration and export."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from retrieval.dates import Precision
from retrieval.export import export
from retrieval.ingest import Ingester, expand_paths
from retrieval.parse import open_page
from retrieval.parse.docpage import PageKind, read_site_page
from retrieval.records import PageError, Record, RepairKind, Role
from retrieval.serialize import record_to_dict
from retrieval.store import SCHEMA_VERSION, SqliteArchiveStore

from ..conftest import FIXTURES, PEOPLE, REALPAGES

DOCPAGES = REALPAGES / "docpages"
pytestmark = pytest.mark.skipif(not (DOCPAGES / "INDEX.tsv").is_file(),
                                reason="../shared/realpages/docpages is not beside this checkout")
SITE = "https://digitalarchive.wilsoncenter.org"
FILIPPOV = "cable-filippov-stalin-cde-mao-zedong"
FILIPPOV_TITLE = "Cable, Filippov [Stalin] to Cde. Mao Zedong"


def index() -> list[dict[str, str]]:
    with (DOCPAGES / "INDEX.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def page_text(name: str) -> str:
    return (DOCPAGES / name).read_text(encoding="utf-8")


def expected_precision(written: str) -> Precision:
    """From INDEX.tsv's date as written, on its own: 'June 2, 1967', 'June 2007', '1962'."""
    if re.fullmatch(r"\d{4}", written):
        return Precision.YEAR
    if re.fullmatch(r"[A-Z][a-z]+ \d{4}", written):
        return Precision.MONTH
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", written), written
    return Precision.DAY


async def ingest(db: Path, *paths: Path):
    async with await SqliteArchiveStore.open(db) as store:
        report = await Ingester(store, PEOPLE).ingest(list(paths))
        return report, await store.all_records()


def by_record_id(records: list[Record]) -> dict[str, Record]:
    return {r.info.record_id: r for r in records if r.info is not None and r.info.record_id}


def row_html(slug: str, date: str, title: str, summary: str) -> str:
    """One row in the site's own markup (as on the real pages' Related Documents and the search listing)."""
    return (f'<tr><td class="date"><p>{date}</p></td><td data-history-node-id="1" class="document contextual-region">'
            f'<a href="/document/{slug}"><h3 class="sub-title"><span>{title}</span></h3><div class="text"><p></p>'
            f'<p><span>{summary}</span></p><p></p></div></a></td></tr>')


def listing_html(*rows: str) -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<link rel="canonical" href="{SITE}/search"><title>Search | Wilson Center Digital Archive</title>'
            '<style>body{color:red}</style></head><body><main><div class="documents"><div class="card">'
            f'<table class="table"><tbody>{"".join(rows)}</tbody></table></div></div></main></body></html>')


# -- every real page ---------------------------------------------------------------------------------------
async def test_every_real_page_ingests_with_its_record_id_date_authors_and_source(tmp_path):
    report, records = await ingest(tmp_path / "a.db", DOCPAGES)
    assert not report.failed and len(report.files) == len(index())
    found = by_record_id(records)
    for entry in index():
        record = found[entry["record_id"]]
        info = record.info
        assert info is not None
        assert record.title == entry["title"]
        assert record.date_text == entry["date"]
        assert record.date.precision is expected_precision(entry["date"]), entry["file"]
        assert record.url == info.canonical_url == f"{SITE}/document/{entry['slug']}"
        assert info.authors == (tuple(entry["authors"].split("; ")) if entry["authors"] else ())
        assert (len(info.places), len(info.subjects)) == (int(entry["n_places"]), int(entry["n_subjects"]))
        assert bool(record.summary) == (entry["has_summary"] == "yes")
        # the source as the page's own citation block quotes it
        citation = re.search(r'id="citation-text"[^>]*>(.*?)<div', page_text(entry["file"]), re.DOTALL)
        assert citation and info.source and " ".join(info.source.split()) in " ".join(citation.group(1).split())
        authors = [p for p in record.participants if p.role is Role.AUTHOR]
        assert len(authors) >= len(info.authors), entry["file"]
        assert info.rights and info.uploaded and info.languages and not info.text_partial


async def test_page_authors_are_participants_resolved_through_the_people_file_or_kept(tmp_path):
    _, records = await ingest(tmp_path / "a.db", DOCPAGES)
    found = by_record_id(records)

    def authors(record_id: str) -> list[tuple[str, str]]:
        return [(p.name, p.kind) for p in found[record_id].participants if p.role is Role.AUTHOR]

    assert authors("113365") == [("Mao Zedong", "person"), ("Ivan Kovalev", "person")]  # not in the title's grammar
    assert ("Joseph Stalin", Role.RECIPIENT) in [(p.name, p.role) for p in found["113365"].participants]
    assert authors("116575") == [("Zhou Enlai", "person"), ("Ratan Kumar Nehru", "person"),
                                 ("China. Ministry of Foreign Affairs", "organization")]
    assert authors("119432") == [("Nikita Khrushchev", "person"), ("Wyderkowski", "person")]
    assert ("Song-chol Pak", "person") in authors("116659")  # unknown to the people file: "First Last"


async def test_document_information_text_and_scan(tmp_path):
    page = read_site_page(page_text("american-embassy-rome-telegram-1327-secretary-state-washington-dc.html"))
    assert page is not None and page.kind is PageKind.DOCUMENT and not page.metadata_cut
    info = page.records[0].info
    assert info is not None
    assert (info.record_id, info.doc_type, info.classification, info.languages) == ("300384", "Telegram", "Secret",
                                                                                  ("English",))
    assert info.donors == ("Carnegie Corporation of New York (CCNY)",)
    assert info.original_archive == "National Archives and Records Administration (NARA)"
    assert info.associated == ("Andreotti, Giulio", "Fanfani, Amintore", "Finletter, Thomas K. (Thomas Knight)")
    assert info.scan_url and info.scan_url.startswith(f"{SITE}/sites/default/files/") and info.scan_url.endswith(".pdf")
    assert "HAPP@wilsoncenter.org" in info.rights and info.uploaded == "2023-02-15"
    text = read_site_page(page_text("abstract-conversation-premier-zhou-and-ambassador-nehru.html"))
    assert text is not None and text.records[0].info is not None
    assert text.records[0].info.text.startswith("Abstract of Conversation: Premier Zhou and Ambassador Nehru\n\n"
                                                "Office of the Chargé d'Affaires in Britain")


def test_related_documents_are_records_with_their_links_and_summaries():
    page = read_site_page(page_text("cable-filippov-stalin-cde-mao-zedong.html"))
    assert page is not None
    document, *rows = page.records
    assert document.title == FILIPPOV_TITLE and len(rows) == 3
    assert rows[1].title == "Cable, Stalin to Mao Zedong, Nanjing Peace Proposal"
    assert rows[1].url == f"{SITE}/document/cable-stalin-mao-zedong-nanjing-peace-proposal"
    assert rows[1].date_text == "January 10, 1949" and rows[1].summary.startswith("Stalin informs Mao")
    assert all(row.info is None for row in rows)


# -- the search listing ------------------------------------------------------------------------------------
async def test_a_search_listing_in_the_sites_row_markup_yields_its_rows(tmp_path):
    listing = tmp_path / "search-page-0.html"
    listing.write_text(listing_html(row_html("a-b", "October 24, 1956", "Report  on\n Hungary ", "Summary one."),
                                    row_html("c-d", "1962", "Diary", "")), encoding="utf-8")
    report, records = await ingest(tmp_path / "a.db", listing)
    assert not report.failed and report.files[0].layout == PageKind.LISTING
    assert [(r.title, r.date.iso(), r.url, r.summary) for r in records] == [
        ("Report on Hungary", "1956-10-24", f"{SITE}/document/a-b", "Summary one."),
        ("Diary", "1962", f"{SITE}/document/c-d", ""),
    ]


# -- one record per document -------------------------------------------------------------------------------
def related_row_page(folder: Path) -> Path:
    """The real 'Bombard the Headquarters' page with its first related row pointing at the Filippov cable."""
    text = page_text("bombard-headquarters-my-big-character-poster.html")
    first_row = re.search(r"<tr><td class=\"date\">.*?</tr>", text, re.DOTALL)
    assert first_row
    row = row_html(FILIPPOV, "January 14, 1949", FILIPPOV_TITLE, "Stalin responds to Mao.")
    path = folder / "bombard.html"
    path.write_text(text[:first_row.start()] + row + text[first_row.end():], encoding="utf-8")
    return path


@pytest.mark.parametrize("order", ["listing, row, page", "page, row, listing", "row, page, listing"])
async def test_a_listing_a_related_row_and_the_page_are_one_record(tmp_path, order):
    listing = tmp_path / "listing.html"
    listing.write_text(listing_html(row_html(FILIPPOV, "January 14, 1949", FILIPPOV_TITLE, "A listing's summary.")),
                       encoding="utf-8")
    paths = {"listing": listing, "row": related_row_page(tmp_path), "page": DOCPAGES / f"{FILIPPOV}.html"}
    report, records = await ingest(tmp_path / "a.db", *(paths[name] for name in order.split(", ")))
    assert not report.failed
    matching = [r for r in records if r.title == FILIPPOV_TITLE]
    assert len(matching) == 1
    record = matching[0]
    assert record.info is not None and record.info.record_id == "116969" and record.info.source
    assert record.summary.startswith("Stalin responds to Mao's 11 January telegram")  # the page's, never erased
    assert record.url == f"{SITE}/document/{FILIPPOV}" and len(record.sources) == 3
    assert [p.name for p in record.participants if p.role is Role.AUTHOR] == ["Joseph Stalin"]


async def test_a_listing_linking_the_record_id_is_the_same_document_under_another_title(tmp_path):
    """The 2013 site linked /document/<Record ID>; its title may be written otherwise: the link decides."""
    old = tmp_path / "old.html"
    old.write_text(listing_html(row_html("116969", "January 14, 1949", "Filippov to Mao (cable)", "Old summary.")),
                   encoding="utf-8")
    report, records = await ingest(tmp_path / "a.db", DOCPAGES / f"{FILIPPOV}.html", old)
    assert not report.failed
    assert [r.title for r in records if "116969" in (r.info.record_id if r.info else "") or "(cable)" in r.title] \
        == [FILIPPOV_TITLE]
    assert len(next(r for r in records if r.title == FILIPPOV_TITLE).sources) == 2


async def test_two_documents_with_one_title_and_date_but_two_record_ids_stay_two(tmp_path):
    text = page_text(f"{FILIPPOV}.html")
    twin = tmp_path / "twin.html"
    twin.write_text(text.replace("116969", "999999").replace(f"/document/{FILIPPOV}\"", "/document/twin\""),
                    encoding="utf-8")
    _, records = await ingest(tmp_path / "a.db", DOCPAGES / f"{FILIPPOV}.html", twin)
    assert sorted(r.info.record_id for r in records if r.info and r.title == FILIPPOV_TITLE) == ["116969", "999999"]


# -- cut, empty and hostile pages --------------------------------------------------------------------------
def test_a_page_cut_anywhere_never_yields_a_half_title_or_a_wrong_record_id():
    text = page_text(f"{FILIPPOV}.html")
    whole = read_site_page(text)
    assert whole is not None
    title, record_id = whole.records[0].title, whole.records[0].info.record_id  # type: ignore[union-attr]
    outcomes = set()
    for cut in range(4000, len(text), 701):
        try:
            page = read_site_page(text[:cut])
        except PageError as exc:
            assert "\n" not in str(exc)
            outcomes.add("refused")
            continue
        assert page is not None and page.records[0].title == title
        info = page.records[0].info
        assert info is not None and info.record_id in (None, record_id)
        assert all(row.title and row.url for row in page.records[1:])
        if info.text_partial:
            outcomes.add("text cut")
        if page.metadata_cut:
            outcomes.add("metadata cut")
        if info.record_id is None:
            outcomes.add("no record id")
    assert outcomes >= {"refused", "text cut", "metadata cut", "no record id"}


def test_a_cut_inside_the_record_id_leaves_it_out_and_flags_the_page():
    text = page_text(f"{FILIPPOV}.html")
    at = text.index("116969", text.index("Record ID"))
    page = read_site_page(text[:at + 4])  # "1169", an existing other document's ID perhaps
    assert page is not None and page.metadata_cut and page.records[0].info is not None
    assert page.records[0].info.record_id is None and page.records[0].info.source


async def test_a_cut_page_is_flagged_in_the_ingest_report_and_filled_in_by_the_whole_one(tmp_path):
    text = page_text(f"{FILIPPOV}.html")
    cut = tmp_path / "cut.html"
    cut.write_text(text[:text.index("Document Information")], encoding="utf-8")
    report, records = await ingest(tmp_path / "a.db", cut)
    assert [r.kind for r in report.files[0].repairs] == [RepairKind.METADATA_CUT]
    assert records[0].info is not None and records[0].info.record_id is None
    _, records = await ingest(tmp_path / "a.db", DOCPAGES / f"{FILIPPOV}.html", cut)  # whole, then cut again
    document = next(r for r in records if r.title == FILIPPOV_TITLE)
    assert document.info is not None and document.info.record_id == "116969" and document.info.source


def test_an_empty_date_is_undated():
    text = page_text(f"{FILIPPOV}.html").replace('<h2 class="date">January 14, 1949</h2>', '<h2 class="date"> </h2>')
    page = read_site_page(text)
    assert page is not None and page.records[0].date.precision is Precision.NONE and page.records[0].date_text == ""


@pytest.mark.parametrize(("content", "reason"), [
    ('<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><div id="challenge-form">'
     '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1"></script></div></body></html>',
     "not a document page of the archive: an anti-bot challenge page"),
    ("<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body><h1>503</h1></body></html>",
     "not a document page of the archive: an error page (title: 503 Service Unavailable)"),
    (listing_html(), "a search listing of the archive with no rows"),
])
async def test_a_challenge_an_error_page_or_an_empty_listing_is_one_clear_line(tmp_path, content, reason):
    page = tmp_path / "cable-filippov-stalin-cde-mao-zedong"
    page.write_text(content, encoding="utf-8")
    report, records = await ingest(tmp_path / "a.db", page)
    assert report.failed and records == []
    error = report.files[0].error
    assert error and error.startswith(reason) and "\n" not in error


def test_the_inline_styles_of_a_700_kb_page_are_not_parsed():
    text = page_text(f"{FILIPPOV}.html")
    big = text.replace("</head>", "<style>" + ".a{color:red}\n" * 50_000 + "</style></head>", 1)
    assert len(big) > 700_000
    page = read_site_page(big)
    assert page is not None and page.records[0].title == FILIPPOV_TITLE


# -- mirrors -----------------------------------------------------------------------------------------------
def test_a_mirror_folder_gives_its_pages_and_nothing_else(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / FILIPPOV).mkdir(parents=True)
    shutil.copyfile(DOCPAGES / f"{FILIPPOV}.html", mirror / FILIPPOV / "index.html")
    shutil.copyfile(DOCPAGES / "bombard-headquarters-my-big-character-poster.html",
                    mirror / "bombard-headquarters-my-big-character-poster")
    for name, content in [("README", "# A mirror\n"), ("LICENSE", "MIT"), ("Makefile", "all:\n"),
                          ("notes-on-mirror", "plain text, not a page\n"), ("robots.txt.gz", "\x1f\x8b")]:
        (mirror / name).write_text(content, encoding="utf-8")
    (mirror / "scan-1949").write_bytes(b"%PDF-1.4\n")
    found, failures = expand_paths([mirror])
    assert not failures
    assert [p.relative_to(mirror).as_posix() for p in found] == [
        "bombard-headquarters-my-big-character-poster", f"{FILIPPOV}/index.html"]
    assert open_page(found[0]).kind == "html"


# -- storage and export ------------------------------------------------------------------------------------
async def test_an_archive_made_before_document_pages_is_carried_forward(tmp_path):
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript((FIXTURES / "archive_schema4.sql").read_text(encoding="utf-8"))
        conn.execute("PRAGMA user_version = 4")
        before = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    report, records = await ingest(db, DOCPAGES / f"{FILIPPOV}.html")
    assert not report.failed
    async with await SqliteArchiveStore.open(db) as store:
        assert await store.schema_version() == SCHEMA_VERSION == 11
    old = [r for r in records if r.info is None]
    assert len(old) >= before and all(r.title for r in old)
    assert by_record_id(records)["116969"].info.authors == ("Stalin, Joseph",)  # type: ignore[union-attr]


async def test_export_and_json_carry_the_pages_fields(tmp_path):
    db = tmp_path / "a.db"
    _, records = await ingest(db, DOCPAGES / "american-embassy-rome-telegram-1327-secretary-state-washington-dc.html",
                              FIXTURES / "html" / "search_results_list.html")
    out = io.StringIO()
    async with await SqliteArchiveStore.open(db) as store:
        await export(store, out, "jsonl")
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    page = next(row for row in rows if row["record_id"] == "300384")
    assert page["doc_type"] == "Telegram" and page["classification"] == "Secret"
    assert page["authors"] == ["Reinhardt, G. Frederick (George Frederick)", "United States. Embassy (Italy)"]
    assert page["canonical_url"].endswith("/document/american-embassy-rome-telegram-1327-secretary-state-washington-dc")
    listing_row = next(row for row in rows if row["record_id"] is None)
    assert listing_row["authors"] == [] and listing_row["source"] == "" and listing_row["scan_url"] is None
    out = io.StringIO(newline="")
    async with await SqliteArchiveStore.open(db) as store:
        await export(store, out, "csv")
    table = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    row = next(r for r in table if r["record_id"] == "300384")
    assert row["languages"] == "English" and row["places"] == "United States; Italy; Turkey"
    assert row["text_partial"] == "False"
    shown = record_to_dict(next(r for r in records if r.info and r.info.record_id == "300384"))
    assert shown["donors"] == ["Carnegie Corporation of New York (CCNY)"] and shown["record_id"] == "300384"
