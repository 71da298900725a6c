"""呼叫工作人员 on every screen: a citizen who touched the attract screen calls staff from home and
from a journey step; the platform holds each request with the right screen and step and nothing
of who called; staff's acknowledgement shows on the screen; with the platform down the citizen
is told so truthfully, with the hall's phone and counter. Real app, simulated terminal."""

from __future__ import annotations

import json
import time

import pytest

from kiosk.sim import Simulation
from screens.goodbye import GOODBYE_S
from tests.ui.harness import KioskUi
from tests.ui.journey import (CARD, free_times, identify, nothing_wrong, on, prove_holder,
                              tap)

CARD_FIELDS = json.loads(CARD.read_text(encoding="utf-8"))
PHONE, COUNTER = "010-12345678", "一楼大厅 3号综合窗口"  # kiosk.sim's [terminal] help_*
COUNTER_EN, HALL_EN = "Window 3, ground-floor hall", "Government Service Hall"  # and *_en


_SEEN: set[str] = set()  # requests of earlier tests on the module's shared simulation


@pytest.fixture(autouse=True)
def _only_this_tests_requests(sim: Simulation) -> None:
    _SEEN.clear()
    _SEEN.update(r["help_request_id"] for r in sim.control("platform", "help_requests", {}))


def _requests(sim: Simulation) -> list[dict]:
    return [r for r in sim.control("platform", "help_requests", {})
            if r["help_request_id"] not in _SEEN]


def _dialog(app: KioskUi, state: str) -> dict:
    return app.wait_for(lambda s: s["dialog"] == "help_dialog" and f"help_{state}" in s["kids"],
                        20)


def _no_personal_data(sim: Simulation) -> None:
    with sim.emulators["platform"].store.read() as conn:
        rows = [dict(r) for r in conn.execute("SELECT * FROM help_requests")]
    held = json.dumps(rows, ensure_ascii=False)
    for value in (CARD_FIELDS.get("id_number"), CARD_FIELDS.get("name")):
        assert value and value not in held


@pytest.mark.parametrize("mode", ["zh-normal", "en-elder-contrast"])
def test_call_staff_from_home_and_a_journey_step_and_staff_answer(
        sim: Simulation, app: KioskUi, mode: str, tmp_path) -> None:
    tap(app, "attract_text")
    app.wait_for(on("home", "call_staff"), 15)
    if mode != "zh-normal":
        for switch in ("switch_language", "switch_elder", "switch_contrast"):
            tap(app, switch)
        app.wait_for(lambda s: s["language"] == "en" and s["elder_mode"] and s["high_contrast"])
    before = app.layout()
    tap(app, "call_staff")
    state = _dialog(app, "sent")
    assert app.layout() == before  # the dialog lies above the screen: nothing moved
    words = "\n".join(state["texts"])
    assert PHONE in words and (COUNTER if mode == "zh-normal" else COUNTER_EN) in words
    # the hall and counter in English when the site names them in English
    assert (HALL_EN in state["texts"]) == (mode != "zh-normal")
    assert ("已通知工作人员" if mode == "zh-normal" else "Staff have been told") in words
    tap(app, "call_staff")  # a second tap: the same call, not a second request
    [home_call] = _requests(sim)
    assert (home_call["screen"], home_call["status"], home_call["kiosk_id"]) == (
        "home", "open", "SIM-0001")
    assert "journey" not in home_call and "step" not in home_call
    sim.control("platform", "help_ack", {"staff_id": "S0007"})
    state = _dialog(app, "acknowledged")  # read back while the dialog is open
    assert ("工作人员正在赶来" if mode == "zh-normal" else "Help is on the way") in state["texts"]
    app.screenshot(tmp_path / f"help-acknowledged-{mode}.png")
    sim.control("platform", "help_on_my_way", {"staff_id": "S0007"})  # the console's button
    state = _dialog(app, "on_the_way")
    assert ("工作人员已出发" if mode == "zh-normal" else "Staff have set off") in state["texts"]
    sim.control("platform", "help_close", {})
    _dialog(app, "closed")
    tap(app, "help_close")
    app.wait_for(lambda s: s["dialog"] is None)

    # a journey step: touch first, the tile asks for identity, the card, the texted code
    tap(app, "tile_apply")
    app.wait_for(on("identify", "call_staff"), 15)
    sim.control("idcard", "place_card", {"path": str(CARD)})
    prove_holder(sim, app)
    app.wait_for(on("catalogue", "call_staff"), 20)
    tap(app, "call_staff")
    _dialog(app, "sent")
    app.screenshot(tmp_path / f"help-sent-catalogue-{mode}.png")
    journey_call = _requests(sim)[-1]
    assert (journey_call["screen"], journey_call["journey"], journey_call["step"],
            journey_call["steps"]) == ("catalogue", "apply", 1, 7)
    _no_personal_data(sim)
    assert "Traceback" not in app.app_log(20000)


def test_platform_down_is_said_truthfully_with_phone_and_counter(sim: Simulation,
                                                                  app: KioskUi) -> None:
    tap(app, "attract_text")
    app.wait_for(on("home", "call_staff"), 15)
    sim.control("platform", "down", {})
    tap(app, "call_staff")
    state = _dialog(app, "failed")
    words = "\n".join(state["texts"])
    assert "本终端暂时无法通知工作人员" in words
    assert "已通知" not in words
    assert PHONE in words and COUNTER in words
    tap(app, "help_close")
    sim.control("platform", "up", {})
    tap(app, "call_staff")  # the same call again, now it reaches the staff: one request
    _dialog(app, "sent")
    assert [r["screen"] for r in _requests(sim)] == ["home"]


def test_a_problem_line_offers_call_staff_beside_it(sim: Simulation, app: KioskUi) -> None:
    """A wrong texted code: the problem is said, and a person to ask is one touch away."""
    tap(app, "attract_text")
    app.wait_for(on("home"), 15)
    tap(app, "tile_apply")
    app.wait_for(on("identify"), 15)
    sim.control("idcard", "place_card", {"path": str(CARD)})
    app.wait_for(lambda s: s["screen"] == "holder" and "busy" not in s["kids"]
                 and "call_staff" in s["kids"] and any("****" in t for t in s["texts"]), 20)
    right = sim.control("platform", "last_code", {})
    wrong = "".join(str((int(d) + 1) % 10) for d in right)
    for digit in wrong:
        tap(app, f"code_{digit}")
    tap(app, "code_ok")
    app.wait_for(on("holder", "call_staff_problem"), 20)
    tap(app, "call_staff_problem")
    _dialog(app, "sent")
    [call] = _requests(sim)
    assert call["screen"] == "holder" and "journey" not in call
    _no_personal_data(sim)


def test_call_staff_on_the_goodbye_screen_holds_it_until_the_citizen_closes(
        sim: Simulation, app: KioskUi) -> None:
    """A card or a receipt left behind, a question after Exit: the end screen has the button
    too, and the attract loop does not sweep the dialog away while the citizen waits."""
    tap(app, "attract_text")
    app.wait_for(on("home"), 15)
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] == "goodbye" and "call_staff" in s["kids"], 10)
    tap(app, "call_staff")
    _dialog(app, "sent")
    time.sleep(GOODBYE_S + 2)
    state = app.state()
    assert (state["screen"], state["dialog"]) == ("goodbye", "help_dialog")
    assert [r["screen"] for r in _requests(sim)] == ["goodbye"]
    tap(app, "help_close")
    app.wait_for(lambda s: s["screen"] == "attract" and s["dialog"] is None, 10)


def test_a_printer_out_of_paper_offers_call_staff_beside_its_words(
        sim: Simulation, app: KioskUi) -> None:
    """"The printer is out of paper. Please ask staff for help." with the button that asks
    them right beside it (the booking's slip; the receipt, the payment's, the progress slip and
    the certificate say it through the same line)."""
    sim.control("printer", "paper_out", {})
    identify(sim, app)
    state = free_times(sim, app)
    tap(app, sorted(k for k in state["kids"] if k.startswith("appt_slot_"))[0])
    app.wait_for(on("appt_booked", "call_staff_appt_print_paper_out"), 30)
    nothing_wrong(app)
    tap(app, "call_staff_appt_print_paper_out")
    _dialog(app, "sent")
    [call] = _requests(sim)
    assert (call["screen"], call["journey"]) == ("appt_booked", "appointment")
    _no_personal_data(sim)
