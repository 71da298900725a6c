"""Cold start (issue 16): the first frame is the attract loop alone, drawn before the terminal
and its journeys are imported; an app at home carries none of the libraries that only a later
journey needs, yet every journey still works once it is chosen. Real app on the simulated
terminal, modules read from the running process through the UI driver."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi, Xvfb
from tests.ui.journey import on, tap

# What the first frame used to wait for (seconds under load): the terminal and its journeys,
# OpenCV, the platform client, the fleet's TUF client, the printer library
NOT_BEFORE_FIRST_FRAME = ("kiosk.terminal", "kiosk.journeys.apply", "screens.home", "cv2",
                          "numpy", "kiosk.client.platform", "kiosk.fleet.service", "tuf",
                          "escpos", "fontTools")
# Only printing, a PDF or a form's check needs these; the app at home does without them
NOT_AT_HOME = ("escpos", "img2pdf", "pikepdf", "jsonschema")


def test_first_frame_comes_before_the_terminal_and_home_carries_no_later_library(
        sim: Simulation, app: KioskUi) -> None:
    modules = app.modules()
    early = set(modules["at_first_frame"])
    assert "kivy.core.window" in early and "screens.attract" in early  # it is the first frame
    assert sorted(early & set(NOT_BEFORE_FIRST_FRAME)) == []
    assert app.state()["started"]  # the harness waits for the terminal: it came up after
    tap(app, "attract_text")
    app.wait_for(on("home"), 15)
    now = set(app.modules()["now"])
    assert {"kiosk.terminal", "cv2", "screens.home"} <= now  # built and running by now
    assert sorted(now & set(NOT_AT_HOME)) == []


def test_a_touch_before_the_terminal_is_built_opens_home_once_it_is(
        sim: Simulation, xvfb: Xvfb, tmp_path: Path) -> None:
    """A passer-by who touches the attract loop in its first second is not ignored: the touch
    is kept (`KioskApp.wake`) and home opens once the screens behind it are built."""
    ui = KioskUi(tmp_path / "early", xvfb, site_file=sim.site_config_path)
    starter = threading.Thread(target=ui.start, args=(90,), daemon=True)
    starter.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                state = ui.state()
            except requests.RequestException:
                state = {}
            if state.get("ready") and not state.get("started"):
                break
            if state.get("started") or time.monotonic() > deadline:
                pytest.skip("the terminal came up before a touch could reach the attract loop")
            time.sleep(0.02)
        assert state["screen"] == "attract"
        ui.command("tap", kid="attract_text")
        starter.join(90)
        state = ui.wait_for(lambda s: s["started"] and s["screen"] == "home", 30)
        assert "tile_apply" in state["kids"]
        assert "Traceback" not in ui.app_log()
    finally:
        starter.join(90)
        ui.stop()
