"""Confirm it is you (验证本人): the platform texts a 6-digit code to the mobile it holds for the
citizen; typing it here proves the card's holder is at the screen before anything personal is
shown. The digits typed are shown (a one-time code is no PIN: seeing it helps), the tries left
are told, and a citizen who cannot receive the code is told where to go instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.api import models as m
from kiosk.i18n.messages import N_
from kiosk.services.holder import HolderProblem
from screens.journey_screen import Action, JourneyScreen

CODE_LENGTH = 6
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "delete", "0", "ok")


class HolderScreen(JourneyScreen):
    title_msgid = N_("Confirm it is you")

    def __init__(self, app, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.then: Callable[[], None] | None = None
        self.digits = ""
        self.sent: m.HolderCodeSent | None = None
        self.blocked = False  # no code can be sent: only "back" is left

    def ask(self, then: Callable[[], None]) -> None:
        """Show the screen; `then` once the citizen is verified."""
        self.then = then
        self.digits, self.sent, self.blocked = "", None, False
        self.app.show(self.name)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.refresh()
        if self.sent is None and not self.blocked:
            self.send()

    def send(self) -> None:
        check = self.app.terminal.holder_check()
        session = self.app.terminal.sessions.current
        if check is None or session is None:
            self.app.go_home()
            return
        self.digits = ""
        self.work(lambda: check.send_code(session), self._sent, self._failed)

    def _sent(self, sent: m.HolderCodeSent) -> None:
        self.sent = sent
        self.app.say("holder_code")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, HolderProblem) and exc.code in (
                "holder.no_mobile", "holder.too_many_codes", "holder.eid_replayed"):
            self.blocked = True
        self.fail(exc)
        if isinstance(exc, HolderProblem) and exc.tries_left is not None:
            self.problem += "\n" + self.app.translator.ngettext(
                "%(n)d try left.", "%(n)d tries left.", exc.tries_left, n=exc.tries_left)

    def draw_body(self, box: BoxLayout) -> None:
        """What to do and the digits typed on the left, the keys on the right: side by side,
        so that at elder mode's sizes the keys share the height there is instead of pushing
        past the header."""
        theme = self.app.theme
        _ = self._
        if self.sent is not None:
            prompt = _("A 6-digit code was sent to your mobile phone %(to)s. Please type it.",
                       to=self.sent.to)
        elif self.blocked:
            prompt = _("Your identity cannot be confirmed at this terminal.")
        else:
            prompt = _("Sending a code to your mobile phone…")
        row = BoxLayout(orientation="horizontal", spacing=40)
        left = BoxLayout(orientation="vertical", spacing=20)
        left.add_widget(self.label(prompt, kid="holder_prompt", size=theme.title_px,
                                   valign="bottom"))
        shown = " ".join(self.digits.ljust(CODE_LENGTH, "_"))
        left.add_widget(self.label(shown, kid="holder_code", size=round(theme.title_px * 1.3),
                                   valign="top"))
        row.add_widget(left)
        if not self.blocked:
            pad = GridLayout(cols=3, spacing=12, size_hint_x=None,
                             width=round(theme.button_height_px * 5.4))
            words = {"delete": _("Delete"), "ok": _("Confirm")}
            for key in KEYS:
                pad.add_widget(self.button(f"code_{key}", words.get(key, key),
                                           lambda key=key: self.press(key),
                                           primary=key == "ok", disabled=self.sent is None,
                                           size_hint_y=1, height=theme.button_height_px))
            row.add_widget(pad)
        box.add_widget(row)

    def actions(self) -> list[Action]:
        actions: list[Action] = [("back", self._("Back"), self.app.go_home, False)]
        if self.sent is not None and self.sent.sends_left > 0:
            actions.append(("holder_resend", self._("Send a new code"), self.send, False))
        return actions

    def press(self, key: str) -> None:
        if key == "delete":
            self.digits = self.digits[:-1]
        elif key == "ok":
            if len(self.digits) == CODE_LENGTH:
                self.check(self.digits)
                return
            self.problem = self._("The code has 6 digits.")
        elif len(self.digits) < CODE_LENGTH:
            self.digits += key
        self.refresh()

    def check(self, code: str) -> None:
        check = self.app.terminal.holder_check()
        session = self.app.terminal.sessions.current
        if check is None or session is None:
            self.app.go_home()
            return
        self.digits = ""
        self.work(lambda: check.verify(session, code), self._verified, self._failed)

    def _verified(self, _result: None) -> None:
        then, self.then = self.then, None
        (then or self.app.go_home)()
