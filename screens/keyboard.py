"""The app's own on-screen keyboard: a bottom sheet with the input line, pinyin candidates,
letters or a digit pad.

Kivy's VKeyboard has no Chinese layout and TextInput's IME composition depends on SDL, so a
touch terminal draws its own. What is typed lives in a `kiosk.ime.composer.Composer`; this
widget only draws it and turns taps into composer calls. Every key has a `kid` for the UI
driver: `key_a`..`key_z`, `key_0`..`key_9`, `key_x` (X in digits), `key_sep` ('), `key_at`,
`key_dot`, `key_dash`, `key_underscore`, `key_caps`, `key_back`, `key_space`, `key_clear`,
`key_done`, `key_cancel` (when the screen gives `on_cancel`); candidates `cand_0`.. with
`cand_less`/`cand_more` and the pinyin being composed `kb_composing`; modes `kb_mode_<mode>`;
the sheet itself is `keyboard`.

The input line on top of the sheet shows what the citizen typed: the value with a caret
(`kb_value`), its length against the field's limit (`kb_length`, "12/18") and, below, the
field's format hint (`kb_hint`) or, after a refused value, the message (the screen's
`error_kid`) in the hint's place, so the value stays and nothing moves.

The sheet has one fixed height per field and theme (that of the tallest mode the field
allows): switching modes or a message appearing moves nothing, and in elder mode it still
leaves the header, the field and the first search results on a 1920×1080 screen. Its key rows
are `KEY_ROW_PX` high (≥ 15 mm, `MIN_TARGET_PX`) rather than the screen buttons' 1.5× in
elder mode, whose text grows instead. The pinyin index loads off the UI thread; until it is
there no candidates are shown, and the bar fills in by itself when it arrives.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock
from kivy.graphics import Color, Rectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget
from kivy.utils import escape_markup, get_hex_from_color

from kiosk.ime.composer import SHARED_IME, Composer, ImeLoader
from screens.theme import MIN_TARGET_PX, Theme
from screens.widgets import KioskButton, paint_background, repaint_background

LETTER_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
DIGIT_ROWS = ("123", "456", "789")
LETTER_DIGITS = "1234567890"  # the top row of the letters layout
SYMBOL_KIDS = {"'": "sep", "@": "at", ".": "dot", "-": "dash", "_": "underscore", "X": "x"}
CANDIDATES_PER_PAGE = 6
ELDER_CANDIDATES_PER_PAGE = 4
SPACING = 8
KEY_ROW_PX, ELDER_KEY_ROW_PX = 80, 88  # 20 / 22 mm: the sheet stays under half the screen
KEY_TEXT_SHARE = 0.62  # of a key's height: the glyph fits with its line spacing
CARET = "|"
HINT_SHARE = 0.75  # the hint's text against the theme's body text


def key_row_px(elder: bool) -> int:
    return max(MIN_TARGET_PX, ELDER_KEY_ROW_PX if elder else KEY_ROW_PX)


def _tail_that_fits(text: str, width: float, font_px: float) -> str:
    """The end of `text` that fits in `width` (CJK characters are about a font size wide,
    others a little over half), with "…" in front when it had to be cut: the caret end of a
    long value stays in sight."""
    room = width - font_px  # the caret and the ellipsis
    used, start = 0.0, len(text)
    while start > 0:
        ch = text[start - 1]
        w = font_px if ord(ch) > 0x2E80 else font_px * 0.6
        if used + w > room:
            return "…" + text[start:]
        used += w
        start -= 1
    return text


def key_kid(ch: str) -> str:
    return "key_" + SYMBOL_KIDS.get(ch, ch.lower())


class OnScreenKeyboard(BoxLayout):
    """Draws a `Composer` and edits it by touch; `on_change(text)` after every edit,
    `on_done(text)` when the citizen presses Done (pending pinyin goes in as letters)."""

    def __init__(self, app, composer: Composer, on_change: Callable[[str], None],
                 on_done: Callable[[str], None], loader: ImeLoader = SHARED_IME, *,
                 hint: str = "", error: str | None = None, error_kid: str = "kb_error",
                 on_cancel: Callable[[], None] | None = None, **kwargs) -> None:
        kwargs.setdefault("orientation", "vertical")
        kwargs.setdefault("spacing", SPACING)
        kwargs.setdefault("padding", SPACING)
        kwargs.setdefault("size_hint_y", None)
        super().__init__(**kwargs)
        self.kid = "keyboard"
        self.app = app
        self.composer = composer
        self.on_change = on_change
        self.on_done = on_done
        self.on_cancel = on_cancel
        self.hint = hint
        self.error = error
        self.error_kid = error_kid
        self._layout_for: tuple[str, bool] | None = None
        self._candidate_bar: BoxLayout | None = None
        self._composing_label: Label | None = None
        self._value_label: Label | None = None
        self._length_label: Label | None = None
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

    @property
    def elder(self) -> bool:
        return bool(getattr(getattr(self.app, "prefs", None), "elder_mode", False))

    @property
    def key_height(self) -> int:
        return key_row_px(self.elder)

    @property
    def key_text_px(self) -> int:
        return min(self.theme.tile_text_px, round(self.key_height * KEY_TEXT_SHARE))

    def refresh(self) -> None:
        """Rebuild everything for the current theme, language and mode."""
        theme = self.theme
        self.composer.page_size = (ELDER_CANDIDATES_PER_PAGE if self.elder
                                   else CANDIDATES_PER_PAGE)
        repaint_background(self, theme.background)
        self.clear_widgets()
        rows: list[Widget] = [self._input_line()]
        self._candidate_bar = self._composing_label = None
        if self.composer.mode == "pinyin":
            self._composing_label = Label(font_size=self.key_text_px, color=theme.foreground,
                                          size_hint_x=1.6, halign="left", valign="middle")
            self._composing_label.bind(size=lambda w, s: setattr(w, "text_size", s))
            self._composing_label.kid = "kb_composing"
            self._candidate_bar = BoxLayout(size_hint_y=None, height=self.key_height,
                                            spacing=SPACING)
            rows.append(self._candidate_bar)
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
        self._show_value()

    # -- the input line ------------------------------------------------------------------------

    def _value_px(self) -> int:
        """Larger than body text (elder mode's body text is large enough already)."""
        return self.theme.text_px if self.elder else round(self.theme.text_px * 1.25)

    def _hint_px(self) -> int:
        return round(self.theme.text_px * HINT_SHARE)

    def _input_line_height(self) -> int:
        return round(self._value_px() * 1.6 + self._hint_px() * 1.5)

    def _input_line(self) -> BoxLayout:
        """Value and caret, length, and under them the hint or the message (fixed height)."""
        theme = self.theme
        line = BoxLayout(orientation="vertical", size_hint_y=None,
                         height=self._input_line_height())
        line.kid = "kb_input"
        top = BoxLayout(spacing=SPACING * 2, size_hint_y=None,
                        height=round(self._value_px() * 1.6))
        value = Label(font_size=self._value_px(), color=theme.foreground, markup=True,
                      halign="left", valign="middle")
        value.bind(size=lambda w, s: (setattr(w, "text_size", s), self._show_value()))
        value.kid = "kb_value"
        length = Label(font_size=self._hint_px(), color=theme.foreground, size_hint_x=None,
                       width=self._hint_px() * 5, halign="right", valign="middle")
        length.bind(size=lambda w, s: setattr(w, "text_size", s))
        length.kid = "kb_length"
        top.add_widget(value)
        top.add_widget(length)
        self._value_label, self._length_label = value, length
        with line.canvas.after:  # an input looks like an input: a line under what is typed
            Color(*theme.foreground)
            underline = Rectangle(size=(0, 3))
        top.bind(pos=lambda w, p: setattr(underline, "pos", (w.x, w.y)),
                 size=lambda w, s: setattr(underline, "size", (w.width, 3)))
        line.add_widget(top)
        if self.error:
            note = Label(text=self.error, font_size=self._hint_px(), color=theme.accent,
                         halign="left", valign="middle")
            note.kid = self.error_kid
        else:
            note = Label(text=self.hint, font_size=self._hint_px(), color=theme.foreground,
                         halign="left", valign="middle", shorten=True, shorten_from="right")
            note.kid = "kb_hint"
        note.bind(size=lambda w, s: setattr(w, "text_size", s))
        line.add_widget(note)
        return line

    def _show_value(self) -> None:
        value, length = self._value_label, self._length_label
        if value is None or length is None:
            return
        c = self.composer
        shown = _tail_that_fits(c.text, value.width, self._value_px())
        caret = get_hex_from_color(self.theme.accent)
        value.text = f"{escape_markup(shown)}[color={caret}]{CARET}[/color]"
        count = len(c.text)
        length.text = f"{count}/{c.max_length}" if c.max_length is not None else str(count)

    # -- rows ----------------------------------------------------------------------------------

    def _rows_height(self, rows: list[Widget]) -> float:
        return sum(r.height for r in rows) + (len(rows) - 1) * SPACING + 2 * SPACING

    def _height_of(self, mode: str) -> float:
        key_h = self.key_height
        heights = [self._input_line_height()]
        if mode == "pinyin":
            heights += [key_h] * (1 + len(LETTER_ROWS) + 1)
        elif mode == "letters":
            heights += [key_h] * (1 + len(LETTER_ROWS) + 1)
        else:
            heights += [key_h] * (len(DIGIT_ROWS) + 1 + (len(self.composer.extras) > 2) + 1)
        return sum(heights) + (len(heights) - 1) * SPACING + 2 * SPACING

    def _key(self, kid: str, text: str, action: Callable[[], object], *,
              accent: bool = False, **kwargs) -> KioskButton:
        theme = self.theme
        kwargs.setdefault("height", self.key_height)
        kwargs.setdefault("font_size", self.key_text_px if len(text) == 1
                          else min(theme.text_px, self.key_text_px))
        button = KioskButton(kid, theme, text=text,
                             background_color=theme.primary if accent else theme.tile, **kwargs)
        button.bind(on_release=lambda *_: self._edit(action))
        return button

    def _row(self, keys: list[Widget], width: float) -> BoxLayout:
        """One row of keys, centred on a `width`-key-wide grid so that rows line up."""
        row = BoxLayout(size_hint_y=None, height=self.key_height, spacing=SPACING)
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
        return self._key(key_kid(ch), label, lambda: c.press(ch), font_size=self.key_text_px)

    def _letter_rows(self) -> list[BoxLayout]:
        c = self.composer
        rows = [[self._char_key(ch) for ch in LETTER_ROWS[0]],
                [self._char_key(ch) for ch in LETTER_ROWS[1]],
                [self._char_key(ch) for ch in LETTER_ROWS[2]]]
        if c.mode == "pinyin":
            rows[1].append(self._char_key("'"))
        else:  # codes mix letters and digits (统一社会信用代码): both on one layout
            rows.insert(0, [self._char_key(ch) for ch in LETTER_DIGITS])
            rows[3].insert(0, self._key("key_caps", "⇧", c.toggle_caps, accent=c.caps,
                                        font_size=self.key_text_px))
            rows[3].extend(self._char_key(ch) for ch in "@.-_")
        width = max(len(r) for r in rows)
        return [self._row(r, width) for r in rows]

    def _digit_pad(self) -> list[BoxLayout]:
        """A phone-style 3×4 pad: 1-2-3 on top, then [extra] 0 [delete]; with two extras (a
        minus sign and a decimal point) [extra] 0 [extra], Delete then on the bottom bar: a
        row of its own made the sheet a key row taller than the letters' and pushed the
        field's name over the header in elder mode. A third extra and on: a row of their own."""
        _ = self.app.translator.gettext
        c = self.composer
        width = 9  # the pad takes a third of the keyboard's width, centred
        rows = [[self._char_key(ch) for ch in digits] for digits in DIGIT_ROWS]
        extras = list(c.extras)
        first: Widget = self._char_key(extras.pop(0)) if extras else Widget()
        last: Widget = (self._char_key(extras.pop(0)) if self._delete_on_bar()
                        else self._key("key_back", _("Delete"), c.backspace, accent=True))
        rows.append([first, self._char_key("0"), last])
        if extras:
            rows.append([self._char_key(ch) for ch in extras])
        return [self._row(r, width) for r in rows]

    def _delete_on_bar(self) -> bool:
        """Delete is on the bottom bar in the letter modes, and on the digit pad's row unless
        two extra characters took its place."""
        return self.composer.mode != "digits" or len(self.composer.extras) > 1

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
        if self._delete_on_bar():
            keys.append(self._key("key_back", _("Delete"), c.backspace, accent=True))
        keys.append(self._key("key_clear", _("Clear"), c.clear, accent=True))
        if self.on_cancel is not None:
            cancel = KioskButton("key_cancel", self.theme, text=_("Cancel"),
                                 height=self.key_height, size_hint_x=1.2)
            cancel.bind(on_release=lambda *_: self.on_cancel())
            keys.append(cancel)
        done = KioskButton("key_done", self.theme, text=_("Done"), height=self.key_height,
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
            bar.add_widget(self._composing_label)
        less = self._key("cand_less", "◀", c.prev_page, disabled=not c.has_prev_page,
                         font_size=self.key_text_px)
        bar.add_widget(less)
        page = c.candidates
        for i in range(c.page_size):
            if i < len(page):
                button = KioskButton(f"cand_{i}", theme, text=page[i].word,
                                     font_size=self.key_text_px, height=self.key_height,
                                     background_color=theme.background, color=theme.foreground,
                                     size_hint_x=max(1.0, len(page[i].word) / 2))
                button.bind(on_release=lambda _w, i=i: self._edit(lambda: c.choose(i)))
                bar.add_widget(button)
            else:
                bar.add_widget(Widget())
        more = self._key("cand_more", "▶", c.next_page, disabled=not c.has_next_page,
                         font_size=self.key_text_px)
        bar.add_widget(more)

    # -- editing -------------------------------------------------------------------------------

    def _edit(self, action: Callable[[], object]) -> None:
        before = self.composer.text
        action()
        if (self.composer.mode, self.composer.caps) != self._layout_for:
            self.refresh()
        else:
            self._show_candidates()
            self._show_value()
        if self.composer.text != before:
            self.on_change(self.composer.text)
