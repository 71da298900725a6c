"""Why a certificate printed before is wanted again: one touch per reason (no typing); the
platform records the reason with the reprint."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.collect import REPRINT_REASONS, Preview
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
        box.add_widget(self.label(certificate.title, size=self.app.theme.title_px,
                                  kid="reprint_title"))
        for code, msgid in REPRINT_REASONS.items():
            box.add_widget(self.button(f"reason_{code}", self._(msgid),
                                       lambda code=code: self._choose(code)))

    def actions(self) -> list[Action]:
        return [("back", self._("Back"), lambda: self.app.show("collect_list"), False)]

    def _choose(self, code: str) -> None:
        journey, certificate = self.flow.journey, self.flow.reprint_of
        if journey is None or certificate is None:
            return
        self.work(lambda: journey.choose(certificate.certificate_id, code), self._previewed)

    def _previewed(self, preview: Preview) -> None:
        self.flow.preview, self.flow.printed = preview, None
        self.app.show("collect_preview")
