"""Why a certificate printed before is wanted again: one touch per reason (no typing); the
platform records the reason with the reprint."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.collect import REPRINT_REASONS
from screens.choice_list import ChoiceList, Heading
from screens.choices import reason_choices
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager


class CollectReasonScreen(JourneyScreen):
    title_msgid = N_("Why do you need it again?")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        # all of them on one page, unless the body cannot hold them (then a second page)
        self.pager = Pager(self, len(REPRINT_REASONS), len(REPRINT_REASONS))
        self.choices = ChoiceList(self, self._choose)

    def on_pre_enter(self, *args: Any) -> None:
        self.pager.reset()
        super().on_pre_enter(*args)

    def draw_body(self, box: BoxLayout) -> None:
        certificate = self.flow.reprint_of
        if certificate is None:
            return
        theme = self.app.theme
        # in elder mode two a row: three of the taller buttons under the title overran the body
        box.add_widget(self.choices.show(
            reason_choices(self._), self.pager,
            Heading(self.app.translator.pick(certificate.title), kid="reprint_title",
                    size="title", rows=1.6),
            cols=2 if self.app.prefs.elder_mode else 1, row_px=theme.button_height_px))

    def actions(self) -> list[Action]:
        return [("back", self._("Back"), lambda: self.app.show("collect_list"), False),
                *self.pager.actions(len(REPRINT_REASONS))]

    def _choose(self, code: str) -> None:
        journey, certificate = self.flow.journey, self.flow.reprint_of
        if journey is None or certificate is None:
            return
        self.flow.choose(certificate, code)
