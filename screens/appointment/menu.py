"""Book a new appointment, or see (and cancel) the ones already booked."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from screens.journey_screen import Action, JourneyScreen


class ApptMenuScreen(JourneyScreen):
    title_msgid = N_("Book an appointment")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow

    def draw_body(self, box: BoxLayout) -> None:
        _ = self._
        height = self.app.theme.button_height_px * 1.6
        box.add_widget(self.button("appt_new", _("Book a counter appointment"),
                                   lambda: self.app.show("appt_services"), role="primary",
                                   height=height))
        box.add_widget(self.button("appt_my", _("My appointments (view or cancel)"),
                                   lambda: self.app.show("appt_mine"), height=height))
        box.add_widget(BoxLayout())

    def actions(self) -> list[Action]:
        return [("back", self._("Back"), self.app.go_home, False)]
