"""The current citizen's apply journey and the moves between its screens.

One journey per session: made when the citizen first opens apply (a worker builds it, since
it checks the outbox), forgotten when the session ends (the session's wipe takes its data).
"""

from __future__ import annotations

import logging

from kiosk.journeys.apply import ApplyJourney, Guide
from kiosk.journeys.receipt import PrintOutcome, ReceiptData
from kiosk.session import Session

log = logging.getLogger(__name__)

SCREENS = ("catalogue", "guide", "form", "materials", "camera", "review", "receipt")


class ApplyFlow:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.session: Session | None = None
        self.journey: ApplyJourney | None = None
        self.guide: Guide | None = None
        self.receipt: ReceiptData | None = None
        self.printed: PrintOutcome | None = None
        self.camera_material: str | None = None  # the material the camera screen fills

    def open(self) -> None:
        """The apply tile: a citizen must be identified first (the form is theirs)."""
        session = self.app.terminal.sessions.current
        if session is None or session.identity is None:
            self.app.ask_identity(then=self.open)
            return
        if self.session is not session:
            self.forget()
            self.session = session
        self.app.show("catalogue")

    def make_journey(self) -> ApplyJourney:
        """On a worker: JourneyProblem when the outbox cannot take an application."""
        if self.journey is None:
            assert self.session is not None
            self.journey = self.app.terminal.apply_journey(self.session)
        return self.journey

    def forget(self) -> None:
        """The session ended or the citizen went home after the receipt."""
        self.session = self.journey = self.guide = self.receipt = self.printed = None
        self.camera_material = None
