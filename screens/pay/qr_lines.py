"""What the pay screen says beside its QR code, as plain lines (no Kivy): what for and how
much, how to pay, and the wait (drawn again every second: the labels are kept). screens/pay/
qr.py draws them with screens.line_stack; tests read them without a window."""

from __future__ import annotations

from kiosk.journeys.payment import PaymentView, WaitState
from screens.lines import Line, Pick, Translate


def qr_lines(view: PaymentView, state: WaitState | None, cancelling: bool,
             _: Translate, pick: Pick) -> list[Line]:
    """Each as tall as its wrapped words: a long English service name in elder mode took two
    lines in the height of one and overprinted the step bar."""
    if cancelling:
        wait = _("Cancelling…")
    elif state is not None:
        wait = _("Waiting for your payment (%(n)d s left)", n=state.seconds_left)
    else:
        wait = _("Waiting for your payment")
    return [Line(f"{pick(view.service_name)}    {view.amount_text}", "pay_amount", "title", em=1.6),
            Line(_("Scan this code with your phone's payment app."), "pay_how", em=1.6),
            Line(wait, "pay_waiting", em=1.6)]
