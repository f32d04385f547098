"""What each command does, takes and looks like in use: the one table that /help, `help` in a DM, a mention or
the console, and the slash commands' option descriptions all read, so they can never disagree.

Also the invite link, built from the application's ID with the permissions the bot needs and no more.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

# View Channels (1 << 10), Send Messages (1 << 11), Embed Links (1 << 14), Read Message History (1 << 16): what
# posting answers and daily documents needs; tests check this against discord.Permissions.
INVITE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 14) | (1 << 16)
INVITE_SCOPES = ("bot", "applications.commands")
AUTHORIZE_URL = "https://discord.com/oauth2/authorize"


@dataclass(frozen=True)
class Option:
    name: str  # as the user sees it in Discord: `from`, not the parameter's name
    what: str  # also the slash command's option description: at most 100 characters


@dataclass(frozen=True)
class CommandHelp:
    name: str
    what: str
    options: tuple[Option, ...] = ()
    optional: frozenset[str] = frozenset()  # options that may be left out, shown in [brackets]
    example: str = ""

    @property
    def usage(self) -> str:
        shown = [f"[{o.name}]" if o.name in self.optional else o.name for o in self.options]
        return " ".join([f"/{self.name}", *shown])

    def described(self, parameters: Mapping[str, str] | None = None) -> dict[str, str]:
        """Parameter name -> description, for `app_commands.describe`; `parameters` maps an option shown under
        another name (`from`) to its parameter (`date_from`)."""
        return {(parameters or {}).get(o.name, o.name): o.what for o in self.options}


COMMANDS: tuple[CommandHelp, ...] = (
    CommandHelp("ask", "a short answer from the best document, with its sources; or \u201cwho was Filippov?\u201d, "
                       "\u201cdocuments from October 1962\u201d, \u201ctoday in history\u201d",
                (Option("question", "e.g. What did Stalin tell Mao about the Chinese Eastern Railway?"),),
                example="/ask question: why did the soviets halt nuclear assistance to china"),
    CommandHelp("search", "ranked documents; dates and names in the query are understood; "
                          "only dates or a person: all their documents by date",
                (Option("query", "words, names, dates: zhou enlai nehru 1959"),
                 Option("from", "only documents from this year on"), Option("to", "only documents up to this year"),
                 Option("person", "only this person's documents")),
                optional=frozenset({"query", "from", "to", "person"}),
                example="/search query: nuclear test from: 1958 to: 1963"),
    CommandHelp("doc", "one document in full, with its citation (the #N shown in results)",
                (Option("id", "the document number shown in results, e.g. 42"),), example="/doc id: 42"),
    CommandHelp("person", "a person's documents in date order (any spelling: Chou En-lai, Filippov)",
                (Option("name", "any spelling: Chou En-lai, Filippov, Khrushchov"),), example="/person name: Filippov"),
    CommandHelp("onthisday", "documents written on a day of the year: 09-27 or 27 September (default today)",
                (Option("date", "MM-DD or 27 September (default: today)"),), optional=frozenset({"date"}),
                example="/onthisday date: 27 September"),
    CommandHelp("daily", "a daily \u201con this day\u201d document in a channel or your DMs (/daily preview: today's)",
                example="/daily set channel: #history time: 09:00 timezone: Europe/Berlin"),
    CommandHelp("random", "a random document", example="/random"),
    CommandHelp("about", "the archive's size and dates, and this bot's version", example="/about"),
    CommandHelp("help", "this list, or one command's options and an example",
                (Option("command", "the command to explain"),), optional=frozenset({"command"}),
                example="/help command: search"),
)
BY_NAME = {c.name: c for c in COMMANDS}
# The message context menus (right-click a message -> Apps), registered under these names and named by /help.
SEARCH_MENU, ASK_MENU = "Search the archive", "Ask the archive"


def find(name: str) -> CommandHelp | None:
    """The command a user named, with or without its slash, in any case."""
    return BY_NAME.get(name.strip().lstrip("/").lower())


def invite_url(application_id: int, user: bool = False) -> str:
    """The link that adds the bot to a server with its slash commands and the permissions it needs; `user`: the
    link that installs the commands to one's own account (no bot user, so no permissions)."""
    if user:
        return f"{AUTHORIZE_URL}?" + urlencode({"client_id": application_id, "integration_type": 1,
                                                "scope": "applications.commands"})
    return f"{AUTHORIZE_URL}?" + urlencode({"client_id": application_id, "integration_type": 0,
                                            "scope": " ".join(INVITE_SCOPES), "permissions": INVITE_PERMISSIONS})
