"""The progress journey (进度查询) against the real reference platform and outbox: by card with
the timeline and what to do, by a receipt's QR code without a card (masked, from any terminal
of the fleet), the codes it must refuse, and handing in materials after a correction request."""

from __future__ import annotations

import logging

import pytest

from kiosk.journeys.problems import JourneyProblem
from kiosk.journeys.progress import QUEUED, ProgressJourney
from kiosk.receipts import progress_qr
from kiosk.refplatform import operator
from kiosk.refplatform.store import Store
from tests.journeys.conftest import APPLICANT, KIOSK_ID, NAME, Terminal, fill_in, jpeg
from tests.support import wait_until


def progress(terminal: Terminal, session=None, **options) -> ProgressJourney:
    session = session if session is not None else terminal.session()
    return ProgressJourney(session, terminal.client, terminal.outbox, KIOSK_ID, **options)


def apply_for_nurse(terminal: Terminal, *, offline: bool = False):
    """The nurse's application (health exam promised), as filed at this terminal: its receipt
    (`offline`: the platform goes down just before the citizen submits)."""
    session = terminal.session()
    journey = terminal.journey(session, final_wait_s=0.2 if offline else 3.0)
    fill_in(journey)
    if offline:
        terminal.platform_down()
    receipt = journey.submit()
    journey.finish()
    session.end("finished")
    return receipt


def anonymous(terminal: Terminal):
    return terminal.sessions.start()


def test_by_card_the_timeline_and_what_to_do_then_the_correction_is_handed_in(
        running: Terminal, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    receipt = apply_for_nurse(running)
    assert receipt.final
    store = Store(running.platform_db)
    for action in ("accept", "review"):
        operator.advance(store, receipt.receipt_no, action)
    operator.advance(store, receipt.receipt_no, "correct", reason="单位证明缺少公章，请重新提交")

    journey = progress(running)
    (view,) = journey.applications()
    assert view.reference == receipt.receipt_no and view.service_name == "护士执业注册"
    assert [s.status for s in view.steps] == ["submitted", "accepted", "in_review",
                                              "correction_requested"]
    assert view.steps[-1].words == "要求补正" and view.steps[-1].at.tzinfo is not None
    assert view.status_words == "要求补正"
    assert any("单位证明缺少公章" in line for line in view.to_do)
    assert any("健康体检" in line for line in view.to_do), view.to_do  # promised, by its name
    assert view.awaits_materials and view.can_supplement
    assert NAME not in view.applicant_masked and APPLICANT not in view.applicant_masked

    awaited = {v.material_id: v for v in journey.start_supplement(receipt.receipt_no)}
    assert {"health_exam", "employer_letter"} <= set(awaited)
    with pytest.raises(JourneyProblem) as nothing:
        journey.submit_supplement()
    assert nothing.value.code == "journey.progress.no_pages"
    journey.add_page("employer_letter", jpeg(7))
    assert journey.add_page("health_exam", jpeg(8)).pages == 1
    done = journey.submit_supplement()
    assert done.delivered and done.view is not None
    assert done.view.status == "in_review" and not done.view.can_supplement
    assert done.view.steps[-1].note == "补正材料已提交，继续审查"
    again = journey.submit_supplement()  # a double tap hands nothing in twice
    assert again.reference == done.reference
    assert len([i for i in running.outbox.items() if i.kind == "supplement"]) == 1
    (filed,) = running.applications()
    assert filed["promised_materials"][0]["received"] is True

    # in English, the same steps in English words (no I/O)
    journey._session.language = "en"
    assert journey.view(receipt.receipt_no).steps[-1].words == "Under review"
    logs = caplog.text
    assert APPLICANT not in logs and NAME not in logs and "公章" not in logs


def test_a_correction_that_names_its_materials_offers_only_those(running: Terminal) -> None:
    receipt = apply_for_nurse(running)
    store = Store(running.platform_db)
    for action in ("accept", "review"):
        operator.advance(store, receipt.receipt_no, action)
    service = running.client.get_service("nurse-practice-registration")
    everything = {m.material_id for m in service.materials if m.pages_max >= 1}
    operator.advance(store, receipt.receipt_no, "correct", reason="单位证明缺少公章",
                     materials=["employer_letter"])
    asked = running.citizen_view().get_application(receipt.receipt_no)
    assert asked.correction_materials == ["employer_letter"]
    journey = progress(running)
    (view,) = journey.applications()
    assert view.can_supplement
    awaited = [v.material_id for v in journey.start_supplement(receipt.receipt_no)]
    # the promised health exam is still awaited too; nothing else the service lists
    assert awaited == ["health_exam", "employer_letter"] and len(everything) > 2
    journey.add_page("employer_letter", jpeg(9))
    done = journey.submit_supplement()
    assert done.delivered and done.view is not None and done.view.status == "in_review"
    assert running.citizen_view().get_application(receipt.receipt_no).correction_materials is None


def test_the_visit_ends_with_a_progress_slip_printed_once_and_truthfully(
        running: Terminal) -> None:
    receipt = apply_for_nurse(running)
    session = running.session()
    journey = progress(running, session, printer=running.printer,
                       receipts_config=running.config.receipts, print_timeout_s=10.0)
    (view,) = journey.applications()
    jobs = len(running.emulator.job_log())

    running.emulator.paper_out()
    out = journey.print_slip(view.reference)
    assert (out.outcome, out.msgid is not None) == ("paper_out", True)  # told, not "take it"
    assert len(running.emulator.job_log()) == jobs
    running.emulator.reload_paper()
    done = journey.print_slip(view.reference)  # "print again" after the reload
    assert (done.outcome, done.msgid) == ("printed", None)
    assert journey.print_slip(view.reference).outcome == "printed"  # a double tap
    (job,) = running.emulator.job_log()[jobs:]  # one slip, whole
    assert job["cut"] and not job["truncated"]
    text = "\n".join(job["lines"])
    assert receipt.receipt_no in text and "护士执业注册" in text and "已提交" in text
    assert APPLICANT not in text and NAME not in text

    no_printer = progress(running, session).print_slip(view.reference)
    assert no_printer.outcome == "failed" and no_printer.msgid is not None


def test_a_receipt_code_shows_that_one_application_masked_without_a_card(
        running: Terminal) -> None:
    receipt = apply_for_nurse(running)
    session = anonymous(running)
    journey = progress(running, session)
    view = journey.by_receipt_code(receipt.qr_text)
    assert view.reference == receipt.receipt_no and view.status == "submitted"
    assert "*" in view.applicant_masked and NAME not in view.applicant_masked
    assert APPLICANT not in view.applicant_masked
    assert view.awaits_materials and not view.can_supplement  # no card: nothing handed in
    with pytest.raises(JourneyProblem):
        journey.start_supplement(receipt.receipt_no)
    assert session.identity is None  # no named session was started

    # the same receipt read at another terminal: the token opens it there too
    token = progress_qr.parse(receipt.qr_text).token
    elsewhere = progress_qr.make(receipt.receipt_no, "HALL-B-0007", token)
    assert journey.by_receipt_code(elsewhere).reference == receipt.receipt_no



@pytest.mark.parametrize("make_code, code", [
    (lambda rn, t: progress_qr.make(rn, KIOSK_ID, t).replace(rn, rn[:-1] + "9"),
     "journey.progress.code_invalid"),  # the number changed, the token kept: not that one
    (lambda rn, t: progress_qr.make(rn, KIOSK_ID, progress_qr.new_token()),
     "journey.progress.unknown"),  # a guessed token opens nothing
    (lambda rn, t: progress_qr.make("SL-20990101-999999", KIOSK_ID, progress_qr.new_token()),
     "journey.progress.unknown"),
    (lambda rn, t: "https://pay.example.com/q/123", "journey.progress.code_not_ours"),
    (lambda rn, t: "GOVKIOSK:R:2:" + rn, "journey.progress.code_invalid"),
    (lambda rn, t: f"GOVKIOSK:R:1:{rn}:{KIOSK_ID}:AAAAAAAAAAAAAAAA",
     "journey.progress.code_old"),  # signed with the retired fleet-wide key
    (lambda rn, t: progress_qr.make("KABCD2345", "HALL-B-0007", progress_qr.new_token()),
     "journey.progress.elsewhere"),  # an outbox reference of another terminal
    (lambda rn, t: progress_qr.make("KABCD2345", KIOSK_ID, progress_qr.new_token()),
     "journey.progress.unknown"),  # ours by its shape, not in our outbox
])
def test_refused_and_unknown_codes_are_told_clearly(running: Terminal, make_code,
                                                    code: str) -> None:
    receipt = apply_for_nurse(running)
    journey = progress(running, anonymous(running))
    token = progress_qr.parse(receipt.qr_text).token
    with pytest.raises(JourneyProblem) as refused:
        journey.by_receipt_code(make_code(receipt.receipt_no, token))
    assert refused.value.code == code
    words = refused.value.text("zh-CN")
    assert words and "GOVKIOSK" not in words and receipt.receipt_no not in str(refused.value)
    assert refused.value.text("en").isascii()


def test_a_pending_receipt_needs_the_token_it_was_filed_with(running: Terminal) -> None:
    receipt = apply_for_nurse(running, offline=True)
    forged = progress_qr.make(receipt.reference, KIOSK_ID, progress_qr.new_token())
    with pytest.raises(JourneyProblem) as refused:
        progress(running, anonymous(running)).by_receipt_code(forged)
    assert refused.value.code == "journey.progress.code_invalid"


def test_a_receipt_printed_while_offline_is_found_in_this_terminals_outbox(
        running: Terminal) -> None:
    receipt = apply_for_nurse(running, offline=True)
    assert not receipt.final and receipt.reference.startswith("K")
    journey = progress(running, anonymous(running))
    view = journey.by_receipt_code(receipt.qr_text)
    assert view.status == QUEUED and view.reference == receipt.reference
    assert view.service_name and view.to_do
    running.platform_up()
    # the same slip, now filed (the outbox records the delivery just after the platform files)
    assert wait_until(lambda: journey.by_receipt_code(receipt.qr_text).status != QUEUED,
                      timeout=15, interval=0.1)
    view = journey.by_receipt_code(receipt.qr_text)
    assert view.status == "submitted" and view.receipt_no == running.applications()[0][
        "receipt_no"]


def test_platform_down_is_told_as_such(running: Terminal) -> None:
    receipt = apply_for_nurse(running)
    running.platform_down()
    with pytest.raises(JourneyProblem) as down:
        progress(running, anonymous(running)).by_receipt_code(receipt.qr_text)
    assert down.value.code == "platform.unreachable"
