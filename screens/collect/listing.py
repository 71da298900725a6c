"""The citizen's issued certificates, a page at a time (fewer in elder mode): one to print
goes to its preview, one printed before asks why first."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import HOME_TILES
from kiosk.journeys.collect import CertificateView
from screens.choice_list import ChoiceList
from screens.choices import certificate_choices
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager

PER_PAGE, ELDER_PER_PAGE = 4, 2


class CollectListScreen(JourneyScreen):
    title_msgid = HOME_TILES["collect"]

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)
        self.choices = ChoiceList(self, self._choose)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        if self.flow.certificates is None:
            self.pager.reset()
            self.work(lambda: self.flow.make_journey().certificates(), self._loaded)
        else:
            self.refresh()

    def _loaded(self, found: list[CertificateView]) -> None:
        self.flow.certificates = found

    def draw_body(self, box: BoxLayout) -> None:
        found = self.flow.certificates
        if found is None:
            return
        _ = self._
        if not found:
            self.empty(box, "no_certificates", _("You have no issued certificates to collect."),
                       _("A certificate is listed here once the authority has issued it. "
                         "See how far your application has come."),
                       self.journey_offers(("view_progress", _("View progress"), "progress")))
            return
        box.add_widget(self.choices.show(
            certificate_choices(found, _, self.app.translator.format_date,
                                self.app.translator.pick), self.pager))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), self.app.go_home, False)]
        found = self.flow.certificates or []
        return acts + self.pager.actions(len(found))

    def _choose(self, certificate_id: str) -> None:
        journey = self.flow.journey
        certificate = next((c for c in self.flow.certificates or ()
                            if c.certificate_id == certificate_id), None)
        if journey is None or certificate is None:
            return
        if certificate.collected:
            self.flow.reprint_of = certificate
            self.app.show("collect_reason")
            return
        self.flow.choose(certificate, None)

