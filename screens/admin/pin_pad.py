"""The staff PIN pad. The digits stay on this screen only (shown as dots, never logged), the
check runs off the main loop (argon2 takes a fraction of a second on purpose), and a locked pad
says how long it stays locked."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.admin.pin import PIN_MAX, PinResult
from kiosk.i18n.messages import N_
from screens.admin.frame import AdminFrame

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok")


class PinPadScreen(AdminFrame):
    title_msgid = N_("Staff sign-in")

    def __init__(self, app, service, **kwargs: Any) -> None:
        super().__init__(app, service, **kwargs)
        self.digits = ""

    def on_pre_enter(self, *_args: Any) -> None:
        self.digits, self.busy, self.problem = "", None, None
        state = self.service.pin_status()
        if state.locked:
            self.problem = self._locked(state)
        self.refresh()

    def close(self, reason: str) -> None:
        self.digits = ""
        super().close(reason)

    def _locked(self, state: PinResult) -> str:
        return self._("Too many wrong PINs. Try again in %(n)d seconds.",
                      n=max(1, round(state.retry_after_s)))

    def draw_body(self, box: BoxLayout) -> None:
        theme = self.app.theme
        box.add_widget(self.label(self._("Enter the staff PIN"), height=theme.text_px * 1.6))
        box.add_widget(self.label("●" * len(self.digits) or " ", kid="pin_dots",
                                  size=theme.title_px, height=theme.title_px * 1.6))
        pad = GridLayout(cols=3, spacing=12, size_hint=(None, None),
                         width=theme.button_height_px * 6,
                         height=theme.button_height_px * 4 + 36)
        words = {"clear": self._("Clear"), "ok": self._("OK")}
        for key in KEYS:
            pad.add_widget(self.button(f"pin_{key}", words.get(key, key),
                                       lambda key=key: self.press(key), primary=key == "ok"))
        box.add_widget(pad)

    def actions(self) -> list:
        return [("pin_cancel", self._("Cancel"), lambda: self.close("cancelled"))]

    def press(self, key: str) -> None:
        if key == "clear":
            self.digits = ""
        elif key == "ok":
            if self.digits:
                pin, self.digits = self.digits, ""
                self.work(self._("Checking…"), lambda: self.service.login(pin), self._checked)
                return
        elif len(self.digits) < PIN_MAX:
            self.digits += key
        self.refresh()

    def _checked(self, result: PinResult) -> None:
        if result.ok:
            self.problem = None
            self.app.show("admin")
        elif result.locked:
            self.problem = self._locked(result)
        else:
            self.problem = self.app.translator.ngettext(
                "Wrong PIN. %(n)d more try before a lockout.",
                "Wrong PIN. %(n)d more tries before a lockout.", result.tries_before_lockout)
