"""How the payment ended. Paid (the platform said so): the payment receipt prints at once, and a
retry never prints a second one. Not paid, or not confirmed: the truth, and no receipt."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n.messages import N_
from kiosk.journeys.payment import PaymentPrint
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack
from screens.pay.result_lines import paid_lines, unpaid_lines


class PayResultScreen(JourneyScreen):
    title_msgid = N_("Payment")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.lines = LineStack(self)

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
        if self._paid():
            lines = paid_lines(view, self.flow.printed, self._, self.app.translator.pick)
        else:
            problem = end.problem
            lines = unpaid_lines(problem.text(self.app.prefs.language) if problem else "",
                                 end.status == "unconfirmed")
        box.add_widget(self.lines.show(lines))

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
