"""A citizen who does what the attract screen says: touch first, then a tile. Every tile either
asks for identity (the card or a code) or, where this terminal cannot offer it, says why and
stays home; nothing crashes. Real app on the simulated terminal, in both languages."""

from __future__ import annotations

import pytest

from kiosk.sim import Simulation
from screens.home import TILES
from tests.ui.harness import KioskUi
from tests.ui.journey import on, tap

AREAS = ("idcard", "qr", "printer")
PROMPTS = {"identify": "identify_prompt", "progress_start": "progress_prompt"}


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_touch_then_every_tile_asks_for_identity(sim: Simulation, app: KioskUi,
                                                   language: str) -> None:
    tap(app, "attract_text")
    state = app.wait_for(on("home"), 15)
    if language != state["language"]:
        tap(app, "switch_language")
        app.wait_for(lambda s: s["language"] == language)
    asked = []
    for kid, _msgid in TILES:
        tap(app, kid)
        state = app.wait_for(lambda s: s["screen"] in PROMPTS and PROMPTS[s["screen"]] in s["kids"],
                             15)
        assert state["language"] == language
        asked.append(kid)
        tap(app, "back")
        app.wait_for(on("home"), 15)
    assert asked == [kid for kid, _ in TILES]
    assert app.proc is not None and app.proc.poll() is None
    assert "Traceback" not in app.app_log()
