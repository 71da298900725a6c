"""The collect journey's screens (证照打印): list → (reason, for a reprint) → preview and print.
Every decision is kiosk.journeys.collect's; these screens draw and touch."""

from __future__ import annotations


def install(app) -> None:  # type: ignore[no-untyped-def]
    """Add the screens to the app and the journey to its home tile."""
    from screens.collect.flow import CollectFlow
    from screens.collect.listing import CollectListScreen
    from screens.collect.preview import CollectPreviewScreen
    from screens.collect.reason import CollectReasonScreen

    flow = CollectFlow(app)
    for name, screen in (("collect_list", CollectListScreen),
                         ("collect_reason", CollectReasonScreen),
                         ("collect_preview", CollectPreviewScreen)):
        app.manager.add_widget(screen(app, flow, name=name))
    app.add_journey("collect", flow.open, flow.forget)
