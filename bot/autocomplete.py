"""Autocomplete choices for slash-command options, ranked for what a person types."""
from __future__ import annotations

from retrieval.daily import zone_names


def complete_zone(typed: str, limit: int) -> list[str]:
    """Zone names starting with what was typed (or whose city does) first, then names containing it."""
    typed = typed.strip().lower().replace(" ", "_")
    names = zone_names()
    starts = [z for z in names if z.lower().startswith(typed) or z.lower().split("/")[-1].startswith(typed)]
    first = set(starts)
    inside = [z for z in names if typed in z.lower() and z not in first]
    return (starts + inside)[:limit]
