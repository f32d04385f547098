"""The fixed world the fake Discord serves: ids, permission bits and JSON payload builders.

Payload shapes follow what discord.py 2.x's parsers read (``state.py``, ``guild.py``,
``member.py``, ``message.py``, ``interactions.py``), including keys it indexes without a
default (e.g. a member's ``flags``, an interaction's ``attachment_size_limit``), because a
missing one of those turns into a KeyError inside the library's gateway task and the test
would only see a timeout.
"""
from __future__ import annotations

import datetime
import itertools
import secrets
import threading
import time
from collections.abc import Iterable
from typing import Any

# --- fixed ids --------------------------------------------------------------------------

BOT_ID = 1000
APP_ID = 1000
GUILD_ID = 2000
EVERYONE_ROLE_ID = GUILD_ID  # Discord's @everyone role shares the guild's id.
BOT_ROLE_ID = 2001
GENERAL_ID = 3000
READ_ONLY_ID = 3001
NO_EMBEDS_ID = 3002
SYSTEM_CHANNEL_ID = GENERAL_ID
OWNER_ID = 4000
ALICE_ID = 4001
BOB_ID = 4002
DM_CHANNEL_BASE = 5000

BOT_NAME = "archive-bot"
GUILD_NAME = "History Server"
USERS: dict[int, str] = {OWNER_ID: "owner", ALICE_ID: "alice", BOB_ID: "bob"}

# --- permission bits (https://discord.com/developers/docs/topics/permissions) -----------

CREATE_INSTANT_INVITE = 1 << 0
ADMINISTRATOR = 1 << 3
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
USE_EXTERNAL_EMOJIS = 1 << 18
CONNECT = 1 << 20
SPEAK = 1 << 21
CHANGE_NICKNAME = 1 << 26
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

EVERYONE_PERMISSIONS = (
    CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES
    | READ_MESSAGE_HISTORY | USE_EXTERNAL_EMOJIS | CONNECT | SPEAK | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS | SEND_MESSAGES_IN_THREADS
)
BOT_ROLE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS | SEND_MESSAGES_IN_THREADS | USE_APPLICATION_COMMANDS
)
# What Discord reports as app_permissions / member permissions inside a bot DM.
DM_PERMISSIONS = (
    ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS | USE_APPLICATION_COMMANDS
)

# --- gateway intents and flags -----------------------------------------------------------

INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
MESSAGE_FLAG_SUPPRESS_EMBEDS = 1 << 2
MESSAGE_FLAG_COMPONENTS_V2 = 1 << 15
# GATEWAY_MESSAGE_CONTENT_LIMITED | APPLICATION_COMMAND_BADGE: an ordinary unverified bot.
APPLICATION_FLAGS = (1 << 19) | (1 << 23)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

DISCORD_EPOCH_MS = 1420070400000
FIXED_JOINED_AT = "2024-01-15T12:00:00.000000+00:00"


class SnowflakeFactory:
    """Hands out strictly increasing, time-based snowflakes so ``created_at`` looks sane."""

    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self) -> int:
        with self._lock:
            candidate = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
            self._last = max(candidate, self._last + 1)
            return self._last


def now_iso() -> str:
    """Discord's timestamp format (ISO 8601 with microseconds and offset)."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")


def new_token(prefix: str = "fake") -> str:
    """A URL-safe token; interaction and webhook tokens only need to be unique."""
    return f"{prefix}-{secrets.token_hex(20)}"


_session_counter = itertools.count(1)


def new_session_id() -> str:
    return f"fake-session-{next(_session_counter)}-{secrets.token_hex(6)}"


# --- users, roles, members ----------------------------------------------------------------


def user_payload(user_id: int, username: str, *, bot: bool = False) -> dict[str, Any]:
    """A user object; ``discriminator`` and ``avatar`` are required keys for discord.py."""
    return {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": None if bot else username.capitalize(),
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def bot_user_payload() -> dict[str, Any]:
    """The bot as returned by GET /users/@me and READY (ClientUser wants verified/mfa/flags)."""
    return {**user_payload(BOT_ID, BOT_NAME, bot=True), "verified": True, "mfa_enabled": False,
            "flags": 0, "email": None, "locale": "en-US"}


def role_payload(role_id: int, name: str, permissions: int, *, position: int,
                 managed: bool = False, tags: dict[str, Any] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(role_id), "name": name, "permissions": str(permissions), "position": position,
        "color": 0, "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False, "managed": managed, "mentionable": False, "icon": None, "unicode_emoji": None,
        "flags": 0,
    }
    if tags is not None:
        payload["tags"] = tags
    return payload


def member_payload(user: dict[str, Any], roles: Iterable[int], *, with_user: bool = True) -> dict[str, Any]:
    """A guild member; ``flags`` and ``roles`` are indexed directly by discord.py's Member."""
    payload: dict[str, Any] = {
        "roles": [str(r) for r in roles], "joined_at": FIXED_JOINED_AT, "premium_since": None,
        "deaf": False, "mute": False, "pending": False, "nick": None, "avatar": None, "banner": None,
        "flags": 0, "communication_disabled_until": None,
    }
    if with_user:
        payload["user"] = user
    return payload


# --- channels ----------------------------------------------------------------------------


def overwrite(target_id: int, *, member: bool = False, allow: int = 0, deny: int = 0) -> dict[str, Any]:
    """A permission overwrite; type 0 targets a role, 1 a member."""
    return {"id": str(target_id), "type": 1 if member else 0, "allow": str(allow), "deny": str(deny)}


def text_channel_payload(channel_id: int, name: str, position: int,
                         overwrites: list[dict[str, Any]] | None = None, guild_id: int = GUILD_ID) -> dict[str, Any]:
    """A guild text channel; ``name``/``position``/``type`` are required by TextChannel."""
    return {
        "id": str(channel_id), "type": 0, "guild_id": str(guild_id), "name": name, "position": position,
        "permission_overwrites": overwrites or [], "parent_id": None, "topic": None, "nsfw": False,
        "last_message_id": None, "rate_limit_per_user": 0, "flags": 0,
    }


def dm_channel_payload(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    """A DM channel (type 1); discord.py builds the DMChannel's recipient from ``recipients``."""
    return {"id": str(channel_id), "type": 1, "last_message_id": None, "flags": 0, "recipients": [recipient]}


def default_channels() -> dict[int, dict[str, Any]]:
    """general (normal), read-only (bot may not send), no-embeds (bot may not embed links)."""
    deny_send = SEND_MESSAGES | SEND_MESSAGES_IN_THREADS
    return {
        GENERAL_ID: text_channel_payload(GENERAL_ID, "general", 0),
        READ_ONLY_ID: text_channel_payload(READ_ONLY_ID, "read-only", 1, [
            overwrite(BOT_ROLE_ID, deny=deny_send),
            overwrite(BOT_ID, member=True, deny=deny_send),
        ]),
        NO_EMBEDS_ID: text_channel_payload(NO_EMBEDS_ID, "no-embeds", 2, [
            overwrite(BOT_ROLE_ID, deny=EMBED_LINKS),
        ]),
    }


def default_roles() -> dict[int, dict[str, Any]]:
    return {
        EVERYONE_ROLE_ID: role_payload(EVERYONE_ROLE_ID, "@everyone", EVERYONE_PERMISSIONS, position=0),
        BOT_ROLE_ID: role_payload(BOT_ROLE_ID, BOT_NAME, BOT_ROLE_PERMISSIONS, position=1, managed=True,
                                  tags={"bot_id": str(BOT_ID)}),
    }


# --- permission resolution (Discord's documented algorithm) -------------------------------


def base_permissions(user_id: int, member_roles: Iterable[int], roles: dict[int, dict[str, Any]],
                     owner_id: int, everyone_id: int = EVERYONE_ROLE_ID) -> int:
    """Guild-level permissions: owner and ADMINISTRATOR get everything."""
    if user_id == owner_id:
        return ALL_PERMISSIONS
    perms = int(roles[everyone_id]["permissions"])
    for role_id in member_roles:
        if role_id in roles:
            perms |= int(roles[role_id]["permissions"])
    return ALL_PERMISSIONS if perms & ADMINISTRATOR else perms


def channel_permissions(user_id: int, member_roles: Iterable[int], roles: dict[int, dict[str, Any]],
                        owner_id: int, channel: dict[str, Any], everyone_id: int = EVERYONE_ROLE_ID) -> int:
    """Apply @everyone, role and member overwrites in that order, as Discord does."""
    member_roles = list(member_roles)
    perms = base_permissions(user_id, member_roles, roles, owner_id, everyone_id)
    if perms & ADMINISTRATOR or perms == ALL_PERMISSIONS:
        return ALL_PERMISSIONS
    overwrites = channel.get("permission_overwrites", [])

    def apply(allow: int, deny: int) -> None:
        nonlocal perms
        perms = (perms & ~deny) | allow

    for ow in overwrites:
        if ow["type"] == 0 and int(ow["id"]) == everyone_id:
            apply(int(ow["allow"]), int(ow["deny"]))
    allow = deny = 0
    for ow in overwrites:
        if ow["type"] == 0 and int(ow["id"]) in member_roles:
            allow |= int(ow["allow"])
            deny |= int(ow["deny"])
    apply(allow, deny)
    for ow in overwrites:
        if ow["type"] == 1 and int(ow["id"]) == user_id:
            apply(int(ow["allow"]), int(ow["deny"]))
    if not perms & VIEW_CHANNEL:
        return 0
    return perms
