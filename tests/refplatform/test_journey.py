"""An application's whole life: filed at a kiosk, handled by the back office, collected."""

from __future__ import annotations

import pytest
import requests

from kiosk.refplatform import operator
from kiosk.refplatform.operator import OperatorError
from tests.refplatform.conftest import CITIZEN_ID, marriage_application, new_key, scan


def test_from_filing_to_collection(api):
    store, clock = api.store, api.clock
    receipt = api.file(marriage_application())["receipt_no"]
    operator.accept(store, receipt, clock=clock)
    api.post(f"/applications/{receipt}/supplements", {"materials": [scan("household")]},
             key=new_key())
    clock.advance(hours=1)
    operator.start_review(store, receipt, clock=clock)
    operator.request_correction(store, receipt, "照片不符合要求", ["photo"], clock=clock)
    api.post(f"/applications/{receipt}/supplements", {"materials": [scan("photo")]},
             key=new_key())
    payment = api.post("/payments", {"receipt_no": receipt}, key=new_key()).json()
    operator.mark_paid(store, payment["payment_id"], clock=clock)
    clock.advance(days=1)
    approved = operator.approve(store, receipt, clock=clock)
    assert approved["status"] == "certificate_issued" and approved["paid"] is True
    statuses = [e["status"] for e in api.get("/applications/" + receipt).json()["timeline"]]
    assert statuses == ["submitted", "accepted", "accepted", "in_review", "correction_requested",
                        "in_review", "approved", "certificate_issued"]

    certificates = api.post("/certificates/query", {"id_number": CITIZEN_ID}).json()["items"]
    assert [c["certificate_id"] for c in certificates] == approved["certificate_ids"]
    certificate = certificates[0]
    assert certificate["collected_at"] is None and certificate["print_count"] == 0
    assert certificate["holder_masked"] == "张* 110105********002X"

    document = api.get(f"/certificates/{certificate['certificate_id']}/document")
    assert document.status_code == 200
    assert document.headers["Content-Type"] == "application/pdf"
    assert document.content.startswith(b"%PDF-") and len(document.content) < 400_000

    collected = api.post(f"/certificates/{certificate['certificate_id']}/collect", {},
                         key=new_key())
    assert collected.status_code == 200
    assert collected.json()["print_count"] == 1 and collected.json()["collected_at"]
    final = api.get("/applications/" + receipt).json()
    assert final["status"] == "collected"

    twice = api.post(f"/certificates/{certificate['certificate_id']}/collect", {},
                     key=new_key())
    assert twice.status_code == 409 and twice.json()["code"] == "already_collected"
    reprint = api.post(f"/certificates/{certificate['certificate_id']}/collect",
                       {"reprint_reason": "打印卡纸"}, key=new_key())
    assert reprint.status_code == 200 and reprint.json()["print_count"] == 2
    with store.read() as conn:
        reasons = [r[0] for r in conn.execute("SELECT reprint_reason FROM collections ORDER BY id")]
    assert reasons == [None, "打印卡纸"]

    verified = requests.get(f"{api.url}/verify/{certificate['verification_code']}", timeout=10)
    assert verified.status_code == 200
    assert verified.json()["status"] == "valid"
    assert verified.json()["holder_masked"] == certificate["holder_masked"]


def test_verification_codes_are_crockford_base32_groups(api):
    receipt = api.file()["receipt_no"]
    for step in (operator.accept, operator.start_review, operator.approve):
        step(api.store, receipt, clock=api.clock)
    code = api.post("/certificates/query", {"id_number": CITIZEN_ID}).json()["items"][0][
        "verification_code"]
    groups = code.split("-")
    assert len(groups) == 4 and all(len(g) == 4 for g in groups)
    assert not set("".join(groups)) & set("ILOU")


def test_rejection_ends_the_application_with_the_reason_shown(api):
    receipt = api.file()["receipt_no"]
    operator.reject(api.store, receipt, "不符合申请条件", clock=api.clock)
    app = api.get("/applications/" + receipt).json()
    assert app["status"] == "rejected"
    assert app["timeline"][-1]["note"] == "不符合申请条件"
    with pytest.raises(OperatorError, match="rejected"):
        operator.accept(api.store, receipt, clock=api.clock)


def test_steps_out_of_order_are_refused(api):
    receipt = api.file(marriage_application())["receipt_no"]
    with pytest.raises(OperatorError, match="only from in_review"):
        operator.approve(api.store, receipt, clock=api.clock)
    operator.accept(api.store, receipt, clock=api.clock)
    operator.start_review(api.store, receipt, clock=api.clock)
    with pytest.raises(OperatorError, match="outstanding"):
        operator.approve(api.store, receipt, clock=api.clock)
    with pytest.raises(OperatorError, match="reason"):
        operator.reject(api.store, receipt, " ", clock=api.clock)
    with pytest.raises(OperatorError, match="not materials"):
        operator.request_correction(api.store, receipt, "补正", ["passport"], clock=api.clock)
    with pytest.raises(OperatorError, match="no application"):
        operator.accept(api.store, "SL-19990101-000001", clock=api.clock)


def test_the_back_office_list_filters_by_status(api):
    first = api.file()["receipt_no"]
    second = api.file(marriage_application())["receipt_no"]
    operator.accept(api.store, first, clock=api.clock)
    assert [a["receipt_no"] for a in operator.list_applications(api.store)] == [second, first]
    assert [a["receipt_no"] for a in operator.list_applications(api.store, "accepted")] == [first]


def test_unknown_certificates_are_404(api):
    assert api.get("/certificates/CNOSUCH/document").status_code == 404
    response = api.post("/certificates/CNOSUCH/collect", {}, key=new_key())
    assert response.status_code == 404
