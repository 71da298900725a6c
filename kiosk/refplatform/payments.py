"""Payments of an application's fee: opened by a kiosk, paid when the operator (standing in for
the payment provider's callback) marks them paid.

A pending payment expires after `PAYMENT_TTL`; opening a new one cancels the older pending
ones, so at most one QR code of an application can be paid.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from kiosk.refplatform.applications import find as find_application
from kiosk.refplatform.ids import opaque_id, parse_stamp, stamp
from kiosk.refplatform.problems import conflict, not_found

PAYMENT_TTL = dt.timedelta(minutes=15)
PAY_URL = "https://pay.example.gov.cn/pay?payment_id={payment_id}&amount_fen={amount}"


def create(conn: sqlite3.Connection, receipt_no: str, now: dt.datetime) -> dict[str, Any]:
    application = find_application(conn, receipt_no)
    if application is None:
        raise not_found("application")
    if application["fee_fen"] <= 0:
        raise conflict("no_fee", "this application has no fee to pay")
    if application["paid"]:
        raise conflict("already_paid", "this application's fee is paid")
    conn.execute("UPDATE payments SET status = 'cancelled' WHERE receipt_no = ? "
                 "AND status = 'pending'", (receipt_no,))
    payment_id = opaque_id("P")
    conn.execute(
        "INSERT INTO payments(payment_id, receipt_no, amount_fen, status, qr_content, created_at, "
        "expires_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
        (payment_id, receipt_no, application["fee_fen"],
         PAY_URL.format(payment_id=payment_id, amount=application["fee_fen"]), stamp(now),
         stamp(now + PAYMENT_TTL)))
    return get(conn, payment_id, now)


def get(conn: sqlite3.Connection, payment_id: str, now: dt.datetime) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM payments WHERE payment_id = ?", (payment_id,)).fetchone()
    if row is None:
        raise not_found("payment")
    status = row["status"]
    if status == "pending" and parse_stamp(row["expires_at"]) <= now:
        status = "expired"  # reported as such; the row changes when someone writes to it
    return {"payment_id": row["payment_id"], "receipt_no": row["receipt_no"],
            "amount_fen": row["amount_fen"], "status": status, "qr_content": row["qr_content"],
            "expires_at": row["expires_at"], "paid_at": row["paid_at"]}


def mark_paid(conn: sqlite3.Connection, payment_id: str, now: dt.datetime) -> dict[str, Any]:
    """The provider's confirmation: pending → paid, and the application is paid (operator only:
    the `not_payable` refusal never reaches a kiosk)."""
    payment = get(conn, payment_id, now)
    if payment["status"] == "paid":
        return payment
    if payment["status"] != "pending":
        raise conflict("not_payable", f"a payment that is {payment['status']} cannot be paid")
    conn.execute("UPDATE payments SET status = 'paid', paid_at = ? WHERE payment_id = ?",
                 (stamp(now), payment_id))
    conn.execute("UPDATE applications SET paid = 1 WHERE receipt_no = ?", (payment["receipt_no"],))
    return get(conn, payment_id, now)
