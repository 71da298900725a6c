"""Filing applications: what is kept, what is refused and how, supplements."""

from __future__ import annotations

import re

from kiosk.refplatform import operator
from tests.refplatform.conftest import (CITIZEN_ID, jpeg_b64, marriage_application, new_key,
                                        no_record_application, scan)


def test_filing_answers_201_with_the_receipt_number_and_the_state(api):
    response = api.post("/applications", no_record_application(), key=new_key())
    assert response.status_code == 201
    app = response.json()
    assert re.fullmatch(r"SL-20250610-\d{6}", app["receipt_no"])
    assert response.headers["Location"].endswith("/applications/" + app["receipt_no"])
    assert app["status"] == "submitted" and app["acceptance"] == "pending"
    assert app["applicant_masked"] == "张* 110105********002X"
    assert app["submitted_at"] == "2025-06-10T10:00:00+08:00"
    assert app["due_date"] == "2025-06-13"  # 3 working days from Tuesday
    assert app["timeline"][0]["status"] == "submitted"
    assert app["fee_fen"] == 0 and app["paid"] is False and app["certificate_ids"] == []
    assert api.get("/applications/" + app["receipt_no"]).json() == app


def test_pages_are_stored_decoded_in_their_own_rows(api):
    app = api.file()
    with api.store.read() as conn:
        rows = conn.execute(
            "SELECT p.content FROM pages p JOIN materials m ON m.id = p.material_row "
            "WHERE m.receipt_no = ?", (app["receipt_no"],)).fetchall()
    assert len(rows) == 2 and all(bytes(r[0]).startswith(b"\xff\xd8") for r in rows)


def test_due_date_counts_working_days_over_a_weekend(api):
    api.clock.advance(days=3)  # Friday 13 June
    app = api.file(marriage_application())  # 5 working days
    assert app["due_date"] == "2025-06-20"


def test_a_citizens_applications_are_listed_newest_first(api):
    first = api.file()
    second = api.file(marriage_application())
    items = api.post("/applications/query", {"id_number": CITIZEN_ID}).json()["items"]
    assert [a["receipt_no"] for a in items] == [second["receipt_no"], first["receipt_no"]]
    assert api.post("/applications/query", {"id_number": "440304199001011233"}).json() == {
        "items": []}


def test_a_form_that_breaks_the_service_schema_is_refused_by_path_not_value(api):
    body = no_record_application(form={"purpose": "秘密用途", "mobile": "12345"})
    response = api.post("/applications", body, key=new_key())
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "form_invalid"
    assert sorted(e["path"] for e in problem["errors"]) == ["form/mobile", "form/purpose"]
    assert "秘密用途" not in response.text and "12345" not in response.text


def test_materials_are_checked_against_the_service(api):
    body = no_record_application(materials=[
        {"material_id": "id_card", "source": "scan",
         "pages": [{"media_type": "image/jpeg", "content": "bm90IGEganBlZw=="}] * 3},
        {"material_id": "letter", "source": "promised"},
        {"material_id": "ghost", "source": "scan"},
    ])
    response = api.post("/applications", body, key=new_key())
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "materials_invalid"
    paths = {e["path"] for e in problem["errors"]}
    assert {"materials/0/pages", "materials/0/pages/0/content", "materials/1/promised_by",
            "materials/2/material_id"} <= paths


def test_a_required_material_may_not_be_missing_or_promised_unless_allowed(api):
    missing = api.post("/applications", no_record_application(materials=[]), key=new_key())
    assert missing.status_code == 422
    assert missing.json()["errors"] == [{"path": "materials",
                                         "message": "required material missing: id_card"}]
    promised = no_record_application(materials=[
        {"material_id": "id_card", "source": "promised", "promised_by": "2025-06-12"}])
    response = api.post("/applications", promised, key=new_key())
    assert response.json()["errors"][0]["message"] == "this material cannot be handed in later"


def test_an_elicence_of_the_applicant_replaces_the_paper(api):
    body = no_record_application(materials=[
        {"material_id": "id_card", "source": "elicence", "elicence_id": "EL-ID-0001"}])
    assert api.post("/applications", body, key=new_key()).status_code == 201
    body["materials"][0]["elicence_id"] = "EL-SOMEONE-ELSE"
    response = api.post("/applications", body, key=new_key())
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "materials/0/elicence_id"


def test_an_unknown_service_is_404_and_a_bad_id_number_422(api):
    response = api.post("/applications", no_record_application(service_id="no.such"),
                        key=new_key())
    assert response.status_code == 404
    body = no_record_application()
    body["applicant"]["id_number"] = CITIZEN_ID[:-1] + "3"
    response = api.post("/applications", body, key=new_key())
    assert response.status_code == 422 and response.json()["code"] == "invalid_id_number"


def test_a_body_outside_the_contract_is_400_and_echoes_no_value(api):
    body = no_record_application()
    body["applicant"]["id_number"] = "11010519491231002x"  # lower-case x: pattern says no
    body["applicant"]["surname"] = "张"
    response = api.post("/applications", body, key=new_key())
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert {"body/applicant", "body/applicant/id_number"} <= {e["path"] for e in problem["errors"]}
    assert "1101051949" not in response.text
    no_key = api.post("/applications", no_record_application())
    assert no_key.status_code == 400
    assert no_key.json()["errors"] == [{"path": "Idempotency-Key", "message": "required"}]


def test_not_json_is_400_and_another_media_type_415(api):
    headers = {"Idempotency-Key": new_key(), "Content-Type": "application/json"}
    response = api.session.post(api.url + "/applications", data=b"{nope", headers=headers)
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    headers["Content-Type"] = "text/plain"
    response = api.session.post(api.url + "/applications", data=b"hello", headers=headers)
    assert response.status_code == 415 and response.json()["code"] == "unsupported_media_type"


def test_a_body_over_32_mb_is_413(api):
    big = no_record_application(materials=[{
        "material_id": "id_card", "source": "scan",
        "pages": [{"media_type": "image/jpeg", "content": "A" * 12_000_000}] * 3}])
    response = api.post("/applications", big, key=new_key())
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_promised_materials_are_handed_in_later(api):
    app = api.file(marriage_application())
    assert app["promised_materials"] == [
        {"material_id": "household", "promised_by": "2025-06-20", "received": False}]
    accepted = operator.accept(api.store, app["receipt_no"], clock=api.clock)
    assert accepted["acceptance"] == "with_promise"
    # contract 1.6: a code and the materials' ids for the terminal to word in its language;
    # the Chinese text names them (never by id) for terminals before 1.6
    assert accepted["timeline"][-1] == {
        "status": "accepted", "at": accepted["timeline"][-1]["at"],
        "note": "已容缺受理，请按承诺时间补交材料：户口簿", "note_code": "accepted_with_promise",
        "note_params": {"materials": "household"}}
    wrong = api.post(f"/applications/{app['receipt_no']}/supplements",
                     {"materials": [scan("photo")]}, key=new_key())
    assert wrong.status_code == 422 and wrong.json()["code"] == "materials_invalid"
    response = api.post(f"/applications/{app['receipt_no']}/supplements",
                        {"materials": [scan("household", 2)], "note": "补交户口簿"},
                        key=new_key())
    assert response.status_code == 200
    after = response.json()
    assert after["promised_materials"][0]["received"] is True
    assert after["status"] == "accepted" and after["timeline"][-1]["note"] == "容缺材料已补交"
    assert after["timeline"][-1]["note_code"] == "promised_received"
    again = api.post(f"/applications/{app['receipt_no']}/supplements",
                     {"materials": [scan("household")]}, key=new_key())
    assert again.status_code == 409 and again.json()["code"] == "not_awaiting_materials"


def test_a_correction_request_is_answered_by_a_supplement(api):
    app = api.file()
    receipt = app["receipt_no"]
    operator.accept(api.store, receipt, clock=api.clock)
    operator.start_review(api.store, receipt, clock=api.clock)
    asked = operator.request_correction(api.store, receipt, "身份证复印件不清晰，请重新扫描",
                                        ["id_card"], clock=api.clock)
    assert asked["status"] == "correction_requested"
    seen = api.get("/applications/" + receipt).json()
    assert seen["timeline"][-1] == {"status": "correction_requested",
                                    "at": "2025-06-10T10:00:00+08:00",
                                    "note": "身份证复印件不清晰，请重新扫描",
                                    "note_code": "officer"}  # an officer's words (1.6)
    assert seen["correction_materials"] == ["id_card"]  # what a terminal offers to scan
    not_asked = api.post(f"/applications/{receipt}/supplements",
                         {"materials": [scan("letter")]}, key=new_key())
    assert not_asked.status_code == 422
    api.clock.advance(hours=2)
    response = api.post(f"/applications/{receipt}/supplements",
                        {"materials": [{"material_id": "id_card", "source": "scan",
                                        "pages": [{"media_type": "image/jpeg",
                                                   "content": jpeg_b64((64, 48))}]}]},
                        key=new_key())
    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert response.json()["timeline"][-1]["at"] == "2025-06-10T12:00:00+08:00"
    assert "correction_materials" not in response.json()


def test_unknown_application_is_404_and_a_malformed_receipt_number_400(api):
    assert api.get("/applications/SL-20250101-999999").status_code == 404
    response = api.post("/applications/SL-20250101-999999/supplements",
                        {"materials": [scan("id_card")]}, key=new_key())
    assert response.status_code == 404
    assert api.get("/applications/not_a_receipt").status_code == 400
