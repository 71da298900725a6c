"""The current citizen's appointment journey and what its screens share."""

from __future__ import annotations

from kiosk.journeys.appointment import (AppointmentJourney, Booking, ServiceChoice, SlipOutcome,
                                        appointment_journey)
from kiosk.session import Session
from screens.flow import Flow


class AppointmentFlow(Flow[AppointmentJourney]):
    first_screen = "appt_menu"
    holder_journey = "appointment"

    def reset(self) -> None:
        self.service: ServiceChoice | None = None
        self.booking: Booking | None = None
        self.printed: SlipOutcome | None = None

    def build(self, session: Session) -> AppointmentJourney:
        return appointment_journey(self.app.terminal, session)
