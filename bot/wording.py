"""How the bot words what the core returns as data: notices, hints, filter errors, a document's meta line.

The core says *what* happened (a code and its values); this module says it, once for every front end. The
front ends differ only in how a user spells a filter (Discord's `from` option, the console's `from:1958`,
the command line's `--from`) and in whether text may carry Discord markup.
"""
from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from retrieval.records import Record, Repair, RepairKind, Role
from retrieval.search import Hint, HintKind, Notice, NoticeKind, PersonDocuments, QueryError, QueryProblem


class Front(Enum):
    """Where a reply is read; each spells the year filters its own way (the slash options read `from:`)."""

    DISCORD = ("from:", "to:")
    CONSOLE = ("from:", "to:")
    CLI = ("--from ", "--to ")

    def __init__(self, year_from: str, year_to: str) -> None:
        self.year_from = year_from
        self.year_to = year_to

    @property
    def years(self) -> str:
        return f"{self.year_from.strip()}/{self.year_to.strip()}"


EXAMPLE_QUERY = "Mao Stalin treaty 1950"


def notice_text(notice: Notice) -> str:
    if notice.kind is NoticeKind.NO_TERMS:
        return ("That question has no words to search for: try a name, a place or a topic, for example "
                f"\u201c{EXAMPLE_QUERY}\u201d.")
    if notice.kind is NoticeKind.DATE_RELAXED:
        when = notice.dates.describe() if notice.dates is not None else "that date"
        return f"Nothing dated {when} matches; the best matches at any date:"
    return f"Nothing in the archive matches \u201c{notice.searched}\u201d."


def hint_text(hint: Hint, front: Front) -> str:
    if hint.kind is HintKind.UNKNOWN_WORD:
        close = f"; close: {', '.join(hint.close)}" if hint.close else ""
        return f"\u201c{hint.value}\u201d is not in the archive{close}"
    if hint.kind is HintKind.WIDEN_YEARS:
        return f"widen or drop {front.years}"
    if hint.kind is HintKind.DROP_PERSON:
        return f"drop the person filter ({hint.value})"
    if hint.kind is HintKind.DROP_DATE:
        return "drop the date from the question"
    return "use fewer words"


def hints_line(hints: list[Hint], front: Front) -> str | None:
    return ("Try: " + "; ".join(hint_text(h, front) for h in hints) + ".") if hints else None


def query_error_text(exc: QueryError, front: Front) -> str:
    if exc.problem is QueryProblem.REVERSED_YEARS:
        first, last = exc.values
        return f"{front.year_from}{first} is after {front.year_to}{last}"
    name, *close = exc.values
    hint = f" Did you mean {', '.join(str(c) for c in close)}?" if close else ""
    return f"No one called \u201c{name}\u201d is in the archive's list of people.{hint}"


def person_line(documents: PersonDocuments) -> str:
    """ "Took part in 12 documents, 1949–1958; mentioned in 5 more. ..." (a span only from taking part)."""
    took, more = len(documents.took_part), len(documents.mentioned)
    span = ""
    if documents.years is not None:
        first, last = documents.years
        span = f", {first}" if first == last else f", {first}–{last}"
    parts = [f"Took part in {took} document{'s' if took != 1 else ''}{span}" if took else "Took part in no document"]
    if more:
        parts.append(f"mentioned in {more}{' more' if took else ''}")
    order = "those taken part in first, then the mentions, each in date order" if took and more else "in date order"
    return f"{'; '.join(parts)} ({order})."


def people_with_roles(record: Record) -> str:
    """Every participant, with the role when it is more than taking part: "Mao Zedong (author); ..."."""
    return "; ".join(p.name if p.role is Role.PARTICIPANT else f"{p.name} ({p.role})" for p in record.participants)


def mentioned_names(record: Record) -> str:
    """Those the document only names (never took part): "Joseph Stalin; Chiang Kai-shek"."""
    return "; ".join(p.name for p in record.mentioned)


def meta_line(record: Record, people: int) -> str:
    """Date · the first `people` participants (+ how many more) · #id: the line under a title in a list."""
    parts = [record.date.human()]
    if record.participants:
        names = [p.name for p in record.participants[:people]]
        more = len(record.participants) - len(names)
        parts.append(", ".join(names) + (f" +{more}" if more > 0 else ""))
    parts.append(f"#{record.id}")
    return " · ".join(parts)


_REPAIRS = {
    RepairKind.BYTES_REPLACED: ("invalid byte replaced", "invalid bytes replaced"),
    RepairKind.IMPOSSIBLE_DAY: ("date with an impossible day kept as its month",
                                "dates with an impossible day kept as their month"),
    RepairKind.FIELD_CUT: ("record with an over-long field cut", "records with an over-long field cut"),
}


def repairs_text(repairs: Sequence[Repair]) -> str:
    """'1 invalid byte replaced, 2 dates with an impossible day kept as their month'."""
    return ", ".join(f"{r.count:,} {_REPAIRS[r.kind][r.count != 1]}" for r in repairs)
