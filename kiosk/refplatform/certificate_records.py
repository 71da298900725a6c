"""Issued certificates (办理结果): issuing, a citizen's list, collection once, public verification."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from kiosk.refplatform import catalogue
from kiosk.refplatform.applications import add_timeline
from kiosk.refplatform.ids import (check_id_number, holder_masked, opaque_id, stamp,
                                   verification_code)
from kiosk.refplatform.problems import conflict, not_found


def issue(conn: sqlite3.Connection, application: sqlite3.Row, now: dt.datetime) -> str:
    """A certificate for an approved application; its id. Its name is the service's and its
    issuer the service's department, both in both languages."""
    service = catalogue.get_service(conn, application["service_id"])
    certificate_id = opaque_id("C")
    while True:
        code = verification_code()
        if conn.execute("SELECT 1 FROM certificates WHERE verification_code = ?",
                        (code,)).fetchone() is None:
            break
    conn.execute(
        "INSERT INTO certificates(certificate_id, receipt_no, id_number, title, title_en, "
        "holder_name, holder_masked, issuer, issuer_en, issued_at, verification_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (certificate_id, application["receipt_no"], application["id_number"],
         service["name"]["zh-CN"], service["name"]["en"], application["name"],
         holder_masked(application["name"], application["id_number"]),
         service["department"]["zh-CN"], service["department"]["en"], stamp(now), code))
    return certificate_id


def find(conn: sqlite3.Connection, certificate_id: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM certificates WHERE certificate_id = ?",
                       (certificate_id,)).fetchone()
    if row is None:
        raise not_found("certificate")
    return row


def _words(row: sqlite3.Row) -> dict[str, Any]:
    """The name and issuer in both languages (contract 1.8), where the record has them."""
    words: dict[str, Any] = {}
    for key in ("title", "issuer"):
        if row[f"{key}_en"]:
            words[f"{key}_words"] = {"zh-CN": row[key], "en": row[f"{key}_en"]}
    return words


def to_json(row: sqlite3.Row) -> dict[str, Any]:
    return {**{key: row[key] for key in ("certificate_id", "receipt_no", "title",
                                         "holder_masked", "issuer", "issued_at",
                                         "verification_code", "collected_at", "print_count")},
            **_words(row)}


def query(conn: sqlite3.Connection, id_number: str, today: dt.date) -> list[dict[str, Any]]:
    check_id_number(id_number, None, today)
    return [to_json(r) for r in conn.execute(
        "SELECT * FROM certificates WHERE id_number = ? ORDER BY issued_at DESC, certificate_id",
        (id_number,))]


def collect(conn: sqlite3.Connection, certificate_id: str, kiosk_id: str,
            reprint_reason: str | None, now: dt.datetime) -> dict[str, Any]:
    """First collection marks the application collected; later ones need a recorded reason."""
    row = find(conn, certificate_id)
    at = stamp(now)
    if row["collected_at"] is None:
        conn.execute("UPDATE certificates SET collected_at = ?, print_count = print_count + 1 "
                     "WHERE certificate_id = ?", (at, certificate_id))
        app = conn.execute("SELECT status FROM applications WHERE receipt_no = ?",
                           (row["receipt_no"],)).fetchone()
        if app["status"] == "certificate_issued":
            conn.execute("UPDATE applications SET status = 'collected' WHERE receipt_no = ?",
                         (row["receipt_no"],))
            add_timeline(conn, row["receipt_no"], "collected", at, "collected")
    elif not reprint_reason:
        raise conflict("already_collected",
                       "this certificate was collected; a reprint needs a reprint_reason")
    else:
        conn.execute("UPDATE certificates SET print_count = print_count + 1 "
                     "WHERE certificate_id = ?", (certificate_id,))
    conn.execute("INSERT INTO collections(certificate_id, kiosk_id, at, reprint_reason) "
                 "VALUES (?, ?, ?, ?)", (certificate_id, kiosk_id, at, reprint_reason))
    return to_json(find(conn, certificate_id))


def verify(conn: sqlite3.Connection, code: str) -> dict[str, Any]:
    row = conn.execute("SELECT * FROM certificates WHERE verification_code = ?",
                       (code,)).fetchone()
    if row is None:
        raise not_found("certificate")
    return {"verification_code": row["verification_code"], "status": row["status"],
            "title": row["title"], "holder_masked": row["holder_masked"],
            "issuer": row["issuer"], "issued_at": row["issued_at"], **_words(row)}
