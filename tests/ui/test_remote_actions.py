"""The console's remote actions reach the simulated terminal through the platform: out of
service shows the staff's message instead of the tiles and waits for a citizen to finish
first; back in service brings the journeys back; a screenshot is refused while a citizen's
session is open and taken (the real window, PNG) once nobody is there; a restart ends the
process with the code its supervisor restarts on. Real app, simulated platform and console."""

from __future__ import annotations

import time

from kiosk.fleet.service import RESTART_EXIT_CODE
from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import on, tap

AREAS = ("printer",)
MESSAGE = "设备维护中，请到 3 号窗口办理"


def send(sim: Simulation, action: str, message: str = "") -> str:
    return sim.control("platform", "command", {"action": action, "message": message})["command_id"]


def outcome(sim: Simulation, command_id: str, timeout_s: float = 20.0) -> dict:
    """What the terminal reported, once it has (it polls every 2 s in the simulation)."""
    deadline = time.monotonic() + timeout_s
    while True:
        row = next(r for r in sim.control("platform", "commands", {})
                   if r["command_id"] == command_id)
        if row["status"] != "pending" or time.monotonic() > deadline:
            return row
        time.sleep(0.3)


def test_out_of_service_waits_for_the_citizen_and_back_in_service_opens_the_journeys(
        sim: Simulation, app: KioskUi) -> None:
    tap(app, "attract_text")  # a citizen is at home
    app.wait_for(on("home", "tile_apply"), 15)
    closing = send(sim, "out_of_service", MESSAGE)
    time.sleep(4)  # two polls: the command waits
    assert outcome(sim, closing, 0)["status"] == "pending"
    assert "tile_apply" in app.state()["kids"]
    tap(app, "exit")  # the citizen leaves
    assert outcome(sim, closing)["status"] == "executed"
    app.wait_for(lambda s: s["screen"] in ("attract", "goodbye"), 15)
    app.reset()
    tap(app, "attract_out_of_service")  # the attract loop says so too (test_out_of_service_street)
    state = app.wait_for(on("home", "out_of_service"), 15)
    assert "tile_apply" not in state["kids"]
    assert MESSAGE in app.command("widget", kid="out_of_service")["text"]

    app.reset()
    assert outcome(sim, send(sim, "in_service"))["status"] == "executed"
    tap(app, "attract_text")
    state = app.wait_for(on("home", "tile_apply"), 15)
    assert "out_of_service" not in state["kids"]


def test_a_screenshot_only_while_nobody_is_at_the_screen(sim: Simulation, app: KioskUi) -> None:
    tap(app, "attract_text")
    app.wait_for(on("home"), 15)
    refused = outcome(sim, send(sim, "screenshot"))
    assert (refused["status"], refused["reason"], refused["has_png"]) == (
        "refused", "session_open", False)
    app.reset()
    taken = outcome(sim, send(sim, "screenshot"))
    assert (taken["status"], taken["has_png"]) == ("executed", True)
    with sim.emulators["platform"].store.read() as conn:
        png = conn.execute("SELECT screenshot FROM kiosk_commands WHERE command_id = ?",
                           (taken["command_id"],)).fetchone()[0]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000  # the attract loop, drawn


def test_a_restart_exits_for_the_supervisor(sim: Simulation, app: KioskUi) -> None:
    """Last in the module: the app ends (the next module's app is a fresh one)."""
    restart = send(sim, "restart")
    assert app.proc is not None and app.proc.wait(30) == RESTART_EXIT_CODE, app.app_log()
    assert 'reason="restart: remote command"' in app.app_log(20_000)
    assert outcome(sim, restart)["status"] == "executed"
