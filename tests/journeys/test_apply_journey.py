"""The apply journey as the screens drive it, against a real platform, outbox and printer."""

from __future__ import annotations

import threading

import pytest

from kiosk.journeys import JourneyProblem, Step, WrongStep
from kiosk.receipts import parse
from kiosk.session import EndReason
from tests.journeys.conftest import (APPLICANT, MOBILE, NAME, SERVICE_ID, fill_in, jpeg,
                                     sessions_left)
from tests.support import wait_until


def test_a_nurse_applies_and_takes_home_a_final_receipt(running):
    session = running.session()
    journey = running.journey(session)
    assert journey.step == Step.CATALOGUE

    found = journey.catalogue("hszc")
    assert found.services[0]["service_id"] == SERVICE_ID and not found.stale
    assert journey.catalogue("", audience="enterprise").services  # same catalogue, filtered

    guide = journey.choose(SERVICE_ID)
    assert (guide.name, guide.fee_fen, guide.promised_limit_days) == ("护士执业注册", 0, 5)
    assert guide.form_supported and guide.fee_text
    assert [m.material_id for m in guide.materials] == [
        "resident_id", "qualification", "health_exam", "employer_letter", "photo"]

    form = journey.start_form()
    assert journey.step == Step.FORM
    assert [f.name for f in form.fields][:2] == ["employer", "employer_credit_code"]
    assert form.values["mobile"] == MOBILE and form.values["employer"] == "上海示范医院"
    assert {e.kind for e in form.elicences} >= {"resident_id", "nurse_qualification"}
    assert form.lookup_problem is None

    before = {v.material_id: v for v in journey.materials()}
    assert before["resident_id"].elicence.licence_id == "el-0001-resident-id"
    assert before["health_exam"].may_promise and before["health_exam"].elicence is None
    assert not before["photo"].complete

    fill_in(journey)
    review = journey.review()
    assert review.applicant_name != NAME and APPLICANT not in review.applicant_id
    assert {e.name: e.value for e in review.entries}["practice_field"] == "急诊护理"
    sources = {v.material_id: (v.source, v.pages) for v in review.materials}
    assert sources == {"resident_id": ("elicence", 0), "qualification": ("elicence", 0),
                       "health_exam": ("promised", 0), "employer_letter": ("scan", 2),
                       "photo": ("scan", 1)}

    receipt = journey.submit()
    assert journey.step == Step.SUBMITTED
    assert receipt.final and receipt.reference == receipt.receipt_no
    assert receipt.outbox_reference.startswith("K") and receipt.promised_date is not None
    assert receipt.service_name == "护士执业注册" and receipt.promised_days == 5
    assert [p.material_id for p in receipt.promised_materials] == ["health_exam"]
    ref = parse(receipt.qr_text)
    assert (ref.ref, ref.kind, ref.kiosk_id) == (receipt.receipt_no, "receipt_no", "JOURNEY-0001")
    # the token on the paper opens this application's masked progress, and nothing more
    progress = running.client.get_progress(ref.token)
    assert progress.receipt_no == receipt.receipt_no and progress.certificate_ids == []
    assert all(step.note is None for step in progress.timeline)

    filed = [a for a in running.applications() if a["client_reference"] == receipt.outbox_reference]
    assert len(filed) == 1 and filed[0]["receipt_no"] == receipt.receipt_no
    assert [p["material_id"] for p in filed[0]["promised_materials"]] == ["health_exam"]

    printed = journey.print_receipt()
    assert (printed.outcome, printed.reason, printed.msgid) == ("printed", None, None)
    assert journey.step == Step.RECEIPT and len(running.emulator.jobs()) == 1
    slip = running.emulator.job_log()[-1]
    assert slip["qr_codes"] == [receipt.qr_text] and slip["cut"]
    assert any(receipt.receipt_no in line for line in slip["lines"])
    assert any("请于" in line and "补交" in line for line in slip["lines"])  # the promise
    assert not any(NAME in line or APPLICANT in line or "****" in line for line in slip["lines"])
    again = journey.print_receipt()  # a second tap on "print": the same job, not a second slip
    assert again.outcome == "printed" and again.action_id == printed.action_id
    assert len(running.emulator.jobs()) == 1

    journey.finish()
    assert journey.step == Step.END
    running.sessions.end(EndReason.FINISHED)
    assert sessions_left(running) == []  # the scans went with the session


def test_double_submit_queues_one_item_and_files_one_application(running):
    journey = running.journey(running.session())
    fill_in(journey)
    results = []
    taps = [threading.Thread(target=lambda: results.append(journey.submit())) for _ in range(3)]
    for tap in taps:
        tap.start()
    for tap in taps:
        tap.join(10)
    results.append(journey.submit())  # and a retry after the receipt screen showed
    assert len({r.outbox_reference for r in results}) == 1
    reference = results[0].outbox_reference
    assert [i.reference for i in running.outbox.items()] == [reference]
    assert wait_until(lambda: running.outbox.find(reference).state == "delivered", 5)
    filed = [a for a in running.applications() if a["client_reference"] == reference]
    assert len(filed) == 1


def test_a_field_error_is_told_in_the_citizens_language(running):
    session = running.session()
    journey = running.journey(session)
    journey.choose(SERVICE_ID)
    journey.start_form()
    assert journey.set_value("mobile", "12345") == "请输入11位手机号"
    assert "mobile" not in session.values  # a wrong value is not part of the form...
    assert journey.draft("mobile") == "12345"  # ...but kept for the citizen to correct
    session.language = "en"
    assert journey.set_value("mobile", "12345") == "Enter an 11-digit mobile number"
    assert journey.form_errors()["mobile"] == "This field is required"
    assert journey.set_value("mobile", "１３９００００００００") is None  # full-width digits
    assert session.values["mobile"] == "13900000000"
    assert journey.draft("mobile") is None  # accepted: no draft left
    assert journey.start_form().fields[0].label == "Institution to practise at"


def test_an_incomplete_application_is_not_submitted(running):
    journey = running.journey(running.session())
    journey.choose(SERVICE_ID)
    journey.start_form()
    journey.materials()
    review = journey.review()
    assert not review.ok and "photo" in review.missing_materials
    assert set(review.form_errors) >= {"employer_credit_code", "qualification_no"}
    with pytest.raises(JourneyProblem) as err:
        journey.submit()
    assert err.value.code == "journey.form_incomplete"
    assert err.value.text("en").startswith("Some fields")
    assert running.outbox.items() == []


def test_material_rules(running):
    journey = running.journey(running.session())
    journey.choose(SERVICE_ID)
    with pytest.raises(WrongStep):
        journey.materials()  # the form comes first
    journey.start_form()
    with pytest.raises(JourneyProblem) as err:
        journey.use_elicence("photo")
    assert err.value.code == "journey.no_elicence"
    with pytest.raises(JourneyProblem) as err:
        journey.promise("employer_letter")
    assert err.value.code == "journey.cannot_promise"
    with pytest.raises(JourneyProblem) as err:
        journey.add_page("photo", b"not an image")
    assert err.value.code == "journey.not_a_scan"
    journey.add_page("photo", jpeg(7))
    with pytest.raises(JourneyProblem) as err:
        journey.add_page("photo", jpeg(8))
    assert err.value.code == "journey.too_many_pages"
    # an e-licence replaces pages already scanned, and a scan replaces an e-licence
    journey.add_page("resident_id", jpeg(9))
    assert journey.use_elicence("resident_id").source == "elicence"
    assert journey.add_page("resident_id", jpeg(10)).pages == 1
    assert journey.clear_material("resident_id").source is None


def test_choosing_another_service_forgets_the_first_ones_form(running):
    session = running.session()
    journey = running.journey(session)
    journey.choose(SERVICE_ID)
    journey.start_form()
    journey.set_value("qualification_no", "201331100123")
    other = next(s["service_id"] for s in journey.catalogue().services
                 if s["service_id"] != SERVICE_ID)
    journey.choose(other)
    assert "qualification_no" not in session.values
