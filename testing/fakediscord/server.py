"""A local stand-in for Discord's REST API (v10) and gateway, driven from tests.

A real ``discord.Client`` talks to it over HTTP/WebSocket on 127.0.0.1, so the code under
test runs through discord.py's own HTTP client, rate-limit handling, gateway parser, command
tree and views. Everything the bot sends is recorded in ``requests``; tests push events with
``dispatch``/``send_*`` and wait on requests with ``wait_for``.
"""
from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import re
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from . import model as m
from .records import FakeInteraction, RecordedFile, RecordedRequest, ScriptedFailure, StoredMessage
from .validation import EMPTY_MESSAGE, invalid_form_body, is_empty_message
from .world import DiscordWorld, OptionsArg

API_PREFIX = "/api/v10"
HEARTBEAT_INTERVAL_MS = 45000
DEFAULT_RETRY_AFTER = 0.05

Predicate = Callable[[RecordedRequest], bool]


@dataclass
class Reply:
    """What a route handler answers: status, JSON body (None -> empty) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: int, message: str) -> Reply:
    return Reply(status, {"code": code, "message": message})


UNKNOWN_CHANNEL = (404, 10003, "Unknown Channel")
UNKNOWN_MESSAGE = (404, 10008, "Unknown Message")
UNKNOWN_WEBHOOK = (404, 10015, "Unknown Webhook")
UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")


@dataclass
class GatewayConnection:
    """One client websocket; sequence numbers are per connection, as on Discord."""

    ws: web.WebSocketResponse
    query: dict[str, str]
    session_id: str = field(default_factory=m.new_session_id)
    seq: int = 0
    intents: int | None = None
    identified: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, op: int, d: Any, t: str | None = None) -> None:
        async with self.lock:
            s = None
            if op == 0:
                self.seq += 1
                s = self.seq
            # TEXT frames: discord.py only runs its zlib/zstd decompressor on BINARY frames.
            await self.ws.send_str(json.dumps({"op": op, "d": d, "s": s, "t": t}))


class FakeDiscord(DiscordWorld):
    """Fake Discord: ``await start()``/``stop()`` or ``async with FakeDiscord() as fake``."""

    def __init__(self, *, echo_bot_messages: bool = True, enforce_intents: bool = True,
                 max_concurrency: int = 1, identify_interval: float | None = None) -> None:
        """``echo_bot_messages``: like Discord, send MESSAGE_CREATE/UPDATE/DELETE for the bot's own
        non-ephemeral messages (bots must ignore themselves). ``enforce_intents``: drop message
        events the client has no intent for and blank guild message content without the
        MESSAGE_CONTENT intent (unless the bot is mentioned), as Discord does. ``max_concurrency``: the
        IDENTIFYs a bot may start at once (GET /gateway/bot's session_start_limit; 1 for most bots).
        ``identify_interval``: like Discord, refuse (op 9, Invalid Session) an IDENTIFY sent sooner than this
        many seconds after the last one in its rate-limit bucket (shard id % max_concurrency), whichever
        connection sent it; counted in ``identify_refusals``.
        """
        super().__init__()
        self.echo_bot_messages = echo_bot_messages
        self.enforce_intents = enforce_intents
        self.max_concurrency = max_concurrency
        self.identify_interval = identify_interval
        self.identify_refusals = 0
        self._identified_at: dict[int, float] = {}  # rate-limit bucket -> when its last IDENTIFY was accepted
        self.requests: list[RecordedRequest] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.resume_payloads: list[dict[str, Any]] = []
        self.gateway_received: list[dict[str, Any]] = []
        self.command_syncs: list[tuple[str, list[dict[str, Any]]]] = []
        self.failures: list[ScriptedFailure] = []
        self.connections: list[GatewayConnection] = []
        self.connected = asyncio.Event()
        self._disconnected = asyncio.Event()
        self._disconnected.set()
        self._waiters: list[tuple[Predicate, asyncio.Future[RecordedRequest]]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self.port: int = 0
        self._routes = self._build_routes()

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self) -> FakeDiscord:
        """Bind 127.0.0.1 on a free port (pre-bound socket, so the port is known up front)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        """Close client websockets first: aiohttp would otherwise wait on open handlers."""
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.ws.close(code=1001, message=b"fake discord stopping"), 2.0)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        for _, fut in self._waiters:
            if not fut.done():
                fut.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and gateway URL here; restore the old values afterwards."""
        import discord
        import yarl

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    @contextlib.asynccontextmanager
    async def running(self, client: Any, *, token: str = "fake-bot-token", ready_timeout: float = 5.0,
                      fast_ready: bool = True) -> AsyncIterator[Any]:
        """Run ``client.start(token)`` against the fake until the block exits, then close it.

        ``fast_ready`` lowers discord.py's ``guild_ready_timeout`` (default 2 s: the wait for
        more GUILD_CREATEs before on_ready) so ready fires ~50 ms after the one guild arrives.
        Startup errors (e.g. in setup_hook) are re-raised instead of hanging until timeout.
        """
        with self.patch_discord():
            if fast_ready:
                state = client._connection
                state.guild_ready_timeout = min(state.guild_ready_timeout, 0.05)
            task = asyncio.create_task(client.start(token), name="fake-discord-client")
            try:
                deadline = time.monotonic() + ready_timeout
                while not client.is_ready():
                    if task.done():
                        task.result()
                        raise AssertionError("client.start() returned before the client became ready")
                    if time.monotonic() > deadline:
                        raise AssertionError(
                            f"client not ready after {ready_timeout}s; requests:\n{self.format_requests()}")
                    await asyncio.sleep(0.005)
                yield client
            finally:
                await client.close()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, 5.0)

    async def wait_ready(self, timeout: float = 5.0) -> None:
        """Resolve once some client has IDENTIFYed (READY and GUILD_CREATE are already sent)."""
        try:
            await asyncio.wait_for(self.connected.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"no gateway client identified within {timeout}s") from None

    async def wait_disconnected(self, timeout: float = 5.0) -> None:
        """Resolve once no gateway connection is open (e.g. after ``client.close()``)."""
        try:
            await asyncio.wait_for(self._disconnected.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"{len(self.connections)} gateway connection(s) still open after {timeout}s") from None

    # --- scripting --------------------------------------------------------------------------

    def fail_next(self, method: str, path_regex: str, status: int, body: Any = None,
                  retry_after: float | None = None, count: int = 1) -> ScriptedFailure:
        """Answer the next ``count`` requests matching ``method`` ("*" = any) and ``path_regex``
        (``re.search`` on the path below /api/v10, e.g. r"^/channels/3000/messages$") with ``status``.

        429s get Discord's body (retry_after, global false) and headers, including ``Via``:
        discord.py treats a 429 without ``Via`` as a Cloudflare ban and raises instead of retrying.
        """
        failure = ScriptedFailure(method.upper(), re.compile(path_regex), status, body, retry_after, count)
        self.failures.append(failure)
        return failure

    def _scripted_reply(self, failure: ScriptedFailure) -> Reply:
        failure.remaining -= 1
        headers: dict[str, str] = {}
        body = failure.body
        if failure.status == 429:
            retry_after = DEFAULT_RETRY_AFTER if failure.retry_after is None else failure.retry_after
            if body is None:
                body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
            headers = {
                "Retry-After": str(max(1, math.ceil(retry_after))),
                "X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": "fakebucket" + format(abs(hash(failure.path_regex.pattern)) % 10**8, "x"),
                "X-RateLimit-Scope": "user",
            }
        else:
            if body is None:
                body = {"message": f"{failure.status}: {_reason(failure.status)}", "code": 0}
            if failure.retry_after is not None:
                headers["Retry-After"] = str(max(1, math.ceil(failure.retry_after)))
        return Reply(failure.status, body, headers)

    # --- recording and waiting -------------------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        self.requests.append(request)
        for predicate, fut in list(self._waiters):
            if not fut.done() and _safe(predicate, request):
                fut.set_result(request)

    async def wait_for(self, predicate: Predicate, timeout: float = 5.0) -> RecordedRequest:
        """First recorded request (already made or future) with ``predicate(request)`` true.

        Predicates that raise are treated as "no match", so ``lambda r: r.json["type"] == 4``
        is safe against requests without a body.
        """
        for request in self.requests:
            if _safe(predicate, request):
                return request
        fut: asyncio.Future[RecordedRequest] = asyncio.get_running_loop().create_future()
        entry = (predicate, fut)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise AssertionError(
                f"fake discord: no request matched within {timeout}s. Recent requests:\n{self.format_requests()}"
            ) from None
        finally:
            self._waiters.remove(entry)

    async def wait_for_request(self, method: str, path_regex: str, timeout: float = 5.0) -> RecordedRequest:
        pattern = re.compile(path_regex)
        return await self.wait_for(lambda r: r.method == method.upper() and bool(pattern.search(r.path)), timeout)

    async def wait_for_response(self, interaction_id: int | str, timeout: float = 5.0) -> RecordedRequest:
        """The interaction's callback (initial response) once the bot has sent it."""
        iid = int(interaction_id)
        return await self.wait_for(lambda r: r.interaction_id == iid, timeout)

    def format_requests(self, last: int = 25) -> str:
        lines = [r.summary() for r in self.requests[-last:]]
        return "\n".join(lines) if lines else "  (no requests recorded)"

    def interaction_responses(self, interaction_id: int | str) -> list[RecordedRequest]:
        """Callback, followups and original/followup edits for one interaction, in order."""
        iid = int(interaction_id)
        interaction = self.interactions.get(iid)
        token = interaction.token if interaction else None
        return [r for r in self.requests
                if r.interaction_id == iid or (token and r.kind != "callback" and r.webhook_token == token)]

    # --- gateway ---------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send DISPATCH ``event`` to every identified client (INTERACTION_CREATE is registered first)."""
        targets = [c for c in self.connections if c.identified]
        if not targets:
            raise AssertionError(f"dispatch({event}) with no identified gateway client; await fake.wait_ready() first")
        if event == "INTERACTION_CREATE":
            self._register_interaction(data)
        for conn in targets:
            payload = self._filter_for(conn, event, data)
            if payload is not None:
                await conn.send(0, payload, event)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: discord.py reconnects to ``resume_gateway_url`` and RESUMEs."""
        for conn in [c for c in self.connections if c.identified]:
            await conn.send(7, None)

    async def _dispatch_quiet(self, event: str, data: dict[str, Any]) -> None:
        for conn in [c for c in self.connections if c.identified]:
            payload = self._filter_for(conn, event, data)
            if payload is not None:
                with contextlib.suppress(Exception):
                    await conn.send(0, payload, event)

    def _echo(self, event: str, data: dict[str, Any]) -> None:
        """Gateway echo of the bot's own message activity, sent after the REST reply (like Discord)."""
        if not self.echo_bot_messages:
            return
        task = asyncio.get_running_loop().create_task(self._dispatch_quiet(event, copy.deepcopy(data)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _filter_for(self, conn: GatewayConnection, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """Apply Discord's intent rules for message events; other events pass unchanged."""
        if not self.enforce_intents or conn.intents is None or event != "MESSAGE_CREATE":
            return data
        in_guild = "guild_id" in data
        needed = m.INTENT_GUILD_MESSAGES if in_guild else m.INTENT_DIRECT_MESSAGES
        if not conn.intents & needed:
            return None
        mentioned = any(int(u["id"]) == m.BOT_ID for u in data.get("mentions", []))
        authored = int(data.get("author", {}).get("id", 0)) == m.BOT_ID
        if in_guild and not conn.intents & m.INTENT_MESSAGE_CONTENT and not (mentioned or authored):
            data = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        return data

    def _register_interaction(self, data: dict[str, Any]) -> None:
        iid = int(data["id"])
        previous = self.interactions.get(iid)
        user = data.get("member", {}).get("user") or data.get("user") or {}
        message = data.get("message")
        self.interactions[iid] = FakeInteraction(
            id=iid, token=data["token"], type=int(data["type"]), channel_id=int(data["channel_id"]),
            guild_id=int(data["guild_id"]) if data.get("guild_id") else None, user=user,
            component_message_id=int(message["id"]) if message else None,
            expired=bool(previous and previous.expired),
        )

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = GatewayConnection(ws, dict(request.query))
        self.connections.append(conn)
        self._disconnected.clear()
        try:
            await conn.send(10, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS, "_trace": ["fake-gateway"]})
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_gateway_message(conn, json.loads(msg.data))
                elif msg.type is WSMsgType.ERROR:
                    break
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.connections.remove(conn)
            if not self.connections:
                self._disconnected.set()
        return ws

    async def _on_gateway_message(self, conn: GatewayConnection, payload: dict[str, Any]) -> None:
        self.gateway_received.append(payload)
        op = payload.get("op")
        d: Any = payload.get("d")  # the client's JSON, as sent
        if op == 1:
            await conn.send(11, None)
        elif op == 2:
            await self._identify(conn, d)
        elif op == 6:
            self.resume_payloads.append(d)
            conn.seq = int(d.get("seq") or 0)
            conn.intents = self.identify_payloads[-1].get("intents") if self.identify_payloads else None
            conn.identified = True
            await conn.send(0, {"_trace": ["fake-gateway"]}, "RESUMED")
        elif op == 8:
            await self._member_chunk(conn, d)

    async def _identify(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        shard = d.get("shard")
        bucket = int(shard[0]) % self.max_concurrency if shard else 0
        now, last = time.monotonic(), self._identified_at.get(bucket, -math.inf)
        if self.identify_interval is not None and now - last < self.identify_interval:
            self.identify_refusals += 1
            await conn.send(9, False)
            return
        self._identified_at[bucket] = now
        self.identify_payloads.append(d)
        conn.intents = d.get("intents")
        # Like Discord, a shard is sent only the guilds whose shard it is: (guild_id >> 22) % shard_count.
        guilds = [gid for gid in self.guild_ids() if shard is None or (gid >> 22) % int(shard[1]) == int(shard[0])]
        ready: dict[str, Any] = {
            "v": 10, "user": self.bot_user,
            "guilds": [{"id": str(gid), "unavailable": True} for gid in guilds],
            "session_id": conn.session_id, "resume_gateway_url": self.gateway_url, "session_type": "normal",
            "application": {"id": str(m.APP_ID), "flags": m.APPLICATION_FLAGS}, "private_channels": [],
            "relationships": [], "presences": [], "guild_join_requests": [], "user_settings": {}, "auth": {},
            "geo_ordered_rtc_regions": ["us-east"], "_trace": ["fake-gateway"],
        }
        if "shard" in d:
            ready["shard"] = d["shard"]
        await conn.send(0, ready, "READY")
        members = bool((conn.intents or 0) & m.INTENT_GUILD_MEMBERS)
        for gid in guilds:
            await conn.send(0, self.guild_payload(include_members=members, guild_id=gid), "GUILD_CREATE")
        conn.identified = True
        self.connected.set()

    async def _member_chunk(self, conn: GatewayConnection, d: dict[str, Any]) -> None:
        wanted = {int(u) for u in d.get("user_ids") or []}
        ids = [uid for uid in self.member_roles if not wanted or uid in wanted]
        await conn.send(0, {
            "guild_id": str(m.GUILD_ID), "members": [self.member(uid) for uid in ids], "chunk_index": 0,
            "chunk_count": 1, "not_found": [str(u) for u in wanted - set(ids)], "nonce": d.get("nonce"),
        }, "GUILD_MEMBERS_CHUNK")

    # --- convenience: build + dispatch ---------------------------------------------------------

    async def send_slash(self, name: str, options: OptionsArg = None, **kwargs: Any) -> dict[str, Any]:
        payload = self.slash(name, options, **kwargs)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def send_message_command(self, name: str, target_id: int, **kwargs: Any) -> dict[str, Any]:
        payload = self.message_command(name, target_id, **kwargs)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def send_autocomplete(self, name: str, focused_option: str, value: Any,
                                other_options: Mapping[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        payload = self.autocomplete(name, focused_option, value, other_options, **kwargs)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def send_button(self, custom_id: str, message_id: int | None = None, **kwargs: Any) -> dict[str, Any]:
        payload = self.button(custom_id, message_id, **kwargs)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def send_select(self, custom_id: str, values: list[str], message_id: int | None = None,
                          **kwargs: Any) -> dict[str, Any]:
        payload = self.select(custom_id, values, message_id, **kwargs)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def send_modal_submit(self, custom_id: str, values: Mapping[str, str], message_id: int | None = None,
                                **kwargs: Any) -> dict[str, Any]:
        payload = self.modal_submit(custom_id, values, message_id, **kwargs)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def send_message(self, content: str, **kwargs: Any) -> dict[str, Any]:
        payload = self.message(content, **kwargs)
        await self.dispatch("MESSAGE_CREATE", payload)
        return payload

    async def send_channel_delete(self, channel_id: int) -> dict[str, Any]:
        """Delete the channel (if not yet) and tell clients with CHANNEL_DELETE."""
        payload = self.delete_channel(channel_id)
        await self.dispatch("CHANNEL_DELETE", payload)
        return payload

    async def send_channel_update(self, channel_id: int) -> dict[str, Any]:
        payload = self.channel_update_payload(channel_id)
        await self.dispatch("CHANNEL_UPDATE", payload)
        return payload

    # --- REST plumbing -------------------------------------------------------------------------

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Awaitable[Reply]]]]:
        table: list[tuple[str, str, Callable[..., Awaitable[Reply]]]] = [
            ("GET", r"/users/@me", self._get_me),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/users/(\d+)", self._get_user),
            ("GET", r"/(?:oauth2/)?applications/@me", self._get_application),
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/gateway/bot", self._get_gateway),
            ("GET", r"/applications/(\d+)/commands", self._get_commands),
            ("PUT", r"/applications/(\d+)/commands", self._put_commands),
            ("GET", r"/applications/(\d+)/guilds/(\d+)/commands", self._get_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_commands),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(\d+)/([^/]+)", self._followup),
            ("GET", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._webhook_message),
            ("PATCH", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._webhook_message),
            ("DELETE", r"/webhooks/(\d+)/([^/]+)/messages/(@original|\d+)", self._webhook_message),
            ("GET", r"/channels/(\d+)", self._get_channel),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("POST", r"/channels/(\d+)/typing", self._typing),
            ("GET", r"/channels/(\d+)/messages", self._message_history),
            ("GET", r"/channels/(\d+)/messages/(\d+)", self._channel_message),
            ("PATCH", r"/channels/(\d+)/messages/(\d+)", self._channel_message),
            ("DELETE", r"/channels/(\d+)/messages/(\d+)", self._channel_message),
            ("PUT", r"/channels/(\d+)/messages/(\d+)/reactions/([^/]+)/@me", self._add_reaction),
            ("GET", r"/guilds/(\d+)", self._get_guild),
            ("GET", r"/guilds/(\d+)/channels", self._get_guild_channels),
            ("GET", r"/guilds/(\d+)/roles", self._get_guild_roles),
            ("GET", r"/guilds/(\d+)/members/(\d+)", self._get_member),
        ]
        return [(method, re.compile(f"^{pattern}$"), handler) for method, pattern, handler in table]

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX):] if request.path.startswith(API_PREFIX) else request.path
        body, files = await _read_body(request)
        recorded = RecordedRequest(len(self.requests), request.method, path, dict(request.query), body,
                                   dict(request.headers), files)
        reply = self._route(recorded)
        if not isinstance(reply, Reply):
            reply = await reply
        recorded.status, recorded.response = reply.status, reply.body
        self._record(recorded)
        headers = {"Via": "1.1 google", **reply.headers}
        if reply.status == 204 or reply.body is None:
            return web.Response(status=reply.status if reply.body is not None else 204, headers=headers)
        # Exactly "application/json": discord.py's json_or_text compares the header verbatim and
        # hands back a str for "application/json; charset=utf-8".
        headers["Content-Type"] = "application/json"
        return web.Response(body=json.dumps(reply.body).encode(), status=reply.status, headers=headers)

    def _route(self, req: RecordedRequest) -> Reply | Awaitable[Reply]:
        for failure in self.failures:
            if failure.matches(req.method, req.path):
                return self._scripted_reply(failure)
        path_matched = False
        for method, pattern, handler in self._routes:
            match = pattern.match(req.path)
            if match:
                path_matched = True
                if method == req.method:
                    return handler(req, *match.groups())
        if path_matched:
            return error(405, 0, "405: Method Not Allowed")
        return error(404, 0, "fake: not implemented")

    # --- REST: identity, gateway, guild --------------------------------------------------------

    async def _get_me(self, req: RecordedRequest) -> Reply:
        return Reply(200, self.bot_user)

    async def _get_user(self, req: RecordedRequest, user_id: str) -> Reply:
        if int(user_id) not in self.users:
            return error(404, 10013, "Unknown User")
        return Reply(200, self.user(int(user_id)))

    async def _get_application(self, req: RecordedRequest) -> Reply:
        return Reply(200, {
            "id": str(m.APP_ID), "name": m.BOT_NAME, "icon": None, "description": "", "summary": "",
            "type": None, "hook": True, "bot_public": True, "bot_require_code_grant": False,
            "verify_key": "0" * 64, "owner": self.user(m.OWNER_ID), "team": None, "flags": m.APPLICATION_FLAGS,
            "interactions_endpoint_url": None, "redirect_uris": [], "tags": [], "approximate_guild_count": 1,
            "integration_types_config": {"0": {}}, "bot": self.user(m.BOT_ID),
        })

    async def _get_gateway(self, req: RecordedRequest) -> Reply:
        body: dict[str, Any] = {"url": self.gateway_url}
        if req.path.endswith("/bot"):
            body.update({"shards": 1, "session_start_limit": {"total": 1000, "remaining": 999,
                                                              "reset_after": 86400000,
                                                              "max_concurrency": self.max_concurrency}})
        return Reply(200, body)

    async def _get_guild(self, req: RecordedRequest, guild_id: str) -> Reply:
        if not self.has_guild(int(guild_id)):
            return error(404, 10004, "Unknown Guild")
        return Reply(200, self.guild_payload(for_gateway=False, guild_id=int(guild_id)))

    async def _get_guild_channels(self, req: RecordedRequest, guild_id: str) -> Reply:
        if not self.has_guild(int(guild_id)):
            return error(404, 10004, "Unknown Guild")
        return Reply(200, self.guild_channels(int(guild_id)))

    async def _get_guild_roles(self, req: RecordedRequest, guild_id: str) -> Reply:
        if not self.has_guild(int(guild_id)):
            return error(404, 10004, "Unknown Guild")
        return Reply(200, self.guild_roles(int(guild_id)))

    async def _get_member(self, req: RecordedRequest, guild_id: str, user_id: str) -> Reply:
        if not self.has_guild(int(guild_id)):
            return error(404, 10004, "Unknown Guild")
        if int(user_id) not in self.member_roles:
            return error(404, 10007, "Unknown Member")
        return Reply(200, self.guild_member(int(guild_id), int(user_id)))

    async def _open_dm(self, req: RecordedRequest) -> Reply:
        recipient = int((req.json or {}).get("recipient_id", 0))
        if recipient not in self.users or recipient == m.BOT_ID:
            return error(400, 50007, "Cannot send messages to this user")
        return Reply(200, copy.deepcopy(self.open_dm(recipient)))

    async def _get_channel(self, req: RecordedRequest, channel_id: str) -> Reply:
        channel = self.channel(int(channel_id))
        return Reply(200, copy.deepcopy(channel)) if channel else error(*UNKNOWN_CHANNEL)

    # --- REST: application commands ---------------------------------------------------------------

    @staticmethod
    def _scope(guild_id: str | None) -> int | None:
        return int(guild_id) if guild_id else None

    async def _get_commands(self, req: RecordedRequest, app_id: str, guild_id: str | None = None) -> Reply:
        if int(app_id) != m.APP_ID:
            return error(403, 50001, "Missing Access")
        return Reply(200, copy.deepcopy(self.commands.get(self._scope(guild_id), [])))

    async def _put_commands(self, req: RecordedRequest, app_id: str, guild_id: str | None = None) -> Reply:
        """Bulk overwrite; keeps ids of commands whose (name, type) survive, like Discord."""
        if int(app_id) != m.APP_ID:
            return error(403, 50001, "Missing Access")
        if guild_id is not None and int(guild_id) != m.GUILD_ID:
            return error(403, 50001, "Missing Access")
        payload = req.json if isinstance(req.json, list) else []
        scope = self._scope(guild_id)
        previous = {(c["name"], c.get("type", 1)): c["id"] for c in self.commands.get(scope, [])}
        stored = []
        for cmd in payload:
            key = (cmd["name"], cmd.get("type", 1))
            entry = {
                "type": 1, "description": "", "options": [], "default_member_permissions": None, "nsfw": False,
                "contexts": None, "integration_types": [0], "dm_permission": True, **copy.deepcopy(cmd),
                "id": previous.get(key) or str(self.snowflake()), "application_id": str(m.APP_ID),
                "version": str(self.snowflake()),
            }
            if scope is not None:
                entry["guild_id"] = str(scope)
            stored.append(entry)
        self.commands[scope] = stored
        self.command_syncs.append(("global" if scope is None else f"guild:{scope}", copy.deepcopy(payload)))
        return Reply(200, copy.deepcopy(stored))

    # --- REST: channel messages --------------------------------------------------------------------

    def _attachments(self, body: Mapping[str, Any], files: list[RecordedFile], channel_id: int) -> list[dict[str, Any]]:
        """Attachment objects for uploaded files (payload ``attachments[i].id`` indexes ``files[i]``)."""
        described = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
        result = []
        for index, f in enumerate(files):
            meta = described.get(str(index), {})
            aid = str(self.snowflake())
            url = f"{self.base_url}/attachments/{channel_id}/{aid}/{f.filename}"
            result.append({"id": aid, "filename": meta.get("filename", f.filename), "size": f.size, "url": url,
                           "proxy_url": url, "content_type": f.content_type, "description": meta.get("description")})
        return result

    def _channel_gate(self, channel_id: int) -> Reply | None:
        """Existence and bot-permission checks Discord applies before creating a message."""
        channel = self.channel(channel_id)
        if channel is None:
            return error(*UNKNOWN_CHANNEL)
        if channel["type"] == 1:
            recipient = self.dm_recipient(channel_id)
            return error(403, 50007, "Cannot send messages to this user") if recipient in self.closed_dms else None
        perms = self.bot_permissions(channel_id)
        if channel_id in self.forbidden_channels or not perms & m.VIEW_CHANNEL or not perms & m.SEND_MESSAGES:
            return error(*MISSING_PERMISSIONS)
        return None

    async def _create_message(self, req: RecordedRequest, channel_id: str) -> Reply:
        cid = int(channel_id)
        if (gate := self._channel_gate(cid)) is not None:
            return gate
        body = dict(req.json or {})
        if (invalid := invalid_form_body(body)) is not None:
            return Reply(400, invalid)
        channel = self.channel(cid) or {}
        if body.get("embeds") and channel.get("type") != 1 and not self.bot_permissions(cid) & m.EMBED_LINKS:
            # Discord drops embeds without EMBED_LINKS; an embed-only message is refused outright.
            body["embeds"] = []
            if is_empty_message(body, bool(req.files)):
                return error(*MISSING_PERMISSIONS)
        if is_empty_message(body, bool(req.files)):
            return Reply(400, EMPTY_MESSAGE)
        flags = int(body.get("flags") or 0) & (m.MESSAGE_FLAG_SUPPRESS_EMBEDS | m.MESSAGE_FLAG_COMPONENTS_V2)
        data = self.message_payload(cid, self.user(m.BOT_ID), body, flags=flags,
                                    attachments=self._attachments(body, req.files, cid))
        self.store(copy.deepcopy(data), allowed_mentions=body.get("allowed_mentions"))
        self._echo_message("MESSAGE_CREATE", data)
        return Reply(200, data)

    async def _typing(self, req: RecordedRequest, channel_id: str) -> Reply:
        return self._channel_gate(int(channel_id)) or Reply(204)

    async def _add_reaction(self, req: RecordedRequest, channel_id: str, message_id: str, emoji: str) -> Reply:
        if self.channel(int(channel_id)) is None:
            return error(*UNKNOWN_CHANNEL)
        stored = self.messages.get(int(message_id))
        if stored is None or stored.deleted:
            return error(*UNKNOWN_MESSAGE)
        return Reply(204)

    async def _message_history(self, req: RecordedRequest, channel_id: str) -> Reply:
        """GET /channels/{id}/messages: newest first, `limit` (default 50, at most 100) and `before`."""
        if self.channel(int(channel_id)) is None:
            return error(*UNKNOWN_CHANNEL)
        if int(channel_id) in self.unreadable_channels:
            return error(*MISSING_PERMISSIONS)
        limit = max(1, min(100, int(req.query.get("limit", "50"))))
        before = int(req.query["before"]) if "before" in req.query else None
        found = [s for s in self.channel_messages(int(channel_id), author_id=None)
                 if not s.ephemeral and (before is None or s.id < before)]
        return Reply(200, [copy.deepcopy(s.data) for s in reversed(found)][:limit])

    async def _channel_message(self, req: RecordedRequest, channel_id: str, message_id: str) -> Reply:
        if self.channel(int(channel_id)) is None:
            return error(*UNKNOWN_CHANNEL)
        stored = self.messages.get(int(message_id))
        if stored is None or stored.deleted or stored.channel_id != int(channel_id):
            return error(*UNKNOWN_MESSAGE)
        if req.method == "GET":
            return Reply(200, copy.deepcopy(stored.data))
        if stored.author_id != m.BOT_ID:
            if req.method == "PATCH":
                return error(403, 50005, "Cannot edit a message authored by another user")
            return error(*MISSING_PERMISSIONS)  # deleting others' messages needs MANAGE_MESSAGES
        return self._edit_or_delete(stored, req)

    def _edit_or_delete(self, stored: StoredMessage, req: RecordedRequest) -> Reply:
        if req.method == "DELETE":
            stored.deleted = True
            if not stored.ephemeral:
                self._echo_message("MESSAGE_DELETE", {"id": str(stored.id), "channel_id": str(stored.channel_id)})
            return Reply(204)
        body = req.json or {}
        if (invalid := invalid_form_body(body)) is not None:
            return Reply(400, invalid)
        self.apply_edit(stored, body)
        if not stored.ephemeral:
            self._echo_message("MESSAGE_UPDATE", stored.data)
        return Reply(200, copy.deepcopy(stored.data))

    def _echo_message(self, event: str, data: dict[str, Any]) -> None:
        channel = self.channel(int(data["channel_id"])) or {}
        data = dict(data)
        if channel.get("guild_id"):
            data["guild_id"] = channel["guild_id"]
            if event == "MESSAGE_CREATE":
                data["member"] = self.member(m.BOT_ID, with_user=False)
        elif event == "MESSAGE_CREATE":
            data["channel_type"] = 1
        self._echo(event, data)

    # --- REST: interactions ------------------------------------------------------------------------

    def _live_interaction(self, interaction_id: int, token: str) -> FakeInteraction | None:
        interaction = self.interactions.get(interaction_id)
        if interaction is None or interaction.expired or interaction.token != token:
            return None
        return interaction

    def _by_token(self, app_id: str, token: str) -> FakeInteraction | None:
        if int(app_id) != m.APP_ID:
            return None
        for interaction in self.interactions.values():
            if interaction.token == token:
                return None if interaction.expired else interaction
        return None

    async def _callback(self, req: RecordedRequest, interaction_id: str, token: str) -> Reply:
        interaction = self._live_interaction(int(interaction_id), token)
        if interaction is None:
            return error(*UNKNOWN_INTERACTION)
        if interaction.acknowledged:
            return error(400, 40060, "Interaction has already been acknowledged.")
        body = req.json or {}
        rtype = int(body.get("type", 0))
        data = body.get("data") or {}
        message: dict[str, Any] | None = None
        if rtype == 4:
            if (invalid := invalid_form_body(data)) is not None:
                return Reply(400, invalid)
            if is_empty_message(data, bool(req.files)):
                return Reply(400, EMPTY_MESSAGE)
            message = self._interaction_message(interaction, data, req.files, original=True)
        elif rtype == 5:
            loading = {"flags": int(data.get("flags") or 0) & m.MESSAGE_FLAG_EPHEMERAL}
            message = self._interaction_message(interaction, {}, [], original=True,
                                                extra_flags=m.MESSAGE_FLAG_LOADING | loading["flags"])
        elif rtype in (6, 7):
            # A component's interaction, or a modal opened from one (it carries the message), may update it.
            if interaction.type not in (3, 5) or interaction.component_message_id is None:
                return error(400, 40004, "Interaction response type is invalid for this interaction")
            stored = self.messages.get(interaction.component_message_id)
            if stored is None:
                return error(*UNKNOWN_MESSAGE)
            interaction.original_message_id = stored.id
            if rtype == 7:
                if (invalid := invalid_form_body(data)) is not None:
                    return Reply(400, invalid)
                self.apply_edit(stored, data)
                if not stored.ephemeral:
                    self._echo_message("MESSAGE_UPDATE", stored.data)
            message = copy.deepcopy(stored.data)
        elif rtype == 8 and interaction.type != 4:
            return error(400, 40004, "Interaction response type is invalid for this interaction")
        elif rtype not in (1, 8, 9):
            return error(400, 50035, "Invalid Form Body")
        interaction.response_type = rtype
        if req.query.get("with_response", "").lower() not in ("1", "true"):
            return Reply(204)
        return Reply(200, self._callback_body(interaction, rtype, message))

    def _callback_body(self, interaction: FakeInteraction, rtype: int,
                       message: dict[str, Any] | None) -> dict[str, Any]:
        """InteractionCallbackResponse: discord.py keys views by ``response_message_id``."""
        info: dict[str, Any] = {"id": str(interaction.id), "type": interaction.type}
        if message is not None:
            flags = int(message.get("flags") or 0)
            info.update({"response_message_id": message["id"],
                         "response_message_loading": bool(flags & m.MESSAGE_FLAG_LOADING),
                         "response_message_ephemeral": bool(flags & m.MESSAGE_FLAG_EPHEMERAL)})
        resource: dict[str, Any] = {"type": rtype}
        if message is not None:
            resource["message"] = message
        return {"interaction": info, "resource": resource}

    def _interaction_message(self, interaction: FakeInteraction, body: Mapping[str, Any], files: list[RecordedFile],
                             *, original: bool, extra_flags: int = 0) -> dict[str, Any]:
        """Create and store an interaction reply (original or followup); echo it if public."""
        flags = (int(body.get("flags") or 0) & (m.MESSAGE_FLAG_EPHEMERAL | m.MESSAGE_FLAG_SUPPRESS_EMBEDS
                                                 | m.MESSAGE_FLAG_COMPONENTS_V2)) | extra_flags
        msg_type = 20 if original and interaction.type == 2 else 0
        data = self.message_payload(interaction.channel_id, self.user(m.BOT_ID), body, msg_type=msg_type,
                                    flags=flags, attachments=self._attachments(body, files, interaction.channel_id),
                                    interaction=interaction)
        self.store(copy.deepcopy(data), interaction=interaction, allowed_mentions=body.get("allowed_mentions"))
        if original:
            interaction.original_message_id = int(data["id"])
        if not flags & m.MESSAGE_FLAG_EPHEMERAL:
            self._echo_message("MESSAGE_CREATE", data)
        return data

    async def _followup(self, req: RecordedRequest, app_id: str, token: str) -> Reply:
        interaction = self._by_token(app_id, token)
        if interaction is None or not interaction.acknowledged:
            return error(*UNKNOWN_WEBHOOK)
        body = req.json or {}
        if (invalid := invalid_form_body(body)) is not None:
            return Reply(400, invalid)
        if is_empty_message(body, bool(req.files)):
            return Reply(400, EMPTY_MESSAGE)
        original = self.messages.get(interaction.original_message_id or 0)
        if interaction.response_type == 5 and original is not None and original.loading and not original.deleted:
            data = self._resolve_loading(original, body, req.files)
        else:
            data = self._interaction_message(interaction, body, req.files, original=False)
        if req.query.get("wait", "").lower() in ("1", "true"):
            return Reply(200, data)
        return Reply(204)

    def _resolve_loading(self, original: StoredMessage, body: Mapping[str, Any],
                         files: list[RecordedFile]) -> dict[str, Any]:
        """First followup after a defer fills the "thinking" message instead of posting a new one.

        Discord keeps the defer's ephemeral state and ignores the followup's flags here
        (discord-api-docs #2742), a classic source of "why is my reply public/private".
        """
        data = original.data
        data["content"] = body.get("content") or ""
        data["embeds"] = [self._normalise_embed(e) for e in body.get("embeds") or []]
        data["components"] = copy.deepcopy(body.get("components") or [])
        data["attachments"] = self._attachments(body, files, original.channel_id)
        data["flags"] = int(data.get("flags") or 0) & ~m.MESSAGE_FLAG_LOADING
        original.allowed_mentions_sent = body.get("allowed_mentions")
        if not original.ephemeral:
            self._echo_message("MESSAGE_UPDATE", data)
        return copy.deepcopy(data)

    async def _webhook_message(self, req: RecordedRequest, app_id: str, token: str, message_ref: str) -> Reply:
        interaction = self._by_token(app_id, token)
        if interaction is None or not interaction.acknowledged:
            return error(*UNKNOWN_WEBHOOK)
        if message_ref == "@original":
            message_id = interaction.original_message_id
        else:
            message_id = int(message_ref)
            if message_id not in interaction.message_ids and message_id != interaction.original_message_id:
                message_id = None
        stored = self.messages.get(message_id) if message_id is not None else None
        if stored is None or stored.deleted:
            return error(*UNKNOWN_MESSAGE)
        if req.method == "GET":
            return Reply(200, copy.deepcopy(stored.data))
        return self._edit_or_delete(stored, req)


# --- helpers -------------------------------------------------------------------------------------


def _safe(predicate: Predicate, request: RecordedRequest) -> bool:
    try:
        return bool(predicate(request))
    except Exception:
        return False


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _read_body(request: web.Request) -> tuple[Any, list[RecordedFile]]:
    """JSON body, or ``payload_json`` plus file parts for multipart uploads."""
    if not request.can_read_body:
        return None, []
    if request.content_type.startswith("multipart/"):
        body: Any = None
        files: list[RecordedFile] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):  # Discord's uploads are one level deep
                continue
            if part.name == "payload_json":
                body = json.loads(await part.text())
            elif part.filename is not None:
                files.append(RecordedFile(part.name or "", part.filename, part.headers.get("Content-Type"),
                                          bytes(await part.read())))
        return body, files
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode("utf-8", "replace"), []
