"""Why a certificate printed before is wanted again: one touch per reason (no typing); the
platform records the reason with the reprint."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.collect import REPRINT_REASONS
from screens.journey_screen import Action, JourneyScreen


class CollectReasonScreen(JourneyScreen):
    title_msgid = N_("Why do you need it again?")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow

    def draw_body(self, box: BoxLayout) -> None:
        certificate = self.flow.reprint_of
        if certificate is None:
            return
        theme = self.app.theme
        box.add_widget(self.label(certificate.title, size=theme.title_px,
                                  kid="reprint_title", height=theme.title_px * 1.6))
        # in elder mode two a row: three of the taller buttons under the title overran the body
        cols = 2 if self.app.prefs.elder_mode else 1
        rows = -(-len(REPRINT_REASONS) // cols)
        grid = GridLayout(cols=cols, spacing=12, size_hint_y=None,
                          height=rows * theme.button_height_px + (rows - 1) * 12)
        for code, msgid in REPRINT_REASONS.items():
            grid.add_widget(self.button(f"reason_{code}", self._(msgid),
                                        lambda code=code: self._choose(code)))
        box.add_widget(grid)
        box.add_widget(BoxLayout())  # the rest of the body stays empty below

    def actions(self) -> list[Action]:
        return [("back", self._("Back"), lambda: self.app.show("collect_list"), False)]

    def _choose(self, code: str) -> None:
        journey, certificate = self.flow.journey, self.flow.reprint_of
        if journey is None or certificate is None:
            return
        self.flow.choose(certificate, code)
