"""Repeat suppression: a code held in front of a scanner is reported once, not every frame."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable


class RecentCodes:
    """Remembers when each code was last seen.

    A code is reported when it has not been seen for `window_s` seconds; every sighting, reported
    or not, restarts its window. So a code held in view for a minute is reported once, and the
    same code shown again after being away for `window_s` is reported again.
    """

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic,
                 capacity: int = 256):
        self.window_s = window_s
        self._clock = clock
        self._capacity = capacity
        self._seen: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    def should_report(self, key: Hashable) -> bool:
        now = self._clock()
        with self._lock:
            last = self._seen.pop(key, None)
            self._seen[key] = now  # re-inserted last: the dict stays in sighting order
            while len(self._seen) > self._capacity:
                del self._seen[next(iter(self._seen))]
            return last is None or now - last >= self.window_s

    def clear(self) -> None:
        """Forget everything: the next sighting of any code is reported (e.g. a new session)."""
        with self._lock:
            self._seen.clear()
