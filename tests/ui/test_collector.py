"""The app collects its cyclic garbage between touches (screens.collector, issue 16): full
collections, left to Python, ran in the middle of a screen's rebuild (200-600 ms each in the tap
bench); now one runs soon after the touches stop (once there is as much garbage as Python
waits for), so garbage does not pile up either."""

from __future__ import annotations

import time

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import identify, open_tile, tap

AREAS = ("idcard",)
IDLE_S = 1.0  # screens.collector.IDLE_S (importing it would open a Kivy window here)


def test_the_dropped_screens_are_collected_once_the_touches_stop(sim: Simulation,
                                                                 app: KioskUi) -> None:
    identify(sim, app)
    for _ in range(2):  # journey screens rebuilt: widget trees dropped
        open_tile(sim, app, "tile_progress")
        app.wait_for(lambda s: s["screen"] == "progress_list" and "busy" not in s["kids"], 20)
        tap(app, "home")
    before = app.state()["collector"]
    touched = time.monotonic()
    tap(app, "switch_language")
    after = app.wait_for(lambda s: s["collector"]["full"] > before["full"], 5)["collector"]
    assert time.monotonic() - touched >= IDLE_S  # seen no sooner than a second after the touch
    assert 0 < after["longest_ms"] < 2000
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] in ("goodbye", "attract"), 15)
