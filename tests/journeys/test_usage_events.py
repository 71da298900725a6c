"""What each journey tells the operations console's usage report: a journey begun where the
citizen commits to it, completed at its real success point only (a booking made, a payment the
platform reported paid, a certificate the printer confirmed, a supplement or a rating durable
in the outbox), abandoned at the step the citizen was at when they left (catalogued events, no
personal data: no receipt number, no comment, no name)."""

from __future__ import annotations

import logging

import pytest

from kiosk.journeys.appointment import AppointmentJourney
from kiosk.journeys.collect import CollectJourney
from kiosk.journeys.evaluation import EvaluationJourney
from kiosk.journeys.payment import PaymentJourney
from kiosk.journeys.problems import JourneyProblem
from kiosk.journeys.progress import ProgressJourney
from kiosk.receipts.certificate import ThermalCertificatePrinter
from kiosk.refplatform.store import Store
from kiosk.session import EndReason, Session
from tests.journeys.conftest import (APPLICANT, KIOSK_ID, MOBILE, NAME, SERVICE_ID, Terminal,
                                     fill_in, jpeg)
from tests.journeys.test_collect_journey import issue_certificate
from tests.journeys.test_payment import FEE_SERVICE, file_fee_application, pay_when_opened


def journey_events(caplog: pytest.LogCaptureFixture, journey: str | None = None) -> list[tuple]:
    return [(r.event_id, r.disposition, {k: v for k, v in r.event_fields.items()
                                         if k not in ("session", "journey")
                                         or journey is None and k == "journey"})
            for r in caplog.records
            if getattr(r, "event_id", "") in ("journey_init", "journey_complete")
            and (journey is None or r.event_fields.get("journey") == journey)]


def begun(service: str) -> tuple:
    return ("journey_init", None, {"service": service})


def ended(disposition: str, service: str, step: str, reason: str | None = None) -> tuple:
    fields = {"service": service, "step": step}
    if reason is not None:
        fields["reason"] = reason
    return ("journey_complete", disposition, fields)


@pytest.fixture
def usage(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="kiosk.events")
    return caplog


def no_personal_data(caplog: pytest.LogCaptureFixture, *more: str) -> None:
    told = " ".join(str(r.event_fields) for r in caplog.records
                    if getattr(r, "event_id", "") in ("journey_init", "journey_complete",
                                                      "rating_given"))
    for secret in (APPLICANT, NAME, MOBILE, *more):
        assert secret not in told


def applied(running: Terminal, session: Session) -> str:
    """The nurse's application filed in `session` (health exam promised): its receipt number."""
    apply = running.journey(session)
    fill_in(apply)
    receipt = apply.submit()
    apply.finish()
    assert receipt.receipt_no
    return receipt.receipt_no


# ---- apply ----------------------------------------------------------------------------------

def test_a_journey_completed_and_one_abandoned(running, usage) -> None:
    session = running.session()
    journey = running.journey(session)
    fill_in(journey)
    journey.submit()
    journey.submit()  # a double tap completes nothing twice
    journey.finish()
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "apply") == [
        begun(SERVICE_ID), ended("success", SERVICE_ID, "submitted")]

    usage.clear()
    left = running.journey(running.session())
    left.choose(SERVICE_ID)
    left.start_form()
    running.sessions.end(EndReason.TIMEOUT)
    assert journey_events(usage, "apply") == [
        begun(SERVICE_ID), ended("cancelled", SERVICE_ID, "form", "timeout")]


def test_another_service_chosen_abandons_the_first_where_the_citizen_left_it(
        running, usage) -> None:
    journey = running.journey(running.session())
    journey.choose(FEE_SERVICE)
    journey.catalogue("")  # back to the catalogue
    fill_in(journey)  # the nurse's service instead
    journey.submit()
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "apply") == [
        begun(FEE_SERVICE), ended("cancelled", FEE_SERVICE, "catalogue", "switched"),
        begun(SERVICE_ID), ended("success", SERVICE_ID, "submitted")]


# ---- progress and supplement ----------------------------------------------------------------

def progress(running: Terminal, session: Session) -> ProgressJourney:
    return ProgressJourney(session, running.client, running.outbox, KIOSK_ID)


def test_progress_looked_up_and_materials_handed_in(running, usage) -> None:
    session = running.session()
    receipt_no = applied(running, session)
    journey = progress(running, session)
    (view,) = journey.applications()
    assert view.can_supplement  # the health exam was promised
    journey.applications()  # looked at again: the same journey
    journey.start_supplement(receipt_no)
    journey.add_page("health_exam", jpeg(8))
    assert journey.submit_supplement().reference
    journey.submit_supplement()  # a double tap
    journey.end_supplement()
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "progress") == [
        begun("progress"), ended("success", "progress", "found")]
    assert journey_events(usage, "supplement") == [
        begun(SERVICE_ID), ended("success", SERVICE_ID, "handed_in")]
    no_personal_data(usage, receipt_no)


def test_progress_not_found_and_a_supplement_left_are_abandoned(running, usage) -> None:
    session = running.session()
    receipt_no = applied(running, session)
    journey = progress(running, session)
    journey.applications()
    journey.start_supplement(receipt_no)
    journey.add_page("health_exam", jpeg(8))
    journey.end_supplement()  # the citizen went back without handing it in
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "supplement") == [
        begun(SERVICE_ID), ended("cancelled", SERVICE_ID, "supplement", "left")]

    usage.clear()
    lookup = progress(running, running.sessions.start())  # anonymous: a receipt's code
    with pytest.raises(JourneyProblem):
        lookup.by_receipt_code("not a receipt")
    running.sessions.end(EndReason.TIMEOUT)
    assert journey_events(usage, "progress") == [
        begun("progress"), ended("cancelled", "progress", "find", "timeout")]


# ---- collect ----------------------------------------------------------------------------------

def collect(running: Terminal, session: Session) -> CollectJourney:
    printer = ThermalCertificatePrinter(running.printer, centre_name="测试政务服务中心")
    return CollectJourney(session, running.client, printer, running.config.platform.base_url)


def test_a_certificate_printed_completes_collect(running, usage) -> None:
    issue_certificate(running.citizen_view(), Store(running.platform_db))
    journey = collect(running, running.session())
    journey.choose(journey.certificates()[0].certificate_id)
    assert journey.print_certificate().outcome == "printed"
    journey.print_certificate()  # a double tap: printed once, completed once
    journey.finish()
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "collect") == [
        begun("collect"), ended("success", "collect", "printed")]


def test_a_certificate_not_printed_is_no_completion(running, usage) -> None:
    issue_certificate(running.citizen_view(), Store(running.platform_db))
    journey = collect(running, running.session())
    journey.choose(journey.certificates()[0].certificate_id)
    running.emulator.paper_out()
    assert journey.print_certificate().outcome == "paper_out"
    running.sessions.end(EndReason.CARD_REMOVED)
    assert journey_events(usage, "collect") == [
        begun("collect"), ended("cancelled", "collect", "paper_out", "card_removed")]


# ---- pay ------------------------------------------------------------------------------------

def pay(running: Terminal, session: Session, **options) -> PaymentJourney:
    return PaymentJourney(session, running.client, running.printer, running.config.receipts,
                          KIOSK_ID, poll_interval_s=0.05, **options)


def test_a_fee_paid_completes_pay(running, usage) -> None:
    receipt_no = file_fee_application(running.citizen_view())
    journey = pay(running, running.session(), timeout_s=10.0)
    journey.payables()
    journey.start(receipt_no)
    pay_when_opened(running, journey).join(10)
    assert journey.wait().status == "paid"
    assert journey.print_receipt().outcome == "printed"
    journey.finish()
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "pay") == [
        begun(FEE_SERVICE), ended("success", FEE_SERVICE, "paid")]
    no_personal_data(usage, receipt_no)


def test_a_fee_not_paid_is_abandoned_when_the_citizen_leaves(running, usage) -> None:
    receipt_no = file_fee_application(running.citizen_view())
    journey = pay(running, running.session(), timeout_s=0.3)
    journey.payables()
    journey.start(receipt_no)
    assert journey.wait().status == "timed_out"
    journey.start(receipt_no)  # once more: the same journey
    journey.cancel()
    assert journey.wait().status == "cancelled"
    journey.finish()
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "pay") == [
        begun(FEE_SERVICE), ended("cancelled", FEE_SERVICE, "not_paid", "left")]


# ---- appointment ----------------------------------------------------------------------------

def appointment(running: Terminal, session: Session) -> AppointmentJourney:
    return AppointmentJourney(session, running.client, running.printer, running.config.receipts)


def test_a_booking_completes_and_a_cancel_is_its_own_journey(running, usage) -> None:
    journey = appointment(running, running.session())
    journey.services()
    slot = journey.slots(SERVICE_ID)[0]
    booking = journey.book(slot.slot_id)
    journey.book(slot.slot_id)  # a double tap
    assert journey.print_slip().outcome == "printed"
    journey.mine()
    journey.cancel(booking.appointment_id)
    journey.finish()
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "appointment") == [
        begun(SERVICE_ID), ended("success", SERVICE_ID, "booked")]
    assert journey_events(usage, "appointment_cancel") == [
        begun(SERVICE_ID), ended("success", SERVICE_ID, "mine")]
    no_personal_data(usage, booking.booking_code)


def test_slots_seen_and_nothing_booked_is_abandoned(running, usage) -> None:
    journey = appointment(running, running.session())
    journey.services()
    journey.slots(SERVICE_ID)
    running.sessions.end(EndReason.EXIT)
    assert journey_events(usage, "appointment") == [
        begun(SERVICE_ID), ended("cancelled", SERVICE_ID, "slots", "exit")]


# ---- evaluation -----------------------------------------------------------------------------

def test_a_rating_queued_completes_evaluation(running, usage) -> None:
    session = running.session()
    receipt_no = applied(running, session)
    journey = EvaluationJourney(session, running.client, running.outbox)
    # offered at the end of apply, which knows the service (recent() does too: the console test)
    target = journey.offer(receipt_no, {"zh-CN": "护士执业注册"}, service_id=SERVICE_ID)
    journey.rate(target, 4, "很好 " + NAME)
    running.sessions.end(EndReason.FINISHED)
    assert journey_events(usage, "evaluation") == [
        begun(SERVICE_ID), ended("success", SERVICE_ID, "rated")]
    no_personal_data(usage, receipt_no, "很好")


def test_a_rating_not_sent_is_abandoned(running, usage) -> None:
    session = running.session()
    receipt_no = applied(running, session)
    journey = EvaluationJourney(session, running.client, running.outbox)
    target = journey.offer(receipt_no, {"zh-CN": "护士执业注册"})  # a service unknown (a queued one)
    with pytest.raises(JourneyProblem) as too_long:
        journey.rate(target, 2, "太" * 501)
    assert too_long.value.code == "journey.evaluation.comment_too_long"
    running.sessions.end(EndReason.TIMEOUT)
    assert journey_events(usage, "evaluation") == [
        begun("evaluation"), ended("cancelled", "evaluation", "rating", "timeout")]
