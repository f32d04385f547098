"""Who wrote to whom, as a question says it: "letters from Stalin to Mao", "Mao's reply to Stalin".

The archive's titles give authors and recipients (retrieval/people/roles.py); a question that names a
direction ranks the documents written that way first. Only two named people joined by "to" (or "to ...
from") make a direction: "between Stalin and Mao", "Stalin and Mao" name none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .people import Mention
from .text import fold


@dataclass(frozen=True)
class Direction:
    """Canonical names: documents by one of `authors` to one of `recipients`."""

    authors: tuple[str, ...]
    recipients: tuple[str, ...]


# What may stand between the writer and "to": a possessive, a document, a verb of writing, a few fillers
# ("Mao's reply to", "Stalin wrote to", "Stalin's secret letters to", "from Stalin to").
_WRITING = {
    "letter", "letters", "cable", "cables", "telegram", "telegrams", "message", "messages", "note", "notes",
    "reply", "replies", "response", "responses", "answer", "answers", "report", "reports", "memo", "memorandum",
    "correspondence", "instructions", "directive", "directives", "wrote", "write", "writes", "writing", "written",
    "sent", "send", "sends", "cabled", "telegraphed", "replied", "answered", "reported", "did", "his", "her",
    "their", "the", "a", "secret", "ciphered", "personal", "first", "last", "own", "s",
}
# What may stand between "to" and the addressee, or "to" and the end of the question's part.
_ADDRESS = {"comrade", "cde", "chairman", "premier", "marshal", "general", "president", "the", "mr"}
_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _writes_to(gap: str) -> bool:
    """ "A <gap> B" says A wrote to B: "to", after words of writing, before titles."""
    words = _words(gap)
    if "to" not in words:
        return False
    at = words.index("to")
    return all(w in _WRITING for w in words[:at]) and all(w in _ADDRESS for w in words[at + 1:])


def read_direction(text: str, mentions: list[Mention]) -> Direction | None:
    """The direction `text` names between the people `mentions` found in it, or None."""
    for first, second in zip(mentions, mentions[1:], strict=False):
        if first.name == second.name:
            continue
        gap = text[first.end:second.start]
        if _writes_to(gap):  # "from Stalin to Mao", "Stalin's letters to Mao", "Mao's reply to Stalin"
            return Direction((first.name,), (second.name,))
        before = _words(text[:first.start])
        while before and before[-1] in _ADDRESS:
            before.pop()
        if _words(gap) == ["from"] and before and before[-1] == "to":  # "letters to Mao from Stalin"
            return Direction((second.name,), (first.name,))
    return None
