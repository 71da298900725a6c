"""The services that can be booked at a counter, one button each (paged, no scrolling)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.appointment import ServiceChoice
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager
from screens.widgets import escape

PER_PAGE, ELDER_PER_PAGE = 6, 2  # elder: two 1.5× rows of 1.6 buttons fit 1080 px


class ApptServicesScreen(JourneyScreen):
    title_msgid = N_("Choose a service to book")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.services: list[ServiceChoice] | None = None
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem, self.services = None, None
        self.pager.reset()
        self.work(lambda: self.flow.make_journey().services(), self._loaded)

    def _loaded(self, services: list[ServiceChoice]) -> None:
        self.services = services

    def draw_body(self, box: BoxLayout) -> None:
        theme = self.app.theme
        grid = GridLayout(cols=1 if self.app.prefs.elder_mode else 2, spacing=16)
        for service in self.pager.shown(self.services or []):
            # two lines for a long name, the department smaller beneath (platform words are
            # escaped: a "[" in a name is text, not markup)
            grid.add_widget(self.button(f"appt_service_{service.service_id}",
                                        f"{escape(service.name)}\n[size={theme.small_px}]"
                                        f"{escape(service.department)}[/size]",
                                        lambda s=service: self._choose(s), markup=True,
                                        height=round(theme.button_height_px * 1.6)))
        box.add_widget(grid)

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("appt_menu"), False)]
        return acts + self.pager.actions(len(self.services or []))

    def _choose(self, service: ServiceChoice) -> None:
        self.flow.service = service
        self.app.show("appt_slots")
