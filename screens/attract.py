"""The attract loop (待机): what the screen shows between citizens. A touch anywhere opens home."""

from __future__ import annotations

from itertools import cycle

from kivy.clock import Clock
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from screens.widgets import paint_background, repaint_background

# Alternating zh/en on purpose: nobody has chosen a language yet.
SLIDES = ("请触摸屏幕开始办理", "Touch the screen to begin", "请将身份证放在感应区",
          "Place your ID card on the reader", "7×24小时 自助办理", "Open 24 hours")


class AttractScreen(Screen):
    def __init__(self, app, interval_s: float = 4.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.app = app
        self._slides = cycle(SLIDES)
        self.label = Label(text=next(self._slides), font_size=app.theme.title_px * 1.4,
                           color=app.theme.foreground)
        self.label.kid = "attract_text"
        paint_background(self.label, app.theme.background)
        self.add_widget(self.label)
        self._event = None
        self.interval_s = interval_s

    def on_pre_enter(self, *_args) -> None:
        self.refresh()

    def on_enter(self) -> None:
        self._event = Clock.schedule_interval(self._next, self.interval_s)

    def on_leave(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _next(self, _dt: float) -> None:
        self.label.text = next(self._slides)

    def refresh(self) -> None:
        theme = self.app.theme
        self.label.color = theme.foreground
        repaint_background(self.label, theme.background)

    def on_touch_down(self, touch) -> bool:
        self.app.wake()
        return True
