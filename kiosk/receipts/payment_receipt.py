"""The payment receipt (缴费凭证) printed once the platform has said a fee is paid, 58 or 80 mm.

It is printed only for a payment whose status the platform reported as `paid` (the journey
checks; this module cannot know): a slip for an unconfirmed payment would be a false proof.

What is on it: the centre, the title, the application's receipt number (受理号) the fee belongs
to, the service, the amount, when the platform recorded the payment, the payment's number at
the platform (what staff look up when a citizen disputes it) and the terminal that printed it.
No personal data: the receipt number is all anyone needs to find the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drivers.printer.document import Cut, Document, Feed, Item, Rule, Text, paper_for
from kiosk.i18n import translator
from kiosk.i18n.messages import N_
from kiosk.receipts.layout import CST, day_text, receipt_language, sayer

STRINGS: dict[str, str] = {
    "title": N_("Payment Receipt"),
    "paid_mark": N_("PAID"),
    "receipt_no": N_("Application no.: %(receipt_no)s"),
    "service": N_("Service: %(service)s"),
    "amount": N_("Amount: %(amount)s"),
    "paid_at": N_("Paid at: %(time)s"),
    "payment_id": N_("Payment no.: %(payment_id)s"),
    "terminal": N_("Terminal: %(terminal)s"),
    "hotline": N_("Hotline: %(hotline)s"),
    "keep": N_("Please keep this receipt"),
}
_say = sayer(STRINGS)


@dataclass(frozen=True)
class PaymentReceiptData:
    """What the payment receipt says: the platform's record of a paid payment."""

    payment_id: str
    receipt_no: str
    service_name: str
    amount_fen: int
    paid_at: datetime
    kiosk_id: str
    language: str


def _moment(t: datetime, lang: str) -> str:
    if t.tzinfo is not None:
        t = t.astimezone(CST)
    return f"{day_text(t.date(), lang)} {t:%H:%M:%S}"


def payment_receipt(data: PaymentReceiptData, *, centre_name: str, hotline: str,
                    paper_width_mm: int) -> Document:
    """The receipt to print (and to preview: same Document, same picture)."""
    lang = receipt_language(data.language)
    t = translator(lang)
    paper_for(paper_width_mm)  # refuses widths other than 58/80
    if data.amount_fen <= 0:
        raise ValueError("a payment receipt needs a positive amount")
    if not data.payment_id or not data.receipt_no:
        raise ValueError("a payment receipt needs the payment and the application")
    items: list[Item] = [
        Text(centre_name, align="center"),
        Text(_say(t, "title"), size=2, bold=True, align="center"),
        Text(_say(t, "paid_mark"), size=2, bold=True, align="center"),
        Rule(),
        Text(_say(t, "receipt_no", receipt_no=data.receipt_no), bold=True),
        Text(_say(t, "service", service=data.service_name)),
        Text(_say(t, "amount", amount=t.format_fen(data.amount_fen)), size=2, bold=True),
        Text(_say(t, "paid_at", time=_moment(data.paid_at, lang))),
        Text(_say(t, "payment_id", payment_id=data.payment_id)),
        Text(_say(t, "terminal", terminal=data.kiosk_id)),
        Rule(),
        Text(_say(t, "hotline", hotline=hotline), align="center"),
        Text(_say(t, "keep"), align="center"),
        Feed(1), Cut()]
    return Document(tuple(items), title="payment receipt")
