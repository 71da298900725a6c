"""Home (首页): the frame's header (hall, clock, language, call staff, exit), six large tiles
with their icons, and the elder-mode and contrast switches.

Built once; `refresh()` changes texts, sizes, colours and which widgets are shown on the same
widgets. Rebuilding the tree for every language or mode switch made those taps the slowest of
the app (issue 16: creating labels and buttons, not drawing them, took the time).
"""

from __future__ import annotations

from collections.abc import Sequence

from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.layout import Layout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.i18n.messages import HOME_TILES
from screens.theme import Theme
from screens.frame import ScreenHeader
from screens.widgets import (KioskButton, escape, fitting_px, icon, lay_out_now,
                             paint_ground, repaint_background, with_icon)

# (kid, msgid): the journeys of the terminal, in the order citizens look for them.
TILES = tuple((f"tile_{journey}", msgid) for journey, msgid in HOME_TILES.items())
ELDER_TILES_PER_PAGE = 3  # fewer choices per screen in elder mode; the rest behind "More"


def show_only(parent: Layout, wanted: Sequence[Widget]) -> None:
    """`parent` holds exactly `wanted`, in that order (untouched when it already does)."""
    if list(reversed(parent.children)) != list(wanted):
        parent.clear_widgets()
        for widget in wanted:
            parent.add_widget(widget)


class HomeScreen(Screen):
    def __init__(self, app, **kwargs) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.page = 0
        theme: Theme = app.theme
        self.root_box = BoxLayout(orientation="vertical", padding=48, spacing=32)
        paint_ground(self.root_box, theme.background)
        self.add_widget(self.root_box)
        self.header = ScreenHeader(app, title="", home=False, title_kid="home_title")
        self.hello = Label(size_hint_x=None, halign="right", valign="middle")
        self.hello.kid = "greeting"
        self.notice = Label(halign="center", valign="middle")  # staff closed the terminal
        self.notice.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 48, None)))
        self.notice.kid = "out_of_service"
        self.grid = GridLayout(cols=3, spacing=32)
        self.tiles: dict[str, KioskButton] = {}
        for kid, _msgid in TILES:
            tile = KioskButton(kid, theme, role="tile", markup=True, size_hint_y=1,
                               halign="center", valign="middle")
            tile.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 24, None)))
            tile.bind(on_release=lambda w: self.app.open_journey(w.kid))
            self.tiles[kid] = tile
        self.bar = BoxLayout(size_hint_y=None, spacing=24)
        # a switch shows its state by a thick border and ✓ (never by colour alone)
        self.switches: dict[str, KioskButton] = {}
        for kid, action in (("switch_elder", lambda *_: self.app.toggle_elder_mode()),
                            ("switch_contrast", lambda *_: self.app.toggle_contrast()),
                            ("tiles_more", lambda *_: self.next_page())):
            button = KioskButton(kid, theme, markup=True)
            button.bind(on_release=action)
            self.switches[kid] = button
        self.refresh()

    def on_pre_enter(self, *_args) -> None:
        self.refresh()

    def let_go(self) -> None:
        """The session ended: the greeting goes with its masked name (home is drawn in place,
        and stayed as the citizen left it until the next touch)."""
        self._hide_greeting()

    def _hide_greeting(self) -> None:
        if self.hello.parent is not None:
            self.hello.parent.remove_widget(self.hello)
        self.hello.text = ""

    def refresh(self) -> None:
        """Every text, size and colour from the current language and modes, in place."""
        _ = self.app.translator.gettext
        theme: Theme = self.app.theme
        repaint_background(self.root_box, theme.background)
        self.header.restyle(_("Government services, 24 hours"))
        self._greet(theme)
        closed = self.app.out_of_service()
        if closed is not None:  # staff closed the terminal: say so, and where to go instead
            notice = _(closed.message)
            if closed.nearest_counter:
                notice += "\n" + _("Nearest counter: %(where)s", where=closed.nearest_counter)
            self.notice.text, self.notice.color = notice, theme.foreground
            self.notice.font_size = fitting_px(  # staff's words: up to 200 characters
                notice.split("\n"), theme.title_px, theme.text_px, Window.width - 144,
                Window.height * 0.5)
            show_only(self.root_box, [self.header, self.notice])
        else:
            self._show_tiles(theme)
            self._show_switches(theme)
            show_only(self.root_box, [self.header, self.grid, self.bar])
        lay_out_now(self.root_box, self)

    def _greet(self, theme: Theme) -> None:
        """"Hello, …" beside the title while a citizen is identified; as wide as its words,
        so the title takes the rest (measured only when the words or their size change)."""
        top = self.header.ids.top
        if not self.app.greeting:
            self._hide_greeting()
            return
        text = self.app.translator.gettext("Hello, %(name)s", name=self.app.greeting)
        hello = self.hello
        hello.color = theme.foreground
        if (hello.text, hello.font_size) != (text, theme.text_px) or hello.parent is None:
            hello.text, hello.font_size = text, theme.text_px
            hello.texture_update()
            hello.width = hello.texture_size[0] + 8
        if hello.parent is None:  # right after the title, before the actions
            top.add_widget(hello, index=len(top.children) - 1)

    def _show_tiles(self, theme: Theme) -> None:
        _ = self.app.translator.gettext
        tiles = TILES
        if self.app.prefs.elder_mode:
            pages = len(TILES) // ELDER_TILES_PER_PAGE
            self.page %= pages
            tiles = TILES[self.page * ELDER_TILES_PER_PAGE:][:ELDER_TILES_PER_PAGE]
        for kid, msgid in tiles:
            why_not = self.app.unavailable(kid)
            journey = kid.removeprefix("tile_")
            text = f"{icon(journey, round(theme.tile_text_px * 1.6))}\n{escape(_(msgid))}"
            if why_not is not None:
                text += f"\n[size={theme.text_px}]{escape(why_not)}[/size]"
            tile = self.tiles[kid]
            tile.disabled = why_not is not None
            tile.restyle(theme, text, font_size=theme.tile_text_px)
        show_only(self.grid, [self.tiles[kid] for kid, _msgid in tiles])

    def _show_switches(self, theme: Theme) -> None:
        _ = self.app.translator.gettext
        prefs = self.app.prefs
        self.bar.height = theme.button_height_px
        shown = []
        for kid, text, on in (
            ("switch_elder", with_icon("elder", _("Elder mode")), prefs.elder_mode),
            ("switch_contrast", with_icon("contrast", _("High contrast")), prefs.high_contrast),
        ) + ((("tiles_more", escape(_("More services")), False),) if prefs.elder_mode else ()):
            button = self.switches[kid]
            button.restyle(theme, text, selected=on)
            shown.append(button)
        show_only(self.bar, shown)

    def next_page(self) -> None:
        self.page += 1
        self.refresh()
