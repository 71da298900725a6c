"""The receipt (受理回执): the number, the service, the date, the promised completion and what
happens next, on screen and on paper. It says "will be sent" while the platform has not filed
the application yet, and says the truth when the printer could not print (the number stays on
screen to note down); a retry never prints a second slip."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.journeys.receipt import PrintOutcome
from kiosk.i18n.messages import N_
from screens.journey_screen import Action, JourneyScreen
from screens.paging import Pager, pages_of_lines
from screens.widgets import wrapped_height


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

    def on_pre_enter(self, *_args: Any) -> None:
        self.problem = None
        self.pager.reset()
        self.refresh()
        if self.flow.printed is None:
            self._print()

    def draw_body(self, box: BoxLayout) -> None:
        receipt = self.flow.receipt
        self._page_count = 0
        if receipt is None:
            return
        _ = self._
        theme = self.app.theme
        width = self.body_width
        elder = self.app.prefs.elder_mode
        state = self.label(_("Your application has been received.") if receipt.final
                           else _("Your application was saved on this terminal and will "
                                  "be sent as soon as the connection is back."),
                           size=theme.text_px if elder else theme.title_px, kid="receipt_state")
        number = self.label(_("Application number: %(number)s", number=receipt.reference),
                            size=theme.title_px, kid="receipt_number")
        above: list[Label] = [state, number]
        printed = self.flow.printed
        below: list[Label] = []
        if printed is not None:
            below.append(self.print_outcome(
                printed.outcome, printed.msgid, kid_prefix="print_",
                take=_("Please take your receipt."),
                note=_("Please note your application number: %(number)s",
                       number=receipt.reference),
                size="text" if elder else "title"))
        # each as tall as its wrapped lines (the state and the printer's word were shared
        # the height the details left, and cut in elder mode); the details get the rest, a
        # page at a time
        for line in above + below:
            line.size_hint_y = None
            line.height = wrapped_height(line, width)
        others = sum(w.height + 16 for w in above + below) + 16  # and the room below
        pages = pages_of_lines(self, self._lines(receipt), width, self.body_room - others,
                               ELDER_ROWS if elder else ROWS)
        self._page_count = len(pages)
        shown = "\n".join(self.pager.shown(pages))
        details = self.label(shown, kid="receipt_details", height=0)
        # as tall as its wrapped lines: a long English service name in elder mode took two
        details.height = max(self.lines_height(shown), wrapped_height(details, width))
        for widget in [*above, details, *below]:
            box.add_widget(widget)
        box.add_widget(BoxLayout())  # what is left of the height stays below the text

    def _lines(self, receipt: Any) -> list[str]:
        """The service, the dates and what happens next, a line each."""
        _ = self._
        t = self.app.translator
        lines = [receipt.service_name,
                 _("Submitted: %(date)s", date=t.format_date(receipt.submitted_at.date()))]
        if receipt.promised_date is not None:
            lines.append(_("Promised completion: %(date)s",
                           date=t.format_date(receipt.promised_date)))
        elif receipt.promised_days == 0:  # 即办件
            lines.append(_("Done on the spot"))
        else:
            lines.append(_("Promised within %(days)d working days",
                           days=receipt.promised_days))
        journey = self.flow.journey
        if journey is not None:
            lines += journey.next_steps(receipt)
        return lines

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
        offer(self.app, receipt.reference, receipt.service_name, then=self._finish,
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
