"""More like this in the chat: the button through the stand-in for Discord (under every document, answering
privately, also on a message from before a restart: its custom id is all it needs), and `similar N` typed."""
from __future__ import annotations

import asyncio

from bot.commands import Commands, ReplyKind, run_text_command
from retrieval.search import Archive
from testing.database import every_record
from testing.fakediscord import ALICE_ID, BOB_ID, FakeDiscord

from ..conftest import PEOPLE
from .conftest import BOT_TEST_TIMEOUT, EPHEMERAL, answer, embed_text, start_bot
from .test_cite import FILIPPOV, forget, with_documents


async def test_more_like_this_answers_after_a_restart(db):
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        for run in range(2):
            bot = await start_bot(db)
            try:
                async with fake.running(bot):
                    semenov = [r.id for r in every_record(bot.archive)
                               if r.title == "Ciphered Telegram from Semenov [Stalin] to Mao Zedong"]
                    if run == 0:
                        _, shown = await answer(fake, "doc", {"id": str(semenov[0])})
                        buttons = {c["label"]: c for row in shown.components for c in row["components"]}
                        assert buttons["More like this"]["custom_id"] == f"similar:{semenov[0]}"
                        message_id = int(shown.message["id"])
                    else:  # a new process: no view of the old message is held
                        for user in (ALICE_ID, BOB_ID):
                            pressed = await fake.send_button(f"similar:{semenov[0]}", message_id, user_id=user)
                            response = await fake.wait_for_response(pressed["id"])
                            assert response.flags & EPHEMERAL, response.summary()
                            text = embed_text(response)
                            assert f"More like #{semenov[0]}" in text
                            first = text.split("**1. ", 1)[1]
                            assert first.startswith("Ciphered Telegram from Semenov \\[Stalin\\] to Mao Zedong")
                            assert response.allowed_mentions == {"parse": []}
            finally:
                await bot.archive.close()


async def test_a_document_gone_since_says_so_privately(db):
    """A document shown before a restart and no longer in the archive after it: one line, to the presser only."""
    async with asyncio.timeout(BOT_TEST_TIMEOUT), FakeDiscord() as fake:
        for run in range(2):
            bot = await start_bot(db)
            try:
                if run == 0:
                    await with_documents(bot.archive, FILIPPOV)
                async with fake.running(bot):
                    if run == 0:
                        _, shown = await answer(fake, "doc", {"id": "9001"})
                        message_id = int(shown.message["id"])
                        async with bot.archive.store.transaction():
                            await forget(bot.archive.store, FILIPPOV)
                    else:
                        pressed = await fake.send_button("similar:9001", message_id, user_id=BOB_ID)
                        response = await fake.wait_for_response(pressed["id"])
                        assert response.flags & EPHEMERAL and "There is no document #9001" in embed_text(response)
            finally:
                await bot.archive.close()


async def test_similar_typed_in_a_dm_or_the_console(db):
    async with await Archive.open(db, PEOPLE) as archive:
        semenov = [r.id for r in every_record(archive)
                   if r.title == "Ciphered Telegram from Semenov [Stalin] to Mao Zedong"]
        reply = await run_text_command(Commands(archive), f"/similar #{semenov[0]}")
        assert reply is not None and reply.kind is ReplyKind.RESULTS and reply.title == f"More like #{semenov[0]}"
        assert reply.cards[0].record.id == semenov[1] and semenov[0] not in [c.record.id for c in reply.cards]
        missing = await run_text_command(Commands(archive), "/similar 999999")
        assert missing is not None and missing.kind is ReplyKind.ERROR
