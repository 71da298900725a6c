"""A question drawn above the screen: the idle warning, "exit and lose what you entered?",
"put your ID card back".

A modal view on the window, never a widget inserted into the screen's layout, so nothing under
the citizen's finger moves when it appears (tests/ui/test_session_dialogs.py compares every
widget's position before and after). While it is open it takes every touch: a tap meant for a
button underneath only answers the question (the app's window-level touch handler still sees it
and extends the session).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kivy.graphics import Color, Line
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.layout import Layout
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget

from screens.theme import Role
from screens.widgets import (action_button, paint_background, repaint_background, text_label,
                             wrapped_height)

Choice = tuple[str, str, Callable[[], None], Role | bool]  # kid, words, callback, role
EDGE_PX = 3
BOX_PADDING = 40


class Dialog(ModalView):
    """One question with a live detail line (`set_detail`, e.g. the seconds left) and choices."""

    def __init__(self, app, kid: str, **kwargs) -> None:
        kwargs.setdefault("auto_dismiss", False)
        kwargs.setdefault("size_hint", (0.62, None))
        kwargs.setdefault("background", "")
        kwargs.setdefault("background_color", (0, 0, 0, 0))
        kwargs.setdefault("overlay_color", (0, 0, 0, 0.55))
        super().__init__(**kwargs)
        self.app = app
        self.kid = kid
        self._anim_duration = 0  # appears at once: a fade is time the citizen does not have
        self.box = BoxLayout(orientation="vertical", padding=BOX_PADDING, spacing=28)
        paint_background(self.box, app.theme.background)
        with self.box.canvas.after:  # an edge that shows in every mode (black on black too)
            self._edge_colour = Color(*app.theme.foreground)
            self._edge = Line(width=EDGE_PX)
        self.box.bind(pos=self._place_edge, size=self._place_edge)
        self.add_widget(self.box)
        self.detail: Widget | None = None
        self._detail_kid = ""
        self._title = ""
        self._choices: Sequence[Choice] = ()
        self._detail_lines = 3.4

    @property
    def is_open(self) -> bool:
        return bool(self._is_open)

    def show(self, title: str, detail: str, detail_kid: str, choices: Sequence[Choice],
             detail_lines: float = 3.4) -> None:
        """Draw the question (again, e.g. in another language) and open it if closed.
        `detail_lines`: the height the detail takes, in lines of text."""
        self._title, self._detail_kid, self._choices = title, detail_kid, choices
        self._detail_lines = detail_lines
        self._draw(detail)
        if not self._is_open:
            self.open(animation=False)
        self._lay_out_now()

    def _lay_out_now(self) -> None:
        """Place every button before the next touch can arrive (Kivy lays out on the next
        frame; a finger quicker than that would land where a button is not yet)."""
        for widget in self.walk():
            if isinstance(widget, Layout):
                widget.do_layout()

    def set_detail(self, text: str) -> None:
        """Only the detail line changes (each second of a countdown): no relayout."""
        if self.detail is not None:
            self.detail.text = text

    def restyle(self) -> None:
        """The theme changed (elder mode, high contrast) while open."""
        if self._is_open and self.detail is not None:
            self._draw(self.detail.text)
            self._lay_out_now()

    def _text_width(self) -> float:
        """The width the box gives its text: the dialog's share of the window (the screens'
        manager fills it), less padding."""
        return self.app.manager.width * self.size_hint_x - 2 * BOX_PADDING

    def _place_edge(self, box: Widget, _value: object) -> None:
        self._edge.rectangle = (box.x, box.y, box.width, box.height)

    def close(self) -> None:
        self.dismiss(animation=False)

    def _draw(self, detail: str) -> None:
        theme = self.app.theme
        box = self.box
        box.clear_widgets()
        repaint_background(box, theme.background)
        self._edge_colour.rgba = theme.foreground
        title = text_label(theme, self._title, size=theme.title_px, kid=f"{self.kid}_title",
                           height=theme.title_px * 1.8, halign="center")
        # two lines where the words need them ("Put your ID card back to continue" at elder
        # mode's size overran a one-line title by 80 px)
        title.height = max(theme.title_px * 1.8, wrapped_height(title, self._text_width())
                           + theme.title_px * 0.4)
        box.add_widget(title)
        self.detail = text_label(theme, detail, kid=self._detail_kid, halign="center",
                                 height=theme.text_px * self._detail_lines)
        box.add_widget(self.detail)
        bar = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=28)
        for kid, words, callback, role in self._choices:
            bar.add_widget(action_button(theme, kid, words, callback, busy=lambda: False,
                                         role=role))
        if bar.children:
            box.add_widget(bar)
        box.height = (title.height + theme.text_px * self._detail_lines
                      + (theme.button_height_px + 28 if bar.children else 0) + 80 + 28)
        self.height = box.height
