"""The citizen's recent applications to rate, a page at a time (fewer in elder mode)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import HOME_TILES
from kiosk.journeys.evaluation import RateTarget
from screens.choice_list import ChoiceList
from screens.choices import rate_choices
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager

PER_PAGE, ELDER_PER_PAGE = 3, 2  # three-line buttons: four overran the body


class EvaluateListScreen(JourneyScreen):
    title_msgid = HOME_TILES["evaluate"]

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)
        self.choices = ChoiceList(self, self._rate)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        journey = self.flow.journey
        if journey is not None:
            self.pager.reset()
            self.work(journey.recent, self._loaded)  # fresh: one rated just now drops out
        else:
            self.refresh()

    def _loaded(self, found: list[RateTarget]) -> None:
        self.flow.targets = found

    def draw_body(self, box: BoxLayout) -> None:
        found = self.flow.targets
        if found is None:
            return
        _ = self._
        if not found:
            self.empty(box, "nothing_to_rate", _("You have no recent applications to rate."),
                       _("You can rate a service once you have applied for it."),
                       self.journey_offers(("apply_now", _("Apply now"), "apply"),
                                    ("view_progress", _("View progress"), "progress")))
            return
        box.add_widget(self.choices.show(
            rate_choices(found, _, self.app.translator.format_date,
                         self.app.translator.pick), self.pager))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), self.app.go_home, False)]
        found = self.flow.targets or []
        return acts + self.pager.actions(len(found))

    def _rate(self, reference: str) -> None:
        target = next((t for t in self.flow.targets or () if t.reference == reference), None)
        if target is not None:
            self.flow.rate(target, lambda: self.app.show("evaluate_list"))
