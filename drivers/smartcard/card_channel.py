"""The one thread that talks to the card, so that a dead card never stalls anyone else.

A mute card blocks SCardTransmit inside pcscd until it answers or leaves the reader. Every card
call therefore runs here, on its own PC/SC context, and the caller's Future fails with
`timeout` after its deadline whatever the card does. While a timed-out call is still stuck,
new calls fail at once with `card_unresponsive` instead of queueing behind it; a call whose
deadline passed while it was queued is never started (the caller was told it failed).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from drivers.device import DeviceError, OutcomeUnknown

log = logging.getLogger(__name__)

_Job = tuple[Future[Any], Callable[[], Any], threading.Timer]


class CardChannel:
    def __init__(self, name: str):
        self.name = name
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._stuck = False
        self._thread: threading.Thread | None = None

    @property
    def stuck(self) -> bool:
        return self._stuck

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"card-{self.name}",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end; a thread stuck in pcscd ends when its call returns."""
        self._jobs.put(None)
        self._thread = None

    def run(self, fn: Callable[[], Any], timeout: float, what: str = "card call") -> Future[Any]:
        """Run `fn` on the card thread; the Future fails with DeviceError('timeout') after
        `timeout` seconds even if the card never answers."""
        fut: Future[Any] = Future()
        with self._lock:
            if self._stuck:
                fut.set_exception(DeviceError(
                    "card_unresponsive",
                    f"{self.name}: the card has not answered an earlier command; "
                    "remove and re-insert it"))
                return fut
        timer = threading.Timer(timeout, self._expire, (fut, timeout, what))
        timer.daemon = True
        timer.start()
        self.start()
        self._jobs.put((fut, fn, timer))
        return fut

    def _expire(self, fut: Future[Any], timeout: float, what: str) -> None:
        with self._lock:
            if fut.done():
                return
            sent = fut.running()  # the card has the command: it may have acted on it
            if sent:
                self._stuck = True
            cls = OutcomeUnknown if sent else DeviceError
            fut.set_exception(cls(
                "timeout", f"{self.name}: {what} got no answer within {timeout:g} s"))
        log.warning("%s: %s timed out after %g s", self.name, what, timeout)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fut, fn, timer = job
            with self._lock:
                if fut.done() or not fut.set_running_or_notify_cancel():
                    continue  # timed out while queued: never started, so nothing happened
            try:
                result: Any = fn()
                exc: BaseException | None = None
            except BaseException as e:  # handed to the caller, never kills this thread
                result, exc = None, e
            finally:
                timer.cancel()
            with self._lock:
                if self._stuck:
                    log.info("%s: the stuck card call returned", self.name)
                self._stuck = False
                if not fut.done():
                    if exc is None:
                        fut.set_result(result)
                    else:
                        fut.set_exception(exc)
