"""How the payment ended. Paid (the platform said so): the payment receipt prints at once, and a
retry never prints a second one. Not paid, or not confirmed: the truth, and no receipt."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.payment import PaymentPrint
from screens.journey_screen import Action, JourneyScreen


class PayResultScreen(JourneyScreen):
    title_msgid = N_("Payment")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow

    def _paid(self) -> bool:
        return self.flow.end is not None and self.flow.end.status == "paid"

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.refresh()
        if self._paid() and self.flow.printed is None:
            self._print()

    def draw_body(self, box: BoxLayout) -> None:
        end, view = self.flow.end, self.flow.view
        if end is None or view is None:
            return
        _ = self._
        theme = self.app.theme
        if not self._paid():
            problem = end.problem
            kid = "pay_unconfirmed" if end.status == "unconfirmed" else "pay_not_paid"
            box.add_widget(self.status("error", problem.text(self.app.prefs.language)
                                       if problem else "", kid=kid, size=theme.title_px))
            return
        box.add_widget(self.status("success", _("Payment received: %(amount)s",
                                                amount=view.amount_text),
                                   size=theme.title_px, kid="pay_paid",
                                   height=theme.title_px * 1.6))
        box.add_widget(self.label(view.service_name + "\n" + _(
            "Application number: %(number)s", number=view.receipt_no), kid="pay_details"))
        printed = self.flow.printed
        if printed is not None:
            box.add_widget(self.print_outcome(printed.outcome, printed.msgid,
                                              kid_prefix="pay_print_",
                                              take=_("Please take your receipt.")))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = []
        if self._paid() and self.flow.printed is not None \
                and self.flow.printed.outcome != "printed":
            acts.append(("pay_print_again", _("Print receipt"), self._print, False))
        if self.flow.end is not None and not self._paid() and self.flow.view is not None:
            acts.append(("pay_again", _("Pay again"), self._again, False))
        acts.append(("pay_done", _("Done"), self._finish, True))
        return acts

    def _print(self) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def printed(outcome: PaymentPrint) -> None:
            self.flow.printed = outcome
            if outcome.outcome == "paper_out":
                self.app.say("printer_out_of_paper")

        self.work(journey.print_receipt, printed)

    def _again(self) -> None:
        self.flow.view = self.flow.end = self.flow.printed = None
        self.app.show("pay_due")

    def _finish(self) -> None:
        journey = self.flow.journey
        if journey is not None:
            journey.finish()
        self.flow.journey = self.flow.view = self.flow.end = self.flow.printed = None
        self.app.go_home()
