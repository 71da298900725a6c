"""The app's own on-screen keyboard: pinyin with Chinese candidates, letters, a digit pad.

Kivy's VKeyboard has no Chinese layout and TextInput's IME composition depends on SDL, so a
touch terminal draws its own. What is typed lives in a `kiosk.ime.composer.Composer`; this
widget only draws it and turns taps into composer calls. Every key has a `kid` for the UI
driver: `key_a`..`key_z`, `key_0`..`key_9`, `key_x` (X in digits), `key_sep` ('), `key_at`,
`key_dot`, `key_dash`, `key_underscore`, `key_caps`, `key_back`, `key_space`, `key_clear`,
`key_done`; candidates `cand_0`.. with `cand_less`/`cand_more`; modes `kb_mode_<mode>`.

Keys are at least `MIN_TARGET_PX` (15 mm) high and follow the theme (×1.5 in elder mode,
fewer candidates per page then). The pinyin index loads off the UI thread; until it is there
no candidates are shown, and the bar fills in by itself when it arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ime.composer import SHARED_IME, Composer, ImeLoader
from screens.theme import Theme
from screens.widgets import KioskButton, paint_background, repaint_background

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGIT_ROWS = ("123", "456", "789")
SYMBOL_KIDS = {"'": "sep", "@": "at", ".": "dot", "-": "dash", "_": "underscore", "X": "x"}
CANDIDATES_PER_PAGE = 6
ELDER_CANDIDATES_PER_PAGE = 4
SPACING = 8


def key_kid(ch: str) -> str:
    return "key_" + SYMBOL_KIDS.get(ch, ch.lower())


class OnScreenKeyboard(BoxLayout):
    """Draws a `Composer` and edits it by touch; `on_change(text)` after every edit,
    `on_done(text)` when the citizen presses Done (pending pinyin goes in as letters)."""

    def __init__(self, app, composer: Composer, on_change: Callable[[str], None],
                 on_done: Callable[[str], None], loader: ImeLoader = SHARED_IME,
                 **kwargs) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", SPACING)
        kwargs.setdefault("padding", SPACING)
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.app = app
        self.composer = composer
        self.on_change = on_change
        self.on_done = on_done
        self._layout_for: tuple[str, bool] | None = None
        self._candidate_bar: BoxLayout | None = None
        self._composing_label: Label | None = None
        paint_background(self, app.theme.background)
        self.refresh()
        if "pinyin" in composer.modes and loader.get() is None:
            # Called on the loader thread: hand over to the main loop.
            loader.when_ready(lambda _ime: Clock.schedule_once(
                lambda _dt: self._show_candidates(), 0))

    # -- building ------------------------------------------------------------------------------

    @property
    def theme(self) -> Theme:
        return self.app.theme

    def refresh(self) -> None:
        """Rebuild everything for the current theme, language and mode."""
        theme = self.theme
        elder = bool(getattr(getattr(self.app, "prefs", None), "elder_mode", False))
        self.composer.page_size = ELDER_CANDIDATES_PER_PAGE if elder else CANDIDATES_PER_PAGE
        repaint_background(self, theme.background)
        self.clear_widgets()
        rows: list[Widget] = []
        self._candidate_bar = self._composing_label = None
        if self.composer.mode == "pinyin":
            self._composing_label = Label(font_size=theme.text_px, color=theme.foreground,
                                          size_hint_y=None, height=self._composing_height(),
                                          halign="left", valign="middle")
            self._composing_label.bind(size=lambda w, s: setattr(w, "text_size", s))
            self._composing_label.kid = "kb_composing"
            self._candidate_bar = BoxLayout(size_hint_y=None, height=theme.button_height_px,
                                            spacing=SPACING)
            rows += [self._composing_label, self._candidate_bar]
        if self.composer.mode == "digits":
            rows.extend(self._digit_pad())
        else:
            rows.extend(self._letter_rows())
        rows.append(self._bottom_bar())
        # As tall as the tallest mode this field allows, so switching modes moves nothing above.
        self.height = max(self._height_of(mode) for mode in self.composer.modes)
        if self._rows_height(rows) < self.height:
            self.add_widget(Widget())
        for row in rows:
            self.add_widget(row)
        self._layout_for = (self.composer.mode, self.composer.caps)
        self._show_candidates()

    def _composing_height(self) -> int:
        return round(self.theme.text_px * 1.6)

    def _rows_height(self, rows: list[Widget]) -> float:
        return sum(r.height for r in rows) + (len(rows) - 1) * SPACING + 2 * SPACING

    def _height_of(self, mode: str) -> float:
        key_h = self.theme.button_height_px
        if mode == "pinyin":
            heights = [self._composing_height(), key_h] + [key_h] * (len(LETTER_ROWS) + 1)
        elif mode == "letters":
            heights = [key_h] * (len(LETTER_ROWS) + 1)
        else:
            heights = [key_h] * (len(DIGIT_ROWS) + 1 + (len(self.composer.extras) > 1) + 1)
        return sum(heights) + (len(heights) - 1) * SPACING + 2 * SPACING

    def _key(self, kid: str, text: str, action: Callable[[], object], *,
              accent: bool = False, **kwargs) -> KioskButton:
        theme = self.theme
        button = KioskButton(kid, theme, text=text,
                             background_color=theme.primary if accent else theme.tile, **kwargs)
        button.bind(on_release=lambda *_: self._edit(action))
        return button

    def _row(self, keys: list[Widget], width: float) -> BoxLayout:
        """One row of keys, centred on a `width`-key-wide grid so that rows line up."""
        row = BoxLayout(size_hint_y=None, height=self.theme.button_height_px, spacing=SPACING)
        side = max(0.0, (width - len(keys)) / 2)
        if side:
            row.add_widget(Widget(size_hint_x=side))
        for key in keys:
            row.add_widget(key)
        if side:
            row.add_widget(Widget(size_hint_x=side))
        return row

    def _char_key(self, ch: str) -> KioskButton:
        c = self.composer
        label = ch.upper() if (c.mode == "letters" and c.caps and ch.isalpha()) else ch
        return self._key(key_kid(ch), label, lambda: c.press(ch),
                         font_size=self.theme.tile_text_px)

    def _letter_rows(self) -> list[BoxLayout]:
        c = self.composer
        rows = [[self._char_key(ch) for ch in LETTER_ROWS[0]],
                [self._char_key(ch) for ch in LETTER_ROWS[1]],
                [self._char_key(ch) for ch in LETTER_ROWS[2]]]
        if c.mode == "pinyin":
            rows[1].append(self._char_key("'"))
        else:
            rows[2].insert(0, self._key("key_caps", "⇧", c.toggle_caps, accent=c.caps,
                                        font_size=self.theme.tile_text_px))
            rows[2].extend(self._char_key(ch) for ch in "@.-_")
        width = max(len(r) for r in rows)
        return [self._row(r, width) for r in rows]

    def _digit_pad(self) -> list[BoxLayout]:
        """A phone-style 3×4 pad: 1-2-3 on top, then [extra] 0 [delete]; any further extra
        characters (a decimal point after a minus sign) on a row of their own."""
        _ = self.app.translator.gettext
        c = self.composer
        width = 9  # the pad takes a third of the keyboard's width, centred
        rows = [[self._char_key(ch) for ch in digits] for digits in DIGIT_ROWS]
        extras = list(c.extras)
        first: Widget = self._char_key(extras.pop(0)) if extras else Widget()
        rows.append([first, self._char_key("0"),
                     self._key("key_back", _("Delete"), c.backspace, accent=True)])
        if extras:
            rows.append([self._char_key(ch) for ch in extras])
        return [self._row(r, width) for r in rows]

    def _bottom_bar(self) -> BoxLayout:
        _ = self.app.translator.gettext
        c = self.composer
        keys: list[Widget] = []
        if len(c.modes) > 1:
            labels = {"pinyin": _("Pinyin"), "letters": "ABC", "digits": "123"}
            for mode in c.modes:
                switch = self._key(f"kb_mode_{mode}", labels[mode], lambda m=mode: c.set_mode(m))
                if mode == c.mode:  # the current mode is shown inverted, like a pressed key
                    switch.background_color = self.theme.foreground
                    switch.color = self.theme.background
                keys.append(switch)
        if c.mode != "digits":
            keys.append(self._key("key_space", _("Space"), c.space, size_hint_x=3))
            keys.append(self._key("key_back", _("Delete"), c.backspace, accent=True))
        keys.append(self._key("key_clear", _("Clear"), c.clear, accent=True))
        done = KioskButton("key_done", self.theme, text=_("Done"),
                           background_color=self.theme.accent, size_hint_x=1.5)
        done.bind(on_release=lambda *_: self.on_done(self.composer.finish()))
        keys.append(done)
        return self._row(keys, len(keys))

    # -- candidates ----------------------------------------------------------------------------

    def _show_candidates(self) -> None:
        bar = self._candidate_bar
        if bar is None:
            return
        theme = self.theme
        c = self.composer
        bar.clear_widgets()
        if self._composing_label is not None:
            self._composing_label.text = c.composing_shown
        less = self._key("cand_less", "◀", c.prev_page, disabled=not c.has_prev_page,
                         font_size=theme.tile_text_px)
        bar.add_widget(less)
        page = c.candidates
        for i in range(c.page_size):
            if i < len(page):
                button = KioskButton(f"cand_{i}", theme, text=page[i].word,
                                     font_size=theme.tile_text_px,
                                     background_color=theme.background, color=theme.foreground,
                                     size_hint_x=max(1.0, len(page[i].word) / 2))
                button.bind(on_release=lambda _w, i=i: self._edit(lambda: c.choose(i)))
                bar.add_widget(button)
            else:
                bar.add_widget(Widget())
        more = self._key("cand_more", "▶", c.next_page, disabled=not c.has_next_page,
                         font_size=theme.tile_text_px)
        bar.add_widget(more)

    # -- editing -------------------------------------------------------------------------------

    def _edit(self, action: Callable[[], object]) -> None:
        before = self.composer.text
        action()
        if (self.composer.mode, self.composer.caps) != self._layout_for:
            self.refresh()
        else:
            self._show_candidates()
        if self.composer.text != before:
            self.on_change(self.composer.text)
