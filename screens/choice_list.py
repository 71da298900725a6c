"""A page of one of the citizen's lists (certificates, fees, applications to rate or follow,
services to book, free times, reasons for a reprint, a form field's options), laid out in kv
(screens/choice_list.kv) over screens/choices.py's plain choices.

The rows' buttons are made once and then restyled in place: a list is drawn again for its
skeleton, its answer, a page turned, a language or a mode, and each of those rebuilt every
button. Rows start under the step bar: a list that hugged the bottom of the body left the
space under the bar empty, as if something had not come.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from screens.choices import Choice
from screens.paging import Pager
from screens.widgets import KioskButton, escape, with_detail

Builder.load_file(str(Path(__file__).with_name("choice_list.kv")))

ROW_PADDING_PX = 24  # above and below a row's lines, inside its button


@dataclass(frozen=True)
class Heading:
    """A line above the rows: what to choose (a prompt), or what the choice is for (the
    certificate a reprint is asked for). `rows`: its height, in lines of its size."""

    words: str
    kid: str = "list_prompt"
    size: Literal["text", "title"] = "text"
    rows: float = 2.0


class ChoiceList(BoxLayout):
    """`share`: the rows share the body's height (their lines wrap: a fixed height cut an
    application's first and last line); otherwise each is as tall as the tallest row's lines
    and a page holds as many as fit (`Pager.fit`)."""

    def __init__(self, screen: Any, on_choose: Callable[[str], None], *, share: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.screen = screen
        self.on_choose = on_choose
        self.share = share
        self.shown: list[Choice] = []
        self._buttons: list[KioskButton] = []
        self._heading: Label | None = None
        self._fillers: list[Widget] = []
        self._grid: GridLayout | None = None  # the rows, when more than one to a row
        screen.kept_parts.append(self)  # let go with the screen at a visit's end

    def show(self, choices: Sequence[Choice], pager: Pager, heading: Heading | None = None, *,
             cols: int = 1, row_px: float | None = None, room: float | None = None
             ) -> ChoiceList:
        """This page of `choices` (under `heading`, if any; `cols` to a row, each row
        `row_px` tall or as the tallest row's lines; in `room` px, the body's by default), on
        the buttons kept; returns itself for the screen's body to add."""
        screen, theme = self.screen, self.screen.app.theme
        if self.parent is not None:  # the body it was in last time is gone
            self.parent.remove_widget(self)
        self.clear_widgets()
        room = screen.body_room if room is None else room
        if heading is not None:
            label = self._heading_label(heading)
            self.add_widget(label)
            room -= label.height + self.spacing
        height = None
        if not self.share:
            height = row_px or max([theme.button_height_px,
                                    *(screen.lines_height(c.words, padding=ROW_PADDING_PX)
                                      for c in choices)])
            pager.fit(height, self.spacing, room, per_row=cols)
        self.shown = list(pager.shown(choices))
        rows = [self._row(index, choice, height) for index, choice in enumerate(self.shown)]
        if cols > 1 and height is not None:
            grid = self._grid_of(cols, -(-len(rows) // cols), height)
            for row in rows:
                grid.add_widget(row)
            self.add_widget(grid)
        else:
            for row in rows:
                self.add_widget(row)
        fillers = pager.per_page - len(self.shown) if self.share else 1
        for filler in self._filler_widgets(fillers):
            self.add_widget(filler)
        return self

    def _row(self, index: int, choice: Choice, height: float | None) -> KioskButton:
        theme, role = self.screen.app.theme, "primary" if choice.primary else "secondary"
        words, markup = choice.words, bool(choice.detail) or choice.selected
        if choice.detail:  # platform words, escaped: a "[" in a name is text, not markup
            words = with_detail(words, choice.detail, theme.small_px)
        elif markup:  # the ✓ of a selected one is markup
            words = escape(words)
        if index < len(self._buttons):
            button = self._buttons[index]
            if button.parent is not None:  # the grid it was in, when more than one to a row
                button.parent.remove_widget(button)
            button.kid, button.base_role = choice.kid, role
            button.markup = markup
            button.disabled = self.screen.busy  # before restyle, which draws that state
            button.restyle(theme, words, selected=choice.selected)
        else:
            button = self.screen.button(choice.kid, words,
                                        lambda i=index: self._chosen(i), role=role,
                                        markup=markup, selected=choice.selected,
                                        **({"size_hint_y": 1} if self.share else {}),
                                        **({"height": height} if height is not None else {}))
            self._buttons.append(button)
        if height is not None:
            button.height = height
        return button

    def _grid_of(self, cols: int, rows: int, height: float) -> GridLayout:
        if self._grid is None:
            self._grid = GridLayout(size_hint_y=None)
        grid = self._grid
        grid.clear_widgets()
        grid.cols, grid.spacing = cols, self.spacing
        grid.height = rows * height + (rows - 1) * self.spacing
        return grid

    def let_go(self) -> None:
        """The session ended: its rows go (their words were the citizen's)."""
        if self.parent is not None:
            self.parent.remove_widget(self)
        self.clear_widgets()
        if self._grid is not None:
            self._grid.clear_widgets()
        if self._heading is not None:  # a heading may name the citizen's certificate
            self._heading.text = ""
        self.shown, self._buttons = [], []

    def _chosen(self, index: int) -> None:
        if index < len(self.shown):
            self.on_choose(self.shown[index].key)

    def _heading_label(self, heading: Heading) -> Label:
        theme = self.screen.app.theme
        px = theme.title_px if heading.size == "title" else theme.text_px
        if self._heading is None:
            self._heading = self.screen.label(heading.words)
        label = self._heading
        label.kid, label.text, label.color = heading.kid, heading.words, theme.foreground
        label.font_size, label.size_hint_y, label.height = px, None, px * heading.rows
        return label

    def _filler_widgets(self, count: int) -> list[Widget]:
        while len(self._fillers) < count:
            self._fillers.append(Widget())
        return self._fillers[:max(0, count)]
