"""Autocomplete choices for slash-command options, ranked for what a person types.

Ranking what to show in a short list is front-end work; the core only supplies the names (the people
directory's entities and the folded form it compares everywhere else, the time-zone names).
"""
from __future__ import annotations

from retrieval.daily import zone_names
from retrieval.people import PeopleDirectory, name_key
from retrieval.records import EntityKind


def complete_person(directory: PeopleDirectory, typed: str, limit: int) -> list[tuple[str, str]]:
    """(label, canonical) for names any of whose words or spellings start with `typed`.

    A match on an alias shows it beside the canonical name ("Zhou Enlai (Chou En-lai)"); persons come
    before organisations, whole-name prefixes before word prefixes, then alphabetical order.
    """
    key = name_key(typed)
    ranked: list[tuple[int, bool, str, str, str]] = []
    for entity in directory.entities:
        best: tuple[int, str] | None = None
        for form in entity.written_forms:
            form_key = name_key(form)
            if not key or form_key.startswith(key):
                rank = 0
            elif any(word.startswith(key) for word in form_key.split()):
                rank = 1
            else:
                continue
            if best is None or rank < best[0]:
                best = (rank, form)
            if rank == 0 and form == entity.name:
                break
        if best is not None:
            rank, form = best
            label = entity.name if form == entity.name or not key else f"{entity.name} ({form})"
            ranked.append((rank, entity.kind != EntityKind.PERSON, entity.name, label, entity.name))
    ranked.sort()
    return [(label, value) for _, _, _, label, value in ranked[:limit]]


def complete_zone(typed: str, limit: int) -> list[str]:
    """Zone names starting with what was typed (or whose city does) first, then names containing it."""
    typed = typed.strip().lower().replace(" ", "_")
    names = zone_names()
    starts = [z for z in names if z.lower().startswith(typed) or z.lower().split("/")[-1].startswith(typed)]
    first = set(starts)
    inside = [z for z in names if typed in z.lower() and z not in first]
    return (starts + inside)[:limit]
