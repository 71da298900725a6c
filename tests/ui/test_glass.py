"""A frame draws the same picture for less (issue 16: main-loop stalls). Kivy redraws the whole
window whenever anything changes (the session timer, every second), and under software GL a
frame costs every pixel it draws or tests: no screen's frame pays for a clip that cuts nothing
or for a quad as large as the window (the ground is the window's clear colour)."""

from __future__ import annotations

import requests

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import identify, on, tap

AREAS = ("idcard",)


def canvas(app: KioskUi) -> dict:
    """What the app's next frame draws (screens.glass.census)."""
    return requests.get(f"{app.url}/canvas", timeout=10).json()


def test_home_frame_tests_no_stencil_and_draws_no_window_sized_quad(
        sim: Simulation, app: KioskUi) -> None:
    tap(app, "attract_text")
    identify(sim, app)  # the greeting beside the title, and the session timer ticking
    app.wait_for(on("home"))
    drawn = canvas(app)
    # the screen manager fills the window: clipping to it wrote two window-sized quads into
    # the stencil and tested every pixel of the frame against it (a seventh of home's frame)
    assert drawn["stencil"] == 0, drawn["instructions"]
    assert drawn["largest_quad_px"] < 1920 * 1080 / 4, drawn
    # what home draws besides its ground: six tiles, two switches, the header, the greeting:
    # 1.77 Mpx of quads when this was written (main before issue 16's frame work: 6.19 Mpx
    # without the greeting, 4.15 of them the clip's, and labels drawing their whole texture)
    assert drawn["quad_px"] < 1.9e6, drawn
