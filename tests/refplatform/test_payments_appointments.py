"""Paying a fee, booking and cancelling a counter appointment."""

from __future__ import annotations

import re

from kiosk.refplatform import operator
from tests.refplatform.conftest import (CITIZEN_ID, OTHER_ID, marriage_application, new_key,
                                        no_record_application)

SERVICE = "civil.marriage-record"


def test_a_payment_is_pending_until_the_provider_confirms_it(api):
    receipt = api.file(marriage_application())["receipt_no"]
    created = api.post("/payments", {"receipt_no": receipt}, key=new_key())
    assert created.status_code == 201
    payment = created.json()
    assert payment["amount_fen"] == 2000 and payment["status"] == "pending"
    assert payment["payment_id"] in payment["qr_content"] and payment["paid_at"] is None
    assert payment["expires_at"] == "2025-06-10T10:15:00+08:00"
    assert api.get("/payments/" + payment["payment_id"]).json()["status"] == "pending"
    api.clock.advance(minutes=2)
    operator.mark_paid(api.store, payment["payment_id"], clock=api.clock)
    paid = api.get("/payments/" + payment["payment_id"]).json()
    assert paid["status"] == "paid" and paid["paid_at"] == "2025-06-10T10:02:00+08:00"
    assert api.get("/applications/" + receipt).json()["paid"] is True
    again = api.post("/payments", {"receipt_no": receipt}, key=new_key())
    assert again.status_code == 409 and again.json()["code"] == "already_paid"


def test_an_unpaid_payment_expires_and_a_new_one_cancels_the_old(api):
    receipt = api.file(marriage_application())["receipt_no"]
    first = api.post("/payments", {"receipt_no": receipt}, key=new_key()).json()
    second = api.post("/payments", {"receipt_no": receipt}, key=new_key()).json()
    assert api.get("/payments/" + first["payment_id"]).json()["status"] == "cancelled"
    api.clock.advance(minutes=16)
    assert api.get("/payments/" + second["payment_id"]).json()["status"] == "expired"


def test_a_free_application_has_nothing_to_pay_and_unknown_ones_are_404(api):
    receipt = api.file(no_record_application())["receipt_no"]
    response = api.post("/payments", {"receipt_no": receipt}, key=new_key())
    assert response.status_code == 409 and response.json()["code"] == "no_fee"
    assert api.post("/payments", {"receipt_no": "SL-20000101-000001"},
                    key=new_key()).status_code == 404
    assert api.get("/payments/PNOSUCH").status_code == 404


def _slots(api, date_from="2025-06-10", date_to="2025-06-10", service=SERVICE):
    response = api.get("/appointments/slots", params={
        "service_id": service, "date_from": date_from, "date_to": date_to})
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _book(api, slot, id_number=CITIZEN_ID, service=SERVICE):
    return api.post("/appointments", {"slot_id": slot["slot_id"], "service_id": service,
                                      "applicant": {"id_kind": "resident",
                                                    "id_number": id_number, "name": "张三"}},
                    key=new_key())


def test_slots_are_half_hours_of_working_days_still_ahead(api):
    today = _slots(api)  # 10:00 on Tuesday: 10:00 has begun, 10:30 onwards remain
    assert today[0]["starts_at"] == "2025-06-10T10:30:00+08:00"
    assert len(today) == 3 + 7
    week = _slots(api, "2025-06-11", "2025-06-17")  # Wed..Tue with a weekend inside
    assert len(week) == 5 * 13
    assert not [s for s in week if s["starts_at"][:10] in ("2025-06-14", "2025-06-15")]
    assert all(s["remaining"] == s["capacity"] == 3 for s in week)
    assert [s["starts_at"] for s in week] == sorted(s["starts_at"] for s in week)
    assert _slots(api, service="police.no-record") == []
    backwards = api.get("/appointments/slots", params={
        "service_id": SERVICE, "date_from": "2025-06-12", "date_to": "2025-06-11"})
    assert backwards.status_code == 422
    unknown = api.get("/appointments/slots", params={
        "service_id": "no.such", "date_from": "2025-06-12", "date_to": "2025-06-13"})
    assert unknown.status_code == 404


def test_booking_fills_a_slot_and_then_it_is_full(api):
    slot = _slots(api, "2025-06-11", "2025-06-11")[0]
    booked = _book(api, slot)
    assert booked.status_code == 201
    appointment = booked.json()
    assert re.fullmatch(r"[0-9]{6}", appointment["booking_code"])
    assert appointment["status"] == "booked" and appointment["slot"]["remaining"] == 2
    assert appointment["holder_masked"] == "张* 110105********002X"
    _book(api, slot, OTHER_ID)
    _book(api, slot, OTHER_ID)
    assert _slots(api, "2025-06-11", "2025-06-11")[0]["remaining"] == 0
    full = _book(api, slot)
    assert full.status_code == 409 and full.json()["code"] == "slot_full"


def test_a_slot_that_has_begun_cannot_be_booked_or_cancelled(api):
    slot = _slots(api)[0]  # 10:30 today
    appointment = _book(api, slot).json()
    api.clock.advance(minutes=45)
    late = _book(api, slot)
    assert late.status_code == 409 and late.json()["code"] == "slot_past"
    cancel = api.post(f"/appointments/{appointment['appointment_id']}/cancel")
    assert cancel.status_code == 409
    assert cancel.json()["code"] == "appointment_not_cancellable"


def test_cancelling_frees_the_place_and_a_second_cancel_changes_nothing(api):
    slot = _slots(api, "2025-06-12", "2025-06-12")[0]
    appointment = _book(api, slot).json()
    cancelled = api.post(f"/appointments/{appointment['appointment_id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["slot"]["remaining"] == 3
    assert api.post(f"/appointments/{appointment['appointment_id']}/cancel").json() == \
        cancelled.json()
    assert api.post("/appointments/ANOSUCH/cancel").status_code == 404


def test_a_citizens_appointments_are_listed_soonest_first(api):
    later = _slots(api, "2025-06-13", "2025-06-13")[0]
    sooner = _slots(api, "2025-06-11", "2025-06-11")[0]
    _book(api, later)
    _book(api, sooner)
    _book(api, sooner, OTHER_ID)
    items = api.post("/appointments/query", {"id_number": CITIZEN_ID}).json()["items"]
    assert [a["slot"]["slot_id"] for a in items] == [sooner["slot_id"], later["slot_id"]]


def test_a_slot_of_another_service_is_not_found(api):
    slot = _slots(api, "2025-06-11", "2025-06-11")[0]
    response = _book(api, slot, service="police.no-record")
    assert response.status_code == 404
