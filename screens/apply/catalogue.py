"""The catalogue (办事指南目录): every service of the platform, by audience, searchable by
Chinese, pinyin or its initials ("hszc" finds 护士执业注册) on the app's own keyboard.

While typing, the keyboard is a sheet at the bottom whose input line is the search field, and
the best matches stay between it and the header, updated with every key (elder mode: one, in
a single column, so that header, field and first result fit on the screen)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.ime.composer import Composer
from kiosk.journeys.apply import CatalogueView
from kiosk.i18n.messages import N_
from screens.apply.flow import warm_form_checks_soon
from screens.choices import listed_words
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager
from screens.keyboard import OnScreenKeyboard
from screens.widgets import with_detail, with_icon

AUDIENCES = (("aud_all", None), ("aud_individual", "individual"),
             ("aud_enterprise", "enterprise"))
PER_PAGE, ELDER_PER_PAGE = 6, 3
TYPING_MATCHES, ELDER_TYPING_MATCHES = 2, 1


class CatalogueScreen(JourneyScreen):
    title_msgid = N_("Apply for a service")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, PER_PAGE, ELDER_PER_PAGE)
        self._reset()

    def _reset(self) -> None:
        """A new citizen's catalogue: nothing of the last one's search stays."""
        self.view: CatalogueView | None = None
        self.query = ""
        self.audience: str | None = None
        self.typing = False
        self._matches: BoxLayout | None = None
        self.pager.reset()
        # letters first: initials ("jzzbl") are the quickest way to a service; pinyin for words
        self.composer = Composer(modes=("letters", "pinyin"), max_length=20)
        self.composer.set_mode("letters")

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.app.say("choose_service")
        if self.flow.journey is None:
            self._reset()
            self.work(self._load, self._loaded)
        else:
            self.refresh()

    def _load(self) -> CatalogueView:
        return self.flow.make_journey().catalogue(self.query, self.audience)

    def _loaded(self, view: CatalogueView) -> None:
        self.view = view
        warm_form_checks_soon()

    def _find(self) -> None:
        """The index is in memory once loaded: searching is no I/O, so it runs right here."""
        if self.flow.journey is not None and self.view is not None:
            self.view = self.flow.journey.catalogue(self.query, self.audience)
        self.pager.reset()

    def _search(self) -> None:
        self._find()
        self.refresh()

    def draw_body(self, box: BoxLayout) -> None:
        if self.typing:
            self._draw_typing(box)
            return
        _ = self._
        theme = self.app.theme
        top = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=16)
        top.add_widget(self.button("search",
                                   with_icon("search", self.query or _("Search services")),
                                   # as wide as two filters: the field, not a squeezed button
                                   self._toggle_keyboard, size_hint_x=2, role="field",
                                   markup=True))
        words = {None: _("All"), "individual": _("Individuals"), "enterprise": _("Businesses")}
        for kid, audience in AUDIENCES:
            top.add_widget(self.button(kid, words[audience], lambda a=audience: self._pick(a),
                                       selected=audience == self.audience))
        box.add_widget(top)
        if self.view is not None and self.view.stale:
            box.add_widget(self.label(_("The platform cannot be reached: these are the services "
                                        "this terminal saw last."), kid="stale",
                                      height=theme.text_px * 2.4))
        services = self.view.services if self.view is not None else []
        if self.view is not None and not services:
            box.add_widget(self.label(_("No matching services"), kid="no_match"))
        box.add_widget(self._results(self.pager.shown(services)))

    def _results(self, shown: list[dict[str, Any]]) -> GridLayout:
        grid = GridLayout(cols=1 if self.app.prefs.elder_mode else 2, spacing=16)
        for service in shown:
            grid.add_widget(self.button(f"service_{service['service_id']}",
                                        self._service_text(service),
                                        lambda s=service: self._choose(s),
                                        size_hint_y=1, markup=True))
        return grid

    def _draw_typing(self, box: BoxLayout) -> None:
        """The best matches in sight above the keyboard sheet, whose input line is the field."""
        _ = self._
        self._matches = BoxLayout(orientation="vertical")
        self._show_matches()
        box.add_widget(self._matches)
        box.add_widget(OnScreenKeyboard(
            self.app, self.composer, self._typed, self._done_typing,
            hint=_("A service's name, its pinyin or its initials (hszc: nurse registration)"),
            error_kid="search_error"))

    def _show_matches(self) -> None:
        """Only the matches change with a key: the keyboard under the finger stays as it is."""
        box = self._matches
        if box is None:
            return
        box.clear_widgets()
        services = self.view.services if self.view is not None else []
        count = ELDER_TYPING_MATCHES if self.app.prefs.elder_mode else TYPING_MATCHES
        if self.view is not None and not services:
            box.add_widget(self.label(self._("No matching services"), kid="no_match",
                                      height=self.app.theme.button_height_px))
            box.add_widget(Widget())
        else:
            box.add_widget(self._results(services[:count]))

    def _service_text(self, service: dict[str, Any]) -> str:
        name, department = listed_words(service, self.app.prefs.language)
        return with_detail(name, department, round(self.app.theme.text_px * 0.75))

    def actions(self) -> list[Action]:
        _ = self._
        found = self.view.services if self.view is not None else []
        if self.typing:
            return []  # the keyboard sheet takes the bottom; Done closes it
        acts: list[Action] = [("back", _("Back"), self.app.go_home, False)]
        return acts + self.pager.actions(len(found))

    def _pick(self, audience: str | None) -> None:
        self.audience = audience
        self._search()

    def _toggle_keyboard(self) -> None:
        self.typing = not self.typing
        self.refresh()

    def _typed(self, text: str) -> None:
        self.query = text
        self._find()
        self._show_matches()

    def _done_typing(self, text: str) -> None:
        self.query, self.typing = text, False
        self._search()

    def _choose(self, service: dict[str, Any]) -> None:
        if self.flow.journey is not None:
            self.flow.choose(service)
