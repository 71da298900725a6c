"""The end of a visit (结束): "请取走身份证和回执" for a few seconds, then the attract loop.

Drawn once, as the session ends, in the citizen's own language and modes (the app resets them
for the next citizen right after). A touch, or a card, starts the next visit at once.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.session import EndReason
from screens.help import help_button
from screens.widgets import paint_ground, repaint_background

GOODBYE_S = 4.0  # long enough to read two lines, short enough not to hold up the next citizen
HELP_HOLD_S = 120.0  # a citizen who called staff from here keeps the screen while they wait


class GoodbyeScreen(Screen):
    def __init__(self, app, **kwargs) -> None:
        super().__init__(**kwargs)
        self.app = app
        self.label = Label(halign="center", valign="middle")
        self.label.kid = "goodbye_text"
        self.label.bind(size=lambda w, s: setattr(w, "text_size", (s[0] - 160, None)))
        paint_ground(self.label, app.theme.background)
        self.add_widget(self.label)
        self.help = None  # 呼叫工作人员, top right (a card or receipt left behind, a question)
        self._event = None
        self._entered = 0.0

    def on_pre_enter(self, *_args) -> None:
        self.refresh()

    def refresh(self) -> None:
        theme = self.app.theme
        _ = self.app.translator.gettext
        if self.app.ended_by == EndReason.FAULT:  # screens.crash_guard caught a failure
            self.label.kid = "goodbye_fault"
            self.label.text = (_("Sorry, something went wrong on this terminal.") + "\n"
                               + _("What you entered has been cleared; please start again.")
                               + "\n\n" + _("Please take your ID card and receipt"))
        else:
            self.label.kid = "goodbye_text"
            self.label.text = (_("Please take your ID card and receipt") + "\n\n"
                               + _("Thank you. Your session has ended."))
        self.label.font_size = theme.title_px * 1.2
        self.label.color = theme.foreground
        repaint_background(self.label, theme.background)
        if self.help is not None:
            self.remove_widget(self.help)
        self.help = help_button(self.app, size_hint_y=None,
                                pos_hint={"right": 0.98, "top": 0.97})
        self.add_widget(self.help)

    def on_enter(self, *_args) -> None:
        self._entered = Clock.get_time()
        self._event = Clock.schedule_once(self._done, GOODBYE_S)

    def on_leave(self, *_args) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None

    def _done(self, _dt: float) -> None:
        self._event = None
        helping = self.app.help_dialog is not None and self.app.help_dialog.is_open
        if helping and Clock.get_time() - self._entered < HELP_HOLD_S:
            self._event = Clock.schedule_once(self._done, 1.0)  # the attract loop would close it
            return
        if self.app.manager.current == self.name:
            self.app.show("attract")

    def on_touch_down(self, touch) -> bool:
        if self.help is not None and self.help.collide_point(*touch.pos):
            return self.help.on_touch_down(touch)
        self.app.wake()
        return True
