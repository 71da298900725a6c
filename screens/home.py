"""Home (首页): the frame's header (hall, clock, language, call staff, exit), six large tiles
with their icons, and the elder-mode and contrast switches."""

from __future__ import annotations

from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.i18n.messages import HOME_TILES
from screens.theme import Theme
from screens.frame import ScreenHeader
from screens.widgets import (KioskButton, escape, fitting_px, icon, lay_out_now,
                             paint_background, repaint_background, with_icon)

# (kid, msgid): the journeys of the terminal, in the order citizens look for them.
TILES = tuple((f"tile_{journey}", msgid) for journey, msgid in HOME_TILES.items())
ELDER_TILES_PER_PAGE = 3  # fewer choices per screen in elder mode; the rest behind "More"


class HomeScreen(Screen):
    def __init__(self, app, **kwargs) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.page = 0
        self.root_box = BoxLayout(orientation="vertical", padding=48, spacing=32)
        paint_background(self.root_box, app.theme.background)
        self.add_widget(self.root_box)
        self.refresh()

    def on_pre_enter(self, *_args) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Rebuild every text and size from the current language and modes."""
        _ = self.app.translator.gettext
        theme: Theme = self.app.theme
        box = self.root_box
        box.clear_widgets()
        repaint_background(box, theme.background)
        header = ScreenHeader(self.app, title=_("Government services, 24 hours"), home=False,
                              title_kid="home_title")
        if self.app.greeting:
            hello = Label(text=_("Hello, %(name)s", name=self.app.greeting),
                          font_size=theme.text_px, color=theme.foreground, size_hint_x=None,
                          halign="right", valign="middle")
            hello.texture_update()  # as wide as its words: the title takes the rest
            hello.width = hello.texture_size[0] + 8
            hello.kid = "greeting"
            header.ids.top.add_widget(hello, index=len(header.ids.top.children) - 1)
        box.add_widget(header)
        closed = self.app.out_of_service()
        if closed is not None:  # staff closed the terminal: say so, and where to go instead
            notice = _(closed.message)
            if closed.nearest_counter:
                notice += "\n" + _("Nearest counter: %(where)s", where=closed.nearest_counter)
            size = fitting_px(notice.split("\n"), theme.title_px, theme.text_px,
                              Window.width - 144, Window.height * 0.5)  # staff's words: ≤ 200
            line = Label(text=notice, font_size=size, color=theme.foreground,
                         halign="center", valign="middle")
            line.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 48, None)))
            line.kid = "out_of_service"
            box.add_widget(line)
            lay_out_now(box, self)
            return
        tiles = TILES
        if self.app.prefs.elder_mode:
            pages = len(TILES) // ELDER_TILES_PER_PAGE
            self.page %= pages
            tiles = TILES[self.page * ELDER_TILES_PER_PAGE:][:ELDER_TILES_PER_PAGE]
        grid = GridLayout(cols=3, spacing=32)
        for kid, msgid in tiles:
            why_not = self.app.unavailable(kid)
            journey = kid.removeprefix("tile_")
            text = f"{icon(journey, round(theme.tile_text_px * 1.6))}\n{escape(_(msgid))}"
            if why_not is not None:
                text += f"\n[size={theme.text_px}]{escape(why_not)}[/size]"
            tile = KioskButton(kid, theme, text=text, font_size=theme.tile_text_px, markup=True,
                               size_hint_y=1, halign="center", valign="middle",
                               disabled=why_not is not None,
                               role="tile")
            tile.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 24, None)))
            tile.bind(on_release=lambda w: self.app.open_journey(w.kid))
            grid.add_widget(tile)
        box.add_widget(grid)
        bar = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=24)
        prefs = self.app.prefs
        # a switch shows its state by a thick border and ✓ (never by colour alone)
        for kid, text, action, on in (
            ("switch_elder", with_icon("elder", _("Elder mode")),
             lambda *_: self.app.toggle_elder_mode(), prefs.elder_mode),
            ("switch_contrast", with_icon("contrast", _("High contrast")),
             lambda *_: self.app.toggle_contrast(), prefs.high_contrast),
        ) + ((("tiles_more", _("More services"), lambda *_: self.next_page(), False),)
              if prefs.elder_mode else ()):
            button = KioskButton(kid, theme, text=text, selected=on, markup=True)
            button.bind(on_release=action)
            bar.add_widget(button)
        box.add_widget(bar)
        lay_out_now(box, self)

    def next_page(self) -> None:
        self.page += 1
        self.refresh()
