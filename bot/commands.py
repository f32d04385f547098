"""The command layer: a command and its arguments in, a reply object out. Discord and the console both
call this and only render what it returns, so the two never disagree about what the bot says.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version

from retrieval.cite import Citation, cite
from retrieval.daily import (
    Choice,
    DailyStore,
    LastPost,
    SettingError,
    SettingProblem,
    Subscription,
    Target,
    load_zone,
    parse_time,
    parse_zone,
    todays_choice,
    years_ago,
)
from retrieval.dates import MONTH_NAMES, parse_month_day
from retrieval.intent import Intent
from retrieval.records import Record
from retrieval.search import MAX_BROWSE, Archive, Hit, PersonCard, QueryError, SearchResult
from retrieval.site import ARCHIVE_NAME, ARCHIVE_URL
from retrieval.state.sqlite import SqliteState
from retrieval.text import is_number

from .help import ASK_MENU, COMMANDS, SEARCH_MENU, invite_url
from .help import find as find_help
from .wording import (
    Front,
    absent_text,
    browse_text,
    browse_title,
    hints_line,
    notice_text,
    person_text,
    query_error_text,
)

PER_PAGE = 5
SEARCH_LIMIT = 25
MAX_QUESTION = 500


def app_version() -> str:
    try:
        return version("archive-bot")
    except PackageNotFoundError:
        return "dev"


@dataclass(frozen=True)
class Card:
    """One document in a reply, with the words to emphasise in its excerpt."""

    record: Record
    citation: Citation
    emphasis: tuple[str, ...] = ()

    @classmethod
    def of(cls, record: Record, emphasis: tuple[str, ...] = ()) -> Card:
        return cls(record, cite(record), emphasis)

    @classmethod
    def from_hit(cls, hit: Hit) -> Card:
        return cls(hit.record, hit.citation, hit.matched)


class ReplyKind(StrEnum):
    """What a reply is, which decides how each front end lays it out."""

    RESULTS = "results"  # a list of documents
    DOCUMENT = "document"  # one in full
    ANSWER = "answer"  # the answering sentence, then its sources
    DAILY = "daily"  # the "on this day" post
    CITATION = "citation"  # one document's citation in every form (the Cite button)
    INFO = "info"
    ERROR = "error"  # shown only to the person who asked (ephemeral in Discord)


class TimeStyle(StrEnum):
    FULL = "full"  # weekday, date and time
    TIME = "time"  # time of day
    RELATIVE = "relative"  # in 3 hours, 2 days ago


@dataclass(frozen=True)
class Moment:
    """A point in time in a reply; each front end shows it its own way (Discord: in every reader's zone)."""

    when: datetime
    style: TimeStyle


@dataclass(frozen=True)
class Quoted:
    """User or archive text inside the bot's own words (a zone typed, a pause reason): each front end shows it
    literally (Discord escapes it), while the words around it may carry the bot's markup."""

    text: str


Text = tuple[str | Moment | Quoted, ...]


@dataclass
class Reply:
    """What the bot says: a heading, a lead paragraph, documents (paged), and a footer line."""

    kind: ReplyKind
    title: str  # text, shown literally
    lead: str | None = None  # text, shown literally: it may quote the user or the archive, so it is never markup
    cards: list[Card] = field(default_factory=list)
    footer: str | None = None
    per_page: int = PER_PAGE
    private: bool = False  # only the asker sees it (settings, previews), though it is no error
    # The lead as the bot's own words, which may carry markup, and moments: replaces `lead`. User or archive
    # text inside it is `Quoted`, never a plain string.
    timed_lead: Text = ()

    def lead_text(self, show: Callable[[Moment], str], quote: Callable[[str], str] = str) -> str | None:
        """The lead, with moments shown by the front end's `show` and quoted text made literal by `quote`."""
        if not self.timed_lead:
            return self.lead
        return "".join(part if isinstance(part, str) else quote(part.text) if isinstance(part, Quoted)
                       else show(part) for part in self.timed_lead)

    @property
    def ephemeral(self) -> bool:
        return self.kind is ReplyKind.ERROR or self.private

    @property
    def pages(self) -> list[list[Card]]:
        if not self.cards:
            return [[]]
        return [self.cards[i:i + self.per_page] for i in range(0, len(self.cards), self.per_page)]


def error(message: str | Text) -> Reply:
    """An error: a string is text (it may quote what the user typed); pieces are the bot's own markup."""
    if isinstance(message, tuple):
        return Reply(kind=ReplyKind.ERROR, title="Sorry", timed_lead=message)
    return Reply(kind=ReplyKind.ERROR, title="Sorry", lead=message)


DAILY_USAGE = [
    ("/daily set [channel] [time] [timezone]", "a document from this day, every day at that time (default 09:00 UTC)"),
    ("/daily status", "where and when the daily post goes, and the last one"),
    ("/daily off", "stop the daily post"),
    ("/daily preview", "what the daily post would be today"),
]


class Commands:
    def __init__(self, archive: Archive, rng: random.Random | None = None, ledger: DailyStore | None = None,
                 front: Front = Front.DISCORD) -> None:
        self.archive = archive
        self.rng = rng or random.Random()
        self.ledger = ledger or SqliteState(archive.store)
        self.front = front
        self.application_id: int | None = None  # known once logged in to Discord: then help gives the invite link

    async def ask(self, question: str) -> Reply:
        """An answer; or, when the question asks for it, help, today's documents, who someone was, or the
        documents of a date or a person."""
        question = question.strip()
        if not question:
            return error("Ask me something, for example: \u201cWhat did Stalin tell Mao about the Chinese Eastern "
                         "Railway?\u201d")
        answer = await self.archive.ask(question[:MAX_QUESTION])
        if answer.intent is Intent.HELP:
            return await self.help()
        if answer.intent is Intent.ONTHISDAY:
            return await self.onthisday()
        if answer.person is not None:
            return _person_reply(answer.person)
        if answer.intent is Intent.BROWSE:
            return self._results(answer.result, title="Answer")
        reply = self._results(answer.result, title="Answer")
        reply.kind = ReplyKind.ANSWER
        if answer.text is not None and answer.record is not None:
            lead = f"{answer.text}\n— from #{answer.record.id}, \u201c{answer.record.title}\u201d"
            if answer.cut_off:
                lead += " (the archive has this summary only cut off: the sentence may go on)"
            notice = answer.result.notice
            parts = (notice_text(notice) if notice is not None else None, lead, _understood(answer.result))
            reply.lead = "\n".join(p for p in parts if p)
        return reply

    async def search(self, query: str, date_from: int | None = None, date_to: int | None = None,
                     person: str | None = None, limit: int = SEARCH_LIMIT, browse_limit: int = MAX_BROWSE) -> Reply:
        """Ranked documents; with only dates, people or filters, all their documents in date order."""
        if not query.strip() and not person and date_from is None and date_to is None:
            return error("Search for something: a name, a place or a topic, e.g. \u201cZhou Enlai Nehru 1959\u201d.")
        try:
            result = await self.archive.search(query[:MAX_QUESTION], limit, date_from, date_to, person, browse_limit)
        except QueryError as exc:
            return error(query_error_text(exc, self.front))
        return self._results(result, title=f"Search: {query.strip() or person}")

    async def doc(self, record_id: str | int) -> Reply:
        """One document in full: what its page says, an excerpt of its text, its links and its citation."""
        record = await self._record(record_id)
        if isinstance(record, Reply):
            return record
        return Reply(kind=ReplyKind.DOCUMENT, title=record.title, cards=[Card.of(record)])

    async def cite(self, record_id: str | int) -> Reply:
        """One document's citation in the archive's form, Chicago, BibTeX and RIS; only the asker sees it."""
        record = await self._record(record_id)
        if isinstance(record, Reply):
            return record
        return Reply(kind=ReplyKind.CITATION, title=f"Cite #{record.id}", cards=[Card.of(record)], private=True)

    async def similar(self, record_id: str | int, limit: int = SEARCH_LIMIT) -> Reply:
        """More like this: the documents nearest to one by its own title and summary, best first. Only the asker
        sees them: pressed under someone else's post in a busy channel, a public list would answer no one else."""
        record = await self._record(record_id)
        if isinstance(record, Reply):
            return record
        found = await self.archive.similar(record.id, limit)
        hits = found.hits if found is not None else []
        return Reply(kind=ReplyKind.RESULTS, title=f"More like #{record.id}",
                     lead=f"Nearest to \u201c{record.title}\u201d by its title and summary." if hits else
                     f"No other document shares the words of \u201c{record.title}\u201d.",
                     cards=[Card.from_hit(h) for h in hits], private=True)

    async def _record(self, record_id: str | int) -> Record | Reply:
        """The record a user named by number, or the error that says why there is none."""
        text = str(record_id).strip().lstrip("#")
        if not is_number(text) or len(text) > 12:
            return error(f"\u201c{str(record_id)[:40]}\u201d is not a document number: use the #N shown in results.")
        record = await self.archive.show(int(text))
        if record is None:
            return error(f"There is no document #{text} in the archive.")
        return record

    async def person(self, name: str) -> Reply:
        if not name.strip():
            return error("Name someone, for example /person Zhou Enlai (any spelling works).")
        try:
            card = self.archive.person_card(name.strip()[:200])
        except QueryError as exc:
            return error(query_error_text(exc, self.front))
        return _person_reply(card)

    async def onthisday(self, when: str | None = None, today: date | None = None,
                        target: Target | None = None) -> Reply:
        """The day's pick first (the same document a daily post to `target` would choose), then the others."""
        today = today or datetime.now(UTC).date()
        if when and when.strip():
            parsed = parse_month_day(when)
            if parsed is None:
                return error(f"\u201c{when[:40]}\u201d is not a day of the year: use MM-DD (09-27) or 27 September.")
            month, day_of_month = parsed
        else:
            month, day_of_month = today.month, today.day
        day = _in_year(today.year, month, day_of_month)
        choice = await todays_choice(self.archive, day, target.key if target else "")
        reply = daily_reply(choice, day)
        if choice.exact and choice.record is not None:
            others = [r for r in self.archive.on_this_day(month, day_of_month) if r.id != choice.record.id]
            reply.cards += [Card.of(r) for r in others]
            if others:
                reply.footer = f"{len(others) + 1} documents are dated {_label(day)}; the day's pick comes first."
        return reply

    async def random(self) -> Reply:
        record = self.archive.random_record(self.rng)
        if record is None:
            return error("The archive is empty: ingest some listing pages first.")
        return Reply(kind=ReplyKind.DOCUMENT, title=record.title, cards=[Card.of(record)])

    async def about(self, process: str | None = None) -> Reply:
        """The archive and this version; `process`: what the front end says of the process (its shards)."""
        stats = self.archive.stats()
        span = f"from {stats.earliest.human()} to {stats.latest.human()}" if stats.earliest and stats.latest else ""
        lead = (
            f"{stats.documents:,} documents {span}, naming {stats.people:,} people and bodies, from the "
            f"{ARCHIVE_NAME} ({ARCHIVE_URL}).\narchive-bot {app_version()}: answers come from the document "
            "listings' titles and summaries, ranked by BM25; every answer cites its document."
        )
        if process:
            lead += f"\nThis process: {process}."
        return Reply(kind=ReplyKind.INFO, title="About archive-bot", lead=lead + self._invite_line())

    async def help(self, command: str | None = None) -> Reply:
        """Every command in a line; or, named, one command's options and an example. The invite link too,
        where the application is known."""
        if command and command.strip():
            return self._help_for(command)
        lines = [f"`{c.usage}` — {c.what}" for c in COMMANDS]
        lead = "\n".join(lines) + "\n\nIn a DM, just type a question. In a server, mention me with a question."
        lead += (f"\nOn any message, Apps → **{SEARCH_MENU}** or **{ASK_MENU}** searches or answers its text. Under "
                 "a document, **Cite** gives its citation (Chicago, BibTeX, RIS) and **More like this** the documents "
                 "nearest to it (`/similar N` in the console).")
        lead += "\n`/help command` shows a command's options and an example." + self._invite_line()
        return Reply(kind=ReplyKind.INFO, title="archive-bot commands", timed_lead=(lead,))

    def _help_for(self, name: str) -> Reply:
        found = find_help(name)
        if found is None:
            return error(("There is no ", Quoted(name.strip()[:30]), " command. The commands: "
                          + ", ".join(f"`{c.name}`" for c in COMMANDS) + "."))
        lines = [f"`{found.usage}` — {found.what}"]
        lines += [f"• `{o.name}`{' (optional)' if o.name in found.optional else ''}: {o.what}" for o in found.options]
        if found.name == "daily":
            lines += [f"• `{usage}` — {what}" for usage, what in DAILY_USAGE]
        if found.example:
            lines.append(f"Example: `{found.example}`")
        return Reply(kind=ReplyKind.INFO, title=f"/{found.name}", timed_lead=("\n".join(lines),))

    def _invite_line(self) -> str:
        if self.application_id is None:
            return ""
        return (f"\n\nAdd me to a server: {invite_url(self.application_id)}\n"
                f"Or install my commands to your account, for your DMs and any server: "
                f"{invite_url(self.application_id, user=True)}")

    # -- /daily: `target` is where the command was used (a channel, or the user's DMs) ---------------------
    async def daily_set(self, target: Target, *, guild_id: int | None, user_id: int, time: str | None,
                        zone: str | None, now: datetime) -> Reply:
        try:
            post_time, zone_name = parse_time(time), parse_zone(zone)
        except SettingError as exc:
            return error(_setting_problem(exc))
        sub = await self.ledger.subscribe(target=target, guild_id=guild_id, created_by=user_id, post_time=post_time,
                                          zone=zone_name, now=now)
        where = place(sub, dm="this DM")
        return Reply(kind=ReplyKind.INFO, title="Daily post set", private=True, timed_lead=(
            f"Every day at {post_time} {zone_name} (", Moment(sub.today_at(now), TimeStyle.TIME),
            f" your time) I'll post a document written on that day in {where}. Next: ", *_next_post(sub, now), "."))

    async def daily_off(self, target: Target, guild_id: int | None) -> Reply:
        sub = await self._subscription_here(target, guild_id)
        if sub is None or not await self.ledger.unsubscribe(sub.target):
            return error("There is no daily post here to stop.")
        return Reply(kind=ReplyKind.INFO, title="Daily post stopped", private=True,
                     timed_lead=(f"No more daily posts in {place(sub)}.",))

    async def daily_status(self, target: Target, guild_id: int | None, now: datetime) -> Reply:
        sub = await self._subscription_here(target, guild_id)
        if sub is None:
            return error(("No daily post is set up here: `/daily set` starts one.",))
        if (unusable := _unusable_zone(sub)) is not None:
            return unusable
        last = await self.ledger.last_sent(sub)
        lead: Text = (
            f"**Where:** {place(sub)}\n",
            f"**When:** {sub.post_time} {sub.timezone} (", Moment(sub.today_at(now), TimeStyle.TIME), " your time)\n",
            "**Next post:** ", *(("paused",) if sub.paused else _next_post(sub, now)), "\n",
            f"**Last post:** {_last_post(last)}",
        )
        if sub.paused:
            lead += ("\n**Paused because:** ", Quoted(sub.paused), ". Run `/daily set` again once it is fixed.")
        return Reply(kind=ReplyKind.INFO, title="Daily post", timed_lead=lead, private=True)

    async def daily_preview(self, target: Target | None, guild_id: int | None, now: datetime) -> Reply:
        """Today's post for `target` (the console has none: the day's pick in UTC)."""
        sub = await self._subscription_here(target, guild_id) if target is not None else None
        if sub is not None and (unusable := _unusable_zone(sub)) is not None:
            return unusable
        day = sub.local_date(now) if sub else now.date()
        choice = await todays_choice(self.archive, day, target.key if target else "",
                                     self.ledger if sub else None, sub)
        reply = daily_reply(choice, day)
        reply.private = True
        return reply

    def daily_usage(self) -> Reply:
        lines = [f"`{usage}` — {what}" for usage, what in DAILY_USAGE]
        lead = "\n".join(lines) + "\n\nSetting one up works in Discord, in a server channel or in a DM with me."
        return Reply(kind=ReplyKind.INFO, title="Daily \u201con this day\u201d post", timed_lead=(lead,))

    async def _subscription_here(self, target: Target, guild_id: int | None) -> Subscription | None:
        """In a DM, the user's own; in a server, this channel's, else the server's first."""
        if guild_id is None:
            return await self.ledger.by_target(target)
        subs = await self.ledger.in_guild(guild_id)
        here = [s for s in subs if s.target == target]
        return next(iter(here or subs), None)

    def _results(self, result: SearchResult, title: str) -> Reply:
        notice = notice_text(result.notice) if result.notice is not None else None
        if result.intent is Intent.BROWSE:
            title = browse_title(result.browsed)
            if result.hits:
                notice = browse_text(result.browsed, result.total, len(result.hits))
        lead_parts = [p for p in (notice, _understood(result)) if p]
        return Reply(kind=ReplyKind.RESULTS, title=title, lead="\n".join(lead_parts) or None,
                     cards=[Card.from_hit(h) for h in result.hits], footer=hints_line(result.suggestions, self.front))


def _person_reply(card: PersonCard) -> Reply:
    """Who someone is: the people file's line, the names the archive also uses, and their documents."""
    return Reply(kind=ReplyKind.RESULTS, title=card.name, lead=person_text(card),
                 cards=[Card.of(r) for r in card.records])


def _label(day: date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month]}"


def _in_year(year: int, month: int, day: int) -> date:
    """This month and day in `year`, or in the leap year before it for 29 February."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            year -= 1


def daily_reply(choice: Choice, day: date) -> Reply:
    """The "on this day" post: the document, how many years ago, or honestly the nearest one."""
    record = choice.record
    if record is None:
        return Reply(kind=ReplyKind.INFO, title=f"On this day: {_label(day)}",
                     lead="No document in the archive has a full date yet.")
    ago = years_ago(record, day)
    when = f"{ago} year{'s' if ago != 1 else ''} ago"
    if choice.exact:
        return Reply(kind=ReplyKind.DAILY, title=f"On this day in {record.date.year} ({when})", cards=[Card.of(record)])
    return Reply(
        kind=ReplyKind.DAILY,
        title=f"Nearest to {_label(day)}: {record.date.human()}",
        lead=f"Nothing in the archive is dated {_label(day)}; the nearest is {record.date.human()}:",
        cards=[Card.of(record)],
    )


def _setting_problem(exc: SettingError) -> Text:
    if exc.problem is SettingProblem.TIME:
        return "\u201c", Quoted(exc.typed[:20]), "\u201d is not a time: use 24-hour HH:MM, e.g. 09:00 or 18:30."
    hint = (f" Did you mean {', '.join(exc.suggestions)}?" if exc.suggestions
            else " Use an IANA name like Europe/Berlin.")
    return "\u201c", Quoted(exc.typed[:40]), f"\u201d is not a time zone.{hint}"


def _unusable_zone(sub: Subscription) -> Reply | None:
    """A subscription stored by an older version with a zone that is not one (the scheduler pauses it)."""
    try:
        load_zone(sub.timezone)
    except SettingError as exc:
        return error((*_setting_problem(exc), " Run `/daily set` again to fix the daily post here."))
    return None


def place(sub: Subscription, dm: str = "your DMs") -> str:
    """Where a daily post goes, in the bot's words: a channel mention (markup), or the DMs as seen by `dm`."""
    return dm if sub.is_dm else f"<#{sub.channel_id}>"


def _next_post(sub: Subscription, now: datetime) -> Text:
    due = sub.next_due(now)
    return Moment(due, TimeStyle.FULL), " (", Moment(due, TimeStyle.RELATIVE), ")"


def _last_post(last: LastPost | None) -> str:
    if last is None:
        return "none yet"
    day = last.local_date.isoformat()
    return f"{day}, document #{last.record_id}" if last.record_id else day


def _understood(result: SearchResult) -> str | None:
    """What the bot made of the question when it changed it: a corrected word, a date, a word left out."""
    q = result.understood
    parts = []
    if q.corrections:
        parts.append("searched for " + ", ".join(f"\u201c{b}\u201d instead of \u201c{a}\u201d"
                                                 for a, b in q.corrections))
    if q.dates is not None and not result.relaxed and result.intent is not Intent.BROWSE:
        parts.append(f"dated {q.dates.describe()}")
    if q.absent and result.hits:  # with no hits, the notice already names every word searched
        parts.append(absent_text(q.absent))
    return f"({'; '.join(parts)})" if parts else None


# Words a console user types without the slash and means as the command, never as a question.
PLAIN_COMMANDS = frozenset({"help", "quit", "exit"})


def parse_command(line: str) -> tuple[str, str]:
    """A console line: `/search mao 1958` -> ("search", "mao 1958"); a plain question -> ("ask", line); a lone
    `help`, `quit` or `exit` -> that command; `help` and a command's name (`help search`) -> help for it."""
    text = line.strip()
    if text.lower() in PLAIN_COMMANDS:
        return text.lower(), ""
    first, _, rest = text.partition(" ")
    if first.lower() == "help" and find_help(rest) is not None:
        return "help", rest.strip()
    if not text.startswith("/"):
        return "ask", text
    name, _, rest = text[1:].partition(" ")
    return name.lower(), rest.strip()


async def run_text_command(commands: Commands, line: str) -> Reply | None:
    """Dispatch one console line; None for an empty line."""
    if not line.strip():
        return None
    name, rest = parse_command(line)
    if name == "ask":
        return await commands.ask(rest)
    if name == "search":
        try:
            return await commands.search(*_search_args(rest))
        except ValueError as exc:
            return error(str(exc))
    if name in ("doc", "show"):
        return await commands.doc(rest)
    if name == "similar":
        return await commands.similar(rest)
    if name == "person":
        return await commands.person(rest)
    if name == "onthisday":
        return await commands.onthisday(rest or None)
    if name == "daily":
        if rest.lower() == "preview":
            return await commands.daily_preview(None, None, datetime.now(UTC))
        return commands.daily_usage()
    if name == "random":
        return await commands.random()
    if name == "about":
        return await commands.about()
    if name == "help":
        return await commands.help(rest or None)
    return error(f"There is no /{name[:30]} command. Type /help for the list.")


def _search_args(text: str) -> tuple[str, int | None, int | None, str | None]:
    """`mao stalin from:1949 to:1952 person:Zhou Enlai` — the console's form of the slash options."""
    words: list[str] = []
    options: dict[str, str | None] = {"from": None, "to": None, "person": None}
    parts = text.split()
    i = 0
    while i < len(parts):
        key, sep, value = parts[i].partition(":")
        if sep and key.lower() in options:
            if key.lower() == "person":
                rest = [value] + parts[i + 1:]
                options["person"] = " ".join(p for p in rest if p) or None
                break
            options[key.lower()] = value
        else:
            words.append(parts[i])
        i += 1
    years: list[int | None] = []
    for name in ("from", "to"):
        year = options[name]
        if year is not None and not (is_number(year) and len(year) == 4):
            raise ValueError(f"\u201c{name}:{year[:20]}\u201d needs a year like 1958.")
        years.append(int(year) if year else None)
    return " ".join(words), years[0], years[1], options["person"]
