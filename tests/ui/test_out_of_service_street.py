"""Out of service seen from the street: the console's signed command reaches the simulated
terminal through the platform and the attract loop shows the staff's message in place of the
invitation, without anyone touching the screen; a card placed meanwhile opens no journey (the
notice asks for the card back, and the citizen's session is over at once: a screenshot, refused
while a session is open, is taken); back in service brings the slides back, again untouched.
Real app, simulated platform, console and ID-card reader."""

from __future__ import annotations

import time

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import CARD, on, tap
from tests.ui.test_remote_actions import outcome, send

AREAS = ("idcard",)
KNOWN = "This terminal is under maintenance."  # a catalogue sentence: in both languages
ZH = "本终端正在维护。"
STAFF_WORDS = "设备维护中，请到 3 号窗口办理"  # staff's own words: shown as written


def on_attract(kid: str):  # type: ignore[no-untyped-def]
    return lambda s: s["screen"] == "attract" and kid in s["kids"]


def test_the_attract_loop_says_out_of_service_untouched_and_a_card_opens_no_journey(
        sim: Simulation, app: KioskUi) -> None:
    app.wait_for(on_attract("attract_text"), 15)
    closing = send(sim, "out_of_service", KNOWN)
    state = app.wait_for(on_attract("attract_out_of_service"), 20)
    assert outcome(sim, closing)["status"] == "executed"
    assert ZH in state["texts"] and KNOWN in state["texts"]
    assert app.inspect()["problems"] == []
    assert "attract_text" not in state["kids"] and "请触摸屏幕开始办理" not in state["texts"]
    time.sleep(4.5)  # a slide interval later it still says so (the slides do not come back)
    state = app.state()
    assert state["screen"] == "attract" and ZH in state["texts"]

    sim.control("idcard", "place_card", {"path": str(CARD)})
    state = app.wait_for(on_attract("out_of_service_take_card"), 20)
    assert "请取回您的身份证" in state["texts"] and "Please take your ID card" in state["texts"]
    assert app.inspect()["problems"] == []  # nothing clipped, overprinted or off the glass
    for _ in range(10):  # the card lies there: no home, no tiles, no greeting
        state = app.state()
        assert state["screen"] == "attract", state
        assert not {"greeting", "tile_apply", "home_title"} & set(state["kids"])
        time.sleep(0.2)
    shot = outcome(sim, send(sim, "screenshot"))  # refused while any session is open
    assert (shot["status"], shot["has_png"]) == ("executed", True)
    sim.control("idcard", "remove_card", {"settle_polls": 3})

    # staff's own words are shown once, as written
    assert outcome(sim, send(sim, "out_of_service", STAFF_WORDS))["status"] == "executed"
    state = app.wait_for(lambda s: STAFF_WORDS in s["texts"], 20)
    assert state["screen"] == "attract" and KNOWN not in state["texts"]

    opening = send(sim, "in_service")
    state = app.wait_for(on_attract("attract_text"), 20)
    assert outcome(sim, opening)["status"] == "executed"
    assert "attract_out_of_service" not in state["kids"]
    assert STAFF_WORDS not in state["texts"]


def test_a_command_revoked_while_it_waited_for_the_citizen_is_never_run(
        sim: Simulation, app: KioskUi) -> None:
    tap(app, "attract_text")  # a citizen at home: the command waits for them
    app.wait_for(on("home", "tile_apply"), 15)
    closing = send(sim, "out_of_service", STAFF_WORDS)
    time.sleep(2.5)  # a poll: fetched, not carried out
    assert sim.control("platform", "revoke", {"command_id": closing})["status"] == "revoked"
    tap(app, "exit")
    app.wait_for(on_attract("attract_text"), 20)
    later = outcome(sim, send(sim, "screenshot"))  # the terminal has polled since the citizen left
    assert later["status"] == "executed"
    state = app.state()
    assert "attract_out_of_service" not in state["kids"] and STAFF_WORDS not in state["texts"]
    assert outcome(sim, closing, 0)["status"] == "revoked"
