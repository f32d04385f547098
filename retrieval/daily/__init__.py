"""Daily "on this date" posts without any chat service: subscriptions and when each is due
(subscription.py), which document (choice.py), the ledger that makes every post happen once (ledger.py),
and the scheduler that drives a front end's `Poster` (protocol.py).

Exactly once, and what a crash means
------------------------------------
A post is *claimed* before it is sent: one row per (subscription, local date), inserted in a write
transaction, so of two processes on one database only one ever wins the day. The claim stores the document
chosen, so a retry or a restart sends the same one. After sending, the row is marked `sent` with the
message id.

A process that dies between claim and send leaves a `claimed` row. Once its lease (LEASE) has run out,
another process (or the same one restarted) takes the claim over, and before sending it looks in the
target's recent messages for the post (every post carries a marker naming its subscription and day). Found:
the row is marked `sent`, nothing is posted again. Not found: it is sent. If the history cannot be read,
the row is marked `unknown` and nothing is sent: for a daily post, missing one day is better than posting
twice.
"""
from .choice import Choice, Documents, choose, todays_choice, years_ago
from .ledger import LEASE, Claim, DailyStore, Entry, LastPost, PostStatus
from .protocol import (
                       BACKOFF,
                       RETRIES,
                       SEND_TIMEOUT,
                       TICK,
                       Clock,
                       DailyPost,
                       DailyScheduler,
                       FailureKind,
                       Outcome,
                       Poster,
                       PostError,
                       Result,
                       Sleep,
)
from .subscription import (
                       DEFAULT_TIME,
                       DEFAULT_ZONE,
                       SettingError,
                       SettingProblem,
                       Subscription,
                       Target,
                       TargetKind,
                       load_zone,
                       parse_time,
                       parse_zone,
                       zone_names,
)

__all__ = [
    "BACKOFF", "DEFAULT_TIME", "DEFAULT_ZONE", "LEASE", "RETRIES", "SEND_TIMEOUT", "TICK", "Choice", "Claim", "Clock",
    "DailyPost",
    "DailyScheduler", "DailyStore", "Documents", "Entry", "FailureKind", "LastPost", "Outcome", "PostError",
    "PostStatus", "Poster", "Result", "SettingError", "SettingProblem", "Sleep", "Subscription", "Target", "TargetKind",
    "choose", "load_zone", "parse_time", "parse_zone", "todays_choice", "years_ago", "zone_names",
]
