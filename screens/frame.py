"""The frame around every citizen screen, written in kv (screens/frame.kv) over the plain data
of screens/frame_model.py: a status line (hall, date and weekday, time, terminal number, the
session's time left), the actions every screen offers (language, home, call staff, exit), the
title and, on a multi-step journey, the numbered step bar.

The clock and the timer tick here, once a second, only while the header is on the window;
they change texts of fixed-size labels, so nothing on the screen moves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import ColorProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.session import SessionEnded
from screens.frame_model import StatusLine, Step, StepItem, step_items
from screens.theme import Theme
from screens.widgets import action_button, icon, with_icon

Builder.load_file(str(Path(__file__).with_name("frame.kv")))



class StatusBlock(BoxLayout):
    hall = StringProperty("")
    terminal = StringProperty("")
    clock = StringProperty("")
    timer = StringProperty("")
    ink = ColorProperty((0, 0, 0, 1))
    muted = ColorProperty((0, 0, 0, 1))
    font_px = NumericProperty(26)


class StepChip(Label):
    fill = ColorProperty((0, 0, 0, 0))
    edge = ColorProperty((0, 0, 0, 0))
    edge_px = NumericProperty(2)


class StepBar(BoxLayout):
    def show(self, items: Sequence[StepItem], theme: Theme) -> None:
        self.clear_widgets()
        for item in items:
            style = theme.role("selected" if item.state == "current" else "secondary")
            mark = icon("check") if item.state == "done" else f"{item.number}"
            words = f"{mark} {item.words}"
            chip = StepChip(text=f"[b]{words}[/b]" if item.state == "current" else words,
                            font_size=theme.text_px, color=style.text, fill=style.fill,
                            edge=style.border, edge_px=style.border_px)
            chip.kid = f"stepbar_{item.number}_{item.state}"  # not step_N: the progress timeline's
            self.add_widget(chip)


class ScreenHeader(BoxLayout):
    title = StringProperty("")
    title_kid = StringProperty("screen_title")
    ink = ColorProperty((0, 0, 0, 1))
    title_px = NumericProperty(40)
    status_px = NumericProperty(48)
    top_px = NumericProperty(96)
    steps_px = NumericProperty(0)  # 0: no step bar
    gap = NumericProperty(12)

    def __init__(self, app: Any, *, title: str, busy: Callable[[], bool] = lambda: False,
                 steps: Sequence[Step] = (),
                 screen: str = "", home: bool = True, title_kid: str = "screen_title",
                 **kwargs: Any) -> None:
        theme: Theme = app.theme
        # two lines of title fit beside the actions, in every mode (the CJK face is 1.45 em
        # from line to line)
        super().__init__(title=title, title_kid=title_kid, ink=theme.foreground,
                         title_px=min(theme.title_px, int(theme.button_height_px / 2.9)),
                         status_px=round(theme.small_px * 1.8), top_px=theme.button_height_px,
                         **kwargs)
        self.app = app
        status = self.ids.status
        status.ink, status.muted, status.font_px = theme.foreground, theme.muted, theme.small_px
        _ = app.translator.gettext
        other = "en" if app.prefs.language == "zh-CN" else "zh-CN"
        actions = [("switch_language", "language", "English" if other == "en" else "中文",
                    lambda: app.set_language(other), "secondary", 1.75)]
        if home:
            actions.append(("home", "home", _("Home"), app.go_home, "secondary", 1.75))
        # 重听 says again what the terminal last said (kiosk.voice); help, and leaving
        actions += [("repeat_voice", "repeat_voice", _("Repeat"), app.repeat_voice,
                     "secondary", 1.6),
                    ("call_staff", "call_staff", _("Call staff"), lambda: app.call_staff(),
                     "primary", 2.5),
                    ("exit", "exit", _("Exit"), app.end_session, "danger", 1.75)]
        for kid, glyph, words, callback, role, factor in actions:
            # help answers even while the screen waits on something
            self.ids.top.add_widget(action_button(
                theme, kid, with_icon(glyph, words), callback, role=role, markup=True,
                busy=(lambda: False) if kid == "call_staff" else busy,
                size_hint_x=None,
                width=max(round(120 * factor), round(theme.button_height_px * factor))))
        items = step_items(steps, screen, _)
        if items:
            self.steps_px = round(theme.text_px * 1.8)
            bar = StepBar(size_hint_y=None, height=self.steps_px)
            bar.show(items, theme)
            self.add_widget(bar, index=0)
        self.tick()
        self._clock = Clock.schedule_interval(lambda _dt: self.tick(), 1.0)
        self.bind(parent=self._detached)

    def _detached(self, _w: Any, parent: Any) -> None:
        if parent is None:
            self._clock.cancel()

    def tick(self, now: datetime | None = None) -> None:
        """The status line now (texts only: the labels keep their sizes)."""
        if now is None and self.get_root_window() is None and self.ids.status.clock:
            return  # drawn once; a screen not on the glass does not tick
        app = self.app
        line = StatusLine.at(now or datetime.now(timezone.utc), language=app.prefs.language,
                             hall=app.kiosk_config.terminal.hall_name,
                             terminal_id=app.kiosk_config.terminal.id,
                             seconds_left=self._seconds_left(), _=app.translator.gettext)
        status = self.ids.status
        status.hall, status.terminal = line.hall, line.terminal
        status.clock = f"{line.date}  {line.time}"
        status.timer = with_icon("timer", line.timer) if line.timer else ""

    def _seconds_left(self) -> float | None:
        session = self.app.terminal.sessions.current
        if session is None:
            return None
        try:
            return session.idle.state().seconds_left
        except SessionEnded:
            return None
