"""Blocking work (platform, outbox, printer, camera) off the UI thread, its result back on it.

The UI thread never waits on a device or the network: a screen hands the call to `run`, shows
"please wait", and gets `done(result)` or `failed(exc)` on the main loop. A result that comes
back after its screen was left (the session ended meanwhile) is dropped by the `alive` check.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from kivy.clock import Clock

log = logging.getLogger(__name__)

T = TypeVar("T")


def run(work: Callable[[], T], done: Callable[[T], None], failed: Callable[[BaseException], None],
        alive: Callable[[], bool] = lambda: True, name: str = "screen-work") -> None:
    def hop(callback: Callable[[Any], None], value: Any) -> None:
        def on_main(_dt: float) -> None:
            if alive():
                callback(value)
        Clock.schedule_once(on_main, 0)

    def body() -> None:
        try:
            result = work()
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the screen
            if not isinstance(exc, Exception):
                log.exception("%s: unexpected", name)
            hop(failed, exc)
            return
        hop(done, result)

    threading.Thread(target=body, name=name, daemon=True).start()
