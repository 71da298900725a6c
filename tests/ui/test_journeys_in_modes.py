"""Every journey walked to its end in elder mode and in high contrast, as the demo walks them
in the default mode (kiosk.demo.script.JOURNEY_VISITS, the apply journey through
tests.ui.journey): the mode is chosen on home and stays on through the journey, and nothing
on the way raises.

In high contrast the citizen also switches to English and back on every screen of the walk:
nothing Chinese may stay on the glass but their own data (masked name, address). Lists
fetched in Chinese kept their service names, halls and dates in Chinese (pay, appointment,
evaluation, the certificates' names) until the views held both languages
(kiosk.journeys.base.Words); the form kept its labels and the receipt its service until they
asked their journey again (JourneyScreen.language_changed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.demo.runner import Player
from kiosk.demo.script import (JOURNEY_VISITS, RESIDENT_CARD, Control, Screen, Step, Tap,
                               TextedCode, WaitFor)
from kiosk.sim import Simulation
from screens.home import ELDER_TILES_PER_PAGE, TILES
from tests.ui.harness import KioskUi
from tests.ui.journey import (chinese_left_in_english, fill_form, give_materials, identify, on,
                              open_service, submit, tap)

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


@dataclass
class SwitchingPlayer(Player):
    """Plays a walk; on each screen it reaches, switches to English and back, noting what
    was still Chinese."""

    left_chinese: list[tuple[str, str]] = field(default_factory=list)

    def step(self, step: Step) -> None:
        super().step(step)
        if isinstance(step, Screen):
            self.left_chinese += chinese_left_in_english(self.app)


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
    player = (SwitchingPlayer if mode == "high_contrast" else Player)(app, sim, tmp_path)
    player.play(steps)
    state = app.state()
    assert state[mode], f"{mode} was lost on the way: {state['screen']}"
    assert "unexpected" not in app.app_log(10**6)
    assert getattr(player, "left_chinese", []) == []


@pytest.mark.parametrize("mode", list(MODES))
def test_apply_in_elder_mode_and_high_contrast(sim: Simulation, app: KioskUi,
                                               mode: str) -> None:
    identify(sim, app)
    tap(app, MODES[mode])
    app.wait_for(lambda s: s[mode], 10)
    open_service(sim, app)
    switching = mode == "high_contrast"

    def english_and_back() -> list[tuple[str, str]]:
        return chinese_left_in_english(app) if switching else []

    left = english_and_back()  # the form
    tap(app, "field_reason")
    app.wait_for(on("form", "opt_reason_0"))
    left += english_and_back()  # a field's options open
    tap(app, "opt_reason_0")
    app.wait_for(on("form", "form_next"))
    fill_form(app)
    left += english_and_back()  # the materials
    give_materials(sim, app)
    left += english_and_back()  # the review
    state = submit(app)
    assert state[mode] and "print_printed" in state["kids"], state["kids"]
    left += english_and_back()  # the receipt
    tap(app, "finish")
    app.wait_for(on("home"), 20)
    assert "unexpected" not in app.app_log(10**6)
    assert left == []
