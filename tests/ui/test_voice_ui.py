"""重听 / Repeat is on home and on every journey screen's header, and pressing it (before
anything was said, and after) never disturbs the screen."""

from __future__ import annotations

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import on, tap

AREAS = ("idcard",)


def test_repeat_is_on_home_and_on_a_journey_screen(sim: Simulation, app: KioskUi) -> None:
    tap(app, "attract_text")
    app.wait_for(on("home", "repeat_voice"), 15)
    tap(app, "repeat_voice")
    tap(app, "tile_progress")  # no card: its identity prompt, a journey screen
    app.wait_for(lambda s: s["screen"] in ("identify", "progress_start")
                 and "repeat_voice" in s["kids"], 15)
    tap(app, "switch_language")
    state = app.wait_for(lambda s: s["language"] == "en", 10)
    assert "Repeat" in state["texts"]
    tap(app, "repeat_voice")
    assert app.state()["screen"] in ("identify", "progress_start")
    assert app.proc is not None and app.proc.poll() is None
    assert "unexpected" not in app.app_log(10**6)
