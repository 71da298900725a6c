"""Schemathesis drives the live platform from the contract alone and finds nothing wrong.

The platform requires citizen sessions, and schemathesis calls it in a real, verified one (the
code read off the SMS gateway emulator), so the citizen operations are exercised past the door.

The database is prepared with real resources (an application awaiting a promised material, a
collected certificate, a payment, an appointment) whose ids are given to schemathesis, so the
generated calls reach the platform's logic instead of stopping at 404. The server checks its
own answers too (validate_responses=True; the `platform` fixture fails on any violation).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from limits import parse

from kiosk.api import SPEC_PATH
from kiosk.refplatform import operator
from kiosk.refplatform.ids import CST
from kiosk.refplatform.rate_limits import RULES, RateLimits
from tests.refplatform.conftest import (CITIZEN_ID, KIOSK, marriage_application, new_key,
                                        no_record_application, scan)
from tests.refplatform.test_citizen_sessions import verified

# Every check of schemathesis 4 but these: positive_data_acceptance (a schema-valid ID number
# with a wrong check digit, or a form that breaks the service's own schema, is rightly 422);
# object_level_authorization, use_after_free and ensure_resource_availability (no per-citizen
# ownership of URLs and no DELETE in the contract).
CHECKS_OFF = ("positive_data_acceptance", "object_level_authorization", "use_after_free",
              "ensure_resource_availability")

# Schemathesis 4 counts a request without the Authorization header as "schema-violating" but
# then sends it with the configured credential, so a 200 for listServices (whose only other
# inputs are optional) is reported as accepted invalid data. Auth refusals are covered by
# `ignored_auth` and by test_store_auth.py.
QUIRKS = "[checks]\n" + "".join(f"{c}.enabled = false\n" for c in CHECKS_OFF) + """
[[operations]]
include-name = "GET /catalogue/services"
checks.negative_data_rejection.enabled = false

[[operations]]
include-name = "DELETE /citizen-sessions/current"
enabled = false
"""  # ending the session would leave every later call refused at the door


def _resources(api, headers: dict[str, str]) -> dict[str, str]:
    today = dt.datetime.now(CST).date()
    promised = {"material_id": "household", "source": "promised",
                "promised_by": (today + dt.timedelta(days=5)).isoformat()}
    def file(body):
        response = api.post("/applications", body, key=new_key(), headers=headers)
        assert response.status_code == 201, response.text
        return response.json()["receipt_no"]

    awaiting = file(marriage_application(materials=[promised, scan("photo")]))
    operator.accept(api.store, awaiting)
    done = file(no_record_application())
    for step in (operator.accept, operator.start_review, operator.approve):
        step(api.store, done)
    certificate = api.post("/certificates/query", {"id_number": CITIZEN_ID},
                           headers=headers).json()["items"][0]
    payment = api.post("/payments", {"receipt_no": awaiting}, key=new_key(),
                       headers=headers).json()
    slots = api.get("/appointments/slots", params={
        "service_id": "civil.marriage-record", "date_from": today.isoformat(),
        "date_to": (today + dt.timedelta(days=7)).isoformat()}).json()["items"]
    appointment = api.post("/appointments", {
        "slot_id": slots[0]["slot_id"], "service_id": "civil.marriage-record",
        "applicant": {"id_kind": "resident", "id_number": CITIZEN_ID, "name": "张三"}},
        key=new_key(), headers=headers).json()
    return {"path.receipt_no": awaiting, "path.certificate_id": certificate["certificate_id"],
            "path.payment_id": payment["payment_id"],
            "path.appointment_id": appointment["appointment_id"],
            "path.verification_code": certificate["verification_code"],
            "path.service_id": "civil.marriage-record",
            "query.service_id": "civil.marriage-record"}


def test_schemathesis_finds_no_contract_breach(store, credential, tmp_path):
    from kiosk.refplatform.server import start_in_thread
    from tests.refplatform.conftest import Api

    roomy = {rule: (parse("100000/minute"),) for rule in RULES}  # the run is one terminal's burst
    handle = start_in_thread(store.path, validate_responses=True, require_citizen_session=True,
                             rate_limits=RateLimits(roomy))  # the real clock
    try:
        api = Api(handle, credential, None, store)
        session = verified(api)
        headers = {"Citizen-Session": session["Citizen-Session"]}
        parameters = _resources(api, headers)
        config = tmp_path / "schemathesis.toml"
        config.write_text(
            f'[auth]\nbasic = {{ username = "{KIOSK}", password = "{credential}" }}\n'
            "[parameters]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in parameters.items())
            + QUIRKS, encoding="utf-8")
        command = [str(Path(sys.executable).with_name("schemathesis")),
                   "--config-file", str(config), "run", str(SPEC_PATH), "--url", handle.url,
                   "--max-examples", "20", "--seed", "20250610", "--no-shrink",
                   "--suppress-health-check", "all",
                   # one worker: with two, hypothesis' lambda descriptions raced inside
                   # schemathesis now and then (an internal error, not a breach)
                   "--workers", "1",
                   "--request-timeout", "30",
                   "--header", f"Citizen-Session: {session['Citizen-Session']}"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300,
                                cwd=tmp_path, env={**os.environ, "NO_COLOR": "1"})
        violations = handle.app.extensions["refplatform"].violations
    finally:
        handle.stop()
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
    assert not violations, violations
