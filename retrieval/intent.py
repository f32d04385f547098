"""What a question asks for before it is a search: help, the day's documents, or who someone was.

A search and a browse (only dates and people, nothing else to look for) are told apart by the parsed query;
the requests here are told by their wording, which a keyword search would only mangle ("who was Filippov"
would rank documents that say "was").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .people import PeopleDirectory
from .query import clean
from .text import fold


class Intent(StrEnum):
    SEARCH = "search"  # ranked documents for the words asked
    BROWSE = "browse"  # the documents of a date, a range or a person, in date order
    PERSON = "person"  # who someone was: a person card
    ONTHISDAY = "onthisday"  # documents written on today's day of the year
    HELP = "help"  # what the bot can do


_POLITE = r"(?:(?:hey|hi|hello|ok|okay|so|please|pls|bot|archive-?bot|can you|could you|would you)\s+)*"
_HELP = re.compile(
    rf"^{_POLITE}(?:help(?: me)?|commands|hi|hello|hey|hiya|yo|greetings|howdy|good (?:morning|afternoon|evening|day)"
    r"|what (?:can|do) you do|what are you|who are you|how do (?:i|you) use (?:you|this|it|the bot)"
    r"|how does (?:this|it) work|what (?:can|should) i ask(?: you)?|what (?:are|is) (?:the|your) commands?)"
    r"(?: (?:there|bot|archive-?bot|please))?$"
)
_ON_THIS_DAY = re.compile(
    rf"^{_POLITE}(?:(?:what|anything|something|documents?) (?:happened |from |written |dated )?|show me (?:\w+ )?)?"
    r"(?:on this (?:day|date)|today in history|this day in history|on today'?s date|(?:happened )?today)"
    r"(?: in history)?$"
)
_WHO = re.compile(
    rf"^{_POLITE}(?:who (?:was|is|were)|who's|whos|tell me (?:about|who)|what do you know about"
    r"|what can you tell me about|info on|information on)\s+(?P<name>.+?)(?: (?:was|is))?$"
)


@dataclass(frozen=True)
class Request:
    """A question that is one of the requests above; `person` and `typed` for the person intent."""

    intent: Intent
    person: str | None = None  # the canonical name
    typed: str | None = None  # the name as the question wrote it


def _plain(question: str) -> str:
    """The question folded, without punctuation around words: "Who was Filippov?" -> "who was filippov"."""
    return " ".join(re.sub(r"[^\w\s'-]", " ", fold(clean(question))).split())


def requested(question: str, people: PeopleDirectory) -> Request | None:
    """Help, on this day, or a person card for a known person; None for anything else (a search)."""
    plain = _plain(question)
    if _HELP.match(plain):
        return Request(Intent.HELP)
    if _ON_THIS_DAY.match(plain):
        return Request(Intent.ONTHISDAY)
    who = _WHO.match(plain)
    if who is not None:
        typed = who.group("name").removeprefix("the ").strip(" '-")
        canonical = people.resolve(typed)
        if canonical is not None:
            return Request(Intent.PERSON, canonical, _as_written(question, typed))
    return None


def _as_written(question: str, folded: str) -> str:
    """The name as the user wrote it (case, accents), when folding kept the question's offsets."""
    text = clean(question)
    found = re.search(r"\W+".join(re.escape(w) for w in folded.split()), fold(text))
    if found is not None and len(fold(text)) == len(text):
        return text[found.start():found.end()]
    return folded
