"""The current citizen's payment journey and what its screens share.

One journey per session, made when the citizen first opens pay, forgotten when the session ends
(the session's wipe takes its data; a wait still running is told to stop)."""

from __future__ import annotations

from kiosk.journeys.payment import PaymentJourney, PaymentPrint, PaymentView, WaitState, \
    payment_journey
from kiosk.session import Session


class PayFlow:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.session: Session | None = None
        self.journey: PaymentJourney | None = None
        self.view: PaymentView | None = None  # the QR being shown
        self.end: WaitState | None = None  # how the wait ended
        self.printed: PaymentPrint | None = None

    def open(self) -> None:
        """The pay tile: the fees are the citizen's, so they identify first."""
        session = self.app.terminal.sessions.current
        if session is None or session.identity is None:
            self.app.ask_identity(then=self.open)
            return
        if self.session is not session:
            self.forget()
            self.session = session
        self.app.show("pay_due")

    def make_journey(self) -> PaymentJourney:
        if self.journey is None:
            assert self.session is not None
            self.journey = payment_journey(self.app.terminal, self.session)
        return self.journey

    def forget(self) -> None:
        if self.journey is not None:
            self.journey.cancel()  # a wait still polling stops
        self.session = self.journey = self.view = self.end = self.printed = None
