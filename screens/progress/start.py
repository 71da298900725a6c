"""Progress without a card yet: place the ID card (all applications), or hold the QR code of a
receipt to the code reader (that one application)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import HOME_TILES
from screens.journey_screen import Action, JourneyScreen


class ProgressStartScreen(JourneyScreen):
    title_msgid = HOME_TILES["progress"]

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.app.after_identity = self.flow.open  # a card placed now leads to the list
        self.refresh()

    def draw_body(self, box: BoxLayout) -> None:
        theme = self.app.theme
        box.add_widget(self.label(self._(
            "Place your ID card on the reader to see all your applications, or hold the QR "
            "code on your receipt to the code reader."), size=theme.title_px,
            kid="progress_prompt", halign="center"))

    def actions(self) -> list[Action]:
        return [("back", self._("Back"), self.app.go_home, False)]
