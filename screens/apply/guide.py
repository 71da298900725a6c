"""The service guide (办事指南): conditions, materials, fee, time limits, before any typing."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from screens.apply.flow import warm_form_checks_soon
from screens.apply.guide_lines import guide_lines, page_count, skeleton_lines
from screens.choices import listed_words
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack
from screens.paging import Pager


class GuideScreen(JourneyScreen):
    title_msgid = N_("Service guide")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, 1, 1)  # pages of the guide (screens.paging turns them)
        self.lines = LineStack(self)

    def on_pre_enter(self, *args: Any) -> None:
        self.pager.reset()
        journey, service = self.flow.journey, self.flow.choosing
        if journey is None or service is None:
            super().on_pre_enter(*args)
            return
        self.problem = None

        def chosen(guide: Any) -> None:
            self.flow.guide, self.flow.choosing = guide, None
            warm_form_checks_soon()  # a guide reached without the catalogue

        self.work(lambda: journey.choose(service["service_id"]), chosen)

    def refresh(self) -> None:
        """The guide is redrawn in the citizen's current language (no I/O)."""
        journey = self.flow.journey
        if journey is not None and journey.service is not None and self.flow.choosing is None:
            self.flow.guide = journey.guide()
        super().refresh()

    def draw_body(self, box: BoxLayout) -> None:
        """The guide's page, or while it is fetched the service as the catalogue listed it."""
        guide = self.flow.guide
        if guide is not None:
            page = self.pager.page = min(self.pager.page, self._pages() - 1)
            lines = guide_lines(guide, page, self.app.prefs.elder_mode, self._,
                                self.app.translator.ngettext)
        elif self.flow.choosing is not None:
            name, department = listed_words(self.flow.choosing, self.app.prefs.language)
            lines = skeleton_lines(name, department,
                                   self._("Fetching the service guide…") if self.busy else None)
        else:
            return
        box.add_widget(self.lines.show(lines))

    def _pages(self) -> int:
        guide = self.flow.guide
        return page_count(guide, self.app.prefs.elder_mode) if guide is not None else 1

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("catalogue"), False)]
        guide = self.flow.guide
        if guide is not None:  # page 1 and the material pages, as one list of pages
            acts += self.pager.actions(self._pages())
        if guide is not None and guide.form_supported:
            acts.append(("guide_start", _("Start the application"), self._start, True))
        return acts

    def _start(self) -> None:
        if self.flow.journey is not None:
            self.flow.form_pending = True
            self.app.show("form")
