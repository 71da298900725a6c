"""When the citizen app collects its cyclic garbage: between touches, not in the middle of one.

Each screen refresh drops a tree of Kivy widgets that refer to each other (properties,
bindings), so only Python's cyclic collector frees them. Left to itself, the collector ran its
full collections when a refresh's allocations tipped it over, that is in the middle of drawing
the next screen: 200-600 ms each over ~340,000 objects during `bench/ui_bench.py tap` on a
loaded machine, the longest stalls and the slowest taps (issue 16). So:
- the objects alive once the terminal is up (modules, screens, caches) are frozen out of every
  later collection (`gc.freeze`): a full collection walks only what came after;
- the automatic full collection is off. One is due when Python would run it: as much was
  allocated as it waits for (`IDLE_AFTER`) and the oldest generation grew by a quarter since
  the last one (CPython's own rule, which spares a camera's steady stream of short-lived
  objects). A due collection runs once no touch came for `IDLE_S`, or at once when `FULL_AFTER`
  middle-generation collections went by (a citizen tapping without a pause, the explorer), so
  garbage stays bounded. Young collections run as Python sets them.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window

log = logging.getLogger(__name__)

IDLE_S = 1.0  # no touch for this long: the citizen is reading, a collection goes unnoticed
CHECK_S = 0.25
IDLE_AFTER = 10  # middle-generation collections (~7,000 allocations each): Python's own threshold
FULL_AFTER = 100  # the most between two full collections, touches or not
NEVER = 1 << 30  # a full-collection threshold that is never reached


class Collector:
    def __init__(self) -> None:
        self.last_touch = time.monotonic()
        self.collections = 0
        self.longest_ms = 0.0
        self._old_after_last = 0  # objects in the oldest generation after the last full one
        self._next_look = IDLE_AFTER  # counting that generation walks it: not at every check

    def start(self) -> None:
        """Once the terminal is up: freeze what is alive, then collect only as above."""
        gc.collect()
        gc.freeze()
        self._old_after_last = len(gc.get_objects(2))
        young, middle, _full = gc.get_threshold()
        gc.set_threshold(young, middle, NEVER)
        Window.bind(on_touch_down=self._touched)
        Clock.schedule_interval(self._check, CHECK_S)
        log.info("garbage collection between touches; %d objects frozen", gc.get_freeze_count())

    def _touched(self, *_args: Any) -> bool:
        self.last_touch = time.monotonic()
        return False  # the touch goes on to the widgets

    def _check(self, _dt: float) -> None:
        pending = gc.get_count()[2]  # middle-generation collections since the last full one
        if pending < self._next_look:
            return
        idle = time.monotonic() - self.last_touch >= IDLE_S
        if not idle and pending < FULL_AFTER:
            return
        old = len(gc.get_objects(2))
        if old - self._old_after_last <= self._old_after_last // 4:
            self._next_look = pending + IDLE_AFTER
            return  # little has outlived the young generations: nothing worth a full pass
        started = time.perf_counter()
        gc.collect()
        took = (time.perf_counter() - started) * 1000
        self._old_after_last = len(gc.get_objects(2))
        self._next_look = IDLE_AFTER
        self.collections += 1
        self.longest_ms = max(self.longest_ms, took)
