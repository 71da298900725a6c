"""A citizen switches to English in the middle of a journey, on every screen the demo's walk of
it passes and on every screen of an application: nothing Chinese stays on the glass but their
own data (their masked name, the address the platform knows them by). Lists fetched in Chinese
kept their service names, halls and dates in Chinese (pay, appointment, evaluation and the
certificates' names) until the views held both languages (kiosk.journeys.base.Words); the
form kept its labels and the receipt its service until they asked their journey again
(JourneyScreen.language_changed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.demo.runner import Player, _idle
from kiosk.demo.script import (JOURNEY_VISITS, RESIDENT_CARD, Control, Screen, Step, Tap,
                               TextedCode, WaitFor)
from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import fill_form, give_materials, identify, on, open_service, submit, tap
from tests.ui.test_journeys_in_modes import FILED, NEEDS_AN_APPLICATION

AREAS = ("idcard", "document", "printer")
SHARE_APP = False  # each walk on a fresh platform: one application to rate, one certificate
HAN = re.compile(r"[\u4e00-\u9fff]")
ADDRESS = "上海市徐汇区示例路100弄2号301室"  # the resident's, prefilled from the platform
# the switch back; the holder's masked name and number; their address (a value, and on review)
OWN_WORDS = re.compile(r"^(中文|Applicant: \S+ +\d{6}\*+\w{4}|(Address in the city: )?"
                       + ADDRESS + ")$")


def chinese_left_in_english(app: KioskUi) -> list[tuple[str, str]]:
    """Switch to English, note what is still Chinese and not the citizen's own, switch back
    (the walk goes on as written)."""
    tap(app, "switch_language")
    state = app.wait_for(lambda s: s["language"] == "en" and _idle(s), 10)
    left = [(state["screen"], text) for text in state["texts"]
            if HAN.search(text) and not OWN_WORDS.match(text)]
    tap(app, "switch_language")
    app.wait_for(lambda s: s["language"] == "zh-CN" and _idle(s), 10)
    return left


class SwitchingPlayer(Player):
    """Plays a journey; on each screen it reaches, switches to English, notes what is still
    Chinese, and switches back so the walk goes on as written."""

    left_chinese: list[tuple[str, str]]

    def step(self, step: Step) -> None:
        super().step(step)
        if isinstance(step, Screen):
            self.left_chinese += chinese_left_in_english(self.app)


@pytest.mark.parametrize("journey", list(JOURNEY_VISITS))
def test_switching_to_english_mid_journey_leaves_nothing_chinese(
        sim: Simulation, app: KioskUi, tmp_path: Path, journey: str) -> None:
    visit = JOURNEY_VISITS[journey]
    steps: list[Step] = [Control("idcard", "place_card", {"path": f"<ROOT>/{RESIDENT_CARD}"}),
                         WaitFor({"screen": "home"}, kid="greeting"),
                         *([FILED] if journey in NEEDS_AN_APPLICATION else []),
                         *visit.before, Tap(visit.tile),
                         Screen("holder", kid="holder_resend", shot=False), TextedCode(),
                         *visit.steps]
    player = SwitchingPlayer(app, sim, tmp_path)
    player.left_chinese = []
    player.play(steps)
    screens = sum(isinstance(s, Screen) for s in steps)
    assert screens >= 3, "the walk passes too few screens to mean anything"
    assert player.left_chinese == []


def test_switching_to_english_on_every_screen_of_an_application(sim: Simulation,
                                                                 app: KioskUi) -> None:
    identify(sim, app)
    open_service(sim, app)
    left = chinese_left_in_english(app)  # the form
    tap(app, "field_reason")
    app.wait_for(on("form", "opt_reason_0"))
    left += chinese_left_in_english(app)  # a field's options open
    tap(app, "opt_reason_0")
    app.wait_for(on("form", "form_next"))
    fill_form(app)
    left += chinese_left_in_english(app)  # the materials
    give_materials(sim, app)
    left += chinese_left_in_english(app)  # the review
    submit(app)
    left += chinese_left_in_english(app)  # the receipt
    assert left == []
