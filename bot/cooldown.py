"""Per-user cooldown on searches: a few quick questions are fine, a flood is slowed with a friendly note."""
from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Cooldown:
    """At most `rate` uses per `per` seconds for each user (a sliding window)."""

    def __init__(self, rate: int = 5, per: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self.clock = clock
        self._uses: dict[int, deque[float]] = {}

    def retry_after(self, user_id: int) -> float:
        """0 when the user may go ahead (and the use is counted); else the seconds to wait."""
        now = self.clock()
        uses = self._uses.setdefault(user_id, deque())
        while uses and now - uses[0] >= self.per:
            uses.popleft()
        if len(uses) >= self.rate:
            return self.per - (now - uses[0])
        uses.append(now)
        if len(self._uses) > 10_000:  # forget idle users so memory stays bounded
            for key in [k for k, v in self._uses.items() if not v or now - v[-1] >= self.per][:5_000]:
                del self._uses[key]
        return 0.0
