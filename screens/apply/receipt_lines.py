"""What the receipt (受理回执) says on the glass, as plain lines (no Kivy): screens/apply/receipt.py
draws them with screens.line_stack, the details a page at a time between the head and the
printer's word; tests read them without a window."""

from __future__ import annotations

from collections.abc import Sequence

from kiosk.journeys.receipt import PrintOutcome, ReceiptData
from screens.lines import FormatDate, Line, Plural, Translate, print_line


def head_lines(receipt: ReceiptData, elder: bool, _: Translate) -> list[Line]:
    """Where the application stands, truthfully (sent, or saved here until the line is back),
    and its number; each as tall as its words (em 0)."""
    state = (_("Your application has been received.") if receipt.final
             else _("Your application was saved on this terminal and will be sent as soon as "
                    "the connection is back."))
    return [Line(state, "receipt_state", "text" if elder else "title", em=0),
            Line(_("Application number: %(number)s", number=receipt.reference), "receipt_number",
                 "title", em=0)]


def tail_lines(receipt: ReceiptData, printed: PrintOutcome | None, elder: bool,
               _: Translate) -> list[Line]:
    """How the receipt's printing went, once known (the number to note when it did not)."""
    if printed is None:
        return []
    return [print_line(printed, _, kid_prefix="print_", take=_("Please take your receipt."),
                       note=_("Please note your application number: %(number)s",
                              number=receipt.reference),
                       size="text" if elder else "title", em=0)]


def detail_rows(receipt: ReceiptData, next_steps: Sequence[str], _: Translate, ngettext: Plural,
                format_date: FormatDate) -> list[str]:
    """The service, the dates and what happens next, a line each."""
    rows = [receipt.service_name,
            _("Submitted: %(date)s", date=format_date(receipt.submitted_at.date()))]
    if receipt.promised_date is not None:
        rows.append(_("Promised completion: %(date)s", date=format_date(receipt.promised_date)))
    elif receipt.promised_days == 0:  # 即办件; not yet sent: not yet on the spot
        rows.append(_("Done on the spot") if receipt.final
                    else _("Done as soon as it is accepted"))
    else:
        rows.append(ngettext("Promised within %(n)d working day", "Promised within %(n)d working days",
                             receipt.promised_days))
    return rows + list(next_steps)


def details_line(shown: str) -> Line:
    """A page of the detail rows, at least a line's height each."""
    return Line(shown, "receipt_details", em=1.5 * (shown.count("\n") + 1))
