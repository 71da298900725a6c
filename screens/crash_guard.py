"""The app's last line: an exception no screen expected never kills the terminal.

Kivy hands every exception escaping its main loop (a button callback, a Clock event, a layout
rule) to `ExceptionManager`. Here it is logged for staff with its type and place only (the
message may hold citizen data), the citizen's session is ended and wiped, and they are told
"sorry, please start again" instead of facing a dead screen. A fault that keeps coming back
(`BURST` within `WINDOW_S`) is not papered over: the exception is raised, the process exits,
and systemd (or the fleet supervisor) starts a fresh one.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from kivy.base import ExceptionHandler, ExceptionManager

log = logging.getLogger(__name__)

BURST = 5
WINDOW_S = 60.0


class CrashGuard(ExceptionHandler):
    def __init__(self, recover: Callable[[BaseException], None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._recover = recover
        self._clock = clock
        self._recent: deque[float] = deque(maxlen=BURST)
        self.caught = 0

    def handle_exception(self, exception: BaseException) -> int:
        if not isinstance(exception, Exception):  # KeyboardInterrupt, SystemExit: really stop
            return ExceptionManager.RAISE
        now = self._clock()
        self._recent.append(now)
        if len(self._recent) == BURST and now - self._recent[0] < WINDOW_S:
            log.critical("%d unexpected failures within %.0f s: restarting the app",
                         BURST, now - self._recent[0])
            return ExceptionManager.RAISE
        self.caught += 1
        try:
            self._recover(exception)
        except Exception as again:  # recovery itself failed: a fresh process is the way out
            log.critical("recovering from %s failed with %s", type(exception).__name__,
                         type(again).__name__)
            return ExceptionManager.RAISE
        return ExceptionManager.PASS


def install(recover: Callable[[BaseException], None]) -> CrashGuard:
    guard = CrashGuard(recover)
    ExceptionManager.add_handler(guard)
    return guard


def uninstall(guard: CrashGuard) -> None:
    ExceptionManager.remove_handler(guard)
