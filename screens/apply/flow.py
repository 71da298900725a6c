"""The current citizen's apply journey and the moves between its screens.

One journey per session: made when the citizen first opens apply (a worker builds it, since
it checks the outbox), forgotten when the session ends (the session's wipe takes its data).
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock

from kiosk.forms.validate import warm as _warm_form_checks
from kiosk.journeys.apply import ApplyJourney, Guide, Step as ApplyStep
from kiosk.journeys.receipt import PrintOutcome, ReceiptData
from kiosk.session import Session
from screens import background
from screens.flow import Flow
from kiosk.i18n.messages import N_
from screens.frame_model import Step

# the numbered steps of the journey's step bar, each with the screens that belong to it
STEPS = (Step(N_("Guide"), ("guide",)), Step(N_("Fill in"), ("form",)),
         Step(N_("Documents"), ("materials", "camera")), Step(N_("Check"), ("review",)),
         Step(N_("Submitted"), ("receipt",)))


WARM_AFTER_S = 0.3  # after the screen that asks for it is on the glass, not during its drawing
_warm_asked = False


def warm_form_checks_soon() -> None:
    """The form's checks made ready on a worker while the citizen browses the catalogue or
    reads a guide, once per process: made only when the guide came, the first form of a
    process still waited ~150 ms behind them for a citizen who started at once (its worker
    call 174 ms against 30 ms warm). A warm-up that fails costs nothing: the first form then
    loads them itself."""
    global _warm_asked
    if _warm_asked:
        return
    _warm_asked = True
    Clock.schedule_once(lambda _dt: background.run(
        _warm_form_checks, lambda _r: None, lambda _e: None, name="form-warm", timed=False),
        WARM_AFTER_S)


class ApplyFlow(Flow[ApplyJourney]):
    steps = STEPS
    first_screen = "catalogue"
    holder_journey = "apply"

    def reset(self) -> None:
        self.guide: Guide | None = None
        self.receipt: ReceiptData | None = None
        self.printed: PrintOutcome | None = None
        self.camera_material: str | None = None  # the material the camera screen fills
        # the catalogue's entry of the service whose guide is being fetched: the guide comes
        # on at once with its name and department, and fills in
        self.choosing: dict[str, Any] | None = None
        self.form_pending = False  # the form comes on at once and fills in when prefilled

    def choose(self, service: dict[str, Any]) -> None:
        self.choosing, self.guide = service, None
        self.app.show("guide")

    def opening(self) -> None:
        """An application handed in and left by Home rather than Done (or by Home from the
        rating its receipt offers) is finished here: apply opened again starts a new one.
        Its journey stayed at the receipt, and choosing a service raised WrongStep (the
        explorer's walk found it)."""
        journey = self.journey
        if journey is not None and journey.step in (ApplyStep.SUBMITTED, ApplyStep.RECEIPT,
                                                    ApplyStep.END):
            journey.finish()
            self.journey = None
            self.reset()

    def build(self, session: Session) -> ApplyJourney:
        """JourneyProblem when the outbox cannot take an application."""
        return self.app.terminal.apply_journey(session)
