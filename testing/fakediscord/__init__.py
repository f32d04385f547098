"""A local fake of Discord's REST API and gateway for end-to-end bot tests.

    async with FakeDiscord() as fake:
        async with fake.running(client):          # patches discord.py URLs, starts, waits for ready
            payload = await fake.send_slash("ask", {"question": "Cuban missile crisis"})
            reply = await fake.wait_for_response(payload["id"])
            assert "Khrushchev" in reply.content
"""
from .model import (
    ALICE_ID,
    APP_ID,
    BOB_ID,
    BOT_ID,
    BOT_ROLE_ID,
    GENERAL_ID,
    GUILD_ID,
    NO_EMBEDS_ID,
    OWNER_ID,
    READ_ONLY_ID,
)
from .records import RecordedFile, RecordedRequest, StoredMessage
from .server import FakeDiscord
from .world import Opt, OptionType

__all__ = [
    "ALICE_ID", "APP_ID", "BOB_ID", "BOT_ID", "BOT_ROLE_ID", "GENERAL_ID", "GUILD_ID", "NO_EMBEDS_ID",
    "OWNER_ID", "READ_ONLY_ID", "FakeDiscord", "Opt", "OptionType", "RecordedFile", "RecordedRequest",
    "StoredMessage",
]
