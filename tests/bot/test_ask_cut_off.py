"""The command layer says so when `/ask` answers with a sentence the archive only has cut off."""
from __future__ import annotations

from bot.commands import Commands
from bot.json_output import answer_to_dict
from retrieval.search import Archive

from ..conftest import PEOPLE, ingest_into
from ..retrieval.test_search import CUT_PAGE


async def test_an_answer_from_a_cut_off_summary_says_it_is_cut_off(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(CUT_PAGE, encoding="utf-8")
    await ingest_into(tmp_path / "cut.db", page)
    page.write_text(CUT_PAGE + " withdraw.\n\nPagination\n", encoding="utf-8")
    await ingest_into(tmp_path / "whole.db", page)
    async with await Archive.open(tmp_path / "cut.db", PEOPLE) as archive:
        reply = await Commands(archive).ask("why was jinmen shelled")
    assert reply.kind == "answer"
    assert reply.lead.startswith("Zhou explains that the shelling of Jinmen will continue until the Americans…")
    assert "cut off" in reply.lead
    async with await Archive.open(tmp_path / "whole.db", PEOPLE) as archive:
        whole = await Commands(archive).ask("why was jinmen shelled")
    assert "cut off" not in whole.lead


async def test_ask_json_says_when_its_answer_is_cut_off(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text(CUT_PAGE, encoding="utf-8")
    await ingest_into(tmp_path / "cut.db", page)
    async with await Archive.open(tmp_path / "cut.db", PEOPLE) as archive:
        data = answer_to_dict(await archive.ask("why was jinmen shelled"))
    assert data["answer"]["cut_off"] is True and data["answer"]["text"].startswith("Zhou explains")
