"""The current citizen's payment journey and what its screens share.

One journey per session, made when the citizen first opens pay, forgotten when the session ends
(the session's wipe takes its data; a wait still running is told to stop)."""

from __future__ import annotations

from kiosk.journeys.payment import PaymentJourney, PaymentPrint, PaymentView, WaitState, \
    payment_journey
from kiosk.session import Session
from screens.flow import Flow
from kiosk.i18n.messages import N_
from screens.frame_model import Step
from screens.picture import Pixels

# the numbered steps of the journey's step bar, each with the screens that belong to it
STEPS = (Step(N_("Choose a fee"), ("pay_due",)), Step(N_("Scan to pay"), ("pay_qr",)),
         Step(N_("Paid"), ("pay_result",)))


class PayFlow(Flow[PaymentJourney]):
    steps = STEPS
    first_screen = "pay_due"
    holder_journey = "pay"

    def reset(self) -> None:
        self.view: PaymentView | None = None  # the QR being shown
        self.qr_pixels: Pixels | None = None  # its picture, decoded on the worker
        self.end: WaitState | None = None  # how the wait ended
        self.printed: PaymentPrint | None = None

    def build(self, session: Session) -> PaymentJourney:
        return payment_journey(self.app.terminal, session)

    def forget(self) -> None:
        if self.journey is not None:
            self.journey.cancel()  # a wait still polling stops
        super().forget()
