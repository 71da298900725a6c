"""The platform controls a scripted demo needs: it cannot read numbers off the screen, so it
files an application for the card's holder, issues the newest one and pays the newest pending
payment — all through the reference platform the terminal talks to over HTTPS."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from kiosk.demo.app_process import ROOT
from kiosk.demo.script import RESIDENT_CARD
from kiosk.sim import Simulation
from tests.support import sim_citizen_client

CARD = str(ROOT / RESIDENT_CARD)
ID_NUMBER = "110101199003071233"


@pytest.fixture
def sim(tmp_path: Path):
    with Simulation(tmp_path / "sim", areas=()) as s:
        yield s


def test_a_filed_materials_free_application_is_issued_as_the_newest(sim: Simulation) -> None:
    first = sim.control("platform", "file", {"service_id": "housing-fund-deposit-certificate",
                                             "card": CARD})
    filed = sim.control("platform", "file", {"service_id": "social-insurance-certificate",
                                             "card": CARD})
    assert filed["status"] == "submitted" and filed["receipt_no"] != first["receipt_no"]
    sim.control("platform", "issue", {})
    with sim_citizen_client(sim, ID_NUMBER) as client:
        certificates = client.query_certificates(ID_NUMBER)
        mine = {a.receipt_no: a.status for a in client.query_applications(ID_NUMBER)}
    assert [c.receipt_no for c in certificates] == [filed["receipt_no"]]
    assert mine == {first["receipt_no"]: "submitted", filed["receipt_no"]: "certificate_issued"}


def test_a_fee_application_is_filed_with_its_materials_and_its_payment_paid(
        sim: Simulation) -> None:
    filed = sim.control("platform", "file", {"service_id": "residence-permit-replacement",
                                             "card": CARD})
    assert filed["fee_fen"] == 2000 and not filed["paid"]
    with pytest.raises(LookupError):
        sim.control("platform", "pay_pending", {})  # nothing asked for yet
    with sim_citizen_client(sim, ID_NUMBER) as client:
        payment = client.create_payment(filed["receipt_no"], str(uuid.uuid4()))
        assert payment.status == "pending"
        sim.control("platform", "pay_pending", {})
        assert client.get_payment(payment.payment_id).status == "paid"
        assert client.get_application(filed["receipt_no"]).paid


def test_the_sim_shows_help_requests_and_staff_answer_them(sim: Simulation) -> None:
    """`kiosk sim ctl platform help_requests|help_ack|help_close`, over what a terminal raised
    through the real client."""
    from kiosk.client.platform import PlatformClient
    from kiosk.config.loader import load_config

    assert sim.control("platform", "help_requests", {}) == []
    with pytest.raises(LookupError):
        sim.control("platform", "help_ack", {})  # nothing waits
    config = load_config(sim.site_config_path)
    with PlatformClient.from_config(config) as client:
        raised = client.raise_help_request({"screen": "pay_qr", "journey": "pay", "step": 2,
                                            "steps": 3, "raised_at": "2026-03-01T10:00:00Z"},
                                           str(uuid.uuid4()))
        [shown] = sim.control("platform", "help_requests", {"status": "open"})
        assert (shown["help_request_id"], shown["kiosk_id"], shown["screen"]) == (
            raised.help_request_id, config.terminal.id, "pay_qr")
        assert sim.control("platform", "help_ack", {"staff_id": "S0002"})["status"] == \
            "acknowledged"
        assert client.get_help_request(raised.help_request_id).acknowledged_by == "S0002"
        sim.control("platform", "help_close", {})
        assert client.get_help_request(raised.help_request_id).status == "closed"


def test_the_sim_serves_the_console_with_a_demo_login_and_its_board(sim: Simulation) -> None:
    """`kiosk sim ctl platform console|console_board`: the console beside the sim platform,
    fed by it (a heartbeat through the real client), and a fleet manager who can log in."""
    import re

    import requests

    from kiosk.client.platform import PlatformClient
    from kiosk.config.loader import load_config

    login = sim.control("platform", "console", {})
    assert login["username"] == "demo-manager" and re.fullmatch(r"\d{6}", login["code"])
    assert sim.control("platform", "console_board", {}) == []
    config = load_config(sim.site_config_path)
    with PlatformClient.from_config(config) as client:
        client.post_heartbeat({"health": "ok", "versions": {"app": "1"}, "outbox_depth": 0,
                               "paper": "low", "devices": {"printer": "online"},
                               "site": {"hall": "模拟大厅"}})
    [row] = sim.control("platform", "console_board", {})
    assert (row["kiosk_id"], row["hall"], row["level"], row["problems"]) == (
        config.terminal.id, "模拟大厅", "amber", ["paper_low"])
    with requests.Session() as browser:
        form = browser.get(login["url"], timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        board = browser.post(form.url, data={"csrf_token": token, **{
            k: login[k] for k in ("username", "password", "code")}}, timeout=10)
    assert board.url == login["url"] and f"row-{config.terminal.id}" in board.text
