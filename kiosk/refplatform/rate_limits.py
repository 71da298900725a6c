"""How often a terminal or a citizen may do what, so that one stolen credential cannot sweep
the citizen register and nobody's phone is flooded with codes. Moving windows from `limits`,
in memory: the reference platform is one process (a real one keeps them in Redis or the like).

One lock around every count: `limits`' MemoryStorage (5.8.0, the newest on the registry) is
not safe across threads. Two requests counted at once could start its expiry timer twice,
and the second answered 500 ("threads can only be started once"; fixed upstream by
alisaifee/limits#352, not released here). The lock also makes "test every window, then hit
them" one step, so two requests at once cannot both take a window's last place.
"""

from __future__ import annotations

import hashlib
import threading
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from kiosk.refplatform.problems import Problem

# what -> the windows that all must have room (the rule, then who it counts)
RULES: dict[str, tuple[RateLimitItem, ...]] = {
    # A terminal serves a citizen every minute or two; a sweep opens sessions by the hundred.
    "session_per_kiosk": (parse("20/minute"), parse("200/hour")),
    "session_per_citizen": (parse("10/hour"),),
    "code_per_citizen": (parse("5/hour"), parse("10/day")),
    # Every read or change of a citizen's data, per terminal.
    "citizen_data_per_kiosk": (parse("240/minute"),),
    # Help requests: a citizen may call more than once, a stuck loop must not flood the hall.
    "help_per_kiosk": (parse("10/minute"), parse("120/hour")),
}


class RateLimits:
    def __init__(self, rules: dict[str, tuple[RateLimitItem, ...]] | None = None) -> None:
        """`rules`: other windows than RULES (a load test of one terminal, say)."""
        self._rules = {**RULES, **(rules or {})}
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._lock = threading.Lock()

    def hit(self, rule: str, who: str) -> None:
        """Count one; 429 rate_limited (with Retry-After) when a window is full."""
        key = hashlib.sha256(who.encode("utf-8")).hexdigest()[:32]  # no ID number in memory keys
        with self._lock:
            for item in self._rules[rule]:
                if not self._limiter.test(item, rule, key):
                    reset = self._limiter.get_window_stats(item, rule, key).reset_time
                    raise Problem(429, "rate_limited", "too many requests; try again later",
                                  retry_after_s=max(1, int(reset - time.time()) + 1))
            for item in self._rules[rule]:
                self._limiter.hit(item, rule, key)
