"""The citizen's issued certificates, a page at a time (fewer in elder mode): one to print
goes to its preview, one printed before asks why first."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import HOME_TILES
from kiosk.journeys.collect import CertificateView
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager

PER_PAGE, ELDER_PER_PAGE = 4, 2


class CollectListScreen(JourneyScreen):
    title_msgid = HOME_TILES["collect"]

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)

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
        rows = [(c, "\n".join((c.title, _("Issued on: %(date)s",
                                          date=self.app.translator.format_date(
                                              c.issued_at.date())),
                                 _("Printed before: a reprint needs a reason") if c.collected
                                 else _("Ready to print"))))
                for c in found]
        # three lines: a button of the usual height cut the first and the last
        height = max([self.app.theme.button_height_px,
                      *(self.lines_height(words, padding=24) for _c, words in rows)])
        self.pager.fit(height, box.spacing)
        for c, words in self.pager.shown(rows):
            box.add_widget(self.button(f"cert_{c.certificate_id}", words,
                                       lambda c=c: self._choose(c),
                                       role="secondary" if c.collected else "primary",
                                       height=height))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), self.app.go_home, False)]
        found = self.flow.certificates or []
        return acts + self.pager.actions(len(found))

    def _choose(self, certificate: CertificateView) -> None:
        journey = self.flow.journey
        if journey is None:
            return
        if certificate.collected:
            self.flow.reprint_of = certificate
            self.app.show("collect_reason")
            return
        self.flow.choose(certificate, None)

