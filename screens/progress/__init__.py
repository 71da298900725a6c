"""The progress journey's screens (进度查询): by ID card, the citizen's applications → one
application's timeline → (补正/容缺) handing in materials with the camera; by a receipt's QR
code, without a card, that one application, masked. Every decision is
kiosk.journeys.progress's; these screens draw and touch."""

from __future__ import annotations


def install(app) -> None:  # type: ignore[no-untyped-def]
    """Add the screens to the app, the journey to its home tile, and listen for receipt codes
    (held up to the code reader on the attract loop, home, or a progress screen)."""
    from kivy.clock import Clock

    from kiosk.services.identity import IdentityEventKind
    from screens.progress.detail import ProgressDetailScreen
    from screens.progress.flow import ProgressFlow
    from screens.progress.listing import ProgressListScreen
    from screens.progress.start import ProgressStartScreen
    from screens.progress.supplement import SupplementCameraScreen, SupplementScreen

    flow = ProgressFlow(app)
    for name, screen in (("progress_start", ProgressStartScreen),
                         ("progress_list", ProgressListScreen),
                         ("progress_detail", ProgressDetailScreen),
                         ("progress_supplement", SupplementScreen),
                         ("progress_camera", SupplementCameraScreen)):
        app.manager.add_widget(screen(app, flow, name=name))
    app.add_journey("progress", flow.open, flow.forget)

    def heard(event) -> None:  # type: ignore[no-untyped-def]
        if event.kind == IdentityEventKind.RECEIPT_SCANNED and event.receipt_code:
            Clock.schedule_once(lambda _dt: flow.receipt_code(event.receipt_code), 0)

    unsubscribe = app.terminal.identity.subscribe(heard)
    app.bind(on_stop=lambda *_: unsubscribe())
