"""Daily "on this date" posts without any chat service: subscriptions and when each is due
(subscription.py), which document (choice.py), the ledger that makes every post happen once (ledger.py),
and the scheduler that drives a front end's `Poster` (protocol.py).

Exactly once, under the faults that happen
------------------------------------------
A post is *claimed* before it is sent: one row per (subscription, local date), inserted in a write
transaction, so of two processes on one database only one ever wins the day. The claim stores the document
chosen, so a retry or a restart sends the same one. After sending, the row is marked `sent` with the
message id.

- Leases on one clock. A claim is its holder's for LEASE, measured on the database's clock (SQLite's 'now',
  read in the statement that compares it): process clocks that disagree, by any amount, do not matter.
- Fencing. Every takeover increments the row's token; renewing, marking and sending need the current one.
  The holder renews its lease (checking its token) right before each send, and the send is cut off after
  SEND_TIMEOUT, well inside LEASE: no send of ours is still waiting when the lease it was made under runs
  out, and a holder that lost its claim (a pause longer than the lease) sends nothing and records nothing.
- Look before any resend. Whatever may have gone out already (a retry after an error, a lost response or a
  timeout; a row taken over: failed, unknown, or claimed with an expired lease) is first looked for in the
  target's recent messages (every post carries a marker naming its subscription and day, where readers do
  not see it). Found: recorded as sent. Not found: sent. Unreadable: nothing is sent, the row is marked
  `unknown`, and the next tick looks again; history that can never be read pauses the subscription. Missing
  a day beats posting twice.
- Days only go forward. A day is not claimed once a later day has a row, so a clock stepped back across
  midnight does not post the previous day.

What is left: a request that leaves us and lands at Discord more than LEASE later, after another process
looked and sent, posts twice. A send that times out is cut off while discord.py still holds it (rate-limit
waits), and one already on the wire lands in seconds, so this needs a network delay of many minutes.
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
from .shards import Shards, shard_of
from .subscription import (
                       DEFAULT_TIME,
                       DEFAULT_ZONE,
                       SettingError,
                       SettingProblem,
                       Subscription,
                       Target,
                       TargetKind,
                       footer_marker,
                       load_zone,
                       parse_time,
                       parse_zone,
                       zone_names,
)

__all__ = [
    "BACKOFF", "DEFAULT_TIME", "DEFAULT_ZONE", "LEASE", "RETRIES", "SEND_TIMEOUT", "TICK", "Choice", "Claim", "Clock",
    "DailyPost",
    "DailyScheduler", "DailyStore", "Documents", "Entry", "FailureKind", "LastPost", "Outcome", "PostError",
    "PostStatus", "Poster", "Result", "SettingError", "SettingProblem", "Shards", "Sleep", "Subscription", "Target",
    "TargetKind", "choose", "footer_marker", "load_zone", "parse_time", "parse_zone", "shard_of", "todays_choice",
    "years_ago", "zone_names",
]
