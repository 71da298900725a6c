"""The booking: its code (big, what the citizen says at the counter), day, time and place, and
the slip with the counter's QR, printed at once; a retry never prints a second slip."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.appointment import SlipOutcome
from screens.journey_screen import Action, JourneyScreen


class ApptBookedScreen(JourneyScreen):
    title_msgid = N_("Your appointment")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.refresh()
        if self.flow.booking is not None and self.flow.printed is None:
            self._print()

    def draw_body(self, box: BoxLayout) -> None:
        booking = self.flow.booking
        if booking is None:
            return
        _ = self._
        theme = self.app.theme
        booked = _("Your appointment is booked.")
        code = _("Booking code: %(code)s", code=booking.booking_code)
        if self.app.prefs.elder_mode:  # one line: two left the printer's line no room
            box.add_widget(self.label(f"{booked} {code}", size=theme.title_px,
                                      kid="appt_code", height=theme.title_px * 1.6))
        else:
            box.add_widget(self.label(booked, size=theme.title_px, kid="appt_state",
                                      height=theme.title_px * 1.5))
            box.add_widget(self.label(code, size=theme.title_px, kid="appt_code",
                                      height=theme.title_px * 1.6))
        box.add_widget(self.label(f"{booking.service_name}\n{booking.when}\n{booking.hall}",
                                  kid="appt_details", height=theme.text_px * 1.5 * 3))
        printed = self.flow.printed
        if printed is not None:
            box.add_widget(self.print_outcome(
                printed.outcome, printed.msgid, kid_prefix="appt_print_",
                take=_("Please take your slip."),
                note=_("Please note your booking code: %(code)s", code=booking.booking_code),
                # two lines at elder mode's title size took 210 px of the 169 left under
                # the booking's details: body text, which is large there already
                size=theme.text_px if self.app.prefs.elder_mode else None))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = []
        if self.flow.printed is not None and self.flow.printed.outcome != "printed":
            acts.append(("appt_print_again", _("Print slip"), self._print, False))
        acts.append(("appt_done", _("Done"), self._finish, True))
        return acts

    def _print(self) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def printed(outcome: SlipOutcome) -> None:
            self.flow.printed = outcome
            if outcome.outcome == "paper_out":
                self.app.say("printer_out_of_paper")

        self.work(journey.print_slip, printed)

    def _finish(self) -> None:
        journey = self.flow.journey
        if journey is not None:
            journey.finish()
        self.flow.journey = self.flow.service = self.flow.booking = self.flow.printed = None
        self.app.go_home()
