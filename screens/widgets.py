"""The few widgets every screen uses. `kid` names a widget for the UI driver (tests, demo)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from kivy.graphics import Color, Rectangle
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from screens.theme import MIN_TARGET_PX, Theme, readable_on


def find(root: Widget, kid: str) -> Widget | None:
    for widget in root.walk():
        if getattr(widget, "kid", None) == kid:
            return widget
    return None


_MARKUP = re.compile(r"\[/?[a-z_]+(=[^\]]*)?\]")


def texts(root: Widget) -> list[str]:
    """Every line of text a person sees on `root` (markup removed)."""
    lines: list[str] = []
    for widget in root.walk():
        if isinstance(widget, Label) and widget.text:
            text = _MARKUP.sub("", widget.text) if widget.markup else widget.text
            lines.extend(line for line in text.splitlines() if line.strip())
    return lines


class KioskButton(Button):
    def __init__(self, kid: str, theme: Theme, **kwargs) -> None:
        kwargs.setdefault("font_size", theme.text_px)
        kwargs.setdefault("size_hint_y", None)
        kwargs.setdefault("height", theme.button_height_px)
        kwargs.setdefault("background_normal", "")
        kwargs.setdefault("background_color", theme.tile)
        automatic = "color" not in kwargs
        if automatic:
            kwargs["color"] = readable_on(kwargs["background_color"])
        super().__init__(**kwargs)
        if automatic:  # the text follows its background (a selected key, high contrast)
            self.bind(background_color=lambda w, bg: setattr(w, "color", readable_on(bg)))
        self.kid = kid
        self.min_state_time = 0.05
        assert self.height >= MIN_TARGET_PX


def paint_background(widget: Widget, rgba: tuple[float, float, float, float]) -> None:
    with widget.canvas.before:
        widget._bg_colour = Color(*rgba)
        widget._bg_rect = Rectangle(pos=widget.pos, size=widget.size)
    widget.bind(pos=lambda w, p: setattr(w._bg_rect, "pos", p),
                size=lambda w, s: setattr(w._bg_rect, "size", s))


def repaint_background(widget: Widget, rgba: tuple[float, float, float, float]) -> None:
    widget._bg_colour.rgba = rgba


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


def action_button(theme: Theme, kid: str, text: str, callback: Callable[[], None], *,
                  busy: Callable[[], bool], primary: bool = False, disabled: bool = False,
                  **kwargs: Any) -> KioskButton:
    """A screen's button: wrapped, centred text; it does nothing while its screen is `busy`
    (a second tap during blocking work is not a second action)."""
    kwargs.setdefault("background_color", theme.accent if primary else theme.tile)
    widget = KioskButton(kid, theme, text=text, disabled=disabled or busy(), **kwargs)
    widget.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 20, None)))
    widget.halign = "center"
    widget.bind(on_release=lambda *_: None if busy() else callback())
    return widget
