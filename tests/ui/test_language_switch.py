"""A citizen switches to English in the middle of a journey, on every screen the demo's walk of
it passes: nothing Chinese stays on the glass but their own (masked) name. Lists fetched in
Chinese kept their service names, halls and dates in Chinese (pay, appointment, evaluation and
the certificates' names) until the views held both languages (kiosk.journeys.base.Words)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.demo.runner import Player, _idle
from kiosk.demo.script import (JOURNEY_VISITS, RESIDENT_CARD, Control, Screen, Step, Tap,
                               TextedCode, WaitFor)
from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.test_journeys_in_modes import FILED, NEEDS_AN_APPLICATION

AREAS = ("idcard", "document", "printer")
SHARE_APP = False  # each walk on a fresh platform: one application to rate, one certificate
HAN = re.compile(r"[\u4e00-\u9fff]")
OWN_WORDS = re.compile(r"^(中文|Applicant: \S+ \d{6}\*+\w{4})$")  # the switch back; the holder


class SwitchingPlayer(Player):
    """Plays a journey; on each screen it reaches, switches to English, notes what is still
    Chinese, and switches back so the walk goes on as written."""

    left_chinese: list[tuple[str, str]]

    def step(self, step: Step) -> None:
        super().step(step)
        if not isinstance(step, Screen):
            return
        self.tap("switch_language")
        state = self.app.wait_for(lambda s: s["language"] == "en" and _idle(s), 10)
        self.left_chinese += [(state["screen"], text) for text in state["texts"]
                              if HAN.search(text) and not OWN_WORDS.match(text)]
        self.tap("switch_language")
        self.app.wait_for(lambda s: s["language"] == "zh-CN" and _idle(s), 10)


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
