"""Pages as users expect them, driven through the stand-in for Discord: first / previous / page n of N / next /
last, "Go to page…" (a modal) past five pages, a menu that opens one of the page's documents, Stop; all for the
asker only, all disabled on timeout."""
from __future__ import annotations

from typing import Any

from bot.discord_ui import ReplyView
from testing.fakediscord import ALICE_ID, BOB_ID

from .conftest import EPHEMERAL, answer, embed_text, running_bot

LINK = 5  # a link button's style


def controls(message: Any) -> list[dict[str, Any]]:
    rows = message.components if hasattr(message, "components") else message["components"]
    return [c for row in rows for c in row["components"]]


def by_label(components: list[dict[str, Any]], label: str) -> dict[str, Any]:
    return next(c for c in components if c.get("label") == label)


def footer(response: Any) -> str:
    return response.embeds[0]["footer"]["text"]


async def press(fake, custom_id: str, message_id: int, user_id: int = ALICE_ID):
    payload = await fake.send_button(custom_id, message_id, user_id=user_id)
    return payload, await fake.wait_for_response(payload["id"])


async def everything(fake):
    """Every document by date: 55 in the fixture, so 11 pages of 5."""
    _, response = await answer(fake, "search", {"from": 1900})
    return response, int(response.message["id"])


async def test_first_last_and_the_counter_move_and_stay_within_the_pages(db):
    async with running_bot(db) as (fake, bot):
        response, message_id = await everything(fake)
        shown = controls(response)
        assert [c.get("label") for c in shown[:5]] == ["⏮ First", "◀ Previous", "Page 1 of 11", "Next ▶", "Last ⏭"]
        assert by_label(shown, "⏮ First")["disabled"] and by_label(shown, "Page 1 of 11")["disabled"]
        _, last = await press(fake, by_label(shown, "Last ⏭")["custom_id"], message_id)
        assert last.callback_type == 7 and "Page 11 of 11" in footer(last)
        assert by_label(controls(last), "Last ⏭")["disabled"] and by_label(controls(last), "Next ▶")["disabled"]
        _, first = await press(fake, by_label(controls(last), "⏮ First")["custom_id"], message_id)
        assert "Page 1 of 11" in footer(first)
        assert by_label(controls(first), "Page 1 of 11")["disabled"]


async def test_go_to_page_opens_a_modal_and_bad_numbers_get_one_line(db):
    async with running_bot(db) as (fake, bot):
        response, message_id = await everything(fake)
        go_to = by_label(controls(response), "Go to page…")["custom_id"]

        async def submit(text: str):
            """Open the box (each submit closes it, as in Discord's client) and type `text` in it."""
            _, opened = await press(fake, go_to, message_id)
            assert opened.callback_type == 9  # MODAL
            modal = opened.json["data"]
            box = modal["components"][0]["components"][0]
            assert box["type"] == 4 and "1 to 11" in box["label"]
            payload = await fake.send_modal_submit(modal["custom_id"], {box["custom_id"]: text}, message_id)
            return await fake.wait_for_response(payload["id"])

        for bad in ("12", "0", "two", "-3", "@everyone"):
            refused = await submit(bad)
            assert refused.callback_type == 4 and refused.flags & EPHEMERAL
            assert "type a number from 1 to 11" in refused.content and "\n" not in refused.content
            assert "@everyone" not in refused.content
        turned = await submit(" 7 ")
        assert turned.callback_type == 7 and "Page 7 of 11" in footer(turned)


async def test_few_pages_have_no_go_to_page(db):
    async with running_bot(db) as (fake, bot):
        _, response = await answer(fake, "person", {"name": "Mao Zedong"})
        pages = int(footer(response).split(" of ")[1].split(" ")[0])
        assert 1 < pages <= 5
        assert not [c for c in controls(response) if c.get("label") == "Go to page…"]


async def test_the_menu_opens_a_document_of_this_page_for_the_asker_only(db):
    async with running_bot(db) as (fake, bot):
        response, message_id = await everything(fake)
        _, second = await press(fake, by_label(controls(response), "Next ▶")["custom_id"], message_id)
        menu = next(c for c in controls(second) if c["type"] == 3)
        assert len(menu["options"]) == 5 and all(len(o["label"]) <= 100 for o in menu["options"])
        assert menu["options"][0]["label"].startswith("6. ")
        chosen = menu["options"][0]
        payload = await fake.send_select(menu["custom_id"], [chosen["value"]], message_id, user_id=BOB_ID)
        refused = await fake.wait_for_response(payload["id"])
        assert refused.flags & EPHEMERAL and "Only the person who asked" in refused.content
        payload = await fake.send_select(menu["custom_id"], [chosen["value"]], message_id)
        opened = await fake.wait_for_response(payload["id"])
        assert opened.callback_type == 4 and opened.flags & EPHEMERAL
        assert "Cite as" in embed_text(opened) and f"#{chosen['value']}" in embed_text(opened)


async def test_stop_removes_the_controls_and_keeps_the_links(db):
    async with running_bot(db) as (fake, bot):
        response, message_id = await everything(fake)
        _, other = await press(fake, by_label(controls(response), "Stop")["custom_id"], message_id, user_id=BOB_ID)
        assert other.flags & EPHEMERAL
        _, stopped = await press(fake, by_label(controls(response), "Stop")["custom_id"], message_id)
        assert stopped.callback_type == 7
        left = controls(stopped)
        assert left and all(c.get("style") == LINK for c in left)
        assert "Page 1 of 11" in fake.messages[message_id].data["embeds"][0]["footer"]["text"]


async def test_every_control_is_disabled_on_timeout(db, monkeypatch):
    monkeypatch.setattr(ReplyView, "default_timeout", 1.0)
    async with running_bot(db) as (fake, bot):
        response, message_id = await everything(fake)
        assert len(response.components) <= 5 and all(len(row["components"]) <= 5 for row in response.components)
        edit = await fake.wait_for(lambda r: r.method == "PATCH" and "messages/@original" in r.path, timeout=5)
        live = [c for c in controls(edit.json) if c.get("style") != LINK]
        assert {c["type"] for c in live} == {2, 3} and all(c.get("disabled") for c in live)
