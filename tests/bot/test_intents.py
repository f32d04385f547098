"""Help, on this day, who someone was and browsing, asked in plain words: the same replies as the commands,
in the console's command layer and through real discord.py against the stand-in (DMs, mentions, slash)."""
from __future__ import annotations

from datetime import UTC, datetime

from bot.commands import Commands, ReplyKind, run_text_command
from bot.wording import Front
from retrieval.search import Archive
from testing.fakediscord import BOB_ID, GENERAL_ID

from ..conftest import PEOPLE
from .conftest import answer, embed_text, running_bot


async def test_plain_requests_get_the_commands_replies(db):
    async with await Archive.open(db, PEOPLE) as archive:
        layer = Commands(archive, front=Front.CONSOLE)
        help_reply = await layer.help()
        for greeting in ("hi", "help me", "what can you do?"):
            reply = await layer.ask(greeting)
            assert (reply.title, reply.lead_text(str)) == (help_reply.title, help_reply.lead_text(str))
        today = await layer.onthisday()
        asked = await layer.ask("today in history")
        assert (asked.title, [c.record.id for c in asked.cards]) == (today.title, [c.record.id for c in today.cards])


async def test_who_was_gives_the_person_card_that_person_gives(db):
    async with await Archive.open(db, PEOPLE) as archive:
        layer = Commands(archive, front=Front.CONSOLE)
        card = await layer.ask("Who was Filippov?")
        assert card.kind is ReplyKind.RESULTS and card.title == "Joseph Stalin"
        assert "\u201cFilippov\u201d is Joseph Stalin." in card.lead
        documents = archive.documents_of("Stalin")
        count = len(documents.took_part)
        assert f"Took part in {count} documents, " in card.lead
        assert len(card.cards) == count + len(documents.mentioned)
        same = await layer.person("Filippov")
        assert (same.title, same.lead, [c.record.id for c in same.cards]) == (
            card.title, card.lead, [c.record.id for c in card.cards])
        search = await layer.ask("who was at the talks on the Taiwan Strait")  # no one: a question
        assert search.kind is ReplyKind.ANSWER


async def test_browsing_in_the_console_lists_by_date_with_the_count(db):
    async with await Archive.open(db, PEOPLE) as archive:
        layer = Commands(archive, front=Front.CONSOLE)
        expected = archive.search_now("", date_from=1958, date_to=1958, browse_limit=500)
        reply = await run_text_command(layer, "/search from:1958 to:1958")
        assert reply.title == "Documents dated 1958"
        assert reply.lead == f"{expected.total} documents dated 1958, in date order."
        assert [c.record.id for c in reply.cards] == [h.record.id for h in expected.hits]
        asked = await layer.ask("anything from September 1958?")
        assert asked.title == "Documents dated September 1958" and asked.cards
        assert all((c.record.date.year, c.record.date.month) == (1958, 9) for c in asked.cards)


async def test_in_discord_a_dm_hi_a_mention_who_was_and_search_with_only_years(db):
    async with running_bot(db) as (fake, bot):
        await fake.send_message("hi", guild=False, user_id=BOB_ID)
        dm = await fake.wait_for(lambda r: r.method == "POST" and r.path.startswith("/channels/")
                                 and r.path != f"/channels/{GENERAL_ID}/messages")
        assert "archive-bot commands" in embed_text(dm) and "/person name" in embed_text(dm)
        await fake.send_message("who was Filippov?", mentions_bot=True)
        card = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{GENERAL_ID}/messages")
        assert "Joseph Stalin" in embed_text(card) and "is Joseph Stalin." in embed_text(card)
        _, response = await answer(fake, "search", {"from": 1958, "to": 1958})
        assert response.callback_type == 4, response.summary()
        text = embed_text(response)
        assert "Documents dated 1958" in text and "documents dated 1958, in date order." in text
        _, asked = await answer(fake, "ask", {"question": "what happened today?"})
        now = datetime.now(UTC)
        expected = await bot.commands_layer.onthisday()
        assert expected.title in embed_text(asked), (now, embed_text(asked))
