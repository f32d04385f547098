"""Which process posts which subscription when several share one database, each running a range of Discord's
shards: a guild's subscriptions belong to the process running the guild's shard, DMs to the one running
shard 0 (Discord sends DMs on shard 0). The ledger's claims still make each post happen once when ranges
overlap; this only keeps processes from doing each other's work."""
from __future__ import annotations

from dataclasses import dataclass

from .subscription import Subscription


def shard_of(guild_id: int, count: int) -> int:
    """Discord's rule: the shard a guild's events arrive on."""
    return (guild_id >> 22) % count


@dataclass(frozen=True)
class Shards:
    ids: tuple[int, ...]  # the shards this process runs, ascending
    count: int

    def owns(self, sub: Subscription) -> bool:
        return shard_of(sub.guild_id, self.count) in self.ids if sub.guild_id is not None else 0 in self.ids

    @property
    def has_first(self) -> bool:
        """Runs shard 0: DMs, and syncing the application's commands, are this process's."""
        return 0 in self.ids

    def describe(self) -> str:
        """'shards 0-3 of 8', 'shards 0,2,5 of 8', 'shard 1 of 8'."""
        ids = self.ids
        if len(ids) == 1:
            return f"shard {ids[0]} of {self.count}"
        if ids == tuple(range(ids[0], ids[-1] + 1)):
            return f"shards {ids[0]}-{ids[-1]} of {self.count}"
        return f"shards {','.join(map(str, ids))} of {self.count}"
