"""The booking: its code (big, what the citizen says at the counter), day, time and place, and
the slip with the counter's QR, printed at once; a retry never prints a second slip."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.appointment import SlipOutcome
from screens.appointment.booked_lines import booked_lines
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack


class ApptBookedScreen(JourneyScreen):
    title_msgid = N_("Your appointment")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.lines = LineStack(self)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.refresh()
        if self.flow.booking is not None and self.flow.printed is None:
            self._print()

    def draw_body(self, box: BoxLayout) -> None:
        booking = self.flow.booking
        if booking is not None:
            box.add_widget(self.lines.show(booked_lines(
                booking, self.flow.printed, self.app.prefs.elder_mode, self.app.prefs.language,
                self._, self.app.translator.pick)))

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
