"""The payment journey's screens (缴费): the fees due → the pay QR, polled → the result and the
payment receipt. Every decision is kiosk.journeys.payment's; these screens draw and touch."""

from __future__ import annotations


def install(app) -> None:  # type: ignore[no-untyped-def]
    """Add the screens to the app and the journey to its home tile."""
    from screens.pay.flow import PayFlow
    from screens.pay.due import PayDueScreen
    from screens.pay.qr import PayQrScreen
    from screens.pay.result import PayResultScreen

    flow = PayFlow(app)
    for name, screen in (("pay_due", PayDueScreen), ("pay_qr", PayQrScreen),
                         ("pay_result", PayResultScreen)):
        app.manager.add_widget(screen(app, flow, name=name))
    app.add_journey("pay", flow.open, flow.forget)
