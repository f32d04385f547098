"""Message context menus ("Search the archive", "Ask the archive") and the Share button, driven through the
stand-in for Discord: registered as message commands, answered privately, posted publicly only by the asker,
with no pings, and a clear line where the bot cannot post."""
from __future__ import annotations

from bot.share import CANNOT_SHARE, NO_TEXT, ONLY_ASKER
from testing.fakediscord import ALICE_ID, BOB_ID, GENERAL_ID, READ_ONLY_ID

from .conftest import EPHEMERAL, embed_text, running_bot

SHARE = "Post publicly"


def _button(response, label: str) -> str:
    return next(c["custom_id"] for row in response.components for c in row["components"] if c.get("label") == label)


async def _on_message(fake, name: str, content: str, channel_id: int = GENERAL_ID, user_id: int = ALICE_ID):
    """Bob wrote `content`; `user_id` uses the context menu `name` on it."""
    target = fake.message(content, user_id=BOB_ID, channel_id=channel_id)
    payload = await fake.send_message_command(name, int(target["id"]), user_id=user_id)
    return await fake.wait_for_response(payload["id"])


async def test_context_menus_are_synced_as_message_commands(db):
    async with running_bot(db) as (fake, bot):
        synced = {c["name"]: c for c in fake.command_syncs[0][1]}
        for name in ("Search the archive", "Ask the archive"):
            assert synced[name]["type"] == 3
            assert "description" not in synced[name] or not synced[name]["description"]


async def test_search_the_archive_answers_privately_and_share_posts_publicly_without_pings(db):
    async with running_bot(db) as (fake, bot):
        private = await _on_message(fake, "Search the archive", "Filippov insects @everyone <@&1> [x](http://e.vil)")
        assert private.flags & EPHEMERAL, private.summary()
        assert "Cable, Mao Zedong to Filippov \\[Stalin\\]" in embed_text(private)
        share = await fake.send_button(_button(private, SHARE), int(private.message["id"]), user_id=ALICE_ID)
        public = await fake.wait_for_response(share["id"])
        assert public.callback_type == 4
        assert not (public.flags or 0) & EPHEMERAL
        assert public.allowed_mentions == {"parse": []}
        shown = embed_text(public)
        assert "Cable, Mao Zedong to Filippov \\[Stalin\\]" in shown
        assert "@everyone" not in shown and "<@&1>" not in shown and "[x](http" not in shown
        assert SHARE not in [c.get("label") for row in public.components for c in row["components"]]


async def test_ask_the_archive_answers_privately_with_share(db):
    async with running_bot(db) as (fake, bot):
        private = await _on_message(fake, "Ask the archive", "why did the soviets halt nuclear assistance to china?")
        assert private.flags & EPHEMERAL
        assert "Temporary Halt" in embed_text(private)
        assert _button(private, SHARE)


async def test_only_the_asker_can_share(db):
    async with running_bot(db) as (fake, bot):
        private = await _on_message(fake, "Search the archive", "Filippov insects")
        other = await fake.send_button(_button(private, SHARE), int(private.message["id"]), user_id=BOB_ID)
        refused = await fake.wait_for_response(other["id"])
        assert refused.flags & EPHEMERAL and refused.content == ONLY_ASKER
        assert not [s for s in fake.channel_messages(GENERAL_ID) if not s.flags & EPHEMERAL]


async def test_a_message_without_text_gets_one_private_line(db):
    async with running_bot(db) as (fake, bot):
        private = await _on_message(fake, "Search the archive", "   ")
        assert private.flags & EPHEMERAL
        assert NO_TEXT in embed_text(private)
        assert not private.components


async def test_share_where_the_bot_cannot_post_says_so_privately(db):
    async with running_bot(db) as (fake, bot):
        private = await _on_message(fake, "Search the archive", "Filippov insects", channel_id=READ_ONLY_ID)
        assert private.flags & EPHEMERAL
        share = await fake.send_button(_button(private, SHARE), int(private.message["id"]), user_id=ALICE_ID)
        refused = await fake.wait_for_response(share["id"])
        assert refused.flags & EPHEMERAL and refused.content == CANNOT_SHARE


async def test_share_posts_the_page_the_asker_is_on_once_and_then_says_it_is_posted(db):
    async with running_bot(db) as (fake, bot):
        private = await _on_message(fake, "Search the archive", "Stalin Mao telegram")
        message_id = int(private.message["id"])
        turned = await fake.send_button(_button(private, "Next ▶"), message_id, user_id=ALICE_ID)
        second = await fake.wait_for_response(turned["id"])
        assert second.callback_type == 7 and embed_text(second) != embed_text(private)
        share = await fake.send_button(_button(private, SHARE), message_id, user_id=ALICE_ID)
        public = await fake.wait_for_response(share["id"])
        assert not (public.flags or 0) & EPHEMERAL
        assert embed_text(public) == embed_text(second)  # the page the asker chose, not the first
        labels = [c.get("label") for row in public.components for c in row["components"]]
        assert "Page 2 of" in " ".join(str(label) for label in labels)
        edited = await fake.wait_for(lambda r: r.method == "PATCH" and any(
            c.get("label") == "Posted" and c.get("disabled") for row in r.components for c in row["components"]))
        assert edited.embeds == [] or embed_text(edited) == embed_text(second)
        again = await fake.send_button(_button(private, SHARE), message_id, user_id=ALICE_ID)
        refused = await fake.wait_for_response(again["id"])
        assert refused.flags & EPHEMERAL and "already" in refused.content
        assert len([s for s in fake.channel_messages(GENERAL_ID) if not s.flags & EPHEMERAL]) == 1
