"""The admin side through real touches on the app under Xvfb: the hidden gesture, the staff
card (pcscd + vpcd + the simulation's staff issuer) and its own PIN, citizens and forgers who
get no PIN pad, a card that blocks itself, device tests against the emulators, paper replaced,
out-of-service, idle close."""

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
from drivers.smartcard.emulator import DEMO_STAFF
from tests.admin.conftest import admin_site

W, H = 1920, 1080
CORNERS = ((5, H - 5), (W - 5, H - 5), (W - 5, 5), (5, 5))  # TL, TR, BR, BL (y up)


@pytest.fixture
def sim(tmp_path: Path):
    with Simulation(tmp_path / "sim", areas=("idcard", "qr", "printer", "smartcard")) as s:
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


def insert(sim: Simulation, control: str = "insert_staff_card", **kwargs) -> None:
    """Swap cards as a person does: out, a moment, in, a moment for the reader to read it.
    wait=0: this process's PC/SC client may belong to another pcscd (the smart-card tests');
    the app's reader sees the simulation's."""
    sim.control("smartcard", "remove_card", {"wait": 0})
    time.sleep(1.0)
    sim.control("smartcard", control, {"wait": 0, **kwargs})
    time.sleep(1.5)


def show_card(app: KioskUi, expect: str, timeout_s: float = 15) -> dict:
    """Press Continue until the reader has read the card (a person presses again too)."""
    deadline = time.monotonic() + timeout_s
    while True:
        app.tap("staff_card_read", wait_drawn=True)
        state = app.wait_for(lambda s: "busy" not in s["kids"] and (
            "pin_ok" in s["kids"] or "problem" in s["kids"]), 10)
        # a card just swapped: the reader may not have seen it yet, or still the last one
        if not any("没有卡片" in t or "无法读取" in t for t in state["texts"]) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert expect in state["kids"] or any(expect in t for t in state["texts"]), state["texts"]
    return state


def enter(app: KioskUi, pin: str) -> None:
    for digit in pin:
        app.tap(f"pin_{digit}", wait_drawn=True)
    app.tap("pin_ok", wait_drawn=True)


def shows(app: KioskUi, words: str, timeout_s: float = 10) -> dict:
    return app.wait_for(lambda s: any(words in t for t in s["texts"]) and "busy" not in s["kids"],
                        timeout_s)


def sign_in(app: KioskUi, sim: Simulation, staff: str = "S0001") -> None:
    insert(sim, staff_id=staff)
    gesture(app)
    app.wait_for(lambda s: s["screen"] == "admin_pin" and "staff_card_read" in s["kids"])
    show_card(app, "pin_ok")
    enter(app, DEMO_STAFF[staff][2])
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
    sign_in(app, sim)
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
    staff = [(who, a) for who, a in actions if a.startswith("admin.")]
    assert staff == [("S0001", a) for a in (
        "admin.staff_card", "admin.login", "admin.device_test", "admin.paper_replaced",
        "admin.device_test", "admin.device_test", "admin.logout")]
    assert DEMO_STAFF["S0001"][2] not in app.app_log(100_000)


def test_citizens_and_forgers_get_no_pin_pad_and_a_blocked_card_blocks_only_itself(
        app: KioskUi, sim) -> None:
    insert(sim, "insert_card")  # a citizen's genuine card
    gesture(app)
    app.wait_for(lambda s: s["screen"] == "admin_pin" and "staff_card_read" in s["kids"])
    for _ in range(3):  # a citizen trying again and again reaches no PIN to guess
        assert "pin_ok" not in show_card(app, "这不是工作人员卡")["kids"]
    insert(sim, staff_id="S0001", forged="other_issuer")
    assert "pin_ok" not in show_card(app, "这不是工作人员卡")["kids"]
    insert(sim, staff_id="S0002")
    show_card(app, "pin_ok")
    for left in (4, 3, 2, 1):
        enter(app, "000000")
        shows(app, f"还可再试 {left} 次")
    enter(app, "000000")
    state = shows(app, "已锁定")
    assert "pin_ok" not in state["kids"] and state["screen"] == "admin_pin"
    show_card(app, "已锁定")  # the same card again: still blocked, by the card itself
    insert(sim, staff_id="S0001")  # another staff member is not locked out
    show_card(app, "pin_ok")
    enter(app, DEMO_STAFF["S0001"][2])
    app.wait_for(lambda s: s["screen"] == "admin", 10)
    actions = audit_actions(sim)
    # 3 citizen tries, 1 forgery (and a card read while being swapped, retried)
    assert actions.count(("unknown", "admin.staff_card_refused")) >= 4
    assert not [a for a in actions if a[1] == "admin.login_failed" and a[0] != "S0002"]
    assert actions.count(("S0002", "admin.login_failed")) == 5
    assert ("S0002", "admin.staff_card_refused") in actions  # shown again: blocked
    assert actions[-1] == ("S0001", "admin.login")


def test_out_of_service_survives_a_restart(sim, xvfb, tmp_path: Path) -> None:
    ui = start(sim, xvfb, tmp_path)
    try:
        sign_in(ui, sim)
        ui.tap("tab_service", wait_drawn=True)
        ui.tap("oos_0", wait_drawn=True)
        shows(ui, "维护")
    finally:
        ui.stop()
    ui = start(sim, xvfb, tmp_path)
    try:
        ui.wait_for(lambda s: "attract_out_of_service" in s["kids"])  # seen from the street
        ui.tap("attract_out_of_service", wait_drawn=True)  # a citizen sees why, and no tiles
        state = ui.wait_for(lambda s: s["screen"] == "home" and "out_of_service" in s["kids"])
        assert "tile_apply" not in state["kids"]
        ui.tap("exit", wait_drawn=True)
        ui.wait_for(lambda s: s["screen"] == "attract")
        sign_in(ui, sim)
        ui.tap("tab_service", wait_drawn=True)
        ui.wait_for(lambda s: "back_in_service" in s["kids"])
        ui.tap("back_in_service", wait_drawn=True)
        ui.wait_for(lambda s: "oos_0" in s["kids"])
    finally:
        ui.stop()
    actions = [a for _, a in audit_actions(sim)]
    assert actions.index("admin.out_of_service") < actions.index("admin.in_service")


def test_taking_the_staff_card_out_signs_its_holder_out(app: KioskUi, sim) -> None:
    sign_in(app, sim, "S0002")
    sim.control("smartcard", "remove_card", {"wait": 0})
    app.wait_for(lambda s: s["screen"] == "attract", 10)
    assert audit_actions(sim)[-1] == ("S0002", "admin.logout")
    config = load_config(sim.site_config_path)
    with open_trail(config, create=False) as trail:
        assert list(trail.entries())[-1].details == {"reason": "card_removed"}


def test_the_admin_screen_closes_itself_when_left_alone(sim, xvfb, tmp_path: Path) -> None:
    ui = start(sim, xvfb, tmp_path, idle_timeout_s=2.0)
    try:
        sign_in(ui, sim)
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
        ui.wait_for(lambda s: "attract_out_of_service" in s["kids"])  # seen from the street
        ui.tap("attract_out_of_service", wait_drawn=True)
        state = ui.wait_for(lambda s: s["screen"] == "home" and "out_of_service" in s["kids"])
        assert "tile_apply" not in state["kids"]
        ui.tap("exit", wait_drawn=True)
        ui.wait_for(lambda s: s["screen"] == "attract")
        sign_in(ui, sim)
        ui.tap("tab_service", wait_drawn=True)
        shows(ui, "not a regular file")
    finally:
        ui.stop()


def test_staff_see_prints_of_unknown_outcome_and_outbox_items_that_keep_failing(
        sim, xvfb, tmp_path: Path) -> None:
    """Issue 20: a certificate print the kiosk was killed in the middle of, and an outbox item
    still failing past [outbox] stuck_after_s, are lines on the admin screen."""
    import tomllib
    import uuid

    import tomli_w

    from kiosk.outbox import open_outbox
    from kiosk.prints import PrintJournal
    from kiosk.terminal import PRINT_JOURNAL_NAME

    site = admin_site(sim, tmp_path / "site.toml")
    settings = tomllib.loads(site.read_text(encoding="utf-8"))
    settings.setdefault("outbox", {})["stuck_after_s"] = 1.0
    site.write_text(tomli_w.dumps(settings), encoding="utf-8")
    config = load_config(site)
    # What a kiosk killed mid-print leaves: a print started, its outcome never known.
    journal = PrintJournal(Path(config.terminal.data_dir) / PRINT_JOURNAL_NAME)
    journal.begin("certificate", "CERT-UNKNOWN-7", str(uuid.uuid4()), "print-action-7", None)
    journal.close()
    sim.control("platform", "down", {})
    ui = KioskUi(tmp_path / "ui", xvfb, site_file=site).start()
    try:
        with open_outbox(config, create=False) as outbox:  # as another process would queue
            item = outbox.enqueue("collection", {"certificate_id": "CERT-WAIT-1",
                                                 "reprint_reason": None})
        sign_in(ui, sim)
        shows(ui, "打印结果不明：1（请检查打印机）")
        shows(ui, "证照 CERT-UNKNOWN-7：")
        deadline = time.monotonic() + 30
        while True:  # the sender tries it (platform down), then 1 s later it is stuck
            ui.tap("tab_outbox", wait_drawn=True)
            state = ui.state()
            if f"stuck_{item.id}" in state["kids"] or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        assert "outbox_stuck" in state["kids"], state["texts"]
        assert any("失败超过 0 分钟：" in t for t in state["texts"]), state["texts"]
        assert any(t.startswith(f"{item.reference} collection：") and "PlatformUnreachable" in t
                   for t in state["texts"]), state["texts"]
    finally:
        ui.stop()
        sim.control("platform", "up", {})
