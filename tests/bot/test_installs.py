"""Where the app's commands may be used, as synced to Discord, matches what the README says (issue 13, item 8):
every command in servers, DMs with the bot and private channels, installed to a server or to a user account;
`/daily` only where it can post daily (installed to a server, used in a server or a DM with the bot)."""
from __future__ import annotations

from testing.fakediscord import FakeDiscord

from .conftest import start_bot

GUILD_INSTALL, USER_INSTALL = 0, 1
IN_GUILD, IN_BOT_DM, IN_PRIVATE_CHANNEL = 0, 1, 2


async def test_the_synced_commands_say_where_they_may_be_used(db):
    async with FakeDiscord() as fake:
        bot = await start_bot(db)
        try:
            async with fake.running(bot):
                pass
        finally:
            await bot.archive.close()
    commands = {c["name"]: c for c in fake.command_syncs[0][1]}
    for name, command in commands.items():
        if name == "daily":
            assert command["integration_types"] == [GUILD_INSTALL], name
            assert sorted(command["contexts"]) == [IN_GUILD, IN_BOT_DM], name
        else:
            assert sorted(command["integration_types"]) == [GUILD_INSTALL, USER_INSTALL], name
            assert sorted(command["contexts"]) == [IN_GUILD, IN_BOT_DM, IN_PRIVATE_CHANNEL], name
