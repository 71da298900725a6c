"""The current citizen's apply journey and the moves between its screens.

One journey per session: made when the citizen first opens apply (a worker builds it, since
it checks the outbox), forgotten when the session ends (the session's wipe takes its data).
"""

from __future__ import annotations

from kiosk.journeys.apply import ApplyJourney, Guide
from kiosk.journeys.receipt import PrintOutcome, ReceiptData
from kiosk.session import Session
from screens.flow import Flow


class ApplyFlow(Flow[ApplyJourney]):
    first_screen = "catalogue"
    holder_journey = "apply"

    def reset(self) -> None:
        self.guide: Guide | None = None
        self.receipt: ReceiptData | None = None
        self.printed: PrintOutcome | None = None
        self.camera_material: str | None = None  # the material the camera screen fills

    def build(self, session: Session) -> ApplyJourney:
        """JourneyProblem when the outbox cannot take an application."""
        return self.app.terminal.apply_journey(session)
