"""The citizen's recent applications to rate, a page at a time (fewer in elder mode)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import HOME_TILES
from kiosk.journeys.evaluation import RateTarget
from screens.journey_screen import Action, JourneyScreen

PER_PAGE, ELDER_PER_PAGE = 4, 2


class EvaluateListScreen(JourneyScreen):
    title_msgid = HOME_TILES["evaluate"]

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.page = 0

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        journey = self.flow.journey
        if journey is not None:
            self.page = 0
            self.work(journey.recent, self._loaded)  # fresh: one rated just now drops out
        else:
            self.refresh()

    def _loaded(self, found: list[RateTarget]) -> None:
        self.flow.targets = found

    def _per_page(self) -> int:
        return ELDER_PER_PAGE if self.app.prefs.elder_mode else PER_PAGE

    def draw_body(self, box: BoxLayout) -> None:
        found = self.flow.targets
        if found is None:
            return
        _ = self._
        theme = self.app.theme
        if not found:
            box.add_widget(self.label(_("You have no recent applications to rate."),
                                      size=theme.title_px, kid="nothing_to_rate"))
            return
        per_page = self._per_page()
        self.page = min(self.page, (len(found) - 1) // per_page)
        for target in found[self.page * per_page:][:per_page]:
            lines = [target.service_name,
                     _("Application number: %(number)s", number=target.reference)]
            if target.submitted_at is not None:
                lines.append(_("Submitted: %(date)s", date=self.app.translator.format_date(
                    target.submitted_at.date())))
            box.add_widget(self.button(f"rate_{target.reference}", "\n".join(lines),
                                       lambda t=target: self.flow.rate(
                                           t, lambda: self.app.show("evaluate_list"))))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), self.app.go_home, False)]
        found = self.flow.targets or []
        if self.page > 0:
            acts.append(("page_prev", _("Previous page"), self._turn(-1), False))
        if (self.page + 1) * self._per_page() < len(found):
            acts.append(("page_next", _("Next page"), self._turn(1), False))
        return acts

    def _turn(self, by: int):  # type: ignore[no-untyped-def]
        def turn() -> None:
            self.page += by
            self.refresh()
        return turn
