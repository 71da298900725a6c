"""The citizen's session: everything of theirs in one object, wiped at once when it ends.

A session holds the identity (optional: a progress look-up by receipt QR needs none), form
values, scans (files in the session's private directory), a bag of journey state and the
screen preferences. `end(reason)` wipes all of it and removes the directory; afterwards every
accessor raises `SessionEnded`, so a late callback cannot act for a citizen who has left.

`SessionManager` owns the one current session. Driver events arrive on driver threads and the
UI ticks from its Clock, so it is thread-safe. Listeners hear of starts and ends with the
session id and reason only; logs carry the same and nothing personal.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.events import emit
from kiosk.listeners import Listeners
from kiosk.session.idle import IdleState, IdleStatus, IdleTimer
from kiosk.session.workdir import SessionWorkdir, sessions_dir_of, sweep_stale

if TYPE_CHECKING:  # the card parsers it brings are not needed before a card is read
    from kiosk.config import KioskConfig
    from kiosk.session.identity import Identity

log = logging.getLogger(__name__)

LANGUAGES = ("zh-CN", "en")


class EndReason(enum.StrEnum):
    CARD_REMOVED = "card_removed"
    EXIT = "exit"  # the citizen pressed 退出
    TIMEOUT = "timeout"
    FINISHED = "finished"
    ADMIN = "admin"  # maintenance took the terminal
    SHUTDOWN = "shutdown"
    FAULT = "fault"  # the app failed mid-visit: the citizen was told, their data wiped


class SessionEnded(RuntimeError):
    """The session is over; its data is gone."""

    def __init__(self, session_id: str, reason: EndReason):
        super().__init__(f"session {session_id} has ended ({reason})")
        self.session_id = session_id
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """What listeners hear: no personal data."""

    kind: str  # "started" | "ended"
    session_id: str
    reason: EndReason | None = None  # for "ended"
    source: str | None = None  # how the citizen identified: idcard, smartcard, qr, or None


class Session:
    """One citizen at the screen. Build it through SessionManager.start()."""

    def __init__(self, sessions_dir: Path, *, idle: IdleTimer, language: str = "zh-CN",
                 elder_mode: bool = False, high_contrast: bool = False,
                 identity: Identity | None = None):
        self.session_id = secrets.token_hex(8)  # random: nothing to learn from it
        self._lock = threading.RLock()
        self._sessions_dir = Path(sessions_dir)
        self._started_at = dt.datetime.now(dt.timezone.utc)
        self._identity = identity
        self._values: dict[str, Any] = {}
        self._scans: list[Path] = []
        self._bag: dict[str, Any] = {}
        self._workdir: SessionWorkdir | None = None  # made on the first file
        self._idle = idle
        self._idle.elder = elder_mode
        self._language = _language(language)
        self._elder_mode = elder_mode
        self._high_contrast = high_contrast
        self._end_reason: EndReason | None = None
        self._on_end: list[Callable[[EndReason], None]] = []
        self._entered = False  # the citizen typed, chose or captured something not yet filed

    # ---- state that survives the end (nothing personal) --------------------------------------

    @property
    def ended(self) -> bool:
        return self._end_reason is not None

    @property
    def end_reason(self) -> EndReason | None:
        return self._end_reason

    def __repr__(self) -> str:
        return f"Session({self.session_id}, {self._end_reason or 'running'})"

    # ---- accessors: all raise SessionEnded once it is over ------------------------------------

    def _alive(self) -> None:
        if self._end_reason is not None:
            raise SessionEnded(self.session_id, self._end_reason)

    @property
    def started_at(self) -> dt.datetime:
        self._alive()
        return self._started_at

    @property
    def identity(self) -> Identity | None:
        self._alive()
        return self._identity

    def attach_identity(self, identity: Identity) -> None:
        """A journey that started without a card learns who the citizen is."""
        with self._lock:
            self._alive()
            if self._identity is not None and self._identity is not identity:
                self._identity.wipe()
            self._identity = identity

    @property
    def values(self) -> dict[str, Any]:
        """The form values (the live dict: journeys fill it in place)."""
        self._alive()
        return self._values

    @property
    def scans(self) -> tuple[Path, ...]:
        self._alive()
        return tuple(self._scans)

    def add_scan(self, data: bytes, suffix: str) -> Path:
        """Keep a scanned page or photo (e.g. suffix '.jpg', '.pdf') in the session directory."""
        with self._lock:
            path = self.workdir.write(data, suffix, stem="scan")
            self._scans.append(path)
            self._entered = True
            return path

    @property
    def has_unsaved_work(self) -> bool:
        """Whether leaving now would throw away something the citizen entered or captured
        (Exit asks first; a lifted card gets a grace period). Values a card prefilled are not
        the citizen's work."""
        self._alive()
        return self._entered

    def note_entered(self) -> None:
        """A journey took something the citizen entered (a field, a choice)."""
        with self._lock:
            self._alive()
            self._entered = True

    def work_saved(self) -> None:
        """What was entered is safe (filed, in the outbox): leaving loses nothing now."""
        with self._lock:
            self._alive()
            self._entered = False

    @property
    def workdir(self) -> SessionWorkdir:
        """The session's private directory, made on first use."""
        with self._lock:
            self._alive()
            if self._workdir is None:
                self._workdir = SessionWorkdir(self._sessions_dir)
            return self._workdir

    def put(self, key: str, value: Any) -> None:
        with self._lock:
            self._alive()
            self._bag[key] = value

    def get(self, key: str, default: Any = None) -> Any:
        self._alive()
        return self._bag.get(key, default)

    def pop(self, key: str, default: Any = None) -> Any:
        with self._lock:
            self._alive()
            return self._bag.pop(key, default)

    @property
    def idle(self) -> IdleTimer:
        self._alive()
        return self._idle

    @property
    def language(self) -> str:
        self._alive()
        return self._language

    @language.setter
    def language(self, value: str) -> None:
        self._alive()
        self._language = _language(value)

    @property
    def elder_mode(self) -> bool:
        self._alive()
        return self._elder_mode

    @elder_mode.setter
    def elder_mode(self, on: bool) -> None:
        with self._lock:
            self._alive()
            self._elder_mode = bool(on)
            self._idle.set_elder(bool(on))

    @property
    def high_contrast(self) -> bool:
        self._alive()
        return self._high_contrast

    @high_contrast.setter
    def high_contrast(self, on: bool) -> None:
        self._alive()
        self._high_contrast = bool(on)

    # ---- the end -----------------------------------------------------------------------------

    def on_end(self, callback: Callable[[EndReason], None]) -> None:
        """Call `callback(reason)` once this session ends (a journey left unfinished says so);
        after the wipe, outside the session's lock; one that raises is logged and skipped."""
        with self._lock:
            if self._end_reason is None:
                self._on_end.append(callback)

    def end(self, reason: EndReason | str) -> bool:
        """Wipe everything of this citizen's; False if it had already ended."""
        reason = EndReason(reason)
        with self._lock:
            callbacks = self._wipe(reason)
        if callbacks is None:
            return False
        for callback in callbacks:
            try:
                callback(reason)
            except Exception:
                log.exception("session %s: an end callback failed", self.session_id)
        return True

    def _wipe(self, reason: EndReason) -> list[Callable[[EndReason], None]] | None:
        """Under the lock: the wipe, and the callbacks to call (None if it had ended already)."""
        if self._end_reason is not None:
            return None
        self._end_reason = reason
        if self._identity is not None:
            self._identity.wipe()
        self._identity = None
        _clear(self._values)
        _clear(self._bag)
        self._values, self._bag = {}, {}  # a late writer holding the old dict keeps it alone
        self._scans.clear()
        if self._workdir is not None and not self._workdir.wipe():
            log.warning("session %s: its directory could not be removed completely",
                        self.session_id)
        self._workdir = None
        callbacks, self._on_end = self._on_end, []
        return callbacks


def _clear(data: dict[str, Any]) -> None:
    """Empty a dict, zeroing the mutable byte buffers in it first (strings cannot be)."""
    for value in data.values():
        if isinstance(value, bytearray):
            value[:] = bytes(len(value))
        elif hasattr(value, "wipe") and callable(value.wipe):
            try:
                value.wipe()
            except Exception:  # a journey's object failing to wipe must not stop the end
                log.warning("a %s in the session could not wipe itself", type(value).__name__)
    data.clear()


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}")
    return value


class SessionManager:
    """The terminal's one current session; thread-safe.

    State changes happen under one lock; listeners are called after it is released, in the
    order the changes happened (one thread delivers the queue at a time), so a listener may call
    back into the manager.
    """

    def __init__(self, config: KioskConfig, *, clock: Callable[[], float] = time.monotonic,
                 sweep: bool = True):
        """`config` is a KioskConfig. `sweep` removes directories left by a crashed run."""
        self._session_cfg = config.session
        self._ui_cfg = config.ui
        self.sessions_dir = sessions_dir_of(config.session.directory, config.terminal.run_dir)
        self._clock = clock
        self._lock = threading.RLock()
        self._current: Session | None = None
        self._listeners: Listeners[SessionEvent] = Listeners("session")
        self._pending: list[tuple[SessionEvent, list[Callable[[SessionEvent], None]]]] = []
        self._delivering = False
        if sweep:
            sweep_stale(self.sessions_dir)

    def subscribe(self, listener: Callable[[SessionEvent], None]) -> Callable[[], None]:
        """Call `listener(event)` on every start and end; returns the unsubscribe function."""
        return self._listeners.add(listener)

    @property
    def current(self) -> Session | None:
        """The running session, or None."""
        with self._lock:
            current = self._current_locked()
        self._deliver()
        return current

    def start(self, identity: Identity | None = None, *,
              previous: EndReason = EndReason.FINISHED) -> Session:
        """A new session; a running one is ended first with reason `previous`."""
        with self._lock:
            if self._current_locked() is not None:
                self._end_locked(previous)
            ui = self._ui_cfg
            idle = IdleTimer.from_config(self._session_cfg, elder=ui.elder_mode,
                                         clock=self._clock)
            session = Session(self.sessions_dir, idle=idle, language=ui.language,
                              elder_mode=ui.elder_mode, high_contrast=ui.high_contrast,
                              identity=identity)
            self._current = session
            source = identity.source if identity is not None else None
            log.info("session %s started (identity: %s)", session.session_id, source or "none")
            self._queue(SessionEvent("started", session.session_id, source=source))
        emit("session_started", session=session.session_id, method=source or "none")
        self._deliver()
        return session

    def end(self, reason: EndReason | str, session_id: str | None = None) -> bool:
        """End the current session. With `session_id`, only if it is still that session (a card
        removal seen late must not end the next citizen's session). False if nothing ended."""
        reason = EndReason(reason)
        with self._lock:
            current = self._current_locked()
            ended = current is not None and session_id in (None, current.session_id)
            if ended:
                self._end_locked(reason)
        self._deliver()
        return ended

    def touch(self, now: float | None = None) -> IdleStatus | None:
        """The citizen touched the screen (or pressed "more time" during the countdown)."""
        with self._lock:
            session = self._current_locked()
            status = None if session is None else session.idle.touch(now)
        self._deliver()
        return status

    def tick(self, now: float | None = None) -> IdleStatus | None:
        """Poll the idle timer (the UI's Clock calls this); ends the session on expiry.
        None when no session runs."""
        with self._lock:
            session = self._current_locked()
            status = None if session is None else session.idle.state(now)
            if status is not None and status.state is IdleState.EXPIRED:
                self._end_locked(EndReason.TIMEOUT)
        self._deliver()
        return status

    def close(self) -> None:
        """Terminal shutdown: wipe whatever session is running."""
        self.end(EndReason.SHUTDOWN)

    # ---- internals ---------------------------------------------------------------------------

    def _current_locked(self) -> Session | None:
        """The current session; one ended directly through `Session.end` is let go here."""
        session = self._current
        if session is not None and session.end_reason is not None:
            self._current = None
            log.info("session %s ended: %s", session.session_id, session.end_reason)
            self._queue(SessionEvent("ended", session.session_id, reason=session.end_reason))
            return None
        return session

    def _end_locked(self, reason: EndReason) -> None:
        session, self._current = self._current, None
        assert session is not None
        started = session.started_at
        session.end(reason)
        log.info("session %s ended: %s", session.session_id, reason)
        emit("session_ended", session=session.session_id, reason=str(reason),
             duration_s=int((dt.datetime.now(dt.timezone.utc) - started).total_seconds()))
        self._queue(SessionEvent("ended", session.session_id, reason=reason))

    def _queue(self, event: SessionEvent) -> None:
        self._pending.append((event, self._listeners.snapshot()))

    def _deliver(self) -> None:
        """Call listeners outside the lock; if a thread is already delivering, it takes ours."""
        with self._lock:
            if self._delivering or not self._pending:
                return
            self._delivering = True
        try:
            while True:
                with self._lock:
                    if not self._pending:
                        self._delivering = False  # in the same hold as the check: nothing strands
                        return
                    event, listeners = self._pending.pop(0)
                self._listeners.notify(event, listeners)
        except BaseException:  # e.g. KeyboardInterrupt in a listener: let the next call deliver
            with self._lock:
                self._delivering = False
            raise
