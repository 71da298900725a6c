"""The few widgets every screen uses. `kid` names a widget for the UI driver (tests, demo)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from kivy.graphics import Color, Line, Rectangle
from kivy.uix.label import Label
from kivy.uix.layout import Layout
from kivy.uix.widget import Widget

from screens.fonts import ICON_FONT, ICONS
from screens.glass import InkButton, draw_fill_opaque
from screens.theme import MIN_TARGET_PX, Role, Theme, readable_on


def find(root: Widget, kid: str) -> Widget | None:
    for widget in root.walk():
        if getattr(widget, "kid", None) == kid:
            return widget
    return None


MARKUP_TAG = re.compile(r"\[/?[a-z_]+(=[^\]]*)?\]")
_ICON = re.compile(r"\[font=" + ICON_FONT + r"\][^\[]*\[/font\] ?")


def icon(name: str, size: int | None = None) -> str:
    """Markup for one glyph of the icon font (screens.fonts; names as in its codepoints)."""
    glyph = f"[font={ICON_FONT}]{ICONS[name]}[/font]"
    return f"[size={size}]{glyph}[/size]" if size else glyph


def with_icon(name: str, text: str, size: int | None = None) -> str:
    """An icon before `text` (escaped): give it to a widget with `markup=True`."""
    return f"{icon(name, size)} {escape(text)}"


def fitting_px(texts: Sequence[str], largest: float, smallest: float, width: float,
               height: float) -> int:
    """The largest font size from `largest` down to `smallest` at which `texts`, each wrapped
    to `width`, take at most `height`: a message of staff's own words can be 200 characters,
    and must still fit the glass in elder mode. An estimate from glyph widths (a Chinese
    character one em, anything else about half), with room for line spacing."""
    ems = [sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)
           for text in texts]
    px = largest
    while px > smallest:
        lines = sum(max(1, math.ceil(e * px / width)) for e in ems)
        if lines * px * 1.3 <= height:
            break
        px *= 0.9
    return round(max(px, smallest))


def laid_out_characters(label: Label) -> tuple[int, int]:
    """(characters Kivy laid out, characters of the text) for `label` as last rendered, blanks
    not counted: fewer laid out means lines were left out without a mark (a label with
    `max_lines` or a fixed height and no `shorten` drops those that do not fit)."""
    laid_out = getattr(label._label, "_cached_lines", None) or []
    shown = sum(len("".join(word.text.split())) for line in laid_out for word in line.words)
    text = label.text
    if label.markup:  # as Kivy shows it: no tags, each escape one character
        text = unescape(MARKUP_TAG.sub("", text))
    return shown, len("".join(text.split()))


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


def with_detail(words: str, detail: str, px: int) -> str:
    """`words` over a smaller `detail` line at `px`, both escaped (a platform's name and
    department: a "[font=…]" in them would name a file): give it to a widget with
    `markup=True`."""
    return f"{escape(words)}\n[size={px}]{escape(detail)}[/size]"


def unescape(text: str) -> str:
    """`escape` undone: what Kivy shows for a markup text's escapes."""
    return text.replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&")


def texts(root: Widget) -> list[str]:
    """Every line of text a person sees on `root` (markup removed)."""
    lines: list[str] = []
    for widget in root.walk():
        if isinstance(widget, Label) and widget.text:
            text = MARKUP_TAG.sub("", _ICON.sub("", widget.text)) if widget.markup else widget.text
            text = unescape(text)
            lines.extend(line for line in text.splitlines() if line.strip())
    return lines


def as_role(role: Role | bool) -> Role:
    """A screen's action names its role; `True`/`False` (the former "primary?" flag) still
    mean primary/secondary."""
    if isinstance(role, bool):
        return "primary" if role else "secondary"
    return role


class KioskButton(InkButton):
    """A control drawn in its `role` (screens.theme): fill, text colour and a visible edge.
    `selected` draws the selected role's thick edge and a ✓ before the text. An explicit
    `background_color` (a keyboard key) keeps its edge and gets readable text."""

    def __init__(self, kid: str, theme: Theme, role: Role = "secondary", *,
                 selected: bool = False, **kwargs) -> None:
        style = theme.role("selected" if selected else role)
        kwargs.setdefault("font_size", theme.text_px)
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", theme.button_height_px)
        kwargs.setdefault("background_normal", "")
        kwargs.setdefault("background_down", "")
        kwargs.setdefault("background_disabled_normal", "")
        kwargs.setdefault("background_disabled_down", "")
        if selected:  # markup from the caller is kept; plain text is escaped
            text = kwargs.get("text", "")
            kwargs["text"] = f"{icon('check')} {text if kwargs.get('markup') else escape(text)}"
            kwargs["markup"] = True
        automatic = "color" not in kwargs and "background_color" in kwargs
        kwargs.setdefault("background_color", style.fill)
        kwargs.setdefault("color", readable_on(kwargs["background_color"]) if automatic
                          else style.text)
        disabled = theme.role("disabled")
        kwargs.setdefault("disabled_color", disabled.text)
        super().__init__(**kwargs)
        draw_fill_opaque(self)
        if automatic:  # the text follows its background (a selected key, high contrast)
            self.bind(background_color=lambda w, bg: setattr(w, "color", readable_on(bg)))
        self.kid = kid
        self.base_role = role  # the role it has when not selected (restyle)
        self.role = "selected" if selected else role
        self.min_state_time = 0.05
        # A pressed control darkens: the finger sees it land. The shade has no area while the
        # control is up: a software-rendered panel pays for every pixel of every quad, even a
        # transparent one (issue 16: a frame's cost grows with the area drawn).
        with self.canvas.before:
            self._press = Color(0, 0, 0, 0.18)
            self._press_rect = Rectangle(pos=self.pos, size=(0, 0))
        with self.canvas.after:
            self._edge_colour = Color(*style.border)
            self._edge = Line(width=style.border_px / 2 + 0.5)
        self._edge_px = style.border_px
        self._disabled_style = disabled
        self.bind(pos=self._place, size=self._place, state=self._pressed,
                  disabled=self._greyed)
        self._greyed(self, self.disabled)
        assert self.height >= MIN_TARGET_PX

    def restyle(self, theme: Theme, text: str, *, selected: bool = False,
                font_size: int | None = None) -> None:
        """The same button in another theme, language or selection, drawn in place (a screen
        that rebuilt its buttons for a switch spent most of a tap's time creating widgets).
        `text` is markup, as the button was made with; a selected one gets its ✓ here."""
        style = theme.role("selected" if selected else self.base_role)
        disabled = theme.role("disabled")
        self.role = "selected" if selected else self.base_role
        self.text = f"{icon('check')} {text}" if selected else text
        self.font_size = font_size or theme.text_px
        if self.size_hint_y is None:  # a tile takes its height from its grid
            self.height = theme.button_height_px
            assert self.height >= MIN_TARGET_PX
        self.color, self.disabled_color = style.text, disabled.text
        self._disabled_style, self._edge_px = disabled, style.border_px
        self._edge.width = style.border_px / 2 + 0.5
        if self.disabled:
            self._fill_before_disabled = style.fill
            self.background_color = disabled.fill
            self._edge_colour.rgba = disabled.border
        else:
            self.background_color = style.fill
            self._edge_colour.rgba = style.border
        self._place()

    def _place(self, *_args: Any) -> None:
        inset = self._edge_px / 2
        self._edge.rectangle = (self.x + inset, self.y + inset,
                                max(0.0, self.width - 2 * inset),
                                max(0.0, self.height - 2 * inset))
        self._press_rect.pos = self.pos
        self._press_rect.size = self.size if self.state == "down" else (0, 0)

    def _pressed(self, _w: Widget, _state: str) -> None:
        self._place()

    def _greyed(self, _w: Widget, disabled: bool) -> None:
        if disabled:
            self.background_disabled_normal = ""
            self._fill_before_disabled = self.background_color
            self.background_color = self._disabled_style.fill
            self._edge_colour.rgba = self._disabled_style.border
        elif hasattr(self, "_fill_before_disabled"):
            self.background_color = self._fill_before_disabled


def lay_out_now(root: Widget, screen: Widget | None = None) -> None:
    """Place every widget under `root` at once, parents before children (Kivy lays out on the
    next frame: a touch quicker than that lands where a widget is not yet). `screen`, the
    screen `root` fills: a screen about to be shown takes its manager's size first (one that
    was never on the glass is still Kivy's default 100×100)."""
    manager = getattr(screen, "manager", None)
    if screen is not None and manager is not None:
        screen.size = manager.size
        root.size = screen.size
    for widget in root.walk():
        if isinstance(widget, Layout):
            widget.do_layout()


def paint_background(widget: Widget, rgba: tuple[float, float, float, float]) -> None:
    with widget.canvas.before:
        widget._bg_colour = Color(*rgba)
        widget._bg_rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(pos=lambda w, p: setattr(w._bg_rect, "pos", p),
                size=lambda w, s: setattr(w._bg_rect, "size", s))


def paint_ground(widget: Widget, rgba: tuple[float, float, float, float]) -> None:
    """A screen's bottom layer, painted as the window's clear colour (every frame clears the
    window anyway) rather than a rectangle over it: under software GL a window-sized fill costs
    about a third of a frame (bench/ui_bench.py stall). `_bg_colour` is kept, undrawn, as the
    fill screens.inspect measures contrast on; `show_ground` applies it when its screen shows."""
    widget._bg_colour = Color(*rgba)
    widget._ground = True


def show_ground(screen: Widget) -> None:
    """Clear the window in the colour of `screen`'s ground (called as the screen comes on)."""
    for child in screen.children:
        if getattr(child, "_ground", False):
            from kivy.core.window import Window  # imported late: the window exists by now

            Window.clearcolor = tuple(child._bg_colour.rgba)


def repaint_background(widget: Widget, rgba: tuple[float, float, float, float]) -> None:
    widget._bg_colour.rgba = rgba
    if getattr(widget, "_ground", False) and widget.get_root_window() is not None:
        from kivy.core.window import Window

        Window.clearcolor = tuple(rgba)  # the ground of the screen on the glass, restyled


def text_label(theme: Theme, text: str, *, size: int | None = None, kid: str | None = None,
               height: float | None = None, **kwargs: Any) -> Label:
    """Text that wraps to its width (optionally a fixed height); left-aligned and vertically
    centred unless the caller says otherwise (`halign`, `valign`)."""
    kwargs.setdefault("halign", "left")
    kwargs.setdefault("valign", "middle")
    widget = Label(text=text, font_size=size or theme.text_px, color=theme.foreground, **kwargs)
    widget.bind(size=lambda w, s: setattr(w, "text_size", (s[0], None)))
    if height is not None:
        widget.size_hint_y = None
        widget.height = height
    if kid:
        widget.kid = kid
    return widget


def wrapped_height(label: Label, width: float) -> float:
    """The height `label`'s text takes wrapped at `width`, measured as Kivy will draw it: for
    a line whose words (another language, elder mode's sizes) may need more lines than its
    usual height holds."""
    label.text_size = (width, None)
    label.texture_update()
    return float(label.texture_size[1])


def fit_to_lines(label: Label, width: float) -> Label:
    """`label` as tall as its text wraps at `width`, never shorter than it was made: the one
    way a line whose words may run longer (English, elder mode's sizes, a platform's long
    name) gets the lines it needs instead of being cut or overprinting its neighbours."""
    label.height = max(label.height, wrapped_height(label, width))
    return label


def action_button(theme: Theme, kid: str, text: str, callback: Callable[[], None], *,
                  busy: Callable[[], bool], role: Role | bool = "secondary",
                  selected: bool = False, disabled: bool = False,
                  **kwargs: Any) -> KioskButton:
    """A screen's button in its role (primary: continue; secondary; danger: exit, delete):
    wrapped, centred text; it does nothing while its screen is `busy` (a second tap during
    blocking work is not a second action)."""
    widget = KioskButton(kid, theme, as_role(role), selected=selected, text=text,
                         disabled=disabled or busy(), **kwargs)
    widget.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 20, None)))
    widget.halign = "left" if role == "field" else "center"  # a field reads like one
    widget.bind(on_release=lambda *_: None if busy() else callback())
    return widget
