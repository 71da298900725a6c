"""Identify (验证身份): a journey that files something in the citizen's name asks for the ID
card or an e-ID QR code first, then carries on where the citizen was going."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from screens.journey_screen import Action, JourneyScreen


class IdentifyScreen(JourneyScreen):
    title_msgid = N_("Who is applying?")

    def on_pre_enter(self, *_args: Any) -> None:
        self.refresh()
        self.app.say("welcome")

    def draw_body(self, box: BoxLayout) -> None:
        box.add_widget(self.label(self._("Please place your ID card on the reader, or scan your "
                                         "e-ID QR code."), size=self.app.theme.title_px,
                                  kid="identify_prompt", halign="center"))

    def actions(self) -> list[Action]:
        return [("back", self._("Back"), self.app.go_home, False)]
