"""The evaluation journey's screens (好差评): the citizen's recent applications → the overall
score (1–5) with an optional comment → optionally efficiency, competence and attitude. Other
journeys offer it at their end through `offer`. Every decision is kiosk.journeys.evaluation's;
these screens draw and touch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.journeys.base import Words


def install(app) -> None:  # type: ignore[no-untyped-def]
    """Add the screens to the app and the journey to its home tile."""
    from screens.evaluate.detail import RateDetailScreen
    from screens.evaluate.flow import EvaluateFlow
    from screens.evaluate.listing import EvaluateListScreen
    from screens.evaluate.rate import RateScreen

    flow = EvaluateFlow(app)
    for name, screen in (("evaluate_list", EvaluateListScreen), ("evaluate_rate", RateScreen),
                         ("evaluate_detail", RateDetailScreen)):
        app.manager.add_widget(screen(app, flow, name=name))
    app.add_journey("evaluate", flow.open, flow.forget)


def offer(app, reference: str, service_name: Words, *,  # type: ignore[no-untyped-def]
          then: Callable[[], None], submitted_at: dt.datetime | None = None,
          service_id: str | None = None) -> None:
    """At the end of a journey: rate what was just done (a receipt number, or the outbox
    reference of an application still to be sent); `then` when rated or skipped."""
    if "evaluate_rate" not in app.manager.screen_names:
        then()
        return
    app.manager.get_screen("evaluate_rate").flow.offer(reference, service_name, then,
                                                       submitted_at, service_id)
