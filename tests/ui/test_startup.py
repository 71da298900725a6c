"""Cold start (issue 16): the first frame is the attract loop alone, drawn before the
configuration is validated and before the terminal and its journeys are imported; an app at
home carries none of the libraries that only a later journey needs, yet every journey still
works once it is chosen. A configuration refused after the first frame still stops the app
with its problems, and a site's own looks replace the first frame's. Real app on the simulated
terminal, modules read from the running process through the UI driver."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import requests

from kiosk.demo.app_process import FONT_CACHE
from kiosk.sim import Simulation
from screens.theme import ELDER_TEXT_FACTOR
from tests.ui.harness import KioskUi, Xvfb
from tests.ui.journey import on, tap

# What the first frame used to wait for (seconds under load): the configuration's schema
# (pydantic), the terminal and its journeys, OpenCV, the platform client, the fleet's TUF
# client, the printer library
NOT_BEFORE_FIRST_FRAME = ("pydantic", "kiosk.config.schema", "kiosk.terminal",
                          "kiosk.journeys.apply", "screens.home", "cv2", "numpy",
                          "kiosk.client.platform", "kiosk.fleet.service", "tuf", "escpos",
                          "fontTools")
# Only printing, a PDF or a form's check needs these; the app at home does without them, and
# without the fleet updater's TUF client (the updater is another process: kiosk.fleet.records)
NOT_AT_HOME = ("escpos", "img2pdf", "pikepdf", "jsonschema", "tuf", "securesystemslib")
YELLOW_BGR = (0, 255, 255)  # high contrast's text


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


@pytest.mark.parametrize("text, problem", [
    ('[ui]\nlanguage = "fr"\n', "ui.language"),  # judged by the schema, after the first frame
    ('[ui\nlanguage = "en"\n', "not valid TOML"),  # unreadable: before the window opens
])
def test_a_refused_configuration_stops_the_app_with_its_problems(
        xvfb: Xvfb, tmp_path: Path, text: str, problem: str) -> None:
    """As when the configuration was validated before the window: exit code 2 and every
    problem on stderr (the journal, at each of systemd's restarts), never a terminal serving
    on a configuration nobody checked."""
    site = tmp_path / "site.toml"
    site.write_text(f'[terminal]\nrun_dir = "{tmp_path / "run"}"\n'
                    f'data_dir = "{tmp_path / "data"}"\n' + text, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "screens", "--config", str(site), "--size",
                          "800x600"], capture_output=True, text=True, timeout=120,
                         env={**os.environ, **xvfb.env, "KIOSK_FONT_CACHE": str(FONT_CACHE)})
    assert out.returncode == 2, out.stderr[-2000:]
    assert "configuration refused" in out.stderr and problem in out.stderr
    assert "Traceback" not in out.stderr


def test_a_site_that_starts_citizens_otherwise_is_redrawn_in_its_looks(
        xvfb: Xvfb, tmp_path: Path) -> None:
    """The first frame is drawn in [ui]'s defaults; a site that sets English, elder mode and
    high contrast has its attract loop redrawn in them, and its citizens start in them."""
    ui = KioskUi(tmp_path / "looks", xvfb, site={
        "ui": {"language": "en", "elder_mode": True, "high_contrast": True}}).start(90)
    try:
        state = ui.state()
        assert (state["language"], state["elder_mode"], state["high_contrast"]) == \
            ("en", True, True)
        shot = cv2.imread(str(ui.screenshot(tmp_path / "attract.png")))
        assert shot[5, 5].tolist() == [0, 0, 0]  # high contrast's black ground
        ink = np.argwhere(np.all(shot == YELLOW_BGR, axis=2))  # its yellow text
        assert len(ink), "no yellow text on the attract loop"
        glyphs_px = ink[:, 0].max() - ink[:, 0].min()
        assert glyphs_px >= 0.8 * 48 * 1.4 * ELDER_TEXT_FACTOR  # the title drawn at elder size
        tap(ui, "attract_text")
        state = ui.wait_for(on("home"), 15)
        assert (state["language"], state["elder_mode"], state["high_contrast"]) == \
            ("en", True, True)
    finally:
        ui.stop()
