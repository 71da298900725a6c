"""A bug in a screen never leaves a dead terminal: the exception is caught at the app's top
(screens.crash_guard), logged for staff without the citizen's data, the visit ends with an
apology and its data wiped, and the next citizen is served by the same process."""

from __future__ import annotations

import requests

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import CARD, identify, leftovers, on, open_tile, tap

AREAS = ("idcard", "printer")
SECRET = "110101199003071234"  # an ID number inside the exception's message


def test_an_exception_in_a_screen_ends_the_visit_with_an_apology(sim: Simulation,
                                                                  app: KioskUi) -> None:
    identify(sim, app)
    app.command("fault", text=f"failed for {SECRET}")
    state = app.wait_for(on("goodbye", "goodbye_fault"), 15)
    assert any("抱歉" in text for text in state["texts"]), state["texts"]
    assert app.proc is not None and app.proc.poll() is None
    log = app.app_log(10**6)
    assert "unexpected RuntimeError" in log and SECRET not in log
    assert not [p for p in leftovers(sim) if p.is_file()]  # the visit's files are wiped
    sim.control("idcard", "remove_card", {})
    app.wait_for(on("attract"), 20)
    tap(app, "attract_text")  # the same process serves the next citizen
    app.wait_for(on("home"), 15)


def test_a_fault_that_keeps_coming_back_restarts_the_process(sim: Simulation,
                                                             app: KioskUi) -> None:
    """Five within a minute is not a screen's bad luck: the process exits for systemd (or the
    fleet supervisor) to start a fresh one, rather than apologising forever."""
    tap(app, "attract_text")
    for _ in range(5):
        try:
            app.command("fault", text="again")
        except requests.ConnectionError:  # the process left while answering
            break
    assert app.proc is not None
    assert app.proc.wait(20) != 0
    assert "unexpected failures within" in app.app_log(10**6)


def test_a_touch_as_the_session_ends_elsewhere_brings_the_goodbye_not_a_fault(
        sim: Simulation, app: KioskUi) -> None:
    """A lifted card's grace ends the session on a timer thread; the screen hears of it on the
    main loop's next turn. A touch landing in between (the explorer found one: English, high
    contrast, on an application's detail) reached a screen whose data was wiped, and its
    SessionEnded went to the crash guard. The touch now brings the end first and goes no
    further."""
    receipt_no = sim.control("platform", "file", {
        "service_id": "nurse-practice-registration", "card": str(CARD)})["receipt_no"]
    identify(sim, app)
    open_tile(sim, app, "tile_progress")
    app.wait_for(on("progress_list", f"app_{receipt_no}"), 20)
    tap(app, f"app_{receipt_no}")
    app.wait_for(on("progress_detail", "progress_status"), 20)
    before = app.app_log(10**6)
    raced = app.command("end_then_tap", kid="switch_language")
    assert raced["ended"], raced
    state = app.wait_for(lambda s: s["screen"] in ("goodbye", "attract"), 15)
    assert state["language"] == "zh-CN"  # the touch switched nothing: the visit was over
    log = app.app_log(10**6)[len(before):]
    assert "unexpected" not in log and "Traceback" not in log, log[-2000:]
    assert not [p for p in leftovers(sim) if p.is_file()]


def test_a_visit_that_ends_while_a_screen_waits_leaves_it_usable_for_the_next(
        sim: Simulation, app: KioskUi) -> None:
    """The card lifted while a progress slip prints: the print's answer is dropped (its session
    is over), and the detail screen stayed "please wait" with every button but Call staff
    dead for the next citizen who opened an application's detail."""
    receipt_no = sim.control("platform", "file", {
        "service_id": "nurse-practice-registration", "card": str(CARD)})["receipt_no"]

    def to_detail() -> dict:
        open_tile(sim, app, "tile_progress")
        app.wait_for(on("progress_list", f"app_{receipt_no}"), 20)
        tap(app, f"app_{receipt_no}")
        return app.wait_for(on("progress_detail", "progress_print"), 20)

    identify(sim, app)
    to_detail()
    sim.control("printer", "silent", {})  # a printer that hangs: the print waits for it
    try:
        tap(app, "progress_print")
        assert "busy" in app.state()["kids"]  # the slip is printing
        sim.control("idcard", "remove_card", {})
        app.wait_for(lambda s: s["screen"] in ("goodbye", "attract"), 15)
    finally:
        sim.control("printer", "silent", {"enabled": False})
    identify(sim, app)
    state = to_detail()
    assert "busy" not in state["kids"]
    tap(app, "back")  # answers: the screen is not waiting for the last visit's print
    app.wait_for(on("progress_list"), 10)
