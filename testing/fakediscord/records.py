"""What the fake remembers: recorded requests, stored messages, live interactions, scripted failures.

Tests assert on these, so each exposes "what the user saw" accessors (``content``,
``embeds``, ``components``, ``flags``, ``ephemeral``, ``allowed_mentions``) instead of making
every test dig through raw JSON.
"""
from __future__ import annotations

import abc
import re
import time
from dataclasses import dataclass, field
from typing import Any

from .model import MESSAGE_FLAG_EPHEMERAL, MESSAGE_FLAG_LOADING

_CALLBACK_RE = re.compile(r"^/interactions/(\d+)/([^/]+)/callback$")
_WEBHOOK_RE = re.compile(r"^/webhooks/(\d+)/([^/]+)(/messages/(@original|\d+))?$")


class _MessageView(abc.ABC):
    """Shared accessors over a message-shaped dict (``_message_dict``)."""

    @abc.abstractmethod
    def _message_dict(self) -> dict[str, Any]:
        """The message payload the accessors read."""

    @property
    def content(self) -> str | None:
        """Message text; None when the payload did not set it (e.g. an edit of embeds only)."""
        return self._message_dict().get("content")

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self._message_dict().get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self._message_dict().get("components") or []

    @property
    def flags(self) -> int:
        return int(self._message_dict().get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MESSAGE_FLAG_EPHEMERAL)

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self._message_dict().get("allowed_mentions")

    @property
    def custom_ids(self) -> list[str]:
        """Every custom_id in the components tree (buttons, selects, nested v2 containers)."""
        found: list[str] = []

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if "custom_id" in node:
                    found.append(node["custom_id"])
                for key in ("components", "accessory"):
                    walk(node.get(key))
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.components)
        return found


@dataclass
class RecordedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class RecordedRequest(_MessageView):
    """One REST call the bot made, with the fake's answer.

    ``path`` is relative to the API base (``/channels/3000/messages``); ``json`` is the parsed
    body, taken from ``payload_json`` for multipart requests.
    """

    index: int
    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    files: list[RecordedFile] = field(default_factory=list)
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.monotonic)

    # -- classification ----------------------------------------------------------------
    @property
    def is_callback(self) -> bool:
        return self.method == "POST" and bool(_CALLBACK_RE.match(self.path))

    @property
    def interaction_id(self) -> int | None:
        m = _CALLBACK_RE.match(self.path)
        return int(m.group(1)) if m else None

    @property
    def webhook_token(self) -> str | None:
        """Interaction/webhook token for /interactions/.../callback and /webhooks/... calls."""
        m = _CALLBACK_RE.match(self.path) or _WEBHOOK_RE.match(self.path)
        return m.group(2) if m else None

    @property
    def kind(self) -> str:
        """callback | followup | original_get/edit/delete | webhook_message_* | other."""
        if self.is_callback:
            return "callback"
        m = _WEBHOOK_RE.match(self.path)
        if not m:
            return "other"
        if m.group(3) is None:
            return "followup" if self.method == "POST" else "other"
        target = "original" if m.group(4) == "@original" else "webhook_message"
        verb = {"GET": "get", "PATCH": "edit", "DELETE": "delete"}.get(self.method, self.method.lower())
        return f"{target}_{verb}"

    @property
    def callback_type(self) -> int | None:
        """Interaction response type (4 message, 5 defer, 6 defer update, 7 update, 8 autocomplete, 9 modal)."""
        if self.is_callback and isinstance(self.json, dict):
            return self.json.get("type")
        return None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def message(self) -> dict[str, Any] | None:
        """The message object the fake returned/stored for this call, if any."""
        resp = self.response
        if isinstance(resp, dict):
            if "resource" in resp:
                return resp["resource"].get("message")
            if "id" in resp and "channel_id" in resp:
                return resp
        return None

    def _message_dict(self) -> dict[str, Any]:
        body = self.json if isinstance(self.json, dict) else {}
        if self.is_callback:
            return body.get("data") or {}
        return body

    def summary(self) -> str:
        body = repr(self.json)
        if len(body) > 160:
            body = body[:157] + "..."
        query = f"?{'&'.join(f'{k}={v}' for k, v in self.query.items())}" if self.query else ""
        return f"#{self.index} {self.method} {self.path}{query} -> {self.status} {body}"


@dataclass
class StoredMessage(_MessageView):
    """A message the fake holds (bot-sent, interaction response or dispatched user message)."""

    data: dict[str, Any]
    interaction_id: int | None = None
    allowed_mentions_sent: dict[str, Any] | None = None
    deleted: bool = False
    edits: int = 0

    @property
    def id(self) -> int:
        return int(self.data["id"])

    @property
    def channel_id(self) -> int:
        return int(self.data["channel_id"])

    @property
    def author_id(self) -> int:
        return int(self.data["author"]["id"])

    @property
    def loading(self) -> bool:
        """True while a deferred ("thinking") response has not been edited yet."""
        return bool(self.flags & MESSAGE_FLAG_LOADING)

    @property
    def allowed_mentions(self) -> dict[str, Any] | None:
        return self.allowed_mentions_sent

    def _message_dict(self) -> dict[str, Any]:
        return self.data


@dataclass
class FakeInteraction:
    """Server-side bookkeeping for one dispatched interaction."""

    id: int
    token: str
    type: int
    channel_id: int
    guild_id: int | None
    user: dict[str, Any]
    component_message_id: int | None = None
    response_type: int | None = None
    original_message_id: int | None = None
    expired: bool = False
    message_ids: list[int] = field(default_factory=list)

    @property
    def acknowledged(self) -> bool:
        return self.response_type is not None


@dataclass
class ScriptedFailure:
    """A response forced by ``fail_next`` for the next ``remaining`` matching requests."""

    method: str
    path_regex: re.Pattern[str]
    status: int
    body: Any
    retry_after: float | None
    remaining: int

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and self.method in (method, "*") and bool(self.path_regex.search(path))
