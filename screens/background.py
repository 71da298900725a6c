"""Blocking work (platform, outbox, printer, camera) off the UI thread, its result back on it.

The UI thread never waits on a device or the network: a screen hands the call to `run`, shows
"please wait", and gets `done(result)` or `failed(exc)` on the main loop. A result that comes
back after its screen was left (the session ended meanwhile) is dropped by the `alive` check.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from kivy.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")

# (name, started, answered) of the latest works, perf_counter seconds: how long a screen's
# content waited on the platform or a device, apart from the app's own drawing (the UI
# driver's tap reports it; bench/ui_bench.py tap)
answers: deque[tuple[str, float, float]] = deque(maxlen=32)


def answered_between(start: float, end: float) -> float | None:
    """The longest answer (s) among works started and answered between `start` and `end`."""
    spans = [done - began for _name, began, done in list(answers)
             if start <= began and done <= end]
    return max(spans) if spans else None


def run(work: Callable[[], T], done: Callable[[T], None], failed: Callable[[BaseException], None],
        alive: Callable[[], bool] = lambda: True, name: str = "screen-work",
        timed: bool = True) -> None:
    """`timed`: the call is one a screen waits on, kept in `answers` (a warm-up is not)."""
    def hop(callback: Callable[[Any], None], value: Any) -> None:
        def on_main(_dt: float) -> None:
            if alive():
                callback(value)
        Clock.schedule_once(on_main, 0)

    def body() -> None:
        began = time.perf_counter()
        try:
            result = work()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the screen
            if not isinstance(exc, Exception):
                log.exception("%s: unexpected", name)
            if timed:
                answers.append((name, began, time.perf_counter()))
            hop(failed, exc)
            return
        if timed:
            answers.append((name, began, time.perf_counter()))
        hop(done, result)

    threading.Thread(target=body, name=name, daemon=True).start()
