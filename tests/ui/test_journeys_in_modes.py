"""Every journey walked to its end in elder mode and in high contrast, as the demo walks them
in the default mode (kiosk.demo.script.JOURNEY_VISITS, the apply journey through
tests.ui.journey): the mode is chosen on home and stays on through the journey, and nothing
on the way raises."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.demo.runner import Player
from kiosk.demo.script import (JOURNEY_VISITS, RESIDENT_CARD, Control, Screen, Step, Tap,
                               TextedCode, WaitFor)
from kiosk.sim import Simulation
from screens.home import ELDER_TILES_PER_PAGE, TILES
from tests.ui.harness import KioskUi
from tests.ui.journey import fill_form, give_materials, identify, on, open_service, submit, tap

AREAS = ("idcard", "document", "printer")
SHARE_APP = False  # each walk on a fresh platform: one application to rate, one certificate
MODES = {"elder_mode": "switch_elder", "high_contrast": "switch_contrast"}
FILED = Control("platform", "file", {"service_id": "residence-permit-replacement",
                                     "card": f"<ROOT>/{RESIDENT_CARD}"})
NEEDS_AN_APPLICATION = {"progress", "evaluate"}


def in_mode(mode: str) -> list[Step]:
    return [Control("idcard", "place_card", {"path": f"<ROOT>/{RESIDENT_CARD}"}),
            WaitFor({"screen": "home"}, kid="greeting"),
            Tap(MODES[mode]), WaitFor({mode: True})]


def turn_to(tile: str, mode: str) -> list[Step]:
    """Elder mode shows fewer tiles on a page: "More services" until the tile is there."""
    if mode != "elder_mode":
        return []
    page = [kid for kid, _ in TILES].index(tile) // ELDER_TILES_PER_PAGE
    return [Tap("tiles_more")] * page


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("journey", list(JOURNEY_VISITS))
def test_a_journey_in_elder_mode_and_high_contrast(sim: Simulation, app: KioskUi,
                                                   tmp_path: Path, journey: str,
                                                   mode: str) -> None:
    visit = JOURNEY_VISITS[journey]
    steps: list[Step] = [*in_mode(mode), *([FILED] if journey in NEEDS_AN_APPLICATION else []),
                         *visit.before, *turn_to(visit.tile, mode), Tap(visit.tile),
                         Screen("holder", kid="holder_resend", shot=False), TextedCode(),
                         *visit.steps]
    Player(app, sim, tmp_path).play(steps)
    state = app.state()
    assert state[mode], f"{mode} was lost on the way: {state['screen']}"
    assert "unexpected" not in app.app_log(10**6)


@pytest.mark.parametrize("mode", list(MODES))
def test_apply_in_elder_mode_and_high_contrast(sim: Simulation, app: KioskUi,
                                               mode: str) -> None:
    identify(sim, app)
    tap(app, MODES[mode])
    app.wait_for(lambda s: s[mode], 10)
    open_service(sim, app)
    fill_form(app)
    give_materials(sim, app)
    state = submit(app)
    assert state[mode] and "print_printed" in state["kids"], state["kids"]
    tap(app, "finish")
    app.wait_for(on("home"), 20)
    assert "unexpected" not in app.app_log(10**6)
