"""Who listens to a kiosk service (the screens, mostly): subscribe, unsubscribe, notify.

Callbacks are called outside the lock, on whatever thread has the news (a driver thread, as a
rule), and one that fails is logged without stopping the others. Nothing of the event goes into
that log line: events may be about a citizen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

E = TypeVar("E")


class Listeners(Generic[E]):
    def __init__(self, what: str) -> None:
        self._what = what
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[E], None]] = []

    def add(self, callback: Callable[[E], None]) -> Callable[[], None]:
        """Subscribe `callback`; returns the function that unsubscribes it."""
        with self._lock:
            self._callbacks.append(callback)

        def remove() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)
        return remove

    def snapshot(self) -> list[Callable[[E], None]]:
        """The callbacks subscribed now (to call later, in the order events happened)."""
        with self._lock:
            return list(self._callbacks)

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._callbacks)

    def notify(self, event: E, callbacks: Iterable[Callable[[E], None]] | None = None) -> None:
        """Call every callback (or those of an earlier `snapshot`) with `event`."""
        for callback in self.snapshot() if callbacks is None else callbacks:
            try:
                callback(event)
            except Exception:
                log.exception("%s listener failed on a %s", self._what, type(event).__name__)
