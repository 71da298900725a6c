"""The appointment journey as the screens drive it, against a real platform and printer emulator:
book a counter, print the slip with the counter's QR, see and cancel one's bookings."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.journeys.appointment import AppointmentJourney, Step
from kiosk.journeys.problems import JourneyProblem
from kiosk.receipts.appointment_slip import QR_PREFIX
from kiosk.refplatform import appointments
from kiosk.refplatform.ids import CST
from kiosk.refplatform.store import Store
from kiosk.session import EndReason
from tests.journeys.conftest import APPLICANT, NAME, SERVICE_ID

OTHERS = ("310101198801010024", "650102195211300049", "91184019850615002X")


def journey(terminal, session) -> AppointmentJourney:
    return AppointmentJourney(session, terminal.client, terminal.printer,
                              terminal.config.receipts)


def test_a_citizen_books_a_counter_and_takes_one_slip(running):
    session = running.session()
    appt = journey(running, session)
    services = appt.services()
    assert SERVICE_ID in [s.service_id for s in services]
    assert all(s.name and s.department for s in services)

    slots = appt.slots(SERVICE_ID)
    assert slots and appt.step == Step.SLOTS
    assert all(s.remaining > 0 for s in slots)
    assert slots == sorted(slots, key=lambda s: (s.day, s.time_text))
    slot = slots[0]
    assert "政务服务中心" in slot.hall["zh-CN"] and "Government Service Centre" in slot.hall["en"]

    booking = appt.book(slot.slot_id)
    assert appt.step == Step.BOOKED and len(booking.booking_code) == 6
    assert booking.service_name["zh-CN"] == "护士执业注册" and booking.hall == slot.hall
    assert "（周" in booking.when("zh-CN") and booking.starts_at.astimezone(CST).date() == slot.day
    assert appt.book(slot.slot_id) == booking  # a double tap: one booking
    assert len(running.citizen_view().query_appointments(APPLICANT)) == 1

    printed = appt.print_slip()
    assert (printed.outcome, printed.reason) == ("printed", None)
    slip = running.emulator.job_log()[-1]
    assert slip["qr_codes"] == [f"{QR_PREFIX}{booking.appointment_id}:{booking.booking_code}"]
    assert slip["qr_codes"] == [appt.slip_qr()]
    text = "\n".join(slip["lines"])
    assert booking.booking_code in text and "预约凭条" in text and slot.time_text in text
    assert NAME not in text and APPLICANT not in text
    assert appt.print_slip().action_id == printed.action_id  # never a second slip
    assert len(running.emulator.jobs()) == 1

    appt.finish()
    running.sessions.end(EndReason.FINISHED)


def test_an_english_booking_names_the_hall_in_english_on_screen_and_slip(running):
    """The platform's `hall_words` (contract 1.7) and the site's `centre_name_en`: not the
    Chinese names in an English journey."""
    session = running.session()
    session.language = "en"
    appt = journey(running, session)
    appt.services()
    slot = appt.slots(SERVICE_ID)[0]
    booking = appt.book(slot.slot_id)
    assert booking.hall == slot.hall and "Government Service Centre" in booking.hall["en"]
    assert appt.print_slip().outcome == "printed"
    text = "\n".join(running.emulator.job_log()[-1]["lines"])
    assert "general counter" in text and "综合窗口" not in text
    # and the centre's English name ([receipts] centre_name_en) heads it, not 测试政务服务中心
    assert text.startswith("Test Government Service Centre\n")


def test_a_citizen_sees_and_cancels_a_booking(running):
    session = running.session()
    appt = journey(running, session)
    appt.services()
    slot = appt.slots(SERVICE_ID)[1]
    booked = appt.book(slot.slot_id)

    mine = appt.mine()
    assert [b.appointment_id for b in mine] == [booked.appointment_id]
    assert mine[0].booking_code == booked.booking_code and not mine[0].cancelled

    cancelled = appt.cancel(booked.appointment_id)
    assert cancelled.cancelled
    assert appt.mine() == []
    [record] = running.citizen_view().query_appointments(APPLICANT)
    assert record.status == "cancelled"
    with pytest.raises(JourneyProblem) as caught:
        appt.cancel(booked.appointment_id)  # no longer listed
    assert caught.value.code == "journey.appointment.unknown"


def test_a_slot_taken_meanwhile_is_told_and_left_out(running):
    session = running.session()
    appt = journey(running, session)
    appt.services()
    slot = appt.slots(SERVICE_ID)[2]
    for id_number in OTHERS[:slot.remaining]:  # three others fill it before the citizen taps
        with Store(running.platform_db).write() as conn:  # booked at other terminals
            appointments.book(conn, {"slot_id": slot.slot_id, "service_id": SERVICE_ID,
                                     "applicant": {"id_kind": "resident", "id_number": id_number,
                                                   "name": "他人"}}, dt.datetime.now(CST))
    with pytest.raises(JourneyProblem) as caught:
        appt.book(slot.slot_id)
    assert caught.value.code == "journey.appointment.slot_taken"
    assert "taken" in caught.value.text("en")
    assert slot.slot_id not in [s.slot_id for s in appt.slots(SERVICE_ID)]
    assert running.citizen_view().query_appointments(APPLICANT) == []


def test_platform_down_is_told_and_nothing_is_booked(running):
    appt = journey(running, running.session())
    appt.services()
    slot = appt.slots(SERVICE_ID)[0]
    running.platform_down()
    with pytest.raises(JourneyProblem) as caught:
        appt.book(slot.slot_id)
    assert caught.value.code == "platform.unreachable"
    with pytest.raises(JourneyProblem):
        appt.mine()
    running.platform_up()
    assert running.citizen_view().query_appointments(APPLICANT) == []
    assert appt.book(slot.slot_id).booking_code  # the same tap again, now it books
