"""`kiosk platform …`: enrol a terminal, run the back office, serve."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import time

import requests
from click.testing import CliRunner

from kiosk.cli import CliContext
from kiosk.cli.platform_cmd import platform_group
from kiosk.refplatform.ids import CST
from tests.refplatform.conftest import CITIZEN_ID, marriage_application, new_key, scan


def run(*args: str, as_json: bool = False):
    return CliRunner().invoke(platform_group, list(args), obj=CliContext(None, as_json),
                              catch_exceptions=False)


def test_enrol_prints_a_credential_that_then_works(api):
    result = run("enrol", "kiosk-cli-1", "--db", api.store.path, as_json=True)
    assert result.exit_code == 0
    credential = json.loads(result.output)["credential"]
    response = requests.get(api.url + "/catalogue/services", auth=("kiosk-cli-1", credential),
                            timeout=10)
    assert response.status_code == 200
    assert run("enrol", "bad id!", "--db", api.store.path).exit_code == 1


def test_the_back_office_walks_an_application_to_its_certificate(api):
    api.clock.now = dt.datetime.now(CST)  # the CLI runs on the real clock
    db = api.store.path
    promise = {"material_id": "household", "source": "promised",
               "promised_by": (api.clock.now + dt.timedelta(days=3)).date().isoformat()}
    receipt = api.file(marriage_application(materials=[promise, scan("photo")]))["receipt_no"]
    listed = run("applications", "--db", db, "--status", "submitted")
    assert receipt in listed.output and CITIZEN_ID not in listed.output
    assert "110105********002X" in listed.output
    assert run("advance", receipt, "accept", "--db", db).exit_code == 0
    api.post(f"/applications/{receipt}/supplements", {"materials": [{
        "material_id": "household", "source": "scan",
        "pages": [{"media_type": "application/pdf", "content": "JVBERi0xLjQK"}]}]},
        key=new_key())
    assert run("advance", receipt, "review", "--db", db).exit_code == 0
    refused = run("advance", receipt, "reject", "--db", db)
    assert refused.exit_code == 1 and "reason" in refused.output
    corrected = run("advance", receipt, "correct", "--reason", "照片模糊", "--material", "photo",
                    "--db", db)
    assert corrected.exit_code == 0 and "照片模糊" in corrected.output

    payment = api.post("/payments", {"receipt_no": receipt}, key=new_key()).json()
    payments = run("payments", "--db", db, "--receipt", receipt)
    assert payment["payment_id"] in payments.output
    paid = run("pay", payment["payment_id"], "--db", db)
    assert paid.exit_code == 0 and "paid" in paid.output
    assert run("pay", "PNOSUCH", "--db", db).exit_code == 1

    api.post(f"/applications/{receipt}/supplements", {"materials": [{
        "material_id": "photo", "source": "scan",
        "pages": [{"media_type": "application/pdf", "content": "JVBERi0xLjQK"}]}]},
        key=new_key())
    approved = run("advance", receipt, "approve", "--db", db, as_json=True)
    assert approved.exit_code == 0
    assert json.loads(approved.output)["status"] == "certificate_issued"


def test_serve_answers_on_the_port_it_was_given(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = ("import sys; from kiosk.cli import CliContext; "
            "from kiosk.cli.platform_cmd import platform_group; "
            "platform_group(sys.argv[1:], obj=CliContext(None, False))")
    process = subprocess.Popen([sys.executable, "-c", code, "serve", "--db",
                                str(tmp_path / "p.sqlite3"), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "the platform did not come up"
                time.sleep(0.1)
        assert response.json()["status"] == "ok"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_staff_list_acknowledge_and_close_help_requests(api):
    db = api.store.path
    assert "no help requests" in run("help", "list", "--db", db).output
    made = api.post("/kiosk/help-requests", {"screen": "pay_qr", "journey": "pay", "step": 2,
                                             "steps": 3, "raised_at": "2025-06-10T10:00:00+08:00"},
                    key=new_key()).json()
    listed = run("help", "list", "--db", db, "--status", "open").output
    assert made["help_request_id"] in listed and "pay_qr (pay 2/3)" in listed
    assert run("help", "ack", made["help_request_id"], "--db", db).exit_code == 2  # no --staff
    acked = run("help", "ack", made["help_request_id"], "--staff", "S0001", "--db", db)
    assert acked.exit_code == 0 and "acknowledged" in acked.output
    assert api.get(f"/kiosk/help-requests/{made['help_request_id']}").json()["status"] == \
        "acknowledged"
    closed = run("help", "close", made["help_request_id"], "--staff", "S0001", "--db", db,
                 as_json=True)
    assert json.loads(closed.output)["status"] == "closed"
    assert run("help", "ack", made["help_request_id"], "--staff", "S0001",
               "--db", db).exit_code == 1
    assert run("help", "list", "--db", db, "--status", "open").output.strip() == \
        "no help requests"
