"""A screen's lines of text (screens/lines.py), laid out in kv (screens/line_stack.kv).

The labels are made once per visit and restyled in place for a page turned, a language or a
mode; each is as tall as its words wrap at the body's width, so a long name in English or at
elder mode's sizes takes the lines it needs instead of overprinting its neighbours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from screens.help import help_button
from screens.lines import STATUS_ICONS, Line
from screens.widgets import fit_to_lines, with_icon, wrapped_height

Builder.load_file(str(Path(__file__).with_name("line_stack.kv")))

STAFF_SPACING = 20  # between a line that asks for staff and the button, as beside a problem


def style_line(screen: Any, label: Label, line: Line, width: float, crowded: bool = False) -> Label:
    """`label` saying `line` in the screen's theme, as tall as its words at `width`.
    `crowded`: the lines did not fit the body at their sizes, so a `shrink` title takes the
    text's size."""
    theme = screen.app.theme
    px = theme.title_px if line.size == "title" else theme.text_px
    label.kid = line.kid
    if line.status is not None:
        label.markup, label.text = True, with_icon(STATUS_ICONS[line.status], line.words)
        label.color = getattr(theme, line.status)
    else:
        label.markup, label.text, label.color = False, line.words, theme.foreground
    label.font_size = px
    if line.shrink and line.size == "title" and (
            crowded or wrapped_height(label, width) > px * 1.5):  # over one line at this size
        label.font_size = px = theme.text_px
    if line.em is None:
        label.size_hint_y = 1
        return label
    label.size_hint_y, label.height = None, px * line.em
    return fit_to_lines(label, width)


def _detached(widget: Widget) -> Widget:
    if widget.parent is not None:
        widget.parent.remove_widget(widget)
    return widget


class LineStack(BoxLayout):
    def __init__(self, screen: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.screen = screen
        self._labels: list[Label] = []
        self._filler = Widget()
        screen.kept_parts.append(self)  # let go with the screen at a visit's end

    def heights(self, lines: Sequence[Line], width: float | None = None) -> list[float]:
        """The px `lines` take as they wrap now at `width` (the body's by default): for a
        screen that pages what goes between them (the receipt's details) by the room they
        leave."""
        width = self.screen.body_width if width is None else width
        self._enough_labels(len(lines))
        return [self._placed(label, line, width).height
                for label, line in zip(self._labels, lines)]

    def show(self, lines: Sequence[Line], width: float | None = None, *,
             tight: bool = False) -> LineStack:
        """`lines` on the labels kept, wrapped at `width` (the body's by default: less beside
        a picture); returns itself for the screen's body to add. `tight`: just as tall as the
        lines (for a stack above other parts of the body), else the rest of the body's height
        stays below them or goes to a line that shares it."""
        if self.parent is not None:  # the body it was in last time is gone
            self.parent.remove_widget(self)
        self.clear_widgets()
        width = self.screen.body_width if width is None else width
        self._enough_labels(len(lines))
        sharing = self._sharing_heights(lines, width) if not tight else {}
        placed = [self._placed(label, line, width) for label, line in zip(self._labels, lines)]
        if not tight and self._crowded(lines, placed, sharing):
            placed = [self._placed(label, line, width, crowded=True)
                      for label, line in zip(self._labels, lines)]
        for widget in placed:
            self.add_widget(widget)
        if tight:
            self.size_hint_y = None
            self.height = self._stacked([w.height for w in placed])
        else:
            self.size_hint_y = 1
            if all(line.em is not None for line in lines):
                self.add_widget(self._filler)  # the rest of the height stays below the text
        return self

    def _shrinks(self, lines: Sequence[Line]) -> bool:
        return self.screen.body_room > 0 and any(line.shrink and line.size == "title"
                                                 for line in lines)

    def _sharing_heights(self, lines: Sequence[Line], width: float) -> dict[int, float]:
        """How tall the words of each line that shares the rest of the height are (only
        where a title may shrink: the other lines' heights are known once placed)."""
        if not self._shrinks(lines):
            return {}
        return {n: self._placed(label, replace(line, em=0), width).height
                for n, (label, line) in enumerate(zip(self._labels, lines)) if line.em is None}

    def _crowded(self, lines: Sequence[Line], placed: Sequence[Widget],
                 sharing: dict[int, float]) -> bool:
        """Do the lines, each as tall as its words or its least height, run past the body's
        room with their `shrink` titles at the title's size?"""
        if not self._shrinks(lines):
            return False
        heights = [sharing.get(n, widget.height) for n, widget in enumerate(placed)]
        return self._stacked(heights) > self.screen.body_room

    def _stacked(self, heights: Sequence[float]) -> float:
        """The height of lines this tall, one above the other."""
        return sum(heights) + self.spacing * max(0, len(heights) - 1)

    def _placed(self, label: Label, line: Line, width: float, crowded: bool = False) -> Widget:
        """The line's label, or for a line that asks for staff a row of it and the button
        that calls them (as tall as the taller)."""
        _detached(label)
        if not line.staff:
            return style_line(self.screen, label, line, width, crowded)
        staff = help_button(self.screen.app, kid=f"call_staff_{line.kid}",
                            pos_hint={"center_y": 0.5})
        style_line(self.screen, label, line, width - staff.width - STAFF_SPACING, crowded)
        row = BoxLayout(spacing=STAFF_SPACING)
        if line.em is not None:
            row.size_hint_y, row.height = None, max(label.height, staff.height)
        row.add_widget(label)
        row.add_widget(staff)
        return row

    def _enough_labels(self, count: int) -> None:
        while len(self._labels) < count:
            self._labels.append(self.screen.label(""))

    def let_go(self) -> None:
        """The session ended: the words go (a name, an amount, a booking code)."""
        if self.parent is not None:
            self.parent.remove_widget(self)
        self.clear_widgets()
        self._labels = []

