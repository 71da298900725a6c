"""What the running terminal writes into the audit trail (全程留痕) by itself: each citizen
session's start and end, and what a journey filed or printed in it.

No trail means out of service, not silence: a trail that cannot be opened (`/dev/null`, a
missing directory, a signer that does not answer) or that refuses an entry sets `problem` (a
reason for staff, event audit_write_failed), and the terminal stops taking citizens until an
entry is written again (`recover`, tried at each heartbeat, records `audit.resumed`). The entry
that failed, and every one while out of service, is lost; the trail says when it was
unavailable. A call costs at most the signer's timeout (2 s) once, then nothing until `recover`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from kiosk.audit.entry import AuditError
from kiosk.events import emit
from kiosk.session import SessionEvent

log = logging.getLogger(__name__)


class Trail(Protocol):
    """An AuditTrail (in-process) or a SignerClient (through the signer)."""

    def append(self, actor_kind: str, actor_id: str, action: str,
               details: dict[str, Any] | None = None) -> Any: ...

    def head(self) -> tuple[int, str] | None: ...

    def close(self) -> None: ...


class AuditRecorder:
    """`trail` None and no `opener`: a recorder that records nothing (a journey tested alone)."""

    def __init__(self, trail: Trail | None, *, opener: Any = None,
                 problem: str | None = None) -> None:
        self.trail = trail
        self._opener = opener  # makes the trail again in `recover` (None: never)
        self.problem = problem
        self._lock = threading.Lock()

    @classmethod
    def open(cls, opener: Any) -> "AuditRecorder":
        """The recorder of a terminal: `opener()` gives its trail; failing is a problem."""
        try:
            return cls(opener(), opener=opener)
        except (AuditError, OSError, ValueError) as exc:
            reason = f"audit trail unavailable: {exc}"
            emit("audit_write_failed", action="open", reason=type(exc).__name__)
            log.error("terminal: %s", reason)
            return cls(None, opener=opener, problem=reason[:200])

    def record(self, actor_kind: str, actor_id: str, action: str,
               details: dict[str, Any] | None = None) -> None:
        if self.trail is None and self._opener is None:
            return  # the null recorder
        if self.problem is not None:
            # Out of service already: the entry is lost either way, and a hung signer must
            # not cost the UI thread its timeout again at every touch. `recover` tries.
            emit("audit_write_failed", action=action, reason="out_of_service")
            return
        try:
            self.trail.append(actor_kind, actor_id, action, details)  # type: ignore[union-attr]
        except AuditError as exc:
            self._fail(action, exc)
        except ValueError as exc:  # a caller's bug (personal data, malformed name): not fatal
            emit("audit_write_failed", action=action, reason=type(exc).__name__)

    def _fail(self, action: str, exc: Exception) -> None:
        emit("audit_write_failed", action=action, reason=type(exc).__name__)
        with self._lock:
            if self.problem is None:
                self.problem = f"audit trail refused an entry: {exc}"[:200]
                log.error("terminal: out of service: %s", self.problem)

    def head(self) -> tuple[int, str] | None:
        """(seq, hash) of the newest entry, for the heartbeat; None if unknown or empty."""
        if self.trail is None:
            return None
        try:
            return self.trail.head()
        except (AuditError, OSError) as exc:
            self._fail("head", exc)
            return None

    def recover(self) -> bool:
        """With a problem: open the trail again if need be and write `audit.resumed`; True when
        the trail takes entries again. Called from the heartbeat's thread, never the UI's."""
        if self.problem is None:
            return True
        if self._opener is None:
            return False
        try:
            if self.trail is None:
                self.trail = self._opener()
            self.trail.append("system", "kiosk", "audit.resumed", {"after": self.problem})
        except (AuditError, OSError, ValueError):
            return False
        with self._lock:
            log.info("terminal: the audit trail takes entries again")
            self.problem = None
        return True

    def close(self) -> None:
        if self.trail is not None:
            self.trail.close()

    def citizen(self, session_id: str, action: str, **details: Any) -> None:
        """A citizen session did something (`details`: references and codes, never PII)."""
        self.record("citizen_session", session_id, action, details)

    def on_session(self, event: SessionEvent) -> None:
        if event.kind == "started":
            self.citizen(event.session_id, "session.started", identified_by=event.source)
        elif event.kind == "ended":
            self.citizen(event.session_id, "session.ended",
                         reason=str(event.reason) if event.reason else None)
