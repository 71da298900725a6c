"""Home is built once and redrawn in place (issue 16): a language, elder-mode or contrast switch
creates no widget (the app's own profiler, through the UI driver, says what ran on the main
loop), and home after a round of switches looks exactly as before them, pixel for pixel."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import identify, on, steady, tap

AREAS = ("idcard",)
# what a switch must not call: a constructor of ours (header, buttons) or of a Kivy label
BUILT = re.compile(r"(screens/(frame|widgets|home)\.py|kivy/uix/label\.py):\d+\(__init__\)")
ROUND = [("switch_language", {"language": "en"}), ("switch_elder", {"elder_mode": True}),
         ("tiles_more", {"elder_mode": True}), ("switch_contrast", {"high_contrast": True}),
         ("switch_language", {"language": "zh-CN"}), ("tiles_more", {"elder_mode": True}),
         ("switch_elder", {"elder_mode": False}), ("switch_contrast", {"high_contrast": False})]


def play(app: KioskUi, taps: list[tuple[str, dict]]) -> None:
    for kid, until in taps:
        app.command("tap", kid=kid, wait_drawn=True, until=until)


def picture(app: KioskUi, path: Path) -> np.ndarray:
    """Home as drawn, with the clock and the session timer blanked (they tick)."""
    app.screenshot(path)
    image = np.asarray(Image.open(path).convert("RGB")).copy()
    height = image.shape[0]
    for kid in ("clock", "session_timer"):
        x, y, w, h = (round(v) for v in app.command("widget", kid=kid)["rect"])
        image[max(0, height - y - h):height - y, x:x + w] = 0  # Kivy's y points up
    return image


def test_a_switch_on_home_builds_no_widget(sim: Simulation, app: KioskUi) -> None:
    tap(app, "attract_text")
    identify(sim, app)  # the greeting beside the title, too
    app.command("profile", start=True)
    try:
        play(app, ROUND)
    finally:
        report = app.command("profile", top=2000)["report"]
    assert re.search(r"screens/home\.py:\d+\(refresh\)", report), "home was not redrawn"
    built = sorted(set(BUILT.findall(report)))
    assert not built, f"a switch built widgets: {built}"


def test_home_after_a_round_of_switches_looks_as_before(sim: Simulation, app: KioskUi,
                                                        tmp_path: Path) -> None:
    tap(app, "attract_text")
    identify(sim, app)
    state = app.wait_for(on("home"))
    before = picture(app, tmp_path / "before.png"), app.layout(), steady(state["texts"])
    play(app, ROUND)
    state = app.wait_for(on("home"))
    after = picture(app, tmp_path / "after.png"), app.layout(), steady(state["texts"])
    assert after[2] == before[2]
    assert after[1] == before[1]  # every widget where it was, as large as it was
    differ = int(np.any(after[0] != before[0], axis=2).sum())
    assert differ == 0, f"{differ} pixels differ after the round of switches"
