"""Real links and citations in every front end: /doc shows what a document's page says, the Open button opens
only a real link (a search says it is one), and the Cite button answers privately with the three forms.

The documents with a page's information are built by hand from real pages in ../shared/realpages/docpages and
written into the archive beside the seed records (`with_documents`). The bot itself is real, against the
local stand-in for Discord.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
import pytest_asyncio

from bot.commands import Card, Commands, Reply, ReplyKind
from bot.discord_ui import FIELD_VALUE_MAX, ReplyView, citation_markup, embed_for, link_buttons
from bot.text_render import render_reply
from retrieval.cite import URL_MAX, cite
from retrieval.dates import ArchiveDate
from retrieval.records import DocumentInfo, EntityKind, Participant, Record, Role
from retrieval.search import Archive
from retrieval.store import _DOCUMENT_COLUMNS as DOCUMENT_COLUMNS
from retrieval.store import SqliteArchiveStore
from retrieval.store import _document_values as document_values
from testing.fakediscord import ALICE_ID, BOB_ID, FakeDiscord

from ..conftest import open_seeded_archive
from .conftest import BOT_TEST_TIMEOUT, EPHEMERAL, answer, embed_text, running_bot, start_bot

ARCHIVE = "https://digitalarchive.wilsoncenter.org"
SCAN = "/sites/default/files/shared-media/imported_document_original_file/RGASPI_558_11_330_0110-0117.pdf"
TEXT = ("To Comrade Mao Zedong. We have received your telegram about the Nanjing government's proposal. " * 40)
FILIPPOV = Record(  # values from cable-filippov-stalin-cde-mao-zedong.html
    id=9001, date=ArchiveDate(1949, 1, 14), date_text="January 14, 1949",
    title="Cable, Filippov [Stalin] to Cde. Mao Zedong",
    summary="Stalin advises Mao on how to answer the Nanjing government's proposal to end the civil war.",
    participants=(Participant("Joseph Stalin", Role.AUTHOR), Participant("Mao Zedong", Role.RECIPIENT)),
    info=DocumentInfo(
        record_id="116969", canonical_url=f"{ARCHIVE}/document/cable-filippov-stalin-cde-mao-zedong",
        authors=("Stalin, Joseph",), places=("China", "Soviet Union"),
        topics=("Sino-Soviet Relations", "Chinese Civil War, 1946-1950"),
        subjects=("Chinese Nationalist Party (Guomindang)", "China--History--Civil War, 1945-1949",
                  "China--Politics and government--1945-1949"),
        source="APRF, f. 45, op. 1, d. 330, pp. 110-113, and RGASPI, f. 558, op. 11, d. 330, ll. 0110-0113. "
               "Contributed by Sergey Radchenko.",
        original_archive="Archive of the President of the Russian Federation (APRF)", languages=("Russian",),
        doc_type="Cable", text=TEXT, scan_url=SCAN),
)
NEHRU = Record(  # values from abstract-conversation-premier-zhou-and-ambassador-nehru.html: no Record ID known
    id=9002, date=ArchiveDate(1958, 2, 6), date_text="February 6, 1958",
    title="Abstract of Conversation: Premier Zhou and Ambassador Nehru", summary="Zhou Enlai and R.K. Nehru talk.",
    participants=(Participant("Zhou Enlai", Role.AUTHOR),
                  Participant("China. Ministry of Foreign Affairs", Role.AUTHOR, EntityKind.ORGANIZATION)),
    info=DocumentInfo(canonical_url=f"{ARCHIVE}/document/abstract-conversation-premier-zhou-and-ambassador-nehru",
                      authors=("Zhou, Enlai", "Nehru, Ratan Kumar", "China. Ministry of Foreign Affairs"),
                      source="PRC FMA 110-00713-02. Translated by Anna Beth Keim.", languages=("Chinese",)),
)


async def with_documents(archive: Archive, *records: Record) -> None:
    """`records` written into the archive's store as storage writes them (replacing any of the same ids), and
    the snapshot refreshed."""
    store = archive.store
    async with store.transaction():
        await forget(store, *records)
        for r in records:
            await store.conn.execute(
                "INSERT INTO records (id, record_key, base_key, date_iso, date_text, precision, year, month, day, "
                "title, summary, notes, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "'then', 'then')", (r.id, f"test|{r.id}", f"test|{r.id}", r.date.iso(), r.date_text,
                                    r.date.precision, r.date.year, r.date.month, r.date.day, r.title, r.summary,
                                    json.dumps(list(r.notes)), r.url))
            await store.conn.executemany(
                "INSERT INTO participants (record_id, position, name, role, kind) VALUES (?, ?, ?, ?, ?)",
                [(r.id, at, p.name, p.role, p.kind) for at, p in enumerate((*r.participants, *r.mentioned))])
            if r.info is not None:
                await store.conn.execute(
                    f"INSERT INTO documents (record_id, {', '.join(DOCUMENT_COLUMNS)}) "
                    f"VALUES (?{', ?' * len(DOCUMENT_COLUMNS)})", (r.id, *document_values(r.info)))
    await archive.refresh()


async def forget(store: SqliteArchiveStore, *records: Record) -> None:
    """`records` deleted from the store (inside a transaction the caller holds)."""
    await store.conn.executemany("DELETE FROM records WHERE id = ?", [(r.id,) for r in records])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def archive(seeded_db, tmp_path_factory) -> Iterator[Archive]:
    opened = await open_seeded_archive(seeded_db, tmp_path_factory.mktemp("cite"))
    await with_documents(opened, FILIPPOV, NEHRU)
    yield opened
    await opened.close()


def _labels(view: ReplyView) -> list[str]:
    return [item.to_component_dict()["label"] for item in view.children]


# -- the command layer and the renderers -------------------------------------------------------------------

@pytest.mark.asyncio(loop_scope="module")
async def test_doc_shows_what_the_page_says_with_an_excerpt_and_links(archive):
    reply = await Commands(archive).doc("9001")
    embed = embed_for(reply).to_dict()
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Author"] == "Joseph Stalin" and fields["Type"] == "Cable" and fields["Language"] == "Russian"
    assert fields["Source"].startswith("APRF, f. 45") and fields["Original archive"].startswith("Archive of the Pres")
    assert fields["Places"] == "China, Soviet Union" and "Guomindang" in fields["Subjects"]
    heading = next(name for name in fields if name.startswith("Text"))
    assert heading.startswith("Text (excerpt: ") and f"of {len(' '.join(TEXT.split())):,} characters" in heading
    assert fields[heading].endswith("…") and len(fields[heading]) < 700
    assert f"({ARCHIVE}/document/116969)" in fields["Links"] and f"({ARCHIVE}{SCAN})" in fields["Links"]
    assert fields["Cite as"].endswith(f"Contributed by Sergey Radchenko. {ARCHIVE}/document/116969")
    assert embed["url"] == f"{ARCHIVE}/document/116969"

    text = render_reply(reply)
    for line in ("Author: Joseph Stalin", "Type: Cable", "Language: Russian", "Places: China, Soviet Union",
                 f"Page: {ARCHIVE}/document/116969", f"Scan: {ARCHIVE}{SCAN}",
                 "Original archive: Archive of the President of the Russian Federation (APRF)"):
        assert line in text.splitlines(), line
    assert "Text (excerpt: " in text and "Subjects: Chinese Nationalist Party (Guomindang);" in text


@pytest.mark.asyncio(loop_scope="module")
async def test_buttons_open_a_real_link_and_say_search_for_a_search(archive):
    layer = Commands(archive)
    real = ReplyView(await layer.doc("9001"), author_id=1)
    assert _labels(real) == ["Open #9001", "Scan", "Cite", "More like this"]
    assert real.children[0].url == f"{ARCHIVE}/document/116969"
    page = ReplyView(await layer.doc("9002"), author_id=1)
    assert _labels(page) == ["Open #9002", "Cite", "More like this"]
    assert page.children[0].url == NEHRU.info.canonical_url
    listed = ReplyView(await layer.doc("3"), author_id=1)  # a seed listing gave no link
    assert _labels(listed) == ["Search the archive", "Cite", "More like this"]
    results = await layer.search("Filippov Mao Nanjing")
    labels = [b.label for b in link_buttons(results.pages[0], 1)]
    assert labels and not any(label.startswith("Open") for label, card in zip(labels, results.pages[0], strict=False)
                              if card.citation.link_is_search)
    assert any(label.endswith("Open #9001") for label in labels)


@pytest.mark.asyncio(loop_scope="module")
async def test_the_cite_reply_has_the_three_forms_in_code_blocks(archive):
    reply = await Commands(archive).cite("#9001")
    assert reply.kind is ReplyKind.CITATION and reply.ephemeral
    description = embed_for(reply).to_dict()["description"]
    assert description.count("```") == 6 and "```bibtex\n@misc{wcda116969," in description
    assert "TY  - MANSCPT\nTI  - Cable, Filippov [Stalin] to Cde. Mao Zedong\nAU  - Stalin, Joseph" in description
    assert f"UR  - {ARCHIVE}/document/116969" in description and "Note: Joseph Stalin, \u201cCable" in description
    assert (await Commands(archive).cite("nope")).kind is ReplyKind.ERROR
    assert "@misc{wcda116969," in render_reply(reply) and "ER  -" in render_reply(reply)


def test_a_citation_too_long_for_discord_cuts_its_title_never_its_url():
    url = f"{ARCHIVE}/document/cable-" + "x" * 440
    assert len(url) <= URL_MAX
    record = Record(id=5, date=ArchiveDate(1950, 2), date_text="February 1950", title="Cable, Mao [Stalin] " * 100,
                    summary="s" * 5000, info=DocumentInfo(canonical_url=url, source="Source. " * 200))
    citation = cite(record)
    shown = citation_markup(citation)
    assert len(shown) <= 4096 and shown.count(url) >= 3  # text, note, bibliography, BibTeX, RIS: whole
    assert "…" in shown
    document = Reply(kind=ReplyKind.DOCUMENT, title=record.title, cards=[Card.of(record)])
    value = [f for f in embed_for(document).to_dict()["fields"] if f["name"] == "Cite as"][0]["value"]
    assert value.endswith(" " + url) and len(value) <= FIELD_VALUE_MAX


# -- through the stand-in for Discord ----------------------------------------------------------------------

async def test_the_cite_button_answers_anyone_privately_even_after_the_page_buttons_time_out(db, monkeypatch):
    monkeypatch.setattr(ReplyView, "default_timeout", 1.0)
    async with running_bot(db) as (fake, bot):
        await with_documents(bot.archive, FILIPPOV)
        _, shown = await answer(fake, "doc", {"id": "9001"})
        assert "Original archive: Archive of the President" in embed_text(shown)
        buttons = {c["label"]: c for row in shown.components for c in row["components"]}
        assert buttons["Open #9001"]["url"] == f"{ARCHIVE}/document/116969" and buttons["Open #9001"]["style"] == 5
        assert buttons["Scan"]["url"] == f"{ARCHIVE}{SCAN}" and buttons["Cite"]["custom_id"] == "cite:9001"
        await fake.wait_for(lambda r: r.method == "PATCH" and "messages/@original" in r.path, timeout=5)
        message_id = int(shown.message["id"])
        for user in (ALICE_ID, BOB_ID):  # the asker, and someone else: both get their own private copy
            pressed = await fake.send_button("cite:9001", message_id, user_id=user)
            assert_cited(await fake.wait_for_response(pressed["id"]))


async def test_a_citation_that_missed_its_interaction_still_comes_with_its_files(db):
    async with running_bot(db) as (fake, bot):
        await with_documents(bot.archive, FILIPPOV)
        _, shown = await answer(fake, "doc", {"id": "9001"})
        pressed = fake.button("cite:9001", int(shown.message["id"]), user_id=BOB_ID)
        fake.expire_interaction(int(pressed["id"]))  # too late for the interaction: the answer goes by DM
        await fake.dispatch("INTERACTION_CREATE", pressed)
        dm = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{fake.dm_channel_id(BOB_ID)}"
                                 "/messages")
        assert "@misc{wcda116969," in embed_text(dm)
        assert sorted(f.filename for f in dm.files) == ["wcda116969.bib", "wcda116969.ris"]


async def test_the_cite_button_works_on_a_message_from_before_a_restart(db):
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        for run in range(2):
            bot = await start_bot(db)
            try:
                await with_documents(bot.archive, FILIPPOV)
                async with fake.running(bot):
                    if run == 0:
                        _, shown = await answer(fake, "doc", {"id": "9001"})
                        message_id = int(shown.message["id"])
                    else:  # a new process: no view of the old message is held, the custom id is enough
                        pressed = await fake.send_button("cite:9001", message_id, user_id=BOB_ID)
                        assert_cited(await fake.wait_for_response(pressed["id"]))
            finally:
                await bot.archive.close()


def assert_cited(response) -> None:
    assert response.flags & EPHEMERAL, response.summary()
    text = embed_text(response)
    assert "@misc{wcda116969," in text and "TY  - MANSCPT" in text and f"{ARCHIVE}/document/116969" in text
    assert response.allowed_mentions == {"parse": []}
    # ... and as files a reference manager imports (Zotero, EndNote: .ris; LaTeX: .bib)
    files = {f.filename: f.data.decode() for f in response.files}
    assert set(files) == {"wcda116969.ris", "wcda116969.bib"}
    assert files["wcda116969.ris"].startswith("TY  - MANSCPT\r\n") and "ER  - " in files["wcda116969.ris"]
    assert files["wcda116969.bib"].startswith("@misc{wcda116969,")


async def test_a_listing_only_document_offers_a_search_never_open(db):
    async with running_bot(db) as (fake, bot):
        _, shown = await answer(fake, "doc", {"id": "3"})
        labels = [c.get("label") for row in shown.components for c in row["components"]]
        assert labels == ["Search the archive", "Cite", "More like this"]
        assert "url" not in shown.embeds[0]  # the title links nowhere rather than to a search


@pytest.mark.slow  # real `archive-bot` processes
def test_a_real_document_page_ingested_and_shown_in_every_format(tmp_path):
    """End to end with real storage: a real document page ingested, then `archive-bot show ID --format ...`."""
    import json

    from ..conftest import HAVE_REALPAGES, REALPAGES
    from .test_cli import cli
    if not HAVE_REALPAGES:
        pytest.skip("../shared/realpages is not beside this checkout")
    page = REALPAGES / "docpages" / "cable-filippov-stalin-cde-mao-zedong.html"
    assert cli("ingest", str(page), "--db", "a.db", cwd=tmp_path).returncode == 0
    exported = [json.loads(line) for line in cli("export", "--db", "a.db", cwd=tmp_path).stdout.splitlines()]
    [document] = [r for r in exported if r["record_id"] == "116969"]
    shown = str(document["id"])
    ris = cli("show", shown, "--format", "ris", "--db", "a.db", cwd=tmp_path, text=False).stdout.decode()
    assert f"UR  - {ARCHIVE}/document/116969\r\n" in ris and "AU  - Stalin, Joseph\r\n" in ris
    bibtex = cli("show", shown, "--format", "bibtex", "--db", "a.db", cwd=tmp_path).stdout
    assert bibtex.startswith("@misc{wcda116969,") and f"{ARCHIVE}/document/116969" in bibtex
    text = cli("show", shown, "--db", "a.db", cwd=tmp_path).stdout
    assert "Wilson Center Digital Archive, " in text and f"{ARCHIVE}/document/116969" in text
