"""End-to-end checks of the fake: a real discord.py client connects, syncs, answers and fails as on Discord."""
from __future__ import annotations

import asyncio
from typing import Any

import discord
import pytest
import yarl
from discord import app_commands

from testing.fakediscord import (
    ALICE_ID,
    BOT_ID,
    GENERAL_ID,
    GUILD_ID,
    NO_EMBEDS_ID,
    READ_ONLY_ID,
    FakeDiscord,
    Opt,
    OptionType,
)


def make_client() -> discord.Client:
    intents = discord.Intents.default()
    intents.members = False
    return discord.Client(intents=intents)


async def resolved(future: asyncio.Future[Any], timeout: float = 5.0) -> Any:
    return await asyncio.wait_for(future, timeout)


@pytest.fixture(autouse=True)
def restore_discord_urls():
    """Guard: every test must leave discord.py pointed where it found it."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    assert discord.http.Route.BASE == base
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == gateway


async def test_ready_with_guild_channels_and_permissions() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        ready = asyncio.get_running_loop().create_future()

        @client.event
        async def on_ready() -> None:
            ready.set_result(client.get_guild(GUILD_ID))

        # Set by hand (as the bot does from env vars), restored afterwards.
        old_base, old_gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = fake.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
        try:
            client._connection.guild_ready_timeout = 0.05
            task = asyncio.create_task(client.start("fake-token"))
            guild = await resolved(ready)
            assert guild is not None and guild.name == "History Server"
            assert sorted(c.id for c in guild.text_channels) == [GENERAL_ID, READ_ONLY_ID, NO_EMBEDS_ID]
            assert guild.system_channel.id == GENERAL_ID
            me = guild.me
            assert me.id == BOT_ID and client.user.bot
            general = guild.get_channel(GENERAL_ID).permissions_for(me)
            assert general.send_messages and general.embed_links
            assert not guild.get_channel(READ_ONLY_ID).permissions_for(me).send_messages
            no_embeds = guild.get_channel(NO_EMBEDS_ID).permissions_for(me)
            assert no_embeds.send_messages and not no_embeds.embed_links
            assert fake.identify_payloads[0]["intents"] == client.intents.value
            assert fake.connections[0].query["v"] == "10"
            assert [r.path for r in fake.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]

            await client.close()
            await asyncio.wait_for(task, 5)  # no exception: clean shutdown
            await fake.wait_disconnected()
            assert client.is_closed()
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def _ping_tree(client: discord.Client) -> app_commands.CommandTree:
    tree = app_commands.CommandTree(client)

    @tree.command(name="ping", description="Check the bot is alive")
    async def ping(interaction: discord.Interaction, loud: bool = False) -> None:
        await interaction.response.send_message("PONG" if loud else "pong", ephemeral=not loud)

    return tree


async def test_slash_command_sync_and_response() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        tree = _ping_tree(client)
        async with fake.running(client):
            synced = await tree.sync()
            assert [c.name for c in synced] == ["ping"]
            assert fake.command_syncs[0][0] == "global"
            assert fake.command_syncs[0][1][0]["name"] == "ping"
            put = await fake.wait_for_request("PUT", rf"^/applications/{BOT_ID}/commands$")
            assert put.ok

            payload = await fake.send_slash("ping")
            assert payload["data"]["id"] == synced[0].id.__str__()
            reply = await fake.wait_for_response(payload["id"])
            assert reply.callback_type == 4 and reply.content == "pong" and reply.ephemeral
            assert reply.query == {"with_response": "1"} and reply.status == 200

            loud = await fake.send_slash("ping", {"loud": True})
            assert loud["data"]["options"] == [{"name": "loud", "type": OptionType.BOOLEAN, "value": True}]
            reply = await fake.wait_for_response(loud["id"])
            assert reply.content == "PONG" and not reply.ephemeral
            assert [m.content for m in fake.channel_messages(GENERAL_ID)] == ["pong", "PONG"]


async def test_followup_after_defer_and_original_edit() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        tree = app_commands.CommandTree(client)

        @tree.command(name="ask", description="Ask the archive")
        async def ask(interaction: discord.Interaction, question: str) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.edit_original_response(content=f"Searching for {question}...")
            await interaction.followup.send("Found 2 documents", embed=discord.Embed(title="Doc 1"))

        async with fake.running(client):
            payload = await fake.send_slash("ask", {"question": "Berlin"})
            followup = await fake.wait_for(lambda r: r.kind == "followup")
            kinds = [r.kind for r in fake.interaction_responses(payload["id"])]
            assert kinds == ["callback", "original_edit", "followup"]
            callback = fake.interaction_responses(payload["id"])[0]
            assert callback.callback_type == 5
            assert followup.content == "Found 2 documents"
            assert followup.embeds[0]["title"] == "Doc 1"
            assert followup.query["wait"] == "1" and followup.message is not None
            original = fake.messages[int(callback.message["id"])]
            assert original.content == "Searching for Berlin..." and not original.loading


async def test_expired_interaction_raises_not_found() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        tree = app_commands.CommandTree(client)
        outcome: asyncio.Future[Exception | None] = asyncio.get_running_loop().create_future()

        @tree.command(name="slow", description="Too slow")
        async def slow(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("late")
            except Exception as exc:  # noqa: BLE001 - the test inspects it
                outcome.set_result(exc)
            else:
                outcome.set_result(None)

        async with fake.running(client):
            payload = fake.slash("slow")
            fake.expire_interaction(payload["id"])
            await fake.dispatch("INTERACTION_CREATE", payload)
            exc = await resolved(outcome)
            assert isinstance(exc, discord.NotFound) and exc.code == 10062
            # Webhook calls for an expired token fail as Unknown Webhook.
            webhook = discord.Webhook.partial(BOT_ID, payload["token"], client=client)
            with pytest.raises(discord.NotFound) as info:
                await webhook.send("followup", wait=True)
            assert info.value.code == 10015


async def test_send_to_read_only_channel_is_forbidden() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        async with fake.running(client):
            with pytest.raises(discord.Forbidden) as info:
                await client.get_channel(READ_ONLY_ID).send("hello")
            assert info.value.code == 50013
            assert fake.channel_messages(READ_ONLY_ID) == []

            fake.forbid_channel(GENERAL_ID)  # stale cache: client still believes it may send
            assert client.get_channel(GENERAL_ID).permissions_for(client.get_guild(GUILD_ID).me).send_messages
            with pytest.raises(discord.Forbidden):
                await client.get_channel(GENERAL_ID).send("hello")


async def test_deleted_channel_is_unknown() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        deleted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        @client.event
        async def on_guild_channel_delete(channel: discord.abc.GuildChannel) -> None:
            deleted.set_result(channel.id)

        async with fake.running(client):
            channel = client.get_channel(NO_EMBEDS_ID)
            fake.delete_channel(NO_EMBEDS_ID)
            with pytest.raises(discord.NotFound) as info:
                await channel.send("hello")
            assert info.value.code == 10003
            await fake.send_channel_delete(NO_EMBEDS_ID)
            assert await resolved(deleted) == NO_EMBEDS_ID
            assert client.get_channel(NO_EMBEDS_ID) is None


async def test_rate_limit_is_retried_once_then_succeeds() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        async with fake.running(client):
            fake.fail_next("POST", rf"^/channels/{GENERAL_ID}/messages$", 429, retry_after=0.05)
            message = await client.get_channel(GENERAL_ID).send("after the limit")
            assert message.content == "after the limit"
            posts = [r for r in fake.requests if r.method == "POST" and r.path == f"/channels/{GENERAL_ID}/messages"]
            assert [r.status for r in posts] == [429, 200]
            assert len(fake.channel_messages(GENERAL_ID)) == 1


async def test_dm_message_reaches_on_message_without_guild() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        seen: asyncio.Future[discord.Message] = asyncio.get_running_loop().create_future()

        @client.event
        async def on_message(message: discord.Message) -> None:
            if message.author.id != BOT_ID and not seen.done():
                seen.set_result(message)

        async with fake.running(client):
            await fake.send_message("what happened in 1962?", guild=False)
            message = await resolved(seen)
            assert message.guild is None and isinstance(message.channel, discord.DMChannel)
            assert message.content == "what happened in 1962?"  # DMs keep content without the intent
            assert message.author.id == ALICE_ID and message.channel.id == fake.dm_channel_id(ALICE_ID)
            reply = await message.channel.send("The Cuban missile crisis.")
            assert reply.channel.id == fake.dm_channel_id(ALICE_ID)
            assert fake.channel_messages(fake.dm_channel_id(ALICE_ID))[0].content == "The Cuban missile crisis."


async def test_guild_message_content_needs_intent_unless_mentioned() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        seen: asyncio.Queue[discord.Message] = asyncio.Queue()

        @client.event
        async def on_message(message: discord.Message) -> None:
            if message.author.id != BOT_ID:
                seen.put_nowait(message)

        async with fake.running(client):
            await fake.send_message("plain")
            assert (await asyncio.wait_for(seen.get(), 5)).content == ""
            await fake.send_message("hello bot", mentions_bot=True)
            message = await asyncio.wait_for(seen.get(), 5)
            assert message.content == f"<@{BOT_ID}> hello bot" and client.user in message.mentions


async def test_button_click_reaches_view_and_updates_message() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        tree = app_commands.CommandTree(client)

        class More(discord.ui.View):
            @discord.ui.button(label="More", custom_id="archive:more")
            async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
                await interaction.response.edit_message(content="page 2", view=None)

        @tree.command(name="browse", description="Browse")
        async def browse(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("page 1", view=More(timeout=30))

        async with fake.running(client):
            first = await fake.send_slash("browse")
            reply = await fake.wait_for_response(first["id"])
            assert reply.custom_ids == ["archive:more"]
            click = await fake.send_button("archive:more", int(reply.message["id"]))
            update = await fake.wait_for_response(click["id"])
            assert update.callback_type == 7 and update.content == "page 2"
            stored = fake.messages[int(reply.message["id"])]
            assert stored.content == "page 2" and stored.components == []


async def test_autocomplete_and_typed_options() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        tree = app_commands.CommandTree(client)
        got: asyncio.Future[tuple[Any, Any]] = asyncio.get_running_loop().create_future()

        async def topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [app_commands.Choice(name=t, value=t) for t in ("Berlin", "Budapest") if t.startswith(current)]

        @tree.command(name="post", description="Post a topic")
        @app_commands.autocomplete(topic=topics)
        async def post(interaction: discord.Interaction, topic: str, channel: discord.TextChannel, count: int) -> None:
            got.set_result((channel, count))
            await interaction.response.send_message(topic, ephemeral=True)

        async with fake.running(client):
            tree.copy_global_to(guild=discord.Object(GUILD_ID))
            await tree.sync(guild=discord.Object(GUILD_ID))
            assert fake.command_syncs[-1][0] == f"guild:{GUILD_ID}"
            ac = await fake.send_autocomplete("post", "topic", "Bu")
            choices = await fake.wait_for_response(ac["id"])
            assert choices.callback_type == 8
            assert [c["value"] for c in choices.json["data"]["choices"]] == ["Budapest"]

            # The synced schema types `channel`; Opt() is only needed for unsynced commands.
            cmd = await fake.send_slash(
                "post", {"topic": "Berlin", "channel": NO_EMBEDS_ID, "count": Opt(3, OptionType.INTEGER)}
            )
            assert cmd["data"]["guild_id"] == str(GUILD_ID)
            assert cmd["data"]["resolved"]["channels"][str(NO_EMBEDS_ID)]["name"] == "no-embeds"
            channel, count = await resolved(got)
            assert channel.id == NO_EMBEDS_ID and count == 3
            assert (await fake.wait_for_response(cmd["id"])).content == "Berlin"


async def test_server_side_limits_and_embed_stripping() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        async with fake.running(client):
            with pytest.raises(discord.HTTPException) as info:
                await client.get_channel(GENERAL_ID).send("x" * 2001)
            assert info.value.status == 400 and info.value.code == 50035
            no_embeds = client.get_channel(NO_EMBEDS_ID)
            sent = await no_embeds.send("summary", embed=discord.Embed(title="Doc"))
            assert sent.embeds == []  # Discord silently drops embeds without EMBED_LINKS
            with pytest.raises(discord.Forbidden):
                await no_embeds.send(embed=discord.Embed(title="Doc"))  # embed-only: refused


async def test_server_error_is_surfaced_after_script() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        async with fake.running(client):
            fake.fail_next("POST", r"/messages$", 503)  # 503 is not retried by discord.py
            with pytest.raises(discord.DiscordServerError):
                await client.get_channel(GENERAL_ID).send("down")
            assert (await client.get_channel(GENERAL_ID).send("up")).content == "up"
            with pytest.raises(discord.NotFound) as info:
                await client.http.request(discord.http.Route("GET", "/nope"))
            assert info.value.text == "fake: not implemented"
            assert (await fake.wait_for_request("GET", r"^/nope$")).status == 404


async def test_wait_for_times_out_with_request_listing() -> None:
    async with FakeDiscord() as fake:
        with pytest.raises(AssertionError, match="no request matched"):
            await fake.wait_for(lambda r: r.method == "DELETE", timeout=0.05)


async def test_first_followup_after_defer_fills_the_thinking_message() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        tree = app_commands.CommandTree(client)

        @tree.command(name="lookup", description="Look up")
        async def lookup(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send("first", ephemeral=False)  # flags ignored: resolves the defer
            await interaction.followup.send("second", ephemeral=False)

        async with fake.running(client):
            payload = await fake.send_slash("lookup", guild=False)  # bot DM: context 1, user not member
            assert payload["context"] == 1 and "member" not in payload and "guild_id" not in payload
            await fake.wait_for(lambda r: r.kind == "followup" and r.content == "second")
            callback, first, second = fake.interaction_responses(payload["id"])
            assert callback.callback_type == 5 and callback.json["data"]["flags"] == 64
            assert first.message["id"] == callback.message["id"] and first.message["flags"] == 64
            assert second.message["id"] != callback.message["id"] and second.message["flags"] == 0


async def test_reconnect_resumes_session() -> None:
    async with FakeDiscord() as fake:
        client = make_client()
        resumed = asyncio.Event()
        seen: asyncio.Future[discord.Message] = asyncio.get_running_loop().create_future()

        @client.event
        async def on_resumed() -> None:
            resumed.set()

        @client.event
        async def on_message(message: discord.Message) -> None:
            seen.set_result(message)

        async with fake.running(client):
            await fake.request_reconnect()
            await asyncio.wait_for(resumed.wait(), 5)
            assert len(fake.identify_payloads) == 1 and fake.resume_payloads[0]["seq"] == 2
            await fake.send_message("still there?", guild=False)
            assert (await resolved(seen)).content == "still there?"


async def test_member_and_app_permissions_in_interactions() -> None:
    async with FakeDiscord() as fake:
        fake.add_role(2100, "moderator", 1 << 13)  # MANAGE_MESSAGES
        fake.add_user(4003, "carol", roles=[2100])
        client = make_client()
        tree = app_commands.CommandTree(client)
        seen: asyncio.Queue[discord.Interaction] = asyncio.Queue()

        @tree.command(name="whoami", description="Who am I")
        async def whoami(interaction: discord.Interaction) -> None:
            seen.put_nowait(interaction)
            await interaction.response.send_message("ok", ephemeral=True)

        async with fake.running(client):
            await fake.send_slash("whoami", user_id=4003, channel_id=READ_ONLY_ID)
            interaction = await asyncio.wait_for(seen.get(), 5)
            assert interaction.permissions.manage_messages and interaction.user.id == 4003
            assert not interaction.app_permissions.send_messages  # yet the interaction reply works
            await fake.send_slash("whoami", user_id=ALICE_ID)
            interaction = await asyncio.wait_for(seen.get(), 5)
            assert not interaction.permissions.manage_messages and interaction.app_permissions.embed_links
            await fake.wait_for(lambda r: len([x for x in fake.requests if x.is_callback]) == 2)
