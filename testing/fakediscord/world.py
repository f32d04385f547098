"""The fake's mutable state (guild, channels, commands, messages, interactions) and event builders.

Kept free of I/O so the payload builders can be unit-checked and reused; ``server.py`` adds
the REST/gateway layer on top. Builders return plain dicts ready for ``dispatch`` so a test
can tweak a field before sending it.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import model as m
from .records import FakeInteraction, StoredMessage


class OptionType:
    """Application command option types (Discord's numbering)."""

    SUB_COMMAND = 1
    SUB_COMMAND_GROUP = 2
    STRING = 3
    INTEGER = 4
    BOOLEAN = 5
    USER = 6
    CHANNEL = 7
    ROLE = 8
    MENTIONABLE = 9
    NUMBER = 10
    ATTACHMENT = 11


@dataclass(frozen=True)
class Opt:
    """An explicitly typed option value, e.g. ``Opt(3002, OptionType.CHANNEL)``.

    Needed when the command was not synced through the fake (so its schema is unknown) and
    the Python type is ambiguous: an ``int`` is an INTEGER by default, not a channel id.
    """

    value: Any
    type: int


_MENTION_RE = re.compile(r"<@!?(\d+)>")
OptionsArg = Mapping[str, Any] | list[dict[str, Any]] | None


def _infer_type(value: Any) -> int:
    if isinstance(value, bool):
        return OptionType.BOOLEAN
    if isinstance(value, int):
        return OptionType.INTEGER
    if isinstance(value, float):
        return OptionType.NUMBER
    if isinstance(value, str):
        return OptionType.STRING
    raise TypeError(f"cannot infer an option type for {value!r}; wrap it as Opt(value, OptionType.X)")


class DiscordWorld:
    """One guild, three users, a bot, their DM channels, synced commands and every message; `add_guild` adds
    plain guilds beside it (for shards: each gateway connection is sent only its shards' guilds)."""

    BOT_ID = m.BOT_ID
    APP_ID = m.APP_ID
    GUILD_ID = m.GUILD_ID
    OWNER_ID = m.OWNER_ID
    ALICE_ID = m.ALICE_ID
    BOB_ID = m.BOB_ID
    BOT_ROLE_ID = m.BOT_ROLE_ID
    GENERAL_ID = m.GENERAL_ID
    READ_ONLY_ID = m.READ_ONLY_ID
    NO_EMBEDS_ID = m.NO_EMBEDS_ID

    def __init__(self) -> None:
        self.snowflake = m.SnowflakeFactory()
        self.bot_user: dict[str, Any] = m.bot_user_payload()
        self.users: dict[int, dict[str, Any]] = {m.BOT_ID: m.user_payload(m.BOT_ID, m.BOT_NAME, bot=True)}
        self.users.update({uid: m.user_payload(uid, name) for uid, name in m.USERS.items()})
        self.member_roles: dict[int, list[int]] = {m.BOT_ID: [m.BOT_ROLE_ID], **{uid: [] for uid in m.USERS}}
        self.roles: dict[int, dict[str, Any]] = m.default_roles()
        self.channels: dict[int, dict[str, Any]] = m.default_channels()
        self.other_guilds: dict[int, str] = {}  # guild id -> name: plain guilds, @everyone may do the defaults
        self.dm_channels: dict[int, dict[str, Any]] = {}  # by recipient user id
        self.forbidden_channels: set[int] = set()
        self.deleted_channels: set[int] = set()
        self.closed_dms: set[int] = set()
        self.unreadable_channels: set[int] = set()
        self.commands: dict[int | None, list[dict[str, Any]]] = {}  # None = global scope
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[int, FakeInteraction] = {}

    # --- lookups -------------------------------------------------------------------------

    def user(self, user_id: int) -> dict[str, Any]:
        try:
            return self.users[int(user_id)]
        except KeyError:
            raise KeyError(f"fake: unknown user {user_id}; known: {sorted(self.users)}") from None

    def member(self, user_id: int, *, with_user: bool = True) -> dict[str, Any]:
        if int(user_id) not in self.member_roles:
            raise KeyError(f"fake: user {user_id} is not a member of guild {m.GUILD_ID}")
        return m.member_payload(self.user(user_id), self.member_roles[int(user_id)], with_user=with_user)

    def dm_channel_id(self, user_id: int) -> int:
        """5000 + offset of the user from the owner id (alice 4001 -> 5001)."""
        return m.DM_CHANNEL_BASE + (int(user_id) - m.OWNER_ID)

    def open_dm(self, user_id: int) -> dict[str, Any]:
        user_id = int(user_id)
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = m.dm_channel_payload(self.dm_channel_id(user_id), self.user(user_id))
        return self.dm_channels[user_id]

    def channel(self, channel_id: int) -> dict[str, Any] | None:
        """A live guild or DM channel payload, or None if unknown/deleted."""
        channel_id = int(channel_id)
        if channel_id in self.deleted_channels:
            return None
        if channel_id in self.channels:
            return self.channels[channel_id]
        for dm in self.dm_channels.values():
            if int(dm["id"]) == channel_id:
                return dm
        return None

    def dm_recipient(self, channel_id: int) -> int | None:
        for user_id, dm in self.dm_channels.items():
            if int(dm["id"]) == int(channel_id):
                return user_id
        return None

    def guild_ids(self) -> list[int]:
        return [m.GUILD_ID, *self.other_guilds]

    def has_guild(self, guild_id: int) -> bool:
        return int(guild_id) in (m.GUILD_ID, *self.other_guilds)

    def _other_roles(self, guild_id: int) -> dict[int, dict[str, Any]]:
        return {guild_id: m.role_payload(guild_id, "@everyone", m.EVERYONE_PERMISSIONS, position=0)}

    def permissions_in(self, user_id: int, channel_id: int) -> int:
        """Effective permissions of a member in a guild channel (DMs: the fixed DM set)."""
        channel = self.channel(channel_id)
        if channel is None or channel.get("type") == 1:
            return m.DM_PERMISSIONS
        guild_id = int(channel["guild_id"])
        if guild_id != m.GUILD_ID:
            return m.channel_permissions(int(user_id), [], self._other_roles(guild_id), m.OWNER_ID, channel, guild_id)
        return m.channel_permissions(int(user_id), self.member_roles.get(int(user_id), []), self.roles,
                                     m.OWNER_ID, channel)

    def bot_permissions(self, channel_id: int) -> int:
        return self.permissions_in(m.BOT_ID, channel_id)

    # --- scripted world changes ------------------------------------------------------------

    def add_role(self, role_id: int, name: str, permissions: int) -> dict[str, Any]:
        """Add a guild role (e.g. a moderator role with MANAGE_MESSAGES) before the client connects."""
        role = m.role_payload(role_id, name, permissions, position=len(self.roles))
        self.roles[int(role_id)] = role
        return role

    def add_user(self, user_id: int, username: str, *, member: bool = True,
                 roles: Iterable[int] = ()) -> dict[str, Any]:
        """Add a user (and guild member). Its DM channel id is 5000 + (user_id - 4000)."""
        self.users[int(user_id)] = m.user_payload(int(user_id), username)
        if member:
            self.member_roles[int(user_id)] = [int(r) for r in roles]
        return self.users[int(user_id)]

    def add_guild(self, guild_id: int, name: str, channel_id: int) -> dict[str, Any]:
        """Add a plain guild with one text channel, the bot and the users as members (no roles); returns the
        channel. Its shard is (guild_id >> 22) % shard_count, as on Discord."""
        self.other_guilds[int(guild_id)] = name
        self.channels[int(channel_id)] = m.text_channel_payload(int(channel_id), "general", 0, guild_id=int(guild_id))
        return self.channels[int(channel_id)]

    def forbid_channel(self, channel_id: int) -> None:
        """Make REST sends to the channel fail with 403 50013 (cache on the client is untouched).

        This is the "stale cache" case: discord.py still thinks it may send, Discord says no.
        Also denies SEND_MESSAGES to the bot in the stored channel, so a later GUILD_CREATE /
        CHANNEL_UPDATE (``channel_update_payload``) would tell the client the truth.
        """
        channel_id = int(channel_id)
        self.forbidden_channels.add(channel_id)
        channel = self.channels.get(channel_id)
        if channel is not None:
            channel["permission_overwrites"] = [
                ow for ow in channel["permission_overwrites"] if not (ow["type"] == 1 and int(ow["id"]) == m.BOT_ID)
            ] + [m.overwrite(m.BOT_ID, member=True, deny=m.SEND_MESSAGES | m.SEND_MESSAGES_IN_THREADS)]

    def delete_channel(self, channel_id: int) -> dict[str, Any]:
        """Delete a guild channel: REST calls to it now return 404 10003. Returns its payload."""
        channel_id = int(channel_id)
        payload = copy.deepcopy(self.channels.get(channel_id) or {"id": str(channel_id), "type": 0,
                                                                  "guild_id": str(m.GUILD_ID)})
        self.deleted_channels.add(channel_id)
        return payload

    def hide_history(self, channel_id: int) -> None:
        """Reading the channel's message history now fails with 403 (Read Message History denied)."""
        self.unreadable_channels.add(int(channel_id))

    def close_dms(self, user_id: int) -> None:
        """The user does not accept DMs: POSTs to their DM channel return 403 50007."""
        self.closed_dms.add(int(user_id))

    def expire_interaction(self, interaction_id: int) -> None:
        """Callbacks now 404 (10062) and webhook calls for its token 404 (10015)."""
        interaction = self.interactions.get(int(interaction_id))
        if interaction is None:
            interaction = FakeInteraction(int(interaction_id), "", 0, 0, None, {})
            self.interactions[int(interaction_id)] = interaction
        interaction.expired = True

    # --- payloads the gateway/REST serve ---------------------------------------------------

    def guild_channels(self, guild_id: int = m.GUILD_ID) -> list[dict[str, Any]]:
        return [copy.deepcopy(c) for cid, c in self.channels.items()
                if cid not in self.deleted_channels and int(c["guild_id"]) == int(guild_id)]

    def guild_roles(self, guild_id: int = m.GUILD_ID) -> list[dict[str, Any]]:
        roles = self.roles if int(guild_id) == m.GUILD_ID else self._other_roles(int(guild_id))
        return [copy.deepcopy(r) for r in roles.values()]

    def guild_member(self, guild_id: int, user_id: int) -> dict[str, Any]:
        if int(guild_id) == m.GUILD_ID:
            return self.member(user_id)
        return m.member_payload(self.user(user_id), [])

    def guild_payload(self, *, include_members: bool = True, for_gateway: bool = True,
                      guild_id: int = m.GUILD_ID) -> dict[str, Any]:
        """GUILD_CREATE (for_gateway) or GET /guilds/{id} shape."""
        guild_id = int(guild_id)
        live_channels = self.guild_channels(guild_id)
        member_ids = list(self.member_roles) if include_members else [m.BOT_ID]
        main = guild_id == m.GUILD_ID
        payload: dict[str, Any] = {
            "id": str(guild_id), "name": m.GUILD_NAME if main else self.other_guilds[guild_id], "icon": None,
            "splash": None, "discovery_splash": None, "banner": None, "description": None,
            "owner_id": str(m.OWNER_ID), "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 1,
            "explicit_content_filter": 0, "roles": self.guild_roles(guild_id),
            "emojis": [], "stickers": [], "features": [], "mfa_level": 0, "application_id": None,
            "system_channel_id": str(m.SYSTEM_CHANNEL_ID) if main else live_channels[0]["id"],
            "system_channel_flags": 0, "rules_channel_id": None,
            "public_updates_channel_id": None, "safety_alerts_channel_id": None, "vanity_url_code": None,
            "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": "en-US", "nsfw_level": 0,
            "premium_progress_bar_enabled": False, "max_members": 500000, "max_video_channel_users": 25,
        }
        if for_gateway:
            payload.update({
                "joined_at": m.FIXED_JOINED_AT, "large": False, "unavailable": False, "lazy": True,
                "member_count": len(self.member_roles), "voice_states": [], "presences": [], "threads": [],
                "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
                "channels": live_channels, "members": [self.guild_member(guild_id, uid) for uid in member_ids],
            })
        else:
            payload.update({"approximate_member_count": len(self.member_roles), "approximate_presence_count": 0})
        return payload

    def channel_update_payload(self, channel_id: int) -> dict[str, Any]:
        """A CHANNEL_UPDATE body reflecting the stored channel (e.g. after ``forbid_channel``)."""
        return copy.deepcopy(self.channels[int(channel_id)])

    # --- commands ------------------------------------------------------------------------

    def find_command(self, name: str, *, guild: bool = True, ctype: int = 1) -> dict[str, Any] | None:
        """Guild-scoped command first (when invoked in the guild), then global; `ctype` 1 is a slash command,
        2 a user and 3 a message context menu."""
        scopes: list[int | None] = ([m.GUILD_ID] if guild else []) + [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == ctype:
                    return cmd
        return None

    # --- messages ------------------------------------------------------------------------

    def message_payload(self, channel_id: int, author: dict[str, Any], body: Mapping[str, Any], *,
                        msg_type: int = 0, flags: int = 0, attachments: list[dict[str, Any]] | None = None,
                        interaction: FakeInteraction | None = None) -> dict[str, Any]:
        """A full message object as Discord returns it for a message the bot (or a user) sent."""
        data: dict[str, Any] = {
            "id": str(self.snowflake()), "channel_id": str(channel_id), "author": author,
            "content": body.get("content") or "", "timestamp": m.now_iso(), "edited_timestamp": None,
            "tts": bool(body.get("tts", False)), "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": attachments or [], "embeds": [self._normalise_embed(e) for e in body.get("embeds") or []],
            "components": copy.deepcopy(body.get("components") or []), "pinned": False, "type": msg_type,
            "flags": flags,
        }
        if body.get("nonce") is not None:
            data["nonce"] = body["nonce"]
        if ref := body.get("message_reference"):
            data["message_reference"] = {**ref, "channel_id": str(ref.get("channel_id") or channel_id)}
            target = self.messages.get(int(ref["message_id"])) if ref.get("message_id") else None
            data["referenced_message"] = copy.deepcopy(target.data) if target and not target.deleted else None
            if data["type"] == 0:
                data["type"] = 19
        if interaction is not None:
            data["webhook_id"] = str(m.APP_ID)
            data["application_id"] = str(m.APP_ID)
            data["interaction_metadata"] = {
                "id": str(interaction.id), "type": interaction.type, "user": interaction.user,
                "authorizing_integration_owners": self._integration_owners(interaction.guild_id is not None),
            }
        return data

    @staticmethod
    def _normalise_embed(embed: Mapping[str, Any]) -> dict[str, Any]:
        return {"type": "rich", **copy.deepcopy(dict(embed))}

    def store(self, data: dict[str, Any], *, interaction: FakeInteraction | None = None,
              allowed_mentions: dict[str, Any] | None = None) -> StoredMessage:
        stored = StoredMessage(data, interaction.id if interaction else None, allowed_mentions)
        self.messages[stored.id] = stored
        if interaction is not None:
            interaction.message_ids.append(stored.id)
        return stored

    def apply_edit(self, stored: StoredMessage, body: Mapping[str, Any]) -> None:
        """PATCH semantics: only keys present in the body change; LOADING is cleared."""
        data = stored.data
        if "content" in body:
            data["content"] = body["content"] or ""
        if "embeds" in body:
            data["embeds"] = [self._normalise_embed(e) for e in body["embeds"] or []]
        if "components" in body:
            data["components"] = copy.deepcopy(body["components"] or [])
        if "flags" in body and body["flags"] is not None:
            keep = int(data.get("flags") or 0) & ~m.MESSAGE_FLAG_SUPPRESS_EMBEDS
            editable = m.MESSAGE_FLAG_SUPPRESS_EMBEDS | m.MESSAGE_FLAG_COMPONENTS_V2
            data["flags"] = keep | (int(body["flags"]) & editable)
        if "attachments" in body and body["attachments"] is not None:
            keep_ids = {str(a.get("id")) for a in body["attachments"]}
            data["attachments"] = [a for a in data["attachments"] if a["id"] in keep_ids]
        if "allowed_mentions" in body:
            stored.allowed_mentions_sent = body["allowed_mentions"]
        data["flags"] = int(data.get("flags") or 0) & ~m.MESSAGE_FLAG_LOADING
        data["edited_timestamp"] = m.now_iso()
        stored.edits += 1

    def channel_messages(self, channel_id: int, *, author_id: int | None = m.BOT_ID,
                         include_deleted: bool = False) -> list[StoredMessage]:
        """Messages now in a channel, oldest first; by default only the bot's (incl. interaction replies)."""
        return [s for s in sorted(self.messages.values(), key=lambda s: s.id)
                if s.channel_id == int(channel_id) and (include_deleted or not s.deleted)
                and (author_id is None or s.author_id == int(author_id))]

    def latest_message_with_custom_id(self, custom_id: str) -> StoredMessage:
        for stored in sorted(self.messages.values(), key=lambda s: s.id, reverse=True):
            if not stored.deleted and custom_id in stored.custom_ids:
                return stored
        raise KeyError(f"fake: no stored message has a component with custom_id {custom_id!r}")

    # --- event builders --------------------------------------------------------------------

    def _integration_owners(self, in_guild: bool) -> dict[str, str]:
        # Key "0" = GUILD_INSTALL; its value is the guild id, or "0" inside the bot's DM.
        return {"0": str(m.GUILD_ID) if in_guild else "0"}

    def _interaction(self, itype: int, data: dict[str, Any] | None, *, user_id: int, channel_id: int,
                     guild: bool, message: dict[str, Any] | None = None) -> dict[str, Any]:
        """The envelope every INTERACTION_CREATE shares (see discord.py Interaction._from_data)."""
        user = self.user(user_id)
        payload: dict[str, Any] = {
            "id": str(self.snowflake()), "application_id": str(m.APP_ID), "type": itype,
            "token": m.new_token("interaction"), "version": 1, "locale": "en-US", "entitlements": [],
            "entitlement_sku_ids": [], "attachment_size_limit": m.ATTACHMENT_SIZE_LIMIT,
            "authorizing_integration_owners": self._integration_owners(guild),
        }
        if data is not None:
            payload["data"] = data
        if guild:
            channel = self.channel(channel_id)
            if channel is None:
                raise KeyError(f"fake: unknown guild channel {channel_id}")
            member = self.member(user_id)
            member["permissions"] = str(self.permissions_in(user_id, channel_id))
            payload.update({
                "guild_id": str(m.GUILD_ID), "guild_locale": "en-US", "context": 0,
                "guild": {"id": str(m.GUILD_ID), "locale": "en-US", "features": []},
                "member": member, "channel_id": str(channel_id),
                "channel": {**copy.deepcopy(channel), "permissions": member["permissions"]},
                "app_permissions": str(self.bot_permissions(channel_id)),
            })
        else:
            dm = self.open_dm(user_id)
            payload.update({
                "user": user, "context": 1, "channel_id": dm["id"], "channel": copy.deepcopy(dm),
                "app_permissions": str(m.DM_PERMISSIONS),
            })
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        return payload

    def _resolve(self, otype: int, value: Any, user_id: int, channel_id: int, guild: bool,
                 resolved: dict[str, dict[str, Any]]) -> Any:
        """Turn a snowflake option into its string id and add the object to ``resolved``."""
        sid = str(int(getattr(value, "id", value)))
        if otype in (OptionType.USER, OptionType.MENTIONABLE) and int(sid) in self.users:
            resolved.setdefault("users", {})[sid] = self.user(int(sid))
            if guild and int(sid) in self.member_roles:
                member = self.member(int(sid), with_user=False)
                member["permissions"] = str(self.permissions_in(int(sid), channel_id))
                resolved.setdefault("members", {})[sid] = member
        elif otype in (OptionType.ROLE, OptionType.MENTIONABLE) and int(sid) in self.roles:
            resolved.setdefault("roles", {})[sid] = copy.deepcopy(self.roles[int(sid)])
        elif otype == OptionType.CHANNEL:
            channel = self.channel(int(sid))
            if channel is None:
                raise KeyError(f"fake: channel option refers to unknown channel {sid}")
            resolved.setdefault("channels", {})[sid] = {
                "id": sid, "type": channel["type"], "name": channel.get("name", ""),
                "guild_id": channel.get("guild_id"), "parent_id": channel.get("parent_id"),
                "position": channel.get("position", 0), "nsfw": False, "flags": 0,
                "permissions": str(self.permissions_in(user_id, int(sid))),
            }
        return sid

    def _build_options(self, values: OptionsArg, schema: list[dict[str, Any]], *, user_id: int, channel_id: int,
                       guild: bool, resolved: dict[str, dict[str, Any]],
                       focused: str | None = None) -> list[dict[str, Any]]:
        """Typed option list: schema type if the command was synced, else Opt(...) or Python type."""
        if values is None:
            return []
        if isinstance(values, list):
            return copy.deepcopy(values)
        schema_types = {o["name"]: o["type"] for o in schema}
        options = []
        for name, raw in values.items():
            value = raw.value if isinstance(raw, Opt) else raw
            otype = raw.type if isinstance(raw, Opt) else schema_types.get(name) or _infer_type(value)
            if otype in (OptionType.USER, OptionType.CHANNEL, OptionType.ROLE, OptionType.MENTIONABLE) \
                    and name != focused:
                value = self._resolve(otype, value, user_id, channel_id, guild, resolved)
            elif otype == OptionType.NUMBER and name != focused:
                value = float(value)
            option = {"name": name, "type": otype, "value": value}
            if name == focused:
                option["focused"] = True
            options.append(option)
        return options

    def _command_data(self, name: str, options: OptionsArg, subcommand: str | None, *, user_id: int,
                      channel_id: int, guild: bool, focused: str | None = None) -> dict[str, Any]:
        """``data`` of an APPLICATION_COMMAND/AUTOCOMPLETE interaction, nesting subcommands."""
        cmd = self.find_command(name, guild=guild)
        schema: list[dict[str, Any]] = (cmd or {}).get("options", [])
        path = subcommand.split() if subcommand else []
        for part in path:
            schema = next((o.get("options", []) for o in schema if o["name"] == part), [])
        resolved: dict[str, dict[str, Any]] = {}
        leaf = self._build_options(options, schema, user_id=user_id, channel_id=channel_id, guild=guild,
                                   resolved=resolved, focused=focused)
        for depth, part in reversed(list(enumerate(path))):
            kind = OptionType.SUB_COMMAND if depth == len(path) - 1 else OptionType.SUB_COMMAND_GROUP
            leaf = [{"name": part, "type": kind, "options": leaf}]
        data: dict[str, Any] = {"id": cmd["id"] if cmd else str(self.snowflake()), "name": name, "type": 1}
        if leaf:
            data["options"] = leaf
        if resolved:
            data["resolved"] = resolved
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return data

    def _channel_for(self, user_id: int, channel_id: int, guild: bool) -> int:
        return channel_id if guild else self.dm_channel_id(user_id)

    def _where_stored(self, stored: StoredMessage, user_id: int, channel_id: int | None,
                      guild: bool | None) -> tuple[int, bool]:
        """Channel and guild/DM of an interaction on a stored message: by default where the message lives."""
        if channel_id is None:
            channel_id = stored.channel_id
        if guild is None:
            guild = self.dm_recipient(channel_id) is None
        return self._channel_for(user_id, channel_id, guild), guild

    def slash(self, name: str, options: OptionsArg = None, *, user_id: int = m.ALICE_ID,
              channel_id: int = m.GENERAL_ID, guild: bool = True, subcommand: str | None = None) -> dict[str, Any]:
        """INTERACTION_CREATE for ``/name [subcommand] options`` (type 2). ``subcommand`` may be "group sub"."""
        channel_id = self._channel_for(user_id, channel_id, guild)
        data = self._command_data(name, options, subcommand, user_id=user_id, channel_id=channel_id, guild=guild)
        return self._interaction(2, data, user_id=user_id, channel_id=channel_id, guild=guild)

    def message_command(self, name: str, target_id: int, *, user_id: int = m.ALICE_ID,
                        channel_id: int | None = None, guild: bool | None = None) -> dict[str, Any]:
        """INTERACTION_CREATE type 2 for a message context menu (command type 3) used on the stored message
        `target_id`: `data.target_id` and the message in `data.resolved.messages`, as Discord sends them."""
        target = self.messages.get(int(target_id))
        if target is None:
            raise KeyError(f"fake: no stored message {target_id}")
        channel_id, guild = self._where_stored(target, user_id, channel_id, guild)
        cmd = self.find_command(name, guild=guild, ctype=3)
        data: dict[str, Any] = {"id": cmd["id"] if cmd else str(self.snowflake()), "name": name, "type": 3,
                                "target_id": str(target.id),
                                "resolved": {"messages": {str(target.id): copy.deepcopy(target.data)}}}
        if cmd and cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return self._interaction(2, data, user_id=user_id, channel_id=channel_id, guild=guild)

    def autocomplete(self, name: str, focused_option: str, value: Any, other_options: Mapping[str, Any] | None = None,
                     *, user_id: int = m.ALICE_ID, channel_id: int = m.GENERAL_ID, guild: bool = True,
                     subcommand: str | None = None) -> dict[str, Any]:
        """INTERACTION_CREATE type 4: the user is typing ``value`` into ``focused_option``."""
        channel_id = self._channel_for(user_id, channel_id, guild)
        options = {**(other_options or {}), focused_option: value}
        data = self._command_data(name, options, subcommand, user_id=user_id, channel_id=channel_id, guild=guild,
                                  focused=focused_option)
        return self._interaction(4, data, user_id=user_id, channel_id=channel_id, guild=guild)

    def _component(self, component_data: dict[str, Any], message_id: int | None, *, user_id: int,
                   channel_id: int | None, guild: bool | None) -> dict[str, Any]:
        custom_id = component_data["custom_id"]
        stored = (self.latest_message_with_custom_id(custom_id) if message_id is None
                  else self.messages.get(int(message_id)))
        if stored is None:
            raise KeyError(f"fake: no stored message {message_id}; known: {sorted(self.messages)[-10:]}")
        channel_id, guild = self._where_stored(stored, user_id, channel_id, guild)
        return self._interaction(3, component_data, user_id=user_id, channel_id=channel_id, guild=guild,
                                 message=stored.data)

    def button(self, custom_id: str, message_id: int | None = None, *, user_id: int = m.ALICE_ID,
               channel_id: int | None = None, guild: bool | None = None) -> dict[str, Any]:
        """INTERACTION_CREATE type 3 for a button click on a stored message.

        ``message_id=None`` picks the newest stored message carrying ``custom_id``; channel and
        guild/DM default to where that message lives.
        """
        return self._component({"custom_id": custom_id, "component_type": 2}, message_id,
                               user_id=user_id, channel_id=channel_id, guild=guild)

    def select(self, custom_id: str, values: list[str], message_id: int | None = None, *,
               user_id: int = m.ALICE_ID, channel_id: int | None = None, guild: bool | None = None) -> dict[str, Any]:
        """INTERACTION_CREATE type 3 for a string select (component_type 3) choosing ``values``."""
        return self._component({"custom_id": custom_id, "component_type": 3, "values": list(values)}, message_id,
                               user_id=user_id, channel_id=channel_id, guild=guild)

    def modal_submit(self, custom_id: str, values: Mapping[str, str], message_id: int | None = None, *,
                     user_id: int = m.ALICE_ID, channel_id: int = m.GENERAL_ID, guild: bool = True) -> dict[str, Any]:
        """INTERACTION_CREATE type 5: the user submits the modal ``custom_id`` with each text input's value
        (``values``: input custom_id -> text), one action row per input as Discord sends it. A modal opened
        from a component carries that component's message (``message_id``)."""
        rows = [{"type": 1, "components": [{"type": 4, "custom_id": input_id, "value": value}]}
                for input_id, value in values.items()]
        stored = self.messages.get(int(message_id)) if message_id is not None else None
        if message_id is not None and stored is None:
            raise KeyError(f"fake: no stored message {message_id}")
        if stored is not None:
            channel_id = stored.channel_id
        channel_id = self._channel_for(user_id, channel_id, guild)
        return self._interaction(5, {"custom_id": custom_id, "components": rows}, user_id=user_id,
                                 channel_id=channel_id, guild=guild,
                                 message=stored.data if stored is not None else None)

    def message(self, content: str, *, user_id: int = m.ALICE_ID, channel_id: int = m.GENERAL_ID,
                guild: bool = True, mentions_bot: bool = False) -> dict[str, Any]:
        """MESSAGE_CREATE from a user; stored so replies/references to it resolve."""
        if mentions_bot:
            content = f"<@{m.BOT_ID}> {content}"
        author = self.user(user_id)
        channel_id = self._channel_for(user_id, channel_id, guild)
        if not guild:
            self.open_dm(user_id)
        data = self.message_payload(channel_id, author, {"content": content})
        mentioned = [int(uid) for uid in _MENTION_RE.findall(content) if int(uid) in self.users]
        data["mentions"] = []
        for uid in dict.fromkeys(mentioned):
            mention = dict(self.user(uid))
            if guild and uid in self.member_roles:
                mention["member"] = self.member(uid, with_user=False)
            data["mentions"].append(mention)
        if guild:
            data["guild_id"] = str(m.GUILD_ID)
            data["member"] = self.member(user_id, with_user=False)
        else:
            data["channel_type"] = 1
        self.store(copy.deepcopy(data))
        return data
