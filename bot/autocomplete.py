"""Autocomplete choices for slash-command options, ranked for what a person types.

Ranking what to show in a short list is front-end work; the core only supplies the names (the people
directory's entities and the folded form it compares everywhere else, the time-zone names).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sized
from datetime import date

import numpy as np

from retrieval.daily import zone_names
from retrieval.dates import MONTH_NAMES
from retrieval.people import PeopleDirectory, name_key
from retrieval.records import EntityKind, Record
from retrieval.titles import TitleLookup

CHOICE_MAX = 100  # Discord's limit on a choice's label and value
_LEAP_YEAR = 2000  # every month-day, 29 February included


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


def _label(text: str) -> str:
    return text if len(text) <= CHOICE_MAX else text[:CHOICE_MAX - 1].rstrip() + "…"


def complete_document(records: Callable[[list[int]], list[Record]], titles: TitleLookup, date_rank: np.ndarray,
                      typed: str, limit: int) -> list[tuple[str, str]]:
    """("#id title", id) for `/doc id`: a number typed finds that document, then those whose number starts with
    it; then titles starting with what was typed (in title order), then titles with a word starting with each
    word typed (in date order). Nothing typed: the latest ingested. All lookups are precomputed (`titles`);
    `records` reads the few chosen (by position) from the store."""
    typed = typed.strip().lstrip("#").strip()
    if not typed:
        found = titles.newest(limit)
    else:
        found = titles.by_number(typed, limit) + titles.title_starting(typed, limit)
        if len(dict.fromkeys(found)) < limit:
            positions = np.flatnonzero(titles.words_starting(typed))
            if positions.size > limit:  # only the earliest `limit` need sorting
                positions = positions[np.argpartition(date_rank[positions], limit - 1)[:limit]]
            found += positions[np.argsort(date_rank[positions], kind="stable")].tolist()
    chosen = list(dict.fromkeys(found))[:limit]
    return [(_label(f"#{record.id} {record.title}"), str(record.id)) for record in records(chosen)]


def _day_forms(month: int, day: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """How a day may be typed: as numbers ("09-27", "9-27") and in words ("27 september", "sep 27")."""
    names = dict.fromkeys((MONTH_NAMES[month].lower(), MONTH_NAMES[month][:3].lower(),
                           *(("sept",) if month == 9 else ())))
    numbers = (f"{month:02d}-{day:02d}", f"{month}-{day}", f"{month:02d}-{day}", f"{month}-{day:02d}")
    words = tuple(f for name in names for f in (f"{day} {name}", f"{day:02d} {name}", f"{name} {day}"))
    return tuple(dict.fromkeys(numbers)), words


_DAYS = [(d.month, d.day) for d in (date.fromordinal(date(_LEAP_YEAR, 1, 1).toordinal() + k) for k in range(366))]
_FORMS = {day: _day_forms(*day) for day in _DAYS}


def complete_day(typed: str, today: date, dated: Mapping[tuple[int, int], Sized], limit: int
                 ) -> list[tuple[str, str]]:
    """(label, "MM-DD") for `/onthisday date`: the days any way of writing which starts with what was typed,
    from today on round the year (today first when nothing is typed). The label leads with the form typed
    ("09-27 (27 September)" or "27 September (09-27)") and says how many documents the day has."""
    key = " ".join(typed.lower().replace(".", " ").split())
    start = _DAYS.index((today.month, today.day))
    found: list[tuple[str, str]] = []
    for month, day in _DAYS[start:] + _DAYS[:start]:
        numbers, words = _FORMS[(month, day)]
        by_number = any(f.startswith(key) for f in numbers)
        if key and not by_number and not any(f.startswith(key) for f in words):
            continue
        numeric, spelled = f"{month:02d}-{day:02d}", f"{day} {MONTH_NAMES[month]}"
        count = len(dated.get((month, day), ()))
        held = f"{count:,} document{'' if count == 1 else 's'}" if count else "no documents"
        first, second = (numeric, spelled) if key and by_number else (spelled, numeric)
        found.append((_label(f"{first} ({second}) · {held}"), numeric))
        if len(found) == limit:
            break
    return found
