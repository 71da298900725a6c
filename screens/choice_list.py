"""A page of one of the citizen's lists (certificates, fees, applications to rate or follow),
laid out in kv (screens/choice_list.kv) over screens/choices.py's plain choices.

The rows' buttons are made once and then restyled in place: a list is drawn again for its
skeleton, its answer, a page turned, a language or a mode, and each of those rebuilt every
button. Rows start under the step bar: a list that hugged the bottom of the body left the
space under the bar empty, as if something had not come.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from screens.choices import Choice
from screens.paging import Pager
from screens.widgets import KioskButton

Builder.load_file(str(Path(__file__).with_name("choice_list.kv")))

ROW_PADDING_PX = 24  # above and below a row's lines, inside its button


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
        self._prompt: Label | None = None
        self._fillers: list[Widget] = []

    def show(self, choices: Sequence[Choice], pager: Pager, prompt: str | None = None
             ) -> ChoiceList:
        """This page of `choices` (under `prompt`, if any), on the buttons kept; returns
        itself for the screen's body to add."""
        screen, theme = self.screen, self.screen.app.theme
        if self.parent is not None:  # the body it was in last time is gone
            self.parent.remove_widget(self)
        self.clear_widgets()
        room = screen.body_room
        if prompt is not None:
            label = self._prompt_label(prompt)
            self.add_widget(label)
            room -= label.height + self.spacing
        height = None
        if not self.share:
            height = max([theme.button_height_px,
                          *(screen.lines_height(c.words, padding=ROW_PADDING_PX)
                            for c in choices)])
            pager.fit(height, self.spacing, room)
        self.shown = list(pager.shown(choices))
        for index, choice in enumerate(self.shown):
            self.add_widget(self._row(index, choice, height))
        fillers = pager.per_page - len(self.shown) if self.share else 1
        for filler in self._filler_widgets(fillers):
            self.add_widget(filler)
        return self

    def _row(self, index: int, choice: Choice, height: float | None) -> KioskButton:
        theme, role = self.screen.app.theme, "primary" if choice.primary else "secondary"
        if index < len(self._buttons):
            button = self._buttons[index]
            button.kid, button.base_role = choice.kid, role
            button.disabled = self.screen.busy  # before restyle, which draws that state
            button.restyle(theme, choice.words)
        else:
            button = self.screen.button(choice.kid, choice.words,
                                        lambda i=index: self._chosen(i), role=role,
                                        **({"size_hint_y": 1} if self.share else {}),
                                        **({"height": height} if height is not None else {}))
            self._buttons.append(button)
        if height is not None:
            button.height = height
        return button

    def let_go(self) -> None:
        """The session ended: its rows go (their words were the citizen's)."""
        if self.parent is not None:
            self.parent.remove_widget(self)
        self.clear_widgets()
        self.shown, self._buttons = [], []

    def _chosen(self, index: int) -> None:
        if index < len(self.shown):
            self.on_choose(self.shown[index].key)

    def _prompt_label(self, words: str) -> Label:
        theme = self.screen.app.theme
        if self._prompt is None:
            self._prompt = self.screen.label(words, kid="list_prompt", height=theme.text_px * 2)
        label = self._prompt
        label.text, label.font_size, label.color = words, theme.text_px, theme.foreground
        label.height = theme.text_px * 2
        return label

    def _filler_widgets(self, count: int) -> list[Widget]:
        while len(self._fillers) < count:
            self._fillers.append(Widget())
        return self._fillers[:max(0, count)]
