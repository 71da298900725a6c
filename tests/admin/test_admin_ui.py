"""The admin side through real touches on the app under Xvfb: the hidden gesture, the PIN pad,
the lockout, device tests against the emulators, paper replaced, out-of-service, idle close."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from kiosk.audit.from_config import open_trail
from kiosk.config import load_config
from kiosk.demo.app_process import KioskUi
from kiosk.sim import Simulation
from tests.admin.conftest import PIN, admin_site

W, H = 1920, 1080
CORNERS = ((5, H - 5), (W - 5, H - 5), (W - 5, 5), (5, 5))  # TL, TR, BR, BL (y up)


@pytest.fixture
def sim(tmp_path: Path):
    with Simulation(tmp_path / "sim", areas=("idcard", "qr", "printer")) as s:
        yield s


def start(sim: Simulation, xvfb, tmp_path: Path, **admin) -> KioskUi:
    site = admin_site(sim, tmp_path / "site.toml", **admin)
    return KioskUi(tmp_path / "ui", xvfb, site_file=site).start()


@pytest.fixture
def app(sim, xvfb, tmp_path: Path):
    ui = start(sim, xvfb, tmp_path)
    yield ui
    ui.stop()


def gesture(app: KioskUi, corners=CORNERS) -> None:
    for x, y in corners:
        app.command("touch", x=x, y=y)
        time.sleep(0.15)


def enter(app: KioskUi, pin: str) -> None:
    for digit in pin:
        app.tap(f"pin_{digit}", wait_drawn=True)
    app.tap("pin_ok", wait_drawn=True)


def shows(app: KioskUi, words: str, timeout_s: float = 10) -> dict:
    return app.wait_for(lambda s: any(words in t for t in s["texts"]) and "busy" not in s["kids"],
                        timeout_s)


def sign_in(app: KioskUi) -> None:
    gesture(app)
    app.wait_for(lambda s: s["screen"] == "admin_pin" and "pin_ok" in s["kids"])
    enter(app, PIN)
    app.wait_for(lambda s: s["screen"] == "admin" and "tab_devices" in s["kids"], 10)


def audit_actions(sim: Simulation) -> list[tuple[str, str]]:
    config = load_config(sim.site_config_path)
    with open_trail(config, create=False) as trail:
        assert trail.verify().ok
        return [(e.actor_id, e.action) for e in trail.entries()]


def test_corners_in_the_wrong_order_open_nothing(app: KioskUi) -> None:
    gesture(app, (CORNERS[0], CORNERS[2], CORNERS[1], CORNERS[3]))
    time.sleep(0.3)
    assert app.state()["screen"] in ("attract", "home")


def test_gesture_pin_printer_test_paper_replaced_and_close(app: KioskUi, sim) -> None:
    sign_in(app)
    state = app.state()
    assert {"device_printer", "test_printer", "device_idcard", "paper_replaced"} <= set(
        state["kids"])
    app.tap("test_printer", wait_drawn=True)
    shows(app, "测试通过", 30)
    assert len(sim.emulators["printer"].job_log()) == 1
    assert any("本卷纸已打印：1 /" in t for t in app.state()["texts"])  # the counter heard it
    app.tap("paper_replaced", wait_drawn=True)
    shows(app, "本卷纸已打印：0 /")
    app.tap("test_idcard", wait_drawn=True)
    shows(app, "no_card", 20)  # the reader answered (its SAM id), no card on it
    threading.Timer(1.0, lambda: sim.control("qr_camera", "show_code",
                                             {"text": "ADMIN-QR"})).start()
    app.tap("test_qr_camera", wait_drawn=True)
    shows(app, "length=8", 20)
    fleet_dir = Path(load_config(sim.site_config_path).terminal.data_dir) / "fleet"
    fleet_dir.mkdir(parents=True, exist_ok=True)  # a fleet layer was taken back meanwhile
    (fleet_dir / "state.json").write_text(json.dumps({"applied": {"version": 3}, "last_failure": {
        "at": "2026-11-23T03:31", "outcome": "rolled_back", "reason": "version 4: printer off"}}))
    app.tap("tab_versions", wait_drawn=True)
    shows(app, "config 3")
    shows(app, "上次配置更新未生效（2026-11-23T03:31）：version 4: printer off")
    app.tap("admin_close", wait_drawn=True)
    app.wait_for(lambda s: s["screen"] == "attract")
    actions = audit_actions(sim)
    staff = [a for who, a in actions if a.startswith("admin.")]
    assert staff == ["admin.login", "admin.device_test", "admin.paper_replaced",
                     "admin.device_test", "admin.device_test", "admin.logout"]
    assert PIN not in app.app_log(100_000)


def test_five_wrong_pins_lock_the_pad_until_the_delay_has_passed(sim, xvfb, tmp_path) -> None:
    app = start(sim, xvfb, tmp_path, lockout_base_s=4.0)
    try:
        gesture(app)
        app.wait_for(lambda s: s["screen"] == "admin_pin")
        for n in range(4):
            enter(app, "000000")
            shows(app, "错误")
        enter(app, "000000")
        locked_at = time.monotonic()
        shows(app, "秒后再试")
        enter(app, PIN)  # refused unheard while locked
        shows(app, "秒后再试")
        assert app.state()["screen"] == "admin_pin"
        time.sleep(max(0.0, locked_at + 4.2 - time.monotonic()))
        enter(app, PIN)
        app.wait_for(lambda s: s["screen"] == "admin", 10)
    finally:
        app.stop()
    actions = [a for _, a in audit_actions(sim)]
    assert actions.count("admin.login_failed") == 6 and actions[-1] == "admin.login"


def test_out_of_service_survives_a_restart(sim, xvfb, tmp_path: Path) -> None:
    ui = start(sim, xvfb, tmp_path)
    try:
        sign_in(ui)
        ui.tap("tab_service", wait_drawn=True)
        ui.tap("oos_0", wait_drawn=True)
        shows(ui, "维护")
    finally:
        ui.stop()
    ui = start(sim, xvfb, tmp_path)
    try:
        ui.tap("attract_text", wait_drawn=True)  # a citizen sees why, and no tiles
        state = ui.wait_for(lambda s: s["screen"] == "home" and "out_of_service" in s["kids"])
        assert "tile_apply" not in state["kids"]
        ui.tap("exit", wait_drawn=True)
        ui.wait_for(lambda s: s["screen"] == "attract")
        sign_in(ui)
        ui.tap("tab_service", wait_drawn=True)
        ui.wait_for(lambda s: "back_in_service" in s["kids"])
        ui.tap("back_in_service", wait_drawn=True)
        ui.wait_for(lambda s: "oos_0" in s["kids"])
    finally:
        ui.stop()
    actions = [a for _, a in audit_actions(sim)]
    assert actions.index("admin.out_of_service") < actions.index("admin.in_service")


def test_the_admin_screen_closes_itself_when_left_alone(sim, xvfb, tmp_path: Path) -> None:
    ui = start(sim, xvfb, tmp_path, idle_timeout_s=2.0)
    try:
        sign_in(ui)
        t0 = time.monotonic()
        ui.wait_for(lambda s: s["screen"] == "attract", 10)
        assert time.monotonic() - t0 < 6
    finally:
        ui.stop()
    assert audit_actions(sim)[-1][1] == "admin.logout"


def test_with_no_audit_trail_citizens_see_out_of_service_and_staff_see_why(
        sim, xvfb, tmp_path: Path) -> None:
    import tomllib

    import tomli_w

    site = admin_site(sim, tmp_path / "site.toml")
    layer = tomllib.loads(site.read_text(encoding="utf-8"))
    layer["audit"] = {"path": "/dev/null"}  # the review's trail that keeps nothing
    site.write_text(tomli_w.dumps(layer), encoding="utf-8")
    ui = KioskUi(tmp_path / "ui", xvfb, site_file=site).start()
    try:
        ui.tap("attract_text", wait_drawn=True)
        state = ui.wait_for(lambda s: s["screen"] == "home" and "out_of_service" in s["kids"])
        assert "tile_apply" not in state["kids"]
        ui.tap("exit", wait_drawn=True)
        ui.wait_for(lambda s: s["screen"] == "attract")
        sign_in(ui)
        ui.tap("tab_service", wait_drawn=True)
        shows(ui, "not a regular file")
    finally:
        ui.stop()
