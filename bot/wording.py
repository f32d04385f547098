"""How the bot words what the core returns as data: notices, hints, filter errors, a document's meta line.

The core says *what* happened (a code and its values); this module says it, once for every front end. The
front ends differ only in how a user spells a filter (Discord's `from` option, the console's `from:1958`,
the command line's `--from`) and in whether text may carry Discord markup.
"""
from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from retrieval.cite import Citation, LinkKind
from retrieval.fetch import Counts, FetchError, FetchProblem, FetchReport
from retrieval.people import name_key as fold_name
from retrieval.records import Record, Repair, RepairKind, Role
from retrieval.search import (
    Constraint,
    Count,
    Hint,
    HintKind,
    Notice,
    NoticeKind,
    PersonCard,
    PersonDocuments,
    QueryError,
    QueryProblem,
)


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
    """What is said before the hits; a "nothing" says which constraint had no match (see `Notice.counts`)."""
    if notice.kind is NoticeKind.NO_TERMS:
        return ("That question has no words to search for: try a name, a place or a topic, for example "
                f"\u201c{EXAMPLE_QUERY}\u201d.")
    words = next((c for c in notice.counts if c.constraint is Constraint.WORDS), None)
    others = [c for c in notice.counts if c.constraint is not Constraint.WORDS]
    empty = next((c for c in others if c.documents == 0), None)
    if notice.kind is NoticeKind.DATE_RELAXED:
        when = notice.dates.describe() if notice.dates is not None else "that date"
        if empty is not None:
            return f"The archive has no document {_document(empty)}; the best matches at any date:"
        if words is not None and others:
            return (f"None of the {_documents(others[0].documents)} dated {when} matches "
                    f"\u201c{words.value}\u201d; the best matches at any date:")
        return f"Nothing dated {when} matches; the best matches at any date:"
    if words is None and others:  # a browse
        if empty is not None:
            return f"The archive has no document {_document(empty)}."
        return (f"No document {' and '.join(_is(c) for c in others)}, though "
                + " and ".join(f"{_documents(c.documents)} {_are(c)}" for c in others) + ".")
    if words is not None and words.documents and others:
        found = f"\u201c{words.value}\u201d matches {_documents(words.documents)}"
        if empty is not None:
            return f"{found}, but the archive has no document {_document(empty)}."
        return f"{found}, but none of them {' and '.join(_is(c) for c in others)}."
    return f"Nothing in the archive matches \u201c{notice.searched}\u201d."


def _documents(n: int) -> str:
    return f"{n:,} document{'s' if n != 1 else ''}"


def _document(count: Count) -> str:
    """ "dated 1990", "naming Zhou Enlai": after "document"."""
    return f"naming {count.value}" if count.constraint is Constraint.PERSON else f"dated {count.value}"


def _is(count: Count) -> str:
    """ "is dated 1990", "names Zhou Enlai": after "no document" or "none of them"."""
    return f"names {count.value}" if count.constraint is Constraint.PERSON else f"is dated {count.value}"


def _are(count: Count) -> str:
    """ "are dated 1990", "name Zhou Enlai": after a number of documents."""
    verb = ("name" if count.documents != 1 else "names") if count.constraint is Constraint.PERSON \
        else ("are dated" if count.documents != 1 else "is dated")
    return f"{verb} {count.value}"


def browse_text(counts: Sequence[Count], total: int, shown: int) -> str:
    """ "312 documents dated 1962 and naming Zhou Enlai, in date order; the first 100 are listed." """
    what = " and ".join(_document(c) for c in counts)
    listed = f"; the first {shown:,} are listed" if shown < total else ""
    return f"{_documents(total)} {what}, in date order{listed}."


def browse_title(counts: Sequence[Count]) -> str:
    """ "Documents dated October 1962 and naming Zhou Enlai"."""
    return "Documents " + " and ".join(_document(c) for c in counts)


MAX_ALIASES = 6  # a card lists this many of a person's other names (Stalin has dozens)


def person_text(card: PersonCard) -> str:
    """The person card's lead: who, the name asked by, other names, and the documents in the archive."""
    lines = []
    if card.note:
        lines.append(card.note.rstrip(".") + ".")
    if f" {fold_name(card.typed)} " not in f" {fold_name(card.name)} ":  # "Filippov", not "stalin"
        lines.append(f"\u201c{card.typed}\u201d is {card.name}.")
    if card.aliases:
        more = len(card.aliases) - MAX_ALIASES
        lines.append("Also written: " + ", ".join(card.aliases[:MAX_ALIASES]) + (f" and {more} more." if more > 0
                                                                                   else "."))
    lines.append(person_line(card.documents) if card.records else f"No document in the archive names {card.name}.")
    return "\n".join(lines)


def absent_text(words: Sequence[str]) -> str:
    """Real words no document uses, which the search went without: 'nothing in the archive mentions “Cominform”'."""
    quoted = [f"\u201c{w}\u201d" for w in words]
    listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
    return f"nothing in the archive mentions {listed}"


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
    parts = [f"Took part in {_documents(took)}{span}" if took else "Took part in no document"]
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
    RepairKind.METADATA_CUT: ("document page cut off before its document information ends, stored as far as it goes",
                              "document pages cut off before their document information ends, stored as far as "
                              "they go"),
}


def repairs_text(repairs: Sequence[Repair]) -> str:
    """'1 invalid byte replaced, 2 dates with an impossible day kept as their month'."""
    return ", ".join(f"{r.count:,} {_REPAIRS[r.kind][r.count != 1]}" for r in repairs)


def link_label(kind: LinkKind, record_id: int, number: int | None = None) -> str:
    """A link button's words: "Open #12" only for a real link; a search says it is one, never "Open"."""
    if kind is LinkKind.SEARCH:
        return "Search the archive" if number is None else f"{number}. #{record_id} (search)"
    return f"Open #{record_id}" if number is None else f"{number}. Open #{record_id}"


def document_facts(record: Record, citation: Citation) -> list[tuple[str, str]]:
    """What a document's own page says of it, labelled, in the order every front end shows it; only the
    facts the archive gave (a document seen only in listings has none)."""
    info = record.info
    if info is None:
        return []
    facts = [
        ("Authors" if len(citation.author_names) != 1 else "Author", "; ".join(citation.author_names)),
        ("Type", info.doc_type),
        ("Languages" if len(info.languages) > 1 else "Language", ", ".join(info.languages)),
        ("Source", info.source),
        ("Original archive", info.original_archive),
        ("Places", ", ".join(info.places)),
        ("Subjects", "; ".join(info.subjects)),
    ]
    return [(label, " ".join(value.split())) for label, value in facts if value.strip()]


def text_heading(shown: int, total: int, partial: bool) -> str:
    """ "Text" when all of it is shown, else how much: "Text (excerpt: 600 of 12,345 characters)"."""
    if shown >= total and not partial:
        return "Text"
    whole = " (the page itself was cut off inside it)" if partial else ""
    return f"Text (excerpt: {shown:,} of {total:,} characters{whole})"


# -- fetch (retrieval/fetch/) --------------------------------------------------------------------------------
def fetch_problem_text(exc: FetchError) -> str:
    """One line for why a fetch could not start or go on."""
    host, detail = exc.host, exc.detail
    match exc.problem:
        case FetchProblem.DNS:
            return f"cannot find {host}: the name does not resolve ({detail}); check --base-url and the network"
        case FetchProblem.UNREACHABLE:
            return f"cannot reach {host} ({detail}); check --base-url and the network, or try again later"
        case FetchProblem.CHALLENGE:
            return (f"{host} answered with an anti-bot challenge: save the pages with a browser and use "
                    "`archive-bot ingest`")
        case FetchProblem.FOREIGN:
            return f"{detail} is not the archive's search listing (another site's HTML): check --base-url"
        case FetchProblem.ROBOTS_UNREADABLE:
            return (f"{host}'s robots.txt could not be read ({detail}): nothing is fetched while its rules are "
                    "unknown; try again later")
        case FetchProblem.LISTING_DISALLOWED:
            return f"{host}'s robots.txt does not allow archive-bot to read the search listing: nothing fetched"
        case FetchProblem.WAIT_TOO_LONG:
            return (f"{host} asks to wait {exc.seconds / 60:.0f} minutes before the next request (HTTP {detail}): "
                    "run `archive-bot fetch` again later; it goes on from here")
        case FetchProblem.DELAY_TOO_SHORT:
            return f"--delay must be at least {exc.seconds:g} s for {host} (less only for this machine)"
        case FetchProblem.BAD_URL:
            return f"--base-url {host!r} is not an http(s) address"


def fetch_summary_text(report: FetchReport) -> str:
    """'listing: 3 pages (2 unchanged); documents: 14 fetched, 1 failed, 120 already held; 14 new documents
    found' and the ingest's own line."""
    parts = [f"listing: {_pages(report.listings, 'page')}", f"documents: {_pages(report.documents, 'fetched')}"]
    extra = [f"{n:,} {what}" for n, what in ((report.held, "already held"),
                                               (report.left, "left for the next run (--max-documents)")) if n]
    if extra:
        parts[1] += ", " + ", ".join(extra)
    parts.append(f"{report.found:,} new document{'s' if report.found != 1 else ''} found")
    if report.resumed:
        parts.append("went on from a stopped run")
    line = "; ".join(parts)
    return f"{line}. Ingest: {report.ingest.summary_line()}" if report.ingest is not None else line


def _pages(counts: Counts, noun: str) -> str:
    """'3 pages (2 unchanged, 1 failed)' or '14 fetched, 1 failed'."""
    details = [f"{n:,} {what}" for n, what in ((counts.unchanged, "unchanged"), (counts.failed, "failed"),
                                                (counts.disallowed, "disallowed by robots.txt")) if n]
    if noun == "page":
        head = f"{counts.asked:,} page{'s' if counts.asked != 1 else ''}"
        return f"{head} ({', '.join(details)})" if details else head
    return ", ".join([f"{counts.fetched:,} {noun}", *details])
