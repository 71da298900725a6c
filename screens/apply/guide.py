"""The service guide (办事指南): conditions, materials, fee, time limits, before any typing."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from screens.apply.flow import warm_form_checks_soon
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager
from screens.widgets import fit_to_lines, wrapped_height

MATERIALS_PER_PAGE = 4
ELDER_MATERIALS_PER_PAGE = 2  # each up to two lines of 1.5× text


class GuideScreen(JourneyScreen):
    title_msgid = N_("Service guide")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, 1, 1)  # pages of the guide (screens.paging turns them)

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

    def _draw_skeleton(self, box: BoxLayout) -> None:
        """While the guide is fetched: the service's name and department as the catalogue
        listed them."""
        service = self.flow.choosing
        if service is None:
            return
        theme = self.app.theme
        lang = "en" if self.app.prefs.language == "en" else "zh-CN"
        self._name_lines(box, service["name"].get(lang) or service["name"]["zh-CN"],
                         service["department"].get(lang) or service["department"]["zh-CN"])
        if self.busy:
            box.add_widget(self.label(self._("Fetching the service guide…"), kid="guide_loading",
                                      height=theme.text_px * 1.5))
        box.add_widget(BoxLayout())

    def draw_body(self, box: BoxLayout) -> None:
        """Page 1: what the service is, what it costs and how long it takes; then the
        materials a few at a time (one page of text in elder mode fits 1080 px; a list never
        runs over the buttons)."""
        guide = self.flow.guide
        if guide is None:
            self._draw_skeleton(box)
            return
        _ = self._
        theme = self.app.theme
        page = self.pager.page = min(self.pager.page, self._pages() - 1)
        if page == 0:
            self._name_lines(box, guide.name, guide.department)
            width = self.body_width
            box.add_widget(fit_to_lines(self.label(guide.description, kid="guide_conditions",
                                                   height=theme.text_px * 2.9), width))
            limits = (_("Done on the spot") if guide.promised_limit_days == 0  # 即办件
                      else _("Promised within %(promised)d working days (legal limit %(legal)d)",
                             promised=guide.promised_limit_days,
                             legal=guide.legal_limit_days))
            box.add_widget(fit_to_lines(self.label(f"{guide.fee_text}\n{limits}",
                                                   kid="guide_fee", height=theme.text_px * 2.9),
                                        width))
        else:
            box.add_widget(self.label(_("Materials:"), kid="guide_materials",
                                      height=theme.text_px * 1.5))
            per = self._per_page()
            first = (page - 1) * per
            for n, material in enumerate(guide.materials[first:first + per]):
                notes = [_("required") if material.required else _("optional")]
                if material.elicence_may_replace:
                    notes.append(_("an e-licence may replace it"))
                if material.may_promise:
                    notes.append(_("may be handed in later"))
                box.add_widget(self.label(f"• {material.name} ({', '.join(notes)})",
                                          kid=f"guide_material_{first + n}",
                                          height=theme.text_px * 2.9))
        if not guide.form_supported:
            box.add_widget(self.label(_("This service cannot be applied for at this terminal. "
                                        "Please go to a service counter."), kid="guide_counter",
                                      height=theme.text_px * 2.9))
        box.add_widget(BoxLayout())  # what is left of the height stays below the text

    def _name_lines(self, box: BoxLayout, name: str, department: str) -> None:
        """The service's name (at the title's size when it fits one line, else at the text's)
        and department, each as tall as its lines: "Social-insurance registration for flexibly
        employed persons" took two lines at elder mode's title size, and the page then had no
        room for its fee."""
        theme, width = self.app.theme, self.body_width
        title = self.label(name, size=theme.title_px, kid="guide_name",
                           height=theme.title_px * 1.5)
        if wrapped_height(title, width) > title.height:
            title.font_size = theme.text_px
        box.add_widget(fit_to_lines(title, width))
        box.add_widget(fit_to_lines(self.label(department, kid="guide_department",
                                               height=theme.text_px * 1.5), width))

    def _per_page(self) -> int:
        return ELDER_MATERIALS_PER_PAGE if self.app.prefs.elder_mode else MATERIALS_PER_PAGE

    def _pages(self) -> int:
        guide = self.flow.guide
        materials = len(guide.materials) if guide is not None else 0
        return 1 + -(-materials // self._per_page())

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
