"""The service guide (办事指南): conditions, materials, fee, time limits, before any typing."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager

MATERIALS_PER_PAGE = 4
ELDER_MATERIALS_PER_PAGE = 2


class GuideScreen(JourneyScreen):
    title_msgid = N_("Service guide")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, MATERIALS_PER_PAGE, ELDER_MATERIALS_PER_PAGE)

    def on_pre_enter(self, *args: Any) -> None:
        self.pager.reset()
        super().on_pre_enter(*args)

    def refresh(self) -> None:
        """The guide is redrawn in the citizen's current language (no I/O)."""
        journey = self.flow.journey
        if journey is not None and journey.service is not None:
            self.flow.guide = journey.guide()
        super().refresh()

    def draw_body(self, box: BoxLayout) -> None:
        guide = self.flow.guide
        if guide is None:
            return
        _ = self._
        theme = self.app.theme
        box.add_widget(self.label(guide.name, size=theme.title_px, kid="guide_name",
                                  height=theme.title_px * 1.5))
        box.add_widget(self.label(guide.department, height=theme.text_px * 1.5))
        box.add_widget(self.label(guide.description, kid="guide_conditions"))
        limits = _("Promised within %(promised)d working days (legal limit %(legal)d)",
                   promised=guide.promised_limit_days, legal=guide.legal_limit_days)
        box.add_widget(self.label(guide.fee_text, kid="guide_fee", height=theme.text_px * 1.5))
        box.add_widget(self.label(limits, kid="guide_limits", height=theme.text_px * 1.5))
        box.add_widget(self.label(_("Materials:"), kid="guide_materials",
                                  height=theme.text_px * 1.5))
        # a page of materials at a time, each on two lines at most: a long list (or elder
        # mode's larger text) never runs off the screen or over the buttons
        shown = self.pager.shown(guide.materials)
        for n, material in enumerate(shown):
            notes = [_("required") if material.required else _("optional")]
            if material.elicence_may_replace:
                notes.append(_("an e-licence may replace it"))
            if material.may_promise:
                notes.append(_("may be handed in later"))
            box.add_widget(self.label(f"• {material.name} ({', '.join(notes)})",
                                      kid=f"guide_material_{self.pager.offset + n}",
                                      height=theme.text_px * 2.8))
        if not guide.form_supported:
            box.add_widget(self.label(_("This service cannot be applied for at this terminal. "
                                        "Please go to a service counter."), kid="guide_counter"))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = [("back", _("Back"), lambda: self.app.show("catalogue"), False)]
        guide = self.flow.guide
        if guide is not None:
            acts += self.pager.actions(len(guide.materials))
        if guide is not None and guide.form_supported:
            acts.append(("guide_start", _("Start the application"), self._start, True))
        return acts

    def _start(self) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def started(form: Any) -> None:
            self.app.manager.get_screen("form").load(form)
            self.app.show("form")

        self.work(journey.start_form, started)
