"""An empty list says why and offers the next step: no certificates to collect → see your
progress; no applications → apply; nothing to rate → apply or see progress. A citizen follows
each offer to where it leads. Real app on the simulated terminal (a citizen with no
applications yet)."""

from __future__ import annotations

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import identify, on, open_tile, tap

AREAS = ("idcard", "qr", "printer")


def test_empty_lists_say_why_and_lead_on(sim: Simulation, app: KioskUi) -> None:
    tap(app, "attract_text")
    app.wait_for(on("home"), 15)
    identify(sim, app)
    open_tile(sim, app, "tile_collect")
    state = app.wait_for(on("collect_list", "no_certificates"), 20)
    assert {"no_certificates_why", "view_progress"} <= set(state["kids"])
    assert any("签发" in t for t in state["texts"])  # why, in the citizen's words

    tap(app, "view_progress")
    state = app.wait_for(on("progress_list", "no_applications"), 20)
    assert "apply_now" in state["kids"]
    tap(app, "apply_now")
    app.wait_for(on("catalogue"), 20)

    tap(app, "home")
    app.wait_for(on("home"), 10)
    open_tile(sim, app, "tile_evaluate")
    state = app.wait_for(on("evaluate_list", "nothing_to_rate"), 20)
    assert {"apply_now", "view_progress"} <= set(state["kids"])
    assert app.proc is not None and app.proc.poll() is None
    assert "Traceback" not in app.app_log()
