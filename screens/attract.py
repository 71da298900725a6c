"""The attract loop (待机): what the screen shows between citizens. A touch anywhere opens home.

While the terminal is out of service (staff, the console, or no audit trail) the slides give
way to the notice, so that a citizen learns it from the street, before touching anything; the
notice is in both languages where it is a catalogue sentence (nobody has chosen a language
yet). It changes without a touch: `refresh()` is called on the main loop when a remote command
lands (`KioskApp.service_changed`), and every slide interval looks again (the terminal's own
state, such as a trail that came back, has no event).
"""

from __future__ import annotations

import time
from itertools import cycle

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.admin.out_of_service import OutOfService
from kiosk.i18n import in_every_language
from kiosk.i18n.messages import N_
from screens.widgets import escape, fitting_px, icon, paint_ground, repaint_background

# Alternating zh/en on purpose: nobody has chosen a language yet.
SLIDES = ("请触摸屏幕开始办理", "Touch the screen to begin", "请将身份证放在感应区",
          "Place your ID card on the reader", "7×24小时 自助办理", "Open 24 hours")
TAKE_CARD_S = 10.0  # how long "take your card" stays under the notice after a refused card
TAKE_CARD = N_("Please take your ID card")
NOTICE_PADDING = 64


def notice_lines(closed: OutOfService) -> tuple[list[str], list[str]]:
    """(the message, where to go instead) as the attract loop shows them."""
    message = in_every_language(closed.message) if closed.message else []
    counter = in_every_language(N_("Nearest counter: %(where)s"),
                                where=closed.nearest_counter) if closed.nearest_counter else []
    return message, counter


class AttractScreen(Screen):
    def __init__(self, app, interval_s: float = 4.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.app = app
        self._slides = cycle(SLIDES)
        self.label = Label(text=next(self._slides))
        self.label.kid = "attract_text"
        paint_ground(self.label, app.theme.background)
        self.notice = BoxLayout(orientation="vertical", padding=NOTICE_PADDING, spacing=24)
        self.notice.kid = "attract_out_of_service"
        paint_ground(self.notice, app.theme.background)
        self.closed: OutOfService | None = None
        self._take_card_until = 0.0
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
        if (self.app.out_of_service() is None) != (self.closed is None):
            self.refresh()
        elif self.closed is None:
            self.label.text = next(self._slides)

    def card_refused(self) -> None:
        """A card was placed while out of service: ask for it back under the notice."""
        self._take_card_until = time.monotonic() + TAKE_CARD_S
        Clock.schedule_once(lambda _dt: self.refresh(), TAKE_CARD_S + 0.1)

    def refresh(self) -> None:
        theme = self.app.theme
        self.label.color = theme.foreground
        self.label.font_size = theme.title_px * 1.4  # the next citizen's mode, or the site's
        repaint_background(self.label, theme.background)
        repaint_background(self.notice, theme.background)
        self.closed = self.app.out_of_service()
        shown = self.notice if self.closed is not None else self.label
        if shown.parent is None:
            self.clear_widgets()
            self.add_widget(shown)
        if self.closed is not None:
            self._draw_notice(self.closed)

    def _draw_notice(self, closed: OutOfService) -> None:
        theme = self.app.theme
        message, counter = notice_lines(closed)
        # large, yet a long message (200 characters, elder mode) still fits the glass
        message_px = fitting_px(message, theme.title_px * 1.4, theme.text_px,
                                Window.width - 2 * NOTICE_PADDING, Window.height * 0.45)
        lines = [(icon("warning", round(theme.title_px * 1.6)), theme.title_px, "")]
        lines += [(escape(text), message_px, "out_of_service_message") for text in message]
        lines += [(escape(text), theme.title_px * 0.8, "out_of_service_counter")
                  for text in counter]
        if time.monotonic() < self._take_card_until:
            lines += [(escape(text), theme.title_px * 0.8, "out_of_service_take_card")
                      for text in in_every_language(TAKE_CARD)]
        box = self.notice
        box.clear_widgets()
        box.add_widget(Widget())  # the lines sit in the middle of the glass
        seen: set[str] = set()
        for text, size, kid in lines:
            line = Label(text=text, markup=True, font_size=round(size), color=theme.foreground,
                         halign="center", valign="middle", size_hint_y=None)
            line.bind(width=lambda w, width: setattr(w, "text_size", (width, None)),
                      texture_size=lambda w, size: setattr(w, "height", size[1]))
            if kid and kid not in seen:  # the Chinese line; the English one follows it
                line.kid = kid
                seen.add(kid)
            box.add_widget(line)
        box.add_widget(Widget())

    def on_touch_down(self, touch) -> bool:
        self.app.wake()
        return True
