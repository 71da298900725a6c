"""The apply journey's screens (办事申请): catalogue → guide → form → materials (camera) →
review → receipt. Every decision is kiosk.journeys.apply's; these screens draw and touch."""

from __future__ import annotations


def install(app) -> None:  # type: ignore[no-untyped-def]
    """Add the screens to the app and the journey to its home tile."""
    from screens.apply.camera import CameraScreen
    from screens.apply.catalogue import CatalogueScreen
    from screens.apply.flow import ApplyFlow
    from screens.apply.form import FormScreen
    from screens.apply.guide import GuideScreen
    from screens.apply.materials import MaterialsScreen
    from screens.apply.receipt import ReceiptScreen
    from screens.apply.review import ReviewScreen

    flow = ApplyFlow(app)
    for name, screen in (("catalogue", CatalogueScreen), ("guide", GuideScreen),
                         ("form", FormScreen), ("materials", MaterialsScreen),
                         ("camera", CameraScreen), ("review", ReviewScreen),
                         ("receipt", ReceiptScreen)):
        app.manager.add_widget(screen(app, flow, name=name))
    app.add_journey("apply", flow.open, flow.forget)
