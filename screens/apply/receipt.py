"""The receipt (受理回执): the number, the service, the date, the promised completion and what
happens next, on screen and on paper. It says "will be sent" while the platform has not filed
the application yet, and says the truth when the printer could not print (the number stays on
screen to note down); a retry never prints a second slip."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from kiosk.journeys.receipt import PrintOutcome
from kiosk.i18n.messages import N_
from screens.apply.receipt_lines import detail_rows, details_line, head_lines, tail_lines
from screens.journey_screen import Action, JourneyScreen
from screens.line_stack import LineStack
from screens.paging import Pager, pages_of_lines


# rows of details a page, as they wrap on the glass: with the printer's word under them, the
# details of a service with next steps overfilled the body in elder mode (explorer, zh)
ROWS, ELDER_ROWS = 8, 3


class ReceiptScreen(JourneyScreen):
    title_msgid = N_("Your receipt")

    def __init__(self, app, flow, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.flow = flow
        self.pager = Pager(self, 1, 1)  # over the details grouped by the rows they take
        self._page_count = 0  # pages of details as `draw_body` last laid them out
        self.lines = LineStack(self)

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.pager.reset()
        self.refresh()
        if self.flow.printed is None:
            self._print()

    def language_changed(self) -> None:
        journey, receipt = self.flow.journey, self.flow.receipt
        if journey is not None and receipt is not None:
            self.flow.receipt = journey.reworded(receipt)

    def draw_body(self, box: BoxLayout) -> None:
        """The head, a page of the details in the room the head and the printer's word leave
        (a service with next steps overfilled the body in elder mode), the printer's word."""
        receipt = self.flow.receipt
        self._page_count = 0
        if receipt is None:
            return
        _ = self._
        elder = self.app.prefs.elder_mode
        head = head_lines(receipt, elder, _)
        tail = tail_lines(receipt, self.flow.printed, elder, _)
        others = sum(h + 16 for h in self.lines.heights(head + tail)) + 16  # and room below
        journey = self.flow.journey
        rows = detail_rows(receipt, journey.next_steps(receipt) if journey is not None else [],
                           _, self.app.translator.ngettext, self.app.translator.format_date)
        pages = pages_of_lines(self, rows, self.body_width, self.body_room - others,
                               ELDER_ROWS if elder else ROWS)
        self._page_count = len(pages)
        details = details_line("\n".join(self.pager.shown(pages)))
        box.add_widget(self.lines.show([*head, details, *tail]))

    def actions(self) -> list[Action]:
        _ = self._
        acts: list[Action] = []
        if self.flow.printed is not None and self.flow.printed.outcome != "printed":
            acts.append(("print_again", _("Print receipt"), self._print, False))
        if self.flow.receipt is not None and "evaluate_rate" in self.app.manager.screen_names:
            acts.append(("rate_offer", _("Rate this service"), self._rate, False))
        acts += self.pager.actions(self._page_count)  # drawn just before (`refresh`)
        acts.append(("finish", _("Done"), self._finish, True))
        return acts

    def _rate(self) -> None:
        """好差评 for this application (the citizen may skip); then done, as with Done."""
        from screens.evaluate import offer

        receipt = self.flow.receipt
        # the name as the receipt has it: in the language on the glass now
        offer(self.app, receipt.reference, {self.app.prefs.language: receipt.service_name},
              then=self._finish,
              submitted_at=receipt.submitted_at, service_id=receipt.service_id)

    def _print(self) -> None:
        journey = self.flow.journey
        if journey is None:
            return

        def printed(outcome: PrintOutcome) -> None:
            self.flow.printed = outcome
            self.flow.receipt = outcome.receipt
            if outcome.outcome == "paper_out":
                self.app.say("printer_out_of_paper")
            elif outcome.outcome == "printed":
                self.app.say("submitted" if outcome.receipt.final else "saved_offline")

        self.work(journey.print_receipt, printed)

    def _finish(self) -> None:
        journey = self.flow.journey
        if journey is not None:
            journey.finish()
        self.flow.forget()
        self.app.go_home()
