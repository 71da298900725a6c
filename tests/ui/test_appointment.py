"""The appointment journey end to end through real touches on the app under Xvfb, against the
ID card and printer emulators and the reference platform (HTTPS): book a counter and take the
slip with the counter's QR, then see the booking and cancel it."""

from __future__ import annotations

import datetime as dt


from kiosk.receipts.appointment_slip import QR_PREFIX
from kiosk.api import models as m
from kiosk.refplatform import appointments
from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import identify, leftovers, on, open_tile, tap

SHARE_APP = False  # payments and bookings of one test would show in the next
AREAS = ("idcard", "printer")
ID_NUMBER = "110101199003071233"
SERVICE = "nurse-practice-registration"


def _bookings(sim: Simulation) -> list:
    """The resident's bookings as the back office sees them (the platform's own records)."""
    with sim.emulators["platform"].store.read() as conn:
        return [m.Appointment.model_validate(a)
                for a in appointments.query(conn, ID_NUMBER, dt.date.today())]


def _book(sim: Simulation, app: KioskUi) -> dict:
    identify(sim, app)
    open_tile(sim, app, "tile_appointment")
    app.wait_for(on("appt_menu", "appt_new"), 20)
    tap(app, "appt_new")
    app.wait_for(on("appt_services", f"appt_service_{SERVICE}"), 20)
    tap(app, f"appt_service_{SERVICE}")
    state = app.wait_for(on("appt_slots"), 20)
    state = app.wait_for(lambda s: s["screen"] == "appt_slots" and any(
        k.startswith("appt_slot_") for k in s["kids"]) and "busy" not in s["kids"], 20)
    slot = sorted(k for k in state["kids"] if k.startswith("appt_slot_"))[0]
    tap(app, slot)
    return app.wait_for(lambda s: s["screen"] == "appt_booked" and any(
        k.startswith("appt_print_") and k != "appt_print_again" for k in s["kids"])
        and "busy" not in s["kids"], 30)


def test_a_citizen_books_a_counter_and_takes_the_slip(sim, app) -> None:
    state = _book(sim, app)
    assert "appt_print_printed" in state["kids"], state
    [booking] = _bookings(sim)
    assert booking.status == "booked" and booking.service_id == SERVICE
    texts = "\n".join(state["texts"])
    assert booking.booking_code in texts
    jobs = sim.emulators["printer"].job_log()
    assert len(jobs) == 1
    assert jobs[0]["qr_codes"] == [
        f"{QR_PREFIX}{booking.appointment_id}:{booking.booking_code}"]
    assert any(booking.booking_code in line for line in jobs[0]["lines"])
    tap(app, "appt_done")
    app.wait_for(on("home"))
    tap(app, "exit")
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    assert leftovers(sim) == []
    assert ID_NUMBER not in app.app_log(100_000)


def test_a_citizen_sees_a_booking_and_cancels_it(sim, app) -> None:
    _book(sim, app)
    [booking] = _bookings(sim)
    tap(app, "appt_done")
    app.wait_for(on("home"))
    open_tile(sim, app, "tile_appointment")
    app.wait_for(on("appt_menu", "appt_my"), 20)
    tap(app, "appt_my")
    aid = booking.appointment_id
    state = app.wait_for(on("appt_mine", f"appt_cancel_{aid}"), 20)
    assert any(booking.booking_code in t for t in state["texts"])
    tap(app, f"appt_cancel_{aid}")  # asks once more before it cancels
    app.wait_for(on("appt_mine", f"appt_confirm_{aid}"))
    assert _bookings(sim)[0].status == "booked"
    tap(app, f"appt_confirm_{aid}")
    app.wait_for(on("appt_mine", f"appt_cancelled_{aid}"), 20)
    assert _bookings(sim)[0].status == "cancelled"
    tap(app, "back")
    app.wait_for(on("appt_menu", "appt_my"))
    tap(app, "appt_my")
    app.wait_for(on("appt_mine", "appt_none"), 20)
