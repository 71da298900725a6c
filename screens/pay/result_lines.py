"""What a payment's end says, as plain lines (no Kivy): screens/pay/result.py draws them with
screens.line_stack; tests read them without a window."""

from __future__ import annotations

from kiosk.journeys.payment import PaymentPrint, PaymentView
from screens.lines import Line, Pick, Translate, print_line


def paid_lines(view: PaymentView, printed: PaymentPrint | None, _: Translate,
               pick: Pick) -> list[Line]:
    """Paid (the platform said so): the amount, what for, and how the receipt's printing went
    (said only once it is known: never "take your receipt" before it printed)."""
    lines = [Line(_("Payment received: %(amount)s", amount=view.amount_text), "pay_paid",
                  "title", em=1.6, status="success"),
             Line(pick(view.service_name) + "\n"
                  + _("Application number: %(number)s", number=view.receipt_no),
                  "pay_details", em=3.0)]
    if printed is not None:
        lines.append(print_line(printed, _, kid_prefix="pay_print_",
                                take=_("Please take your receipt.")))
    return lines


def unpaid_lines(problem_words: str, unconfirmed: bool) -> list[Line]:
    """Not paid, or not confirmed: the truth, and no receipt."""
    return [Line(problem_words, "pay_unconfirmed" if unconfirmed else "pay_not_paid", "title",
                 em=None, status="error")]
