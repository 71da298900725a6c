"""The last warnings and errors, in memory, for the admin screen's "last errors" list.

A logging handler on the root logger keeps the newest N records at WARNING or above. Each is
masked (kiosk.logs.mask_text) and cut short *when it is kept*, so an ID number that slipped into
a message never sits in memory unmasked and never reaches the screen. Tracebacks are not kept:
only the exception's type, which is enough to tell staff what kind of thing went wrong.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

from kiosk.logs import mask_text

MAX_MESSAGE = 300


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    at: float  # wall-clock time
    level: str  # WARNING, ERROR, CRITICAL
    logger: str
    message: str  # masked, at most MAX_MESSAGE characters
    exception: str | None = None  # the exception's type name, never its message


class RecentErrors(logging.Handler):
    def __init__(self, capacity: int = 50, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self._records: deque[ErrorRecord] = deque(maxlen=capacity)
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = mask_text(record.getMessage())
        except Exception:  # a bad format string must not lose the record altogether
            message = mask_text(str(record.msg))
        if len(message) > MAX_MESSAGE:
            message = message[:MAX_MESSAGE] + "…"
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else None
        with self._guard:
            self._records.append(ErrorRecord(record.created or time.time(), record.levelname,
                                             record.name, message, exc_type))

    def records(self) -> list[ErrorRecord]:
        """Newest first."""
        with self._guard:
            return list(reversed(self._records))

    def last_text(self) -> str | None:
        """The newest one as one line (for the heartbeat's `last_error`), or None."""
        records = self.records()
        return f"{records[0].logger}: {records[0].message}"[:200] if records else None

    def install(self, logger: logging.Logger | None = None) -> RecentErrors:
        target = logger or logging.getLogger()
        if self not in target.handlers:
            target.addHandler(self)
        return self

    def uninstall(self, logger: logging.Logger | None = None) -> None:
        (logger or logging.getLogger()).removeHandler(self)
