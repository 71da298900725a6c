"""What the running terminal writes into the audit trail (全程留痕) by itself: each citizen
session's start and end, and what a journey filed or printed in it. Writing must never stop a
citizen: a trail that refuses an entry is reported (event audit_write_failed) and the terminal
goes on serving."""

from __future__ import annotations

import logging
from typing import Any

from kiosk.audit.entry import AuditError
from kiosk.audit.store import AuditTrail
from kiosk.events import emit
from kiosk.session import SessionEvent

log = logging.getLogger(__name__)


class AuditRecorder:
    def __init__(self, trail: AuditTrail | None) -> None:
        self.trail = trail

    def record(self, actor_kind: str, actor_id: str, action: str,
               details: dict[str, Any] | None = None) -> None:
        if self.trail is None:
            return
        try:
            self.trail.append(actor_kind, actor_id, action, details)
        except (AuditError, ValueError) as exc:
            emit("audit_write_failed", action=action, reason=type(exc).__name__)

    def citizen(self, session_id: str, action: str, **details: Any) -> None:
        """A citizen session did something (`details`: references and codes, never PII)."""
        self.record("citizen_session", session_id, action, details)

    def on_session(self, event: SessionEvent) -> None:
        if event.kind == "started":
            self.citizen(event.session_id, "session.started", identified_by=event.source)
        elif event.kind == "ended":
            self.citizen(event.session_id, "session.ended",
                         reason=str(event.reason) if event.reason else None)
