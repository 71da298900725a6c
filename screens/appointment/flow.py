"""The current citizen's appointment journey and what its screens share."""

from __future__ import annotations

from kiosk.journeys.appointment import (AppointmentJourney, Booking, ServiceChoice, SlipOutcome,
                                        appointment_journey)
from kiosk.session import Session
from screens.flow import Flow
from kiosk.i18n.messages import N_
from screens.frame_model import Step

# the numbered steps of the journey's step bar, each with the screens that belong to it
STEPS = (Step(N_("Service"), ("appt_services",)), Step(N_("Day and time"), ("appt_slots",)),
         Step(N_("Booked"), ("appt_booked",)))


class AppointmentFlow(Flow[AppointmentJourney]):
    steps = STEPS
    first_screen = "appt_menu"
    holder_journey = "appointment"

    def reset(self) -> None:
        self.service: ServiceChoice | None = None
        self.booking: Booking | None = None
        self.printed: SlipOutcome | None = None

    def build(self, session: Session) -> AppointmentJourney:
        return appointment_journey(self.app.terminal, session)
