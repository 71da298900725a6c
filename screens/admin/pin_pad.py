"""Staff sign-in in two steps: the staff card first, its PIN after. The PIN pad appears only
once the card in the reader proved it is a genuine staff card (kiosk.admin.staff_card), so a
citizen at the screen never reaches a PIN to guess and cannot lock anyone out; the card
counts wrong PINs itself and blocks only itself. The digits stay on this screen (dots, never
logged); every card exchange runs off the main loop."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.admin.staff_card import PIN_MAX, PinOutcome, StaffMember, StaffRefused
from kiosk.i18n.messages import N_
from screens.admin.frame import AdminFrame

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "ok")
REFUSED = {"no_card": N_("There is no card in the card reader."),
           "not_staff_card": N_("This is not a staff card."),
           "card_blocked": N_("This staff card is blocked after too many wrong PINs. "
                              "The staff office can unblock it."),
           "card_failed": N_("The card could not be read. Take it out and try again."),
           "no_reader": N_("The card could not be read. Take it out and try again.")}


class PinPadScreen(AdminFrame):
    title_msgid = N_("Staff sign-in")

    def __init__(self, app, service, **kwargs: Any) -> None:
        super().__init__(app, service, **kwargs)
        self.digits = ""
        self.member: StaffMember | None = None  # the staff card proved, its PIN not yet

    def on_pre_enter(self, *_args: Any) -> None:
        self.digits, self.busy, self.problem, self.member = "", None, None, None
        self.refresh()

    def close(self, reason: str) -> None:
        self.digits, self.member = "", None
        super().close(reason)

    def draw_body(self, box: BoxLayout) -> None:
        theme = self.app.theme
        if self.member is None:
            box.add_widget(self.label(
                self._("Put your staff card in the card reader, then press Continue."),
                kid="staff_card_prompt", height=theme.text_px * 2.4))
            row = BoxLayout(size_hint=(None, None), width=theme.button_height_px * 5,
                            height=theme.button_height_px)
            row.add_widget(self.button("staff_card_read", self._("Continue"), self.read_card,
                                       role="primary"))
            box.add_widget(row)
            box.add_widget(BoxLayout())  # keeps the prompt at the top
            return
        box.add_widget(self.label(self._("%(name)s (%(staff)s): enter your staff card's PIN",
                                         name=self.member.name, staff=self.member.staff_id),
                                  kid="pin_prompt", height=theme.text_px * 1.6))
        box.add_widget(self.label("●" * len(self.digits) or " ", kid="pin_dots",
                                  size=theme.title_px, height=theme.title_px * 1.6))
        pad = GridLayout(cols=3, spacing=12, size_hint=(None, None),
                         width=theme.button_height_px * 6,
                         height=theme.button_height_px * 4 + 36)
        words = {"clear": self._("Clear"), "ok": self._("OK")}
        for key in KEYS:
            pad.add_widget(self.button(f"pin_{key}", words.get(key, key),
                                       lambda key=key: self.press(key),
                                       role="primary" if key == "ok" else "secondary"))
        box.add_widget(pad)

    def actions(self) -> list:
        return [("pin_cancel", self._("Cancel"), lambda: self.close("cancelled"))]

    def read_card(self) -> None:
        self.work(self._("Checking…"), self.service.read_staff_card, self._card_read,
                  self._refused)

    def _card_read(self, member: StaffMember) -> None:
        self.member, self.digits = member, ""

    def press(self, key: str) -> None:
        if key == "clear":
            self.digits = ""
        elif key == "ok":
            if self.digits:
                pin, self.digits = self.digits, ""
                self.work(self._("Checking…"), lambda: self.service.login(pin), self._checked,
                          self._refused)
                return
        elif len(self.digits) < PIN_MAX:
            self.digits += key
        self.refresh()

    def _checked(self, outcome: PinOutcome) -> None:
        if outcome.ok:
            self.problem = None
            self.app.show("admin")
        elif outcome.blocked:
            self.member = None
            self.problem = self._("This staff card is blocked after too many wrong PINs. "
                                  "The staff office can unblock it.")
        else:
            self.problem = self.app.translator.ngettext(
                "Wrong PIN. The card allows %(n)d more try.",
                "Wrong PIN. The card allows %(n)d more tries.", outcome.tries_left or 0)

    def _refused(self, exc: BaseException) -> None:
        self.member = None
        if isinstance(exc, StaffRefused):
            self.problem = self._(REFUSED.get(exc.reason, REFUSED["card_failed"]))
        else:
            self.fail(exc)
