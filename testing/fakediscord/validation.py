"""Discord's server-side message limits, so a bot that overflows them fails in tests, not in prod.

Only the limits a document-answering bot is likely to hit are checked: content length,
embed sizes, URL lengths, component counts and lengths, and empty messages. Errors use Discord's
``50035 Invalid Form Body`` / ``50006`` shapes, which discord.py turns into HTTPException
with ``.code`` and a readable ``.text``.
"""
from __future__ import annotations

from typing import Any

from .model import MESSAGE_FLAG_COMPONENTS_V2

ErrorTree = dict[str, Any]

URL_MAX = 512  # a link button's URL (documented); embed URLs are held to the same cap


def _err(code: str, message: str) -> ErrorTree:
    return {"_errors": [{"code": code, "message": message}]}


def _max_len(value: Any, limit: int) -> ErrorTree | None:
    if isinstance(value, str) and len(value) > limit:
        return _err("BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
    return None


def _embed_errors(embed: dict[str, Any]) -> ErrorTree:
    errors: ErrorTree = {}
    for key, limit in (("title", 256), ("description", 4096), ("url", URL_MAX)):
        if (e := _max_len(embed.get(key), limit)) is not None:
            errors[key] = e
    if (e := _max_len((embed.get("footer") or {}).get("text"), 2048)) is not None:
        errors["footer"] = {"text": e}
    author = embed.get("author") or {}
    if sub := {k: e for k, lim in (("name", 256), ("url", URL_MAX)) if (e := _max_len(author.get(k), lim))}:
        errors["author"] = sub
    fields = embed.get("fields") or []
    if len(fields) > 25:
        errors["fields"] = _err("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    for i, f in enumerate(fields):
        sub = {k: e for k, lim in (("name", 256), ("value", 1024)) if (e := _max_len(f.get(k), lim))}
        for k in ("name", "value"):
            if not f.get(k):
                sub[k] = _err("BASE_TYPE_REQUIRED", "This field is required")
        if sub:
            errors.setdefault("fields", {})[str(i)] = sub
    return errors


def _embed_total(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "") + len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        total += len(f.get("name") or "") + len(f.get("value") or "")
    return total


def _component_errors(rows: list[dict[str, Any]]) -> ErrorTree:
    errors: ErrorTree = {}
    if len(rows) > 5:
        errors["_errors"] = _err("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")["_errors"]
    for r, row in enumerate(rows):
        children = row.get("components") or []
        row_errors: ErrorTree = {}
        if row.get("type") == 1 and len(children) > 5:
            row_errors["components"] = _err("BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for c, child in enumerate(children):
            sub: ErrorTree = {}
            if (e := _max_len(child.get("custom_id"), 100)) is not None:
                sub["custom_id"] = e
            if (e := _max_len(child.get("label"), 80)) is not None:
                sub["label"] = e
            if (e := _max_len(child.get("url"), URL_MAX)) is not None:
                sub["url"] = e
            if (child.get("type") == 2 and child.get("style") != 6
                    and bool(child.get("custom_id")) == bool(child.get("url"))):
                sub["custom_id"] = _err("BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE",
                                        "A button must have exactly one of custom_id or url.")
            if len(child.get("options") or []) > 25:
                sub["options"] = _err("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            if sub:
                row_errors.setdefault("components", {})[str(c)] = sub
        if row_errors:
            errors[str(r)] = row_errors
    return errors


def invalid_form_body(payload: dict[str, Any]) -> dict[str, Any] | None:
    """Return Discord's 400 body if ``payload`` breaks a message limit, else None."""
    errors: ErrorTree = {}
    if (e := _max_len(payload.get("content"), 2000)) is not None:
        errors["content"] = e
    embeds = payload.get("embeds") or []
    if len(embeds) > 10:
        errors["embeds"] = _err("BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    else:
        for i, embed in enumerate(embeds):
            if sub := _embed_errors(embed):
                errors.setdefault("embeds", {})[str(i)] = sub
        if sum(_embed_total(e) for e in embeds) > 6000:
            errors.setdefault("embeds", {})["_errors"] = _err(
                "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")["_errors"]
    flags = int(payload.get("flags") or 0)
    if not flags & MESSAGE_FLAG_COMPONENTS_V2 and (sub := _component_errors(payload.get("components") or [])):
        errors["components"] = sub
    if not errors:
        return None
    return {"code": 50035, "errors": errors, "message": "Invalid Form Body"}


def is_empty_message(payload: dict[str, Any], has_files: bool) -> bool:
    """Discord rejects (50006) a new message with nothing to show."""
    return not (payload.get("content") or payload.get("embeds") or payload.get("components")
                or payload.get("sticker_ids") or payload.get("poll") or has_files or payload.get("attachments"))


EMPTY_MESSAGE = {"code": 50006, "message": "Cannot send an empty message"}
