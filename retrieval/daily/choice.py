"""Which document a day's post shows: deterministic per subscriber and day, fresh documents first."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from ..records import Record
from .ledger import DailyStore
from .subscription import Subscription


class Documents(Protocol):
    """What choosing a day's document needs of the archive (retrieval.search.Archive)."""

    async def show(self, record_id: int) -> Record | None: ...

    def on_this_day(self, month: int, day: int) -> list[Record]: ...

    def nearest_dated(self, month: int, day: int) -> list[Record]: ...


@dataclass(frozen=True)
class Choice:
    record: Record | None
    exact: bool  # dated this month and day; False: the nearest dated document instead


def choose(candidates: list[Record], key: str, day: date, sent: set[int]) -> Record | None:
    """A deterministic pick for (subscriber, day), preferring documents this subscriber has not been sent."""
    if not candidates:
        return None

    def rank(record: Record) -> str:
        return hashlib.sha256(f"{key}|{day.isoformat()}|{record.id}".encode()).hexdigest()

    fresh = [r for r in candidates if r.id not in sent]
    return min(fresh or candidates, key=rank)


def years_ago(record: Record, day: date) -> int:
    return day.year - (record.date.year or day.year)


async def todays_choice(archive: Documents, day: date, key: str = "", ledger: DailyStore | None = None,
                        sub: Subscription | None = None) -> Choice:
    """What posts for `key` (a target's key) on `day`: the claimed document once the day is claimed,
    else the deterministic pick, preferring documents the subscription has not been sent."""
    sent: set[int] = set()
    if ledger is not None and sub is not None:
        key = sub.target.key
        entry = await ledger.entry(sub, day)
        if entry is not None and entry.record_id is not None:
            record = await archive.show(entry.record_id)
            if record is not None:
                return Choice(record, (record.date.month, record.date.day) == (day.month, day.day))
        sent = await ledger.sent_records(sub)
    exact = archive.on_this_day(day.month, day.day)
    pool = exact or archive.nearest_dated(day.month, day.day)
    return Choice(choose(pool, key, day, sent), bool(exact))
