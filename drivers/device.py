"""The device model every driver shares (vocabulary borrowed from XFS4IoT).

A driver owns one device on one thread of its own. Callers never wait on hardware: they read
the cached `status`, subscribe to events, and submit actions that return a `Future` at once.
Presence is debounced (a device is gone after N failed polls in a row, not one), and every
action carries an id so that a retried action is answered from the first attempt instead of
acting twice.
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


class DeviceState(enum.StrEnum):
    STARTING = "starting"
    ONLINE = "online"
    BUSY = "busy"
    OFFLINE = "offline"  # was seen, stopped answering (unplugged, daemon gone, silent)
    NO_DEVICE = "no_device"  # never found at the configured place
    USER_ERROR = "user_error"  # fixable by a person: paper out, cover open, card jammed
    HARDWARE_ERROR = "hardware_error"


class EventKind(enum.StrEnum):
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    CODE_SCANNED = "code_scanned"
    PAGE_CAPTURED = "page_captured"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    JOB_DONE = "job_done"
    JOB_FAILED = "job_failed"
    STATUS_CHANGED = "status_changed"


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    state: DeviceState
    reason: str | None = None  # e.g. "paper_out", "cover_open", "no_answer"
    detail: str | None = None  # human-readable, never personal data
    since: float = field(default_factory=time.monotonic)

    @property
    def usable(self) -> bool:
        return self.state in (DeviceState.ONLINE, DeviceState.BUSY)

    def same_as(self, other: DeviceStatus) -> bool:
        return (self.state, self.reason) == (other.state, other.reason)

    def as_dict(self) -> dict[str, Any]:
        return {"state": str(self.state), "reason": self.reason, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class DeviceEvent:
    device: str
    kind: EventKind
    data: Mapping[str, Any] = field(default_factory=dict)
    action_id: str | None = None
    at: float = field(default_factory=time.time)


class DeviceError(Exception):
    """A device could not do what was asked; `reason` is machine-readable (paper_out, timeout...)."""

    def __init__(self, reason: str, message: str | None = None):
        super().__init__(message or reason)
        self.reason = reason


class DeviceUnavailable(DeviceError):
    """The device is not online, so the action was not attempted at all."""


class OutcomeUnknown(DeviceError):
    """The action reached the device but its result is unknown (sent, then no confirmation).

    Its action id stays claimed: a retry under the same id gets this same error back instead
    of printing or submitting a second time. A person decides what happens next (a reprint
    with a recorded reason, a fresh read under a new id).
    """


def new_action_id() -> str:
    return uuid.uuid4().hex


EventCallback = Callable[[DeviceEvent], None]


class ActionLedger:
    """Remembers recent action ids so that a retried action returns the first attempt's result.

    Bounded: the oldest ids are forgotten first. An action that failed for sure may be
    retried under the same id (nothing happened, so nothing doubles); one whose outcome is
    unknown (`OutcomeUnknown`) may not.
    """

    def __init__(self, capacity: int = 256):
        self._capacity = capacity
        self._futures: OrderedDict[str, Future[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def claim(self, action_id: str) -> tuple[Future[Any], bool]:
        """Return (future, is_new). When is_new is False the action already ran or is running."""
        with self._lock:
            existing = self._futures.get(action_id)
            if existing is not None and not _failed(existing):
                self._futures.move_to_end(action_id)
                return existing, False
            fut: Future[Any] = Future()
            self._futures[action_id] = fut
            while len(self._futures) > self._capacity:
                self._futures.popitem(last=False)
            return fut, True


def _failed(fut: Future[Any]) -> bool:
    """Failed for sure, so safe to try again under the same id."""
    if not fut.done():
        return False
    if fut.cancelled():
        return True
    exc = fut.exception()
    return exc is not None and not isinstance(exc, OutcomeUnknown)


class Device(ABC):
    """One device, driven from its own thread.

    Subclasses implement `_open`, `_close`, `_poll` and, for actions, functions passed to
    `_submit`. `_poll` returns the device's status and raises (any exception) when the device
    did not answer; `missed_polls_to_offline` failures in a row take it offline, and the
    thread then reopens it every `reopen_interval` seconds until it answers again.
    """

    kind: str = "device"

    def __init__(
        self,
        name: str,
        *,
        poll_interval: float = 0.5,
        missed_polls_to_offline: int = 3,
        reopen_interval: float = 1.0,
    ):
        self.name = name
        self.poll_interval = poll_interval
        self.missed_polls_to_offline = missed_polls_to_offline
        self.reopen_interval = reopen_interval
        self._status = DeviceStatus(DeviceState.STARTING)
        self._status_lock = threading.Lock()
        self._subscribers: list[EventCallback] = []
        self._sub_lock = threading.Lock()
        self._commands: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._ledger = ActionLedger()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._is_open = False
        self._ever_seen = False
        self._missed = 0
        self._reset_requested = threading.Event()

    # ---- public API: none of it waits on hardware ---------------------------------------

    @property
    def status(self) -> DeviceStatus:
        with self._status_lock:
            return self._status

    @property
    def capabilities(self) -> dict[str, Any]:
        return {}

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Call `callback` (on the driver thread) for every event; returns an unsubscribe."""
        with self._sub_lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._sub_lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"device-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._commands.put(None)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def reset(self) -> Future[None]:
        """Close and reopen the device on its thread (XFS4IoT Reset)."""
        return self._submit(self._do_reset)

    def wait_for(self, predicate: Callable[[DeviceStatus], bool], timeout: float) -> bool:
        """For tests and the CLI, never for the UI thread: wait until the status matches."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.status):
                return True
            time.sleep(0.02)
        return predicate(self.status)

    # ---- for subclasses -----------------------------------------------------------------

    @abstractmethod
    def _open(self) -> None:
        """Open the device; raise if it is not there."""

    @abstractmethod
    def _close(self) -> None:
        """Release the device; must not raise."""

    @abstractmethod
    def _poll(self) -> DeviceStatus:
        """Ask the device how it is; raise if it did not answer."""

    def _on_idle(self) -> None:
        """Hook run on the driver thread between polls while the device is open."""

    def _submit(self, fn: Callable[[], Any], action_id: str | None = None) -> Future[Any]:
        """Queue `fn` for the driver thread. A repeated `action_id` returns the first future."""
        if action_id is None:
            fut: Future[Any] = Future()
        else:
            fut, is_new = self._ledger.claim(action_id)
            if not is_new:
                return fut
        if self._thread is None or self._stopping.is_set():
            fut.set_exception(DeviceUnavailable("stopped", f"{self.name} is not running"))
            return fut
        self._commands.put((fut, fn))
        return fut

    def _emit(self, kind: EventKind, data: Mapping[str, Any] | None = None,
              action_id: str | None = None) -> None:
        event = DeviceEvent(self.name, kind, dict(data or {}), action_id)
        with self._sub_lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:  # a subscriber's bug must not kill the device thread
                log.exception("event subscriber failed on %s %s", self.name, kind)

    def _set_status(self, status: DeviceStatus) -> None:
        with self._status_lock:
            previous = self._status
            if previous.same_as(status) and previous.detail == status.detail:
                return
            self._status = status
        log.info("%s: %s -> %s (%s)", self.name, previous.state, status.state, status.reason)
        self._emit(EventKind.STATUS_CHANGED, {
            "previous": previous.as_dict(), "status": status.as_dict()})

    def _require_usable(self) -> None:
        if not self._is_open or not self.status.usable:
            s = self.status
            raise DeviceUnavailable(s.reason or str(s.state), f"{self.name} is {s.state}")

    def _note_failure(self, exc: BaseException) -> None:
        """Count a missed poll or a failed I/O; after N in a row the device is offline."""
        self._missed += 1
        log.debug("%s: miss %d/%d: %s", self.name, self._missed, self.missed_polls_to_offline, exc)
        if self._missed >= self.missed_polls_to_offline:
            self._go_offline(f"{type(exc).__name__}: {exc}")

    def _note_success(self) -> None:
        self._missed = 0

    # ---- the driver thread ---------------------------------------------------------------

    def _do_reset(self) -> None:
        self._safe_close()
        self._missed = 0
        self._try_open()
        if not self._is_open:
            raise DeviceUnavailable("reset_failed", f"{self.name} did not come back after reset")

    def _safe_close(self) -> None:
        if self._is_open:
            try:
                self._close()
            except Exception:
                log.exception("%s: close failed", self.name)
        self._is_open = False

    def _go_offline(self, detail: str) -> None:
        self._safe_close()
        state = DeviceState.OFFLINE if self._ever_seen else DeviceState.NO_DEVICE
        self._set_status(DeviceStatus(state, "no_answer", detail[:200]))

    def _try_open(self) -> None:
        try:
            self._open()
            self._is_open = True
            status = self._poll()
        except Exception as exc:
            self._safe_close()
            state = DeviceState.OFFLINE if self._ever_seen else DeviceState.NO_DEVICE
            self._set_status(DeviceStatus(state, "no_answer", f"{type(exc).__name__}: {exc}"[:200]))
            return
        self._ever_seen = True
        self._missed = 0
        self._set_status(status)

    def _run(self) -> None:
        next_poll = 0.0
        while not self._stopping.is_set():
            try:
                if not self._is_open and time.monotonic() >= next_poll:
                    self._try_open()
                    next_poll = time.monotonic() + (
                        self.poll_interval if self._is_open else self.reopen_interval)
                elif self._is_open and time.monotonic() >= next_poll:
                    try:
                        self._set_status(self._poll())
                        self._note_success()
                    except Exception as exc:
                        self._note_failure(exc)
                    if self._is_open:
                        self._on_idle()
                    next_poll = time.monotonic() + (
                        self.poll_interval if self._is_open else self.reopen_interval)
                timeout = max(0.0, min(next_poll - time.monotonic(), self.poll_interval))
                try:
                    item = self._commands.get(timeout=timeout)
                except queue.Empty:
                    continue
                if item is None:
                    break
                self._run_command(*item)
            except Exception:  # the supervisor loop never dies
                log.exception("%s: driver loop error", self.name)
                time.sleep(0.1)
        self._safe_close()
        while True:  # fail what is still queued so no caller waits forever
            try:
                item = self._commands.get_nowait()
            except queue.Empty:
                break
            if item is not None and not item[0].done():
                item[0].set_exception(DeviceUnavailable("stopped", f"{self.name} stopped"))

    def _run_command(self, fut: Future[Any], fn: Callable[[], Any]) -> None:
        if not fut.set_running_or_notify_cancel():
            return
        try:
            result = fn()
        except BaseException as exc:
            fut.set_exception(exc)
        else:
            fut.set_result(result)
