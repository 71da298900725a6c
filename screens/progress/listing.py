"""The citizen's applications, newest first, a page at a time (fewer in elder mode): each
shows its service, number, status and date; a touch opens its timeline."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import HOME_TILES
from kiosk.journeys.progress import ApplicationView
from screens.choice_list import ChoiceList
from screens.choices import application_choices
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager

PER_PAGE, ELDER_PER_PAGE = 4, 2


class ProgressListScreen(JourneyScreen):
    title_msgid = HOME_TILES["progress"]

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)
        self.choices = ChoiceList(self, self._open, share=True)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        if self.flow.applications is None:
            self.pager.reset()
            self.work(lambda: self.flow.make_journey().applications(), self._loaded)
        else:
            self._relabel()
            self.refresh()

    def _loaded(self, found: list[ApplicationView]) -> None:
        self.flow.applications = found

    def _relabel(self) -> None:
        """The same applications in the current language (no I/O)."""
        journey = self.flow.journey
        if journey is not None and self.flow.applications:
            self.flow.applications = [journey.view(a.reference) for a in self.flow.applications]

    def refresh(self) -> None:
        if not self.busy:
            self._relabel()
        super().refresh()

    def draw_body(self, box: BoxLayout) -> None:
        found = self.flow.applications
        if found is None:
            return
        _ = self._
        if not found:
            self.empty(box, "no_applications", _("You have no applications."),
                       _("Applications you hand in here, online or at a counter are listed "
                         "here."), self.journey_offers(("apply_now", _("Apply now"), "apply")))
            return
        box.add_widget(self.choices.show(
            application_choices(found, _, self.app.translator.format_date), self.pager))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), self.app.go_home, False)]
        found = self.flow.applications or []
        return acts + self.pager.actions(len(found))

    def _open(self, reference: str) -> None:
        self.flow.reference, self.flow.code = reference, None
        self.app.show("progress_detail")
