"""Counter appointments (预约): half-hour slots on working days, booked up to their capacity.

Slots are made on demand for the days asked about, within `HORIZON_DAYS` from today, Monday to
Friday (public holidays are not known here), 09:00-12:00 and 13:30-17:00. A slot's id is
derived from its service and start, so making them twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from typing import Any

from kiosk.refplatform import catalogue
from kiosk.refplatform.ids import CST, booking_code, check_id_number, holder_masked, opaque_id, stamp
from kiosk.refplatform.problems import Problem, conflict, not_found

HORIZON_DAYS = 14
SLOT_MINUTES = 30
SESSIONS = ((dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 0)))
CAPACITY = 3


def _slot_id(service_id: str, start: dt.datetime) -> str:
    service_key = hashlib.sha256(service_id.encode("utf-8")).hexdigest()[:10]
    return f"T{start:%Y%m%d%H%M}-{service_key}"


def _ensure_slots(conn: sqlite3.Connection, service: dict[str, Any], day: dt.date) -> None:
    if day.weekday() >= 5:
        return
    hall = hall_words(service)["zh-CN"]
    for begin, end in SESSIONS:
        start = dt.datetime.combine(day, begin, CST)
        while start.time() < end:
            stop = start + dt.timedelta(minutes=SLOT_MINUTES)
            conn.execute(
                "INSERT OR IGNORE INTO slots(slot_id, service_id, hall, starts_at, ends_at, "
                "capacity) VALUES (?, ?, ?, ?, ?, ?)",
                (_slot_id(service["service_id"], start), service["service_id"], hall,
                 stamp(start), stamp(stop), CAPACITY))
            start = stop


def hall_words(service: dict[str, Any]) -> dict[str, str]:
    """Where the service's counter is, in both languages (contract 1.7)."""
    department = service["department"]
    return {"zh-CN": f"{department['zh-CN']} · 政务服务中心综合窗口",
            "en": f"{department['en']} · Government Service Centre, general counter"}


def _slot_json(conn: sqlite3.Connection, row: sqlite3.Row,
               service: dict[str, Any]) -> dict[str, Any]:
    booked = conn.execute("SELECT COUNT(*) FROM appointments WHERE slot_id = ? AND "
                          "status = 'booked'", (row["slot_id"],)).fetchone()[0]
    return {"slot_id": row["slot_id"], "service_id": row["service_id"], "hall": row["hall"],
            "hall_words": hall_words(service),
            "starts_at": row["starts_at"], "ends_at": row["ends_at"],
            "capacity": row["capacity"], "remaining": max(0, row["capacity"] - booked)}


def list_slots(conn: sqlite3.Connection, service_id: str, date_from: dt.date, date_to: dt.date,
               now: dt.datetime) -> list[dict[str, Any]]:
    """Future slots between the dates (inclusive), full ones with `remaining` 0."""
    service = catalogue.get_service(conn, service_id)
    if date_to < date_from:
        raise Problem(422, "validation_failed", "date_to is before date_from",
                      errors=[{"path": "date_to", "message": "must not be before date_from"}])
    if not service.get("appointment"):
        return []
    today = now.astimezone(CST).date()
    first = max(date_from, today)
    last = min(date_to, today + dt.timedelta(days=HORIZON_DAYS))
    day = first
    while day <= last:
        _ensure_slots(conn, service, day)
        day += dt.timedelta(days=1)
    if first > last:
        return []
    rows = conn.execute(
        "SELECT * FROM slots WHERE service_id = ? AND starts_at >= ? AND starts_at < ? "
        "AND starts_at > ? ORDER BY starts_at",
        (service_id, stamp(dt.datetime.combine(first, dt.time(0), CST)),
         stamp(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), CST)),
         stamp(now))).fetchall()
    return [_slot_json(conn, r, service) for r in rows]


def _appointment_json(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    slot = conn.execute("SELECT * FROM slots WHERE slot_id = ?", (row["slot_id"],)).fetchone()
    return {"appointment_id": row["appointment_id"], "booking_code": row["booking_code"],
            "service_id": row["service_id"],
            "slot": _slot_json(conn, slot, catalogue.get_service(conn, row["service_id"])),
            "status": row["status"], "holder_masked": row["holder_masked"]}


def book(conn: sqlite3.Connection, body: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    slot = conn.execute("SELECT * FROM slots WHERE slot_id = ? AND service_id = ?",
                        (body["slot_id"], body["service_id"])).fetchone()
    if slot is None:
        raise not_found("slot of this service")
    applicant = body["applicant"]
    check_id_number(applicant["id_number"], applicant["id_kind"], now.date())
    if slot["starts_at"] <= stamp(now):
        raise conflict("slot_past", "this slot has begun or passed")
    if _slot_json(conn, slot, catalogue.get_service(conn, slot["service_id"]))["remaining"] <= 0:
        raise conflict("slot_full", "this slot is fully booked")
    while True:
        code = booking_code()
        if conn.execute("SELECT 1 FROM appointments WHERE booking_code = ? AND status = 'booked'",
                        (code,)).fetchone() is None:
            break
    appointment_id = opaque_id("A")
    conn.execute(
        "INSERT INTO appointments(appointment_id, booking_code, service_id, slot_id, status, "
        "id_number, holder_masked, created_at) VALUES (?, ?, ?, ?, 'booked', ?, ?, ?)",
        (appointment_id, code, body["service_id"], body["slot_id"], applicant["id_number"],
         holder_masked(applicant["name"], applicant["id_number"]), stamp(now)))
    return get(conn, appointment_id)


def get(conn: sqlite3.Connection, appointment_id: str) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM appointments WHERE appointment_id = ?",
                       (appointment_id,)).fetchone()
    if row is None:
        raise not_found("appointment")
    return _appointment_json(conn, row)


def query(conn: sqlite3.Connection, id_number: str, today: dt.date) -> list[dict[str, Any]]:
    check_id_number(id_number, None, today)
    rows = conn.execute(
        "SELECT a.* FROM appointments a JOIN slots s ON s.slot_id = a.slot_id "
        "WHERE a.id_number = ? ORDER BY s.starts_at, a.created_at", (id_number,)).fetchall()
    return [_appointment_json(conn, r) for r in rows]


def cancel(conn: sqlite3.Connection, appointment_id: str, now: dt.datetime) -> dict[str, Any]:
    """Booked → cancelled before the slot begins; a cancelled one answers unchanged."""
    appointment = get(conn, appointment_id)
    if appointment["status"] == "cancelled":
        return appointment
    if appointment["slot"]["starts_at"] <= stamp(now):
        raise conflict("appointment_not_cancellable", "the slot has begun or passed")
    conn.execute("UPDATE appointments SET status = 'cancelled' WHERE appointment_id = ?",
                 (appointment_id,))
    return get(conn, appointment_id)
