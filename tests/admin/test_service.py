"""The admin service on a whole simulated terminal: device tests through the emulators, paper
counter, outbox, last errors, out-of-service, restart/reboot — each audited with the staff id.

This terminal has no smart-card reader (this process's PC/SC client belongs to the smart-card
tests' pcscd), so nobody can sign in here; `signed_in` stands for a staff card's sign-in,
which tests/smartcard/test_staff_card.py and tests/admin/test_admin_ui.py do for real."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest

from kiosk.admin.out_of_service import OutOfServiceStore
from kiosk.admin.paper import PaperCounter
from kiosk.admin.service import AdminService, NotLoggedIn
from kiosk.admin.staff_card import StaffRefused
from kiosk.refplatform.terminals import latest_heartbeats
from kiosk.terminal import Terminal
from tests.support import wait_until
from tests.ui.harness import ROOT

CARD = ROOT / "assets/cards/resident.json"
ID_NUMBER = "110101199003071233"


@pytest.fixture
def admin(terminal: Terminal, loaded, tmp_path: Path):
    marker = tmp_path / "commands.log"
    service = AdminService(terminal, loaded,
                           restart_command=("sh", "-c", f"echo restart >> {marker}"),
                           reboot_command=("sh", "-c", f"echo reboot >> {marker}"))
    yield service
    service.logout()
    service.close()


def entries(terminal: Terminal) -> list:
    return list(terminal.audit.trail.entries())


def signed_in(admin: AdminService, staff: str = "S0001") -> None:
    """What a staff card and its right PIN leave behind (see the module's doc)."""
    admin.staff = staff


def test_without_a_card_reader_nobody_signs_in(admin, terminal) -> None:
    assert not admin.configured  # no card reader and no staff issuer on this terminal
    with pytest.raises(NotLoggedIn):
        admin.paper_replaced()
    with pytest.raises(StaffRefused):
        admin.read_staff_card()
    with pytest.raises(NotLoggedIn):  # no PIN without a staff card first
        admin.login("000000")
    signed_in(admin, "S001")
    admin.logout("idle")
    log = entries(terminal)[-2:]
    assert [(e.actor_kind, e.actor_id, e.action) for e in log] == [
        ("staff", "unknown", "admin.staff_card_refused"), ("staff", "S001", "admin.logout")]
    assert log[0].details["reason"] == "no_reader" and log[1].details == {"reason": "idle"}
    assert terminal.audit.trail.verify().ok


def test_device_rows_list_every_device_and_the_printer_test_prints(admin, terminal, sim) -> None:
    rows = {r.name: r for r in admin.device_rows()}
    assert {"idcard", "printer", "qr_camera", "doc_camera"} <= set(rows)
    assert rows["printer"].state == "online" and rows["printer"].testable
    signed_in(admin, "S001")
    jobs_before = len(sim.emulators["printer"].job_log())
    paper_before = admin.paper_use().jobs
    result = admin.run_test("printer")
    assert result.ok, result
    assert result.facts["bytes"] > 0 and result.facts["paper"] == "ok"
    assert len(sim.emulators["printer"].job_log()) == jobs_before + 1
    assert admin.paper_use().jobs == paper_before + 1  # the counter heard the job
    assert entries(terminal)[-1].action == "admin.device_test"
    assert entries(terminal)[-1].details == {"device": "printer", "ok": True, "reason": None}


def test_the_printer_test_says_paper_out_and_the_history_shows_it(admin, sim) -> None:
    signed_in(admin)
    sim.control("printer", "paper_out", {})
    try:
        result = admin.run_test("printer")
        assert not result.ok and result.reason == "paper_out"
        history = {r.name: r for r in admin.device_rows()}["printer"].history
        assert history and history[0].reason == "paper_out"
    finally:
        sim.control("printer", "reload_paper", {})


def test_the_card_reader_test_reads_a_card_masked(admin, sim, terminal) -> None:
    signed_in(admin)
    result = admin.run_test("idcard")
    assert not result.ok and result.reason == "no_card" and len(result.facts["sam"]) == 32
    sim.control("idcard", "place_card", {"path": str(CARD)})
    try:
        idcard = next(d for d in terminal.devices if d.name == "idcard")
        assert idcard.wait_for(lambda _s: idcard.current_card is not None, 10)
        result = admin.run_test("idcard")
        assert result.ok, result
        assert result.facts["number"].startswith("110101") and ID_NUMBER not in str(result)
    finally:
        sim.control("idcard", "remove_card", {})
        terminal.sessions.close()


def test_the_qr_test_reads_the_next_code_shown(admin, sim) -> None:
    signed_in(admin)
    assert admin.run_test("qr_camera", qr_wait_s=0.5).reason == "no_code"
    # staff press "test", then hold a code up
    threading.Timer(0.5, lambda: sim.control("qr_camera", "show_code",
                                             {"text": "ADMIN-TEST-1"})).start()
    result = admin.run_test("qr_camera", qr_wait_s=10)
    assert result.ok, result
    assert result.facts == {"format": "QRCode", "length": 12}  # never the text


def test_the_camera_test_takes_a_page(admin, sim) -> None:
    signed_in(admin)
    sim.control("doc_camera", "place_page", {"seed": 3})
    try:
        result = admin.run_test("doc_camera")
        assert result.ok, result
        width, height = (int(v) for v in result.facts["size"].split("x"))
        assert width > 100 and height > 100
    finally:
        sim.control("doc_camera", "remove_page", {})


def test_paper_replaced_resets_the_counter_and_a_restart_remembers(tmp_path: Path) -> None:
    counter = PaperCounter(tmp_path / "paper.json", roll_jobs=3, low_at=0.6)
    assert not counter.count(1000).low
    assert counter.count(1000).low  # 2 of 3 >= 60 %
    again = PaperCounter(tmp_path / "paper.json", roll_jobs=3, low_at=0.6)
    assert (again.use().jobs, again.use().bytes) == (2, 2000)
    fresh = again.replaced()
    assert (fresh.jobs, fresh.low) == (0, False) and fresh.since is not None
    assert PaperCounter(tmp_path / "paper.json").use().jobs == 0


def test_paper_replaced_is_audited(admin, terminal) -> None:
    signed_in(admin, "S002")
    assert admin.paper_replaced().jobs == 0
    last = entries(terminal)[-1]
    assert (last.actor_id, last.action) == ("S002", "admin.paper_replaced")


def test_outbox_summary_shows_refused_with_reason_and_send_now_makes_waiting_due(
        admin, terminal, sim) -> None:
    outbox = terminal.link.outbox
    refused = outbox.enqueue("not_a_kind", {"x": 1})
    sim.control("platform", "down", {})
    try:
        waiting = outbox.enqueue("kiosk_events", {"events": []})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (outbox.get(refused.id).state != "refused"
                                               or outbox.get(waiting.id).attempts == 0):
            time.sleep(0.05)
        summary = admin.outbox_summary()
        assert summary.present and summary.pending >= 1 and summary.oldest_pending_at
        assert [r.reference for r in summary.refused] == [refused.reference]
        assert "unknown_kind" in (summary.refused[0].reason or "")
        assert outbox.get(waiting.id).next_attempt_at > time.time()  # backing off
        signed_in(admin)
        attempts = outbox.get(waiting.id).attempts
        assert admin.send_now() >= 1
        # due at once: the sender tries again now instead of after its backoff
        assert wait_until(lambda: outbox.get(waiting.id).attempts > attempts, timeout=5)
        assert outbox.get(refused.id).state == "refused"  # the platform's no stands
        assert entries(terminal)[-1].action == "admin.outbox_send_now"
    finally:
        sim.control("platform", "up", {})
        outbox.discard(refused.id, "test")


def test_last_errors_are_kept_masked(admin) -> None:
    logging.getLogger("kiosk.test").error("could not file for %s", ID_NUMBER)
    logging.getLogger("kiosk.test").info("not an error")
    newest = admin.last_errors()[0]
    assert newest.level == "ERROR" and "110101********1233" in newest.message
    assert ID_NUMBER not in str(admin.last_errors())
    assert admin.last_error_text() and ID_NUMBER not in admin.last_error_text()


def test_versions_and_the_layer_in_force(admin) -> None:
    v = admin.versions()
    assert v.app and v.python and v.terminal == "SIM-0001"
    assert [name for name, _ in v.layers] == ["default", "site"]
    assert v.sources["admin.staff_issuer_root_file"].endswith("default.toml")
    assert v.sources["session.idle_timeout_s"].endswith("default.toml")
    assert v.fleet_failure is None


def test_versions_name_the_last_fleet_update_taken_back(admin, terminal) -> None:
    fleet_dir = Path(terminal.config.terminal.data_dir) / "fleet"
    fleet_dir.mkdir(parents=True, exist_ok=True)
    state = fleet_dir / "state.json"
    try:
        state.write_text(json.dumps({"applied": {"version": 3}, "pending": None, "bad": {},
                                     "last_failure": {"at": "2026-11-23T03:31:00+00:00",
                                                      "outcome": "rolled_back",
                                                      "reason": "version 4: printer is offline"}}))
        v = admin.versions()
        assert v.config == "3"
        assert v.fleet_failure == {"at": "2026-11-23T03:31:00+00:00", "outcome": "rolled_back",
                                   "reason": "version 4: printer is offline"}
        state.write_text("{not json")  # a damaged file: no version, no failure, no crash
        assert (admin.versions().config, admin.versions().fleet_failure) == (None, None)
    finally:
        state.unlink()


def test_out_of_service_is_persisted_until_staff_end_it(admin, terminal, loaded) -> None:
    assert admin.out_of_service() is None
    signed_in(admin, "S003")
    admin.set_out_of_service("维护中", "一楼3号窗口")
    again = AdminService(terminal, loaded)  # as after a restart
    try:
        state = again.out_of_service()
        assert state is not None and (state.message, state.nearest_counter, state.staff) == (
            "维护中", "一楼3号窗口", "S003")
        assert again.is_out_of_service()
    finally:
        again.close()
    admin.back_in_service()
    assert admin.out_of_service() is None
    assert [e.action for e in entries(terminal)[-2:]] == ["admin.out_of_service",
                                                         "admin.in_service"]


def test_a_damaged_out_of_service_file_keeps_the_terminal_closed(tmp_path: Path) -> None:
    store = OutOfServiceStore(tmp_path / "oos.json")
    (tmp_path / "oos.json").write_text("{not json")
    assert store.get() is not None


def test_restart_and_reboot_run_their_commands_audited(admin, terminal, tmp_path) -> None:
    signed_in(admin)
    assert admin.restart_app() is False  # a command was configured: it ran
    admin.reboot()
    assert (tmp_path / "commands.log").read_text().split() == ["restart", "reboot"]
    assert [e.action for e in entries(terminal)[-2:]] == ["admin.restart_app", "admin.reboot"]
    plain = AdminService(terminal, restart_command=())
    try:
        signed_in(plain)
        assert plain.restart_app() is True  # no command: the app stops, systemd restarts it
    finally:
        plain.logout()
        plain.close()


def test_an_item_failing_past_stuck_after_s_is_raised_on_the_screen_and_in_the_heartbeat(
        admin, terminal, sim) -> None:
    """Issue 20: the head of an application's lane that keeps failing is told to staff: the
    admin screen's outbox data and the heartbeat (contract 1.3), which the platform takes."""
    link = terminal.link
    outbox, sender = link.outbox, link.sender
    assert sender.stuck_after_s == terminal.config.outbox.stuck_after_s == 900
    assert admin.outbox_summary().stuck == ()
    sim.control("platform", "down", {})
    sender.stuck_after_s = 0.5
    try:
        # a lane of its own (a certificate's collection record), so nothing queued by another
        # test holds it
        item = outbox.enqueue("collection", {"certificate_id": "CERT-STUCK-0001",
                                             "reprint_reason": None})
        assert wait_until(lambda: outbox.get(item.id).attempts >= 1
                          and time.time() - item.created_at > 0.6, timeout=10)
        summary = admin.outbox_summary()
        [stuck] = [s for s in summary.stuck if s.id == item.id]
        assert (stuck.reference, stuck.kind) == (item.reference, "collection")
        assert stuck.attempts >= 1 and "PlatformUnreachable" in (stuck.error or "")
        assert summary.stuck_after_s == 0.5
        body = terminal.heartbeat_body()
        assert body["outbox_stuck"]["count"] == len(summary.stuck) >= 1
        assert body["outbox_stuck"]["oldest_age_s"] >= 0
        assert isinstance(body["prints_unknown"], int)
    finally:
        sender.stuck_after_s = 900
        sim.control("platform", "up", {})
    # the terminal's own heartbeat thread may post between this post and the read (CI saw
    # its newer beat, stuck no more, read back): post and read again until the platform holds
    # this one
    held: list[dict] = []

    def taken() -> bool:
        if not _posted(link, body):
            return False
        held.append(_latest_beat(sim))
        return "outbox_stuck" in held[-1]

    assert wait_until(taken, timeout=15, interval=0.5), held
    beat = held[-1]
    assert beat["outbox_stuck"] == body["outbox_stuck"]
    assert beat["prints_unknown"] == body["prints_unknown"]
    assert "outbox_stuck" not in terminal.heartbeat_body()  # 900 s: nothing is stuck
    if outbox.get(item.id).state in ("pending", "refused"):
        outbox.discard(item.id, "test")


def _latest_beat(sim) -> dict:
    with sim.emulators["platform"].store.read() as conn:
        [beat] = [b for b in latest_heartbeats(conn) if b["kiosk_id"] == "SIM-0001"]
    return beat


def _posted(link, body: dict) -> bool:
    try:
        link.client.post_heartbeat(body)
    except Exception:
        return False
    return True
