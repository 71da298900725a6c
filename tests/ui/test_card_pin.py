"""A citizen with a social-security smart card proves it is them by the card's own PIN, on the
app's digit pad: the card (pcscd + vpcd + the project's virtual card) checks the PIN and counts
the tries, the platform checks the card's signed proof. A wrong PIN is told with the tries
left; a text message is offered instead."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w

from drivers.smartcard.emulator import SAMPLE_CARD
from kiosk.sim import Simulation
from tests.ui.harness import ROOT, KioskUi, Xvfb
from tests.ui.journey import on, tap

AREAS = ("smartcard", "idcard", "printer")


def decline_elder_mode(app: KioskUi) -> None:
    """The sample card's holder was born in 1949: elder mode is offered; these tests say no."""
    app.wait_for(lambda s: s["dialog"] == "elder_offer", 20)
    tap(app, "elder_offer_no")
    app.wait_for(lambda s: s["dialog"] is None, 10)


def insert_card_and_open_apply(sim: Simulation, app: KioskUi) -> dict:
    # wait=0: this test process's PC/SC client belongs to the smart-card tests' pcscd; the app's
    # reader sees the simulation's
    sim.control("smartcard", "insert_card", {"wait": 0})
    app.wait_for(lambda s: s["screen"] == "home" and "greeting" in s["kids"], 20)
    decline_elder_mode(app)
    tap(app, "tile_apply")
    return app.wait_for(lambda s: s["screen"] == "holder" and "holder_use_sms" in s["kids"]
                        and "busy" not in s["kids"], 20)


def type_pin(app: KioskUi, pin: str) -> None:
    for digit in pin:
        tap(app, f"code_{digit}")
    tap(app, "code_ok")


def test_the_card_pin_opens_the_journey_after_a_wrong_try(sim: Simulation, app: KioskUi) -> None:
    state = insert_card_and_open_apply(sim, app)
    assert any("卡片的密码" in t for t in state["texts"])
    type_pin(app, "0000")
    state = app.wait_for(lambda s: "problem" in s["kids"] and "busy" not in s["kids"], 20)
    assert any("还可以再试2次" in t for t in state["texts"]), state["texts"]
    assert "holder_elder" in state["kids"]  # larger keys offered after a failed try
    type_pin(app, SAMPLE_CARD["pin"])
    app.wait_for(on("catalogue"), 20)
    assert SAMPLE_CARD["pin"] not in app.app_log()


def test_a_card_that_blocked_its_pin_leaves_the_text_message(sim: Simulation,
                                                              app: KioskUi) -> None:
    insert_card_and_open_apply(sim, app)
    for _ in range(3):
        type_pin(app, "0000")
        state = app.wait_for(lambda s: "problem" in s["kids"] and "busy" not in s["kids"], 20)
    assert any("卡片无法在此确认" in t for t in state["texts"]), state["texts"]
    assert any("锁定" in t for t in state["texts"]) and "holder_use_sms" in state["kids"]
    tap(app, "holder_use_sms")  # this card's holder has no mobile on file: told so
    state = app.wait_for(lambda s: "problem" in s["kids"] and "busy" not in s["kids"], 20)
    assert any("没有您的手机号码" in t for t in state["texts"]), state["texts"]


def test_a_forged_card_never_reaches_the_pin(sim: Simulation, app: KioskUi) -> None:
    sim.control("smartcard", "insert_card", {"forged": "no_key", "wait": 0})
    tap(app, "attract_text")
    state = app.wait_for(on("home"), 20)
    assert "greeting" not in state["kids"]  # no session for the forged card's holder
    tap(app, "tile_apply")
    state = app.wait_for(on("identify"), 20)
    assert "greeting" not in state["kids"]


def test_a_journey_that_takes_only_the_card_pin(sim: Simulation, xvfb: Xvfb,
                                                 tmp_path: Path) -> None:
    """[holder] collect = ["card_pin"]: the smart card's holder is asked for the PIN with no
    text message offered; an ID card's holder is told the service needs the card."""
    site = tomllib.loads(sim.site_config_path.read_text(encoding="utf-8"))
    site["holder"] = {"collect": ["card_pin"]}
    card_only = tmp_path / "card-only.toml"
    card_only.write_text(tomli_w.dumps(site), encoding="utf-8")
    app = KioskUi(tmp_path / "ui-card-only", xvfb, site_file=card_only).start()
    try:
        sim.control("smartcard", "insert_card", {"wait": 0})
        app.wait_for(lambda s: s["screen"] == "home" and "greeting" in s["kids"], 20)
        decline_elder_mode(app)
        tap(app, "tile_collect")
        state = app.wait_for(lambda s: s["screen"] == "holder" and "code_ok" in s["kids"]
                             and "busy" not in s["kids"], 20)
        assert "holder_use_sms" not in state["kids"]
        sim.control("smartcard", "remove_card", {"wait": 0})
        app.wait_for(lambda s: s["screen"] == "attract", 20)

        sim.control("idcard", "place_card", {"path": str(ROOT / "assets/cards/resident.json")})
        app.wait_for(lambda s: s["screen"] == "home" and "greeting" in s["kids"], 20)
        tap(app, "tile_collect")
        state = app.wait_for(lambda s: s["screen"] == "holder" and "problem" in s["kids"]
                             and "busy" not in s["kids"], 20)
        assert any("社保卡" in t for t in state["texts"]) and "code_ok" not in state["kids"]
        tap(app, "back")
        tap(app, "tile_progress")  # another journey takes the texted code as before
        app.wait_for(lambda s: s["screen"] == "holder" and "holder_resend" in s["kids"], 20)
    finally:
        app.stop()
