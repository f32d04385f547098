"""Who gets a daily post, where, and when it is due; and reading the time and zone a user typed."""
from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

DEFAULT_TIME = "09:00"
DEFAULT_ZONE = "UTC"
SUGGESTIONS = 3
_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


class TargetKind(enum.StrEnum):
    CHANNEL = "channel"
    DM = "dm"


@dataclass(frozen=True)
class Target:
    """Where posts go: a server channel, or a user's DMs. `key` is its one text form (the database column,
    the seed of the day's pick)."""

    kind: TargetKind
    id: int

    @classmethod
    def channel(cls, channel_id: int) -> Target:
        return cls(TargetKind.CHANNEL, channel_id)

    @classmethod
    def dm(cls, user_id: int) -> Target:
        return cls(TargetKind.DM, user_id)

    @classmethod
    def parse(cls, key: str) -> Target:
        kind, _, number = key.partition(":")
        return cls(TargetKind(kind), int(number))

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def is_dm(self) -> bool:
        return self.kind is TargetKind.DM


class SettingProblem(enum.StrEnum):
    TIME = "time"
    ZONE = "zone"


class SettingError(ValueError):
    """A setting a user typed that cannot work; the front end words it from the problem and the values."""

    def __init__(self, problem: SettingProblem, typed: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(f"{problem}: {typed!r}")
        self.problem = problem
        self.typed = typed
        self.suggestions = suggestions


def parse_time(text: str | None) -> str:
    """HH:MM, 24-hour; also 9:00, 18.30, 18h30."""
    value = (text or DEFAULT_TIME).strip().lower()
    m = _HHMM.match(value)
    if not m:
        raise SettingError(SettingProblem.TIME, value)
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_zone(text: str | None) -> str:
    """An IANA zone name; a wrong one comes back with up to three names containing what was typed."""
    name = (text or DEFAULT_ZONE).strip()
    try:
        load_zone(name)
    except SettingError:
        close = tuple(z for z in zone_names() if name.lower() in z.lower())[:SUGGESTIONS]
        raise SettingError(SettingProblem.ZONE, name, close) from None
    return name


@functools.cache
def zone_names() -> tuple[str, ...]:
    """Every zone name the bundled `tzdata` package lists, sorted; read once per process (autocomplete asks on
    every keystroke). Not the system's zoneinfo folder: its files include `posixrules`, `localtime` and
    `right/...`, which are not zones a subscription may name, and its folders (`Europe`) fail to load."""
    listing = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return tuple(sorted(listing.split()))


@functools.cache
def _zone_set() -> frozenset[str]:
    return frozenset(zone_names())


@functools.cache
def _bundled(name: str) -> ZoneInfo:
    with resources.files("tzdata.zoneinfo").joinpath(*name.split("/")).open("rb") as data:
        return ZoneInfo.from_file(data, key=name)


def load_zone(name: str) -> ZoneInfo:
    """The zone from the bundled tzdata; SettingError(ZONE) for any name it does not list, so no stored or
    typed name ever reaches the file system."""
    if name not in _zone_set():
        raise SettingError(SettingProblem.ZONE, name)
    return _bundled(name)


@dataclass(frozen=True)
class Subscription:
    id: int
    target: Target
    guild_id: int | None
    created_by: int
    post_time: str  # HH:MM, local
    timezone: str  # IANA name
    paused: str | None = None  # why posting stopped
    created_at: str = ""

    @property
    def is_dm(self) -> bool:
        return self.target.is_dm

    @property
    def channel_id(self) -> int | None:
        return None if self.is_dm else self.target.id

    @property
    def user_id(self) -> int | None:
        """The DM recipient."""
        return self.target.id if self.is_dm else None

    @property
    def zone(self) -> ZoneInfo:
        """SettingError(ZONE) for a zone stored by an older version that accepted names that are not zones."""
        return load_zone(self.timezone)

    def local_date(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def due_at(self, day: date) -> datetime:
        """The moment (UTC) the post for local `day` is due: HH:MM local wall time.

        A wall time that happens twice (clocks going back) is due at its first occurrence; one skipped by
        clocks going forward is read the standard way (PEP 495, fold=0): 02:30 on that night is 03:30.
        """
        hour, minute = (int(p) for p in self.post_time.split(":"))
        wall = datetime.combine(day, time(hour, minute), tzinfo=self.zone).replace(fold=0)
        return wall.astimezone(UTC)

    def is_due(self, now: datetime) -> date | None:
        """The local day whose post is due now, if any: its time has come, and it came after this
        subscription was set up (a new subscription starts with the next due time, not a catch-up)."""
        day = self.local_date(now)
        due = self.due_at(day)
        if now < due or (self.created_at and datetime.fromisoformat(self.created_at) > due):
            return None
        return day

    def today_at(self, now: datetime) -> datetime:
        """Today's (local) posting moment, for showing the time in the reader's own zone."""
        return self.due_at(self.local_date(now))

    def next_due(self, now: datetime) -> datetime:
        today = self.local_date(now)
        due = self.due_at(today)
        return due if due > now else self.due_at(today + timedelta(days=1))

    def marker(self, day: date) -> str:
        """Carried by every post where readers do not see it (front ends put it in a button's custom id: no
        spaces, at most 100 characters), so a restart can tell whether a claimed post already went out."""
        return f"daily:{self.id}:{day.isoformat()}"


def footer_marker(marker: str) -> str:
    """How versions before the hidden marker wrote it, in the post's footer ("daily 1 2026-09-27"): still
    recognised, so a post sent just before an upgrade is not sent again."""
    return marker.replace(":", " ")
