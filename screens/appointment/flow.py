"""The current citizen's appointment journey and what its screens share."""

from __future__ import annotations

from kiosk.journeys.appointment import (AppointmentJourney, Booking, ServiceChoice, SlipOutcome,
                                        appointment_journey)
from kiosk.session import Session


class AppointmentFlow:
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        self.app = app
        self.session: Session | None = None
        self.journey: AppointmentJourney | None = None
        self.service: ServiceChoice | None = None
        self.booking: Booking | None = None
        self.printed: SlipOutcome | None = None

    def open(self) -> None:
        """The appointment tile: a booking is in the citizen's name, so they identify first."""
        session = self.app.terminal.sessions.current
        if session is None or session.identity is None:
            self.app.ask_identity(then=self.open)
            return
        if self.session is not session:
            self.forget()
            self.session = session
        self.app.show("appt_menu")

    def make_journey(self) -> AppointmentJourney:
        if self.journey is None:
            assert self.session is not None
            self.journey = appointment_journey(self.app.terminal, self.session)
        return self.journey

    def forget(self) -> None:
        self.session = self.journey = self.service = self.booking = self.printed = None
