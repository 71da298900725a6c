"""Confirm it is you (验证本人): before anything personal, the citizen proves they hold the
identity they presented. With a smart card that can do it, by the card's own PIN (the card
checks it and counts the tries; the platform checks the card's signed proof); otherwise, or on
request, by the 6-digit code the platform texts to the mobile it holds. The digits of a code
are shown (a one-time code is no PIN: seeing it helps), a PIN only as dots; the tries left are
told, and a citizen who cannot receive a code is told where to go instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.api import models as m
from kiosk.i18n.messages import N_
from kiosk.services.holder import HolderProblem
from screens.journey_screen import Action, JourneyScreen

CODE_LENGTH = 6
PIN_LENGTH = (4, 12)
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "delete", "0", "ok")
# Problems after which the texted code is the way left (or nothing is: `blocked`).
TO_SMS = ("holder.pin_blocked", "holder.card_failed", "holder.factor_unavailable")
BLOCKED = ("holder.no_mobile", "holder.too_many_codes", "holder.eid_replayed")
CARD_NEEDED = N_("This service needs your social security card and its PIN. Please use the "
                 "card, or go to a service counter.")


class HolderScreen(JourneyScreen):
    title_msgid = N_("Confirm it is you")

    def __init__(self, app, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.then: Callable[[], None] | None = None
        self.digits = ""
        self.mode: Literal["", "pin", "sms"] = ""  # "": not known yet
        self.sent: m.HolderCodeSent | None = None
        self.blocked = False  # no factor is left: only "back"
        self.card_failed = False  # the card cannot do it (blocked PIN, no proof): text instead
        self.accepted: tuple[str, ...] = ("card_pin", "sms_code")  # what the journey takes
        self._typed: Any = None  # the line of what was typed, as last drawn

    def ask(self, then: Callable[[], None], accepted: tuple[str, ...]) -> None:
        """Show the screen; `then` once the citizen proved it by one of the `accepted`
        factors (the journey's, from the configuration)."""
        self.then, self.accepted = then, accepted
        self.digits, self.mode, self.sent, self.blocked = "", "", None, False
        self.card_failed = False
        self.app.show(self.name)

    def let_go(self) -> None:
        super().let_go()  # what was typed, where the code went, and the old visit's way on
        self.then, self.digits, self.mode, self.sent = None, "", "", None
        self.blocked = self.card_failed = False
        self._typed = None

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.refresh()
        if not self.mode and not self.blocked:
            self.start()

    def _check_and_session(self):  # type: ignore[no-untyped-def]
        check = self.app.terminal.holder_check()
        session = self.app.terminal.sessions.current
        if check is None or session is None:
            self.app.go_home()
            return None
        return check, session

    def start(self) -> None:
        """The card's PIN where the journey takes it and the card and the platform can do it,
        else a texted code where the journey takes that."""
        found = self._check_and_session()
        if found is None:
            return
        check, session = found
        if "card_pin" not in self.accepted:
            self.send()
            return
        self.work(lambda: check.card_pin_offered(session), self._started, self._failed)

    def _started(self, card_pin: bool) -> None:
        if card_pin:
            self.mode = "pin"
        elif "sms_code" in self.accepted:
            self.send()
        else:
            self._no_factor()

    def _no_factor(self) -> None:
        """This journey takes only the card's PIN, and this citizen's card cannot give it."""
        self.blocked = True
        self.problem = self.app.translator.gettext(CARD_NEEDED)

    def send(self) -> None:
        found = self._check_and_session()
        if found is None:
            return
        check, session = found
        self.digits, self.mode = "", "sms"
        self.work(lambda: check.send_code(session), self._sent, self._failed)

    def _sent(self, sent: m.HolderCodeSent) -> None:
        self.sent = sent
        self.app.say("holder_code")

    def _failed(self, exc: BaseException) -> None:
        code = exc.code if isinstance(exc, HolderProblem) else ""
        if code in BLOCKED:
            self.blocked = True
        self.fail(exc)
        if isinstance(exc, HolderProblem) and exc.tries_left is not None:
            self.problem += "\n" + self.app.translator.ngettext(
                "%(n)d try left.", "%(n)d tries left.", exc.tries_left, n=exc.tries_left)
        if code in TO_SMS and self.mode == "pin":
            if "sms_code" in self.accepted:
                self.card_failed = True  # "Use a text message instead" stays on offer
            else:
                self.blocked = True

    def _prompt(self) -> str:
        _ = self._
        if self.blocked:
            return _("Your identity cannot be confirmed at this terminal.")
        if self.mode == "pin" and self.card_failed:
            return _("The card cannot confirm it is you here. You can use a text message "
                     "instead.")
        if self.mode == "pin":
            return _("Please type the PIN of your card.")
        if self.sent is not None:
            return _("A 6-digit code was sent to your mobile phone %(to)s. Please type it.",
                     to=self.sent.to or "")
        if self.mode == "sms":
            return _("Sending a code to your mobile phone…")
        return _("Checking your card…")

    def draw_body(self, box: BoxLayout) -> None:
        """What to do and what was typed on the left, the keys on the right: side by side, so
        that at elder mode's sizes the keys share the height there is instead of pushing past
        the header."""
        theme = self.app.theme
        _ = self._
        row = BoxLayout(orientation="horizontal", spacing=40)
        left = BoxLayout(orientation="vertical", spacing=20)
        # elder mode's 1.5× title size took three lines of English past the label's height
        left.add_widget(self.label(self._prompt(), kid="holder_prompt", valign="bottom",
                                   size=theme.text_px if self.app.prefs.elder_mode
                                   else theme.title_px))
        self._typed = self.label(self._shown(), kid="holder_code",
                                 size=round(theme.title_px * 1.3), valign="top")
        left.add_widget(self._typed)
        row.add_widget(left)
        ready = (self.mode == "pin" and not self.card_failed) or self.sent is not None
        if not self.blocked:
            pad = GridLayout(cols=3, spacing=12, size_hint_x=None,
                             width=round(theme.button_height_px * 5.4))
            words = {"delete": _("Delete"), "ok": _("Confirm")}
            for key in KEYS:
                pad.add_widget(self.button(f"code_{key}", words.get(key, key),
                                           lambda key=key: self.press(key),
                                           role={"ok": "primary", "delete": "danger"}.get(key, "secondary"),
                                           disabled=not ready,
                                           size_hint_y=1, height=theme.button_height_px))
            row.add_widget(pad)
        box.add_widget(row)

    def _shown(self) -> str:
        """What was typed: a code's digits, a PIN as dots."""
        if self.mode == "pin":
            return " ".join("●" * len(self.digits)) or " "
        return " ".join(self.digits.ljust(CODE_LENGTH, "_"))

    def actions(self) -> list[Action]:
        actions: list[Action] = [("back", self._("Back"), self.app.go_home, False)]
        if self.mode == "pin" and not self.blocked and "sms_code" in self.accepted:
            actions.append(("holder_use_sms", self._("Use a text message instead"), self.send,
                            False))
        if self.mode == "sms" and self.sent is not None and self.sent.sends_left > 0:
            actions.append(("holder_resend", self._("Send a new code"), self.send, False))
        if self.problem and not self.app.prefs.elder_mode:  # larger keys after a failed try
            actions.append(("holder_elder", self._("Elder mode"), self.app.toggle_elder_mode,
                            False))
        return actions

    def press(self, key: str) -> None:
        longest = PIN_LENGTH[1] if self.mode == "pin" else CODE_LENGTH
        if key == "delete":
            self.digits = self.digits[:-1]
        elif key == "ok":
            if self.mode == "pin" and len(self.digits) >= PIN_LENGTH[0]:
                self.check(self.digits)
                return
            if self.mode == "sms" and len(self.digits) == CODE_LENGTH:
                self.check(self.digits)
                return
            self.problem = (self._("The PIN is not right. Please try again.")
                            if self.mode == "pin" else self._("The code has 6 digits."))
            self.refresh()  # the problem line
            return
        elif len(self.digits) < longest:
            self.digits += key
        if self._typed is not None and self._typed.get_root_window() is not None:
            self._typed.text = self._shown()  # only this line changes: not the screen per key
        else:
            self.refresh()

    def check(self, typed: str) -> None:
        found = self._check_and_session()
        if found is None:
            return
        check, session = found
        self.digits = ""
        if self.mode == "pin":
            self.work(lambda: check.verify_card_pin(session, typed), self._verified,
                      self._failed)
        else:
            self.work(lambda: check.verify(session, typed), self._verified, self._failed)

    def _verified(self, _result: None) -> None:
        then, self.then = self.then, None
        (then or self.app.go_home)()
