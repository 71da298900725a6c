"""The services that can be booked at a counter, one button each (paged, no scrolling)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.appointment import ServiceChoice
from screens.choice_list import ChoiceList
from screens.choices import bookable_choices
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager

PER_PAGE, ELDER_PER_PAGE = 6, 2  # elder: two 1.5× rows of 1.6 buttons fit 1080 px


class ApptServicesScreen(JourneyScreen):
    title_msgid = N_("Choose a service to book")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.services: list[ServiceChoice] | None = None
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)
        self.choices = ChoiceList(self, self._choose)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem, self.services = None, None
        self.pager.reset()
        self.work(lambda: self.flow.make_journey().services(), self._loaded)

    def _loaded(self, services: list[ServiceChoice]) -> None:
        self.services = services

    def draw_body(self, box: BoxLayout) -> None:
        if self.services is None:
            return
        # two lines for a long name, the department smaller beneath
        theme = self.app.theme
        box.add_widget(self.choices.show(bookable_choices(self.services, self.app.translator.pick),
                                         self.pager, cols=1 if self.app.prefs.elder_mode else 2,
                                         row_px=round(theme.button_height_px * 1.6)))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("appt_menu"), False)]
        return acts + self.pager.actions(len(self.services or []))

    def _choose(self, service_id: str) -> None:
        service = next((s for s in self.services or () if s.service_id == service_id), None)
        if service is not None:
            self.flow.service = service
            self.app.show("appt_slots")
