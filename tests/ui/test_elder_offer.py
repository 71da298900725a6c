"""A citizen of 60 or over is offered elder mode by the card itself ([ui]
offer_elder_from_age): once per visit, never imposed; a younger citizen is not asked."""

from __future__ import annotations

from kiosk.sim import Simulation
from tests.ui.harness import ROOT, KioskUi
from tests.ui.journey import CARD, on, tap

# A fresh terminal per test: on the module's shared one a card placed right after the reset
# was sometimes not seen (CI, not reproduced alone; left to follow up, issue 16)

AREAS = ("idcard",)
SENIOR = ROOT / "assets/cards/resident_longterm.json"  # born 1952


def test_a_senior_is_offered_elder_mode_and_takes_it(sim: Simulation, app: KioskUi) -> None:
    tap(app, "attract_text")  # touch first, then the card
    app.wait_for(on("home"), 15)
    sim.control("idcard", "place_card", {"path": str(SENIOR)})
    state = app.wait_for(lambda s: s["dialog"] == "elder_offer", 20)
    assert "要使用长辈模式吗？" in state["texts"] and not state["elder_mode"]
    tap(app, "elder_offer_yes")
    app.wait_for(lambda s: s["dialog"] is None and s["elder_mode"], 10)


def test_a_younger_citizen_is_not_asked_and_a_no_is_kept(sim: Simulation, app: KioskUi) -> None:
    sim.control("idcard", "place_card", {"path": str(CARD)})  # born 1990
    state = app.wait_for(lambda s: s["screen"] == "home" and "greeting" in s["kids"], 20)
    assert state["dialog"] is None
    sim.control("idcard", "remove_card", {})
    app.wait_for(on("attract"), 20)
    sim.control("idcard", "place_card", {"path": str(SENIOR)})
    app.wait_for(lambda s: s["dialog"] == "elder_offer", 20)
    tap(app, "elder_offer_no")
    state = app.wait_for(lambda s: s["dialog"] is None, 10)
    assert not state["elder_mode"]
    tap(app, "switch_language")  # a redraw does not ask again
    state = app.wait_for(lambda s: s["language"] == "en", 10)
    assert state["dialog"] is None
