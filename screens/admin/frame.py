"""What the staff screens share: a plain frame (title, body, a problem line, actions), blocking
work off the main loop, and closing by itself after `[admin] idle_timeout_s` without a touch.

Not a JourneyScreen: there is no citizen here, so no language switch, no home/exit and no
session to tie results to; a result is dropped when staff have left the admin screens.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from screens import background
from screens.widgets import (KioskButton, action_button, paint_ground,
                             repaint_background, text_label)

ADMIN_SCREENS = ("admin_pin", "admin")


class AdminFrame(Screen):
    title_msgid = ""

    def __init__(self, app, service, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.app, self.service = app, service
        self.problem: str | None = None
        self.busy: str | None = None  # what is being done, in staff's words
        self.last_touch = time.monotonic()
        self._idle_check = None
        self.root_box = BoxLayout(orientation="vertical", padding=48, spacing=16)
        paint_ground(self.root_box, app.theme.background)
        self.add_widget(self.root_box)

    def _(self, msgid: str, **values: Any) -> str:
        return self.app.translator.gettext(msgid, **values)

    # ---- idle ----------------------------------------------------------------------------------

    @property
    def idle_timeout_s(self) -> float:
        return float(self.app.kiosk_config.admin.idle_timeout_s)

    def on_enter(self, *_args: Any) -> None:
        self.last_touch = time.monotonic()
        self._idle_check = Clock.schedule_interval(self._check_idle, 0.5)

    def on_leave(self, *_args: Any) -> None:
        if self._idle_check is not None:
            self._idle_check.cancel()
            self._idle_check = None

    def on_touch_down(self, touch: Any) -> bool:
        self.last_touch = time.monotonic()
        return super().on_touch_down(touch)

    def _check_idle(self, _dt: float) -> None:
        if time.monotonic() - self.last_touch >= self.idle_timeout_s:
            self.close("idle")
        elif self.name == "admin" and self.service.staff is None:
            self.close("card_removed")  # the staff card left the reader: signed out

    def close(self, reason: str) -> None:
        """Back to the citizens' side (the attract loop); the staff member is logged out."""
        self.service.logout(reason)
        self.problem, self.busy = None, None
        self.app.show("attract")

    # ---- drawing -------------------------------------------------------------------------------

    def draw_body(self, box: BoxLayout) -> None:
        raise NotImplementedError

    def actions(self) -> list[tuple[str, str, Callable[[], None]]]:
        return []

    def label(self, text: str, **kwargs: Any) -> Label:
        return text_label(self.app.theme, text, **kwargs)

    def button(self, kid: str, text: str, callback: Callable[[], None],
               **kwargs: Any) -> KioskButton:
        return action_button(self.app.theme, kid, text, callback,
                             busy=lambda: bool(self.busy), **kwargs)

    def refresh(self) -> None:
        theme = self.app.theme
        box = self.root_box
        box.clear_widgets()
        repaint_background(box, theme.background)
        box.add_widget(self.label(self._(self.title_msgid), kid="screen_title",
                                  size=theme.title_px, height=theme.title_px * 1.6))
        body = BoxLayout(orientation="vertical", spacing=12)
        self.draw_body(body)
        box.add_widget(body)
        if self.busy:
            box.add_widget(self.label(self.busy, kid="busy", height=theme.text_px * 1.6))
        if self.problem:
            line = self.label(self.problem, kid="problem", height=theme.text_px * 2.4)
            line.color = theme.error
            box.add_widget(line)
        bar = BoxLayout(size_hint_y=None, height=theme.button_height_px, spacing=16)
        for kid, text, callback in self.actions():
            bar.add_widget(self.button(kid, text, callback, role="primary" if kid.endswith("close")
                                          else "secondary"))
        if bar.children:
            box.add_widget(bar)

    # ---- blocking work -------------------------------------------------------------------------

    def work(self, doing: str, call: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[BaseException], None] | None = None) -> None:
        """`call` on a worker; `done`/`failed` back on the main loop while staff are still
        on this screen."""
        self.busy, self.problem = doing, None
        self.refresh()

        def finish(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def inner(value: Any) -> None:
                self.busy = None
                callback(value)
                self.refresh()
            return inner

        background.run(call, finish(done), finish(failed or self.fail),
                       lambda: self.app.manager.current == self.name, name=f"{self.name}-work")

    def fail(self, exc: BaseException) -> None:
        self.app.log_unexpected(self.name, exc)
        self.problem = self._("That did not work: %(what)s", what=type(exc).__name__)
