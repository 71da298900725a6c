"""Applications (办件): filing with form and materials, supplements, and how one reads back.

Status machine (the operator side is in `operator.py`):

    submitted → accepted → in_review ⇄ correction_requested → approved → certificate_issued
              → collected;  any of submitted/accepted/in_review/correction_requested → rejected

A supplement answers a correction request (and puts the application back in review) or hands
in materials promised at filing (容缺受理); otherwise there is nothing to hand in.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets
import sqlite3
from typing import Any

from jsonschema import Draft202012Validator

from kiosk.refplatform import catalogue
from kiosk.refplatform.ids import (CROCKFORD, add_working_days, check_id_number, holder_masked,
                                   receipt_no, secret_digest, stamp)
from kiosk.refplatform.problems import Problem, conflict, not_found, schema_error_entry
from kiosk.refplatform.store import next_counter

OPEN = ("submitted", "accepted", "in_review", "correction_requested")
MAGIC = {"image/jpeg": b"\xff\xd8\xff", "application/pdf": b"%PDF-"}
MAX_PROMISE_DAYS = 90


def validate_form(service: dict[str, Any], form: dict[str, Any]) -> None:
    """422 form_invalid with the failing field paths (never the values) if the form is wrong."""
    validator = Draft202012Validator(service["form_schema"],
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(form), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise Problem(422, "form_invalid", "the form does not satisfy the service's form schema",
                      errors=[schema_error_entry(e, "form") for e in errors])


def _decode_page(page: dict[str, Any]) -> bytes | None:
    try:
        data = base64.b64decode(page["content"], validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if data.startswith(MAGIC[page["media_type"]]) else None


def check_materials(service: dict[str, Any], submissions: list[dict[str, Any]],
                    citizen: dict[str, Any], today: dt.date, *, filing: bool,
                    allowed: set[str] | None = None) -> None:
    """422 materials_invalid listing every problem by path unless the materials are acceptable.

    `filing`: every required material must be there (a supplement brings only some);
    `allowed`: the material ids a supplement may bring.
    """
    by_id = {m["material_id"]: m for m in service["materials"]}
    errors: list[dict[str, str]] = []
    seen: set[str] = set()

    def refuse(path: str, message: str) -> None:
        errors.append({"path": path, "message": message})

    for i, sub in enumerate(submissions):
        path = f"materials/{i}"
        material = by_id.get(sub["material_id"])
        if material is None:
            refuse(path + "/material_id", "not a material of this service")
            continue
        if sub["material_id"] in seen:
            refuse(path + "/material_id", "material handed in twice")
        seen.add(sub["material_id"])
        if allowed is not None and sub["material_id"] not in allowed:
            refuse(path + "/material_id", "this material is not awaited")
        source = sub["source"]
        if source == "scan":
            pages = sub.get("pages") or []
            if not material["pages_min"] <= len(pages) <= material["pages_max"]:
                refuse(path + "/pages",
                       f"needs {material['pages_min']} to {material['pages_max']} pages")
            for j, page in enumerate(pages):
                if _decode_page(page) is None:
                    refuse(f"{path}/pages/{j}/content",
                           f"not base64 of a {page['media_type']} document")
        elif source == "elicence":
            kind = material["elicence_kind"]
            licence_id = sub.get("elicence_id")
            if kind is None:
                refuse(path + "/source", "no e-licence can replace this material")
            elif licence_id is None:
                refuse(path + "/elicence_id", "required with source elicence")
            elif not any(lic["licence_id"] == licence_id and lic["kind"] == kind
                         and (lic.get("valid_until") is None
                              or lic["valid_until"] >= today.isoformat())
                         for lic in citizen["elicences"]):
                refuse(path + "/elicence_id", "the applicant holds no valid e-licence of this id")
        else:  # promised
            if not filing:
                refuse(path + "/source", "a supplement hands materials in, it cannot promise")
            elif not material["may_promise"]:
                refuse(path + "/source", "this material cannot be handed in later")
            elif "promised_by" not in sub:
                refuse(path + "/promised_by", "required with source promised")
            else:
                try:
                    by = dt.date.fromisoformat(sub["promised_by"])
                except ValueError:
                    by = dt.date.min
                if not today <= by <= today + dt.timedelta(days=MAX_PROMISE_DAYS):
                    refuse(path + "/promised_by",
                           f"must be between today and {MAX_PROMISE_DAYS} days from now")
    if filing:
        for material in service["materials"]:
            if material["required"] and material["material_id"] not in seen:
                refuse("materials", f"required material missing: {material['material_id']}")
    if errors:
        raise Problem(422, "materials_invalid", "the materials do not meet the service's rules",
                      errors=errors)


def _store_materials(conn: sqlite3.Connection, receipt: str, submissions: list[dict[str, Any]],
                     at: str) -> None:
    """Materials in rows and each page decoded into its own row, one page in memory at a time."""
    for sub in submissions:
        promised = sub["source"] == "promised"
        cur = conn.execute(
            "INSERT INTO materials(receipt_no, material_id, source, elicence_id, promised_by, "
            "received, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (receipt, sub["material_id"], sub["source"], sub.get("elicence_id"),
             sub.get("promised_by") if promised else None, 0 if promised else 1, at))
        for seq, page in enumerate(sub.get("pages") or []):
            conn.execute("INSERT INTO pages(material_row, seq, media_type, content) "
                         "VALUES (?, ?, ?, ?)",
                         (cur.lastrowid, seq, page["media_type"], _decode_page(page)))


# Notes the platform writes itself (contract 1.6): a stable code and its parameters, which a
# terminal words in the citizen's language; the Chinese text stays in `note` for terminals
# before 1.6. An officer's own words (a correction's or a rejection's reason) carry the code
# OFFICER_NOTE and are shown as written.
NOTE_TEXT = {
    "submitted": "申请已提交，等待受理",
    "accepted": "已受理",
    "accepted_with_promise": "已容缺受理，请按承诺时间补交材料：{materials}",
    "in_review": "审查中",
    "supplement_received": "补正材料已提交，继续审查",
    "promised_received": "容缺材料已补交",
    "approved": "审批通过",
    "certificate_issued": "证照已出具，可在自助终端打印领取",
    "collected": "证照已在自助终端领取",
}
OFFICER_NOTE = "officer"


def add_timeline(conn: sqlite3.Connection, receipt: str, status: str, at: str, code: str,
                 params: dict[str, str] | None = None, *, text: str | None = None) -> None:
    """A timeline entry with the note `code` (one of NOTE_TEXT, or OFFICER_NOTE with the
    officer's `text`); `text` also overrides the Chinese wording of a coded note."""
    if text is None:
        text = NOTE_TEXT[code].format(**(params or {}))
    conn.execute("INSERT INTO timeline(receipt_no, status, at, note, note_code, note_params) "
                 "VALUES (?, ?, ?, ?, ?, ?)",
                 (receipt, status, at, text, code,
                  json.dumps(params, ensure_ascii=False) if params else None))


def create(conn: sqlite3.Connection, kiosk_id: str, body: dict[str, Any],
           now: dt.datetime) -> dict[str, Any]:
    """File an application (inside the caller's write transaction); its JSON."""
    service = catalogue.find_service(conn, body["service_id"])
    if service is None:
        raise not_found("service")
    applicant = body["applicant"]
    today = now.date()
    check_id_number(applicant["id_number"], applicant["id_kind"], today)
    validate_form(service, body["form"])
    citizen = catalogue.lookup_citizen(conn, applicant["id_number"])
    check_materials(service, body["materials"], citizen, today, filing=True)

    receipt = receipt_no(today, next_counter(conn, f"receipt:{today.isoformat()}"))
    at = stamp(now)
    seq = next_counter(conn, "applications")
    conn.execute(
        "INSERT INTO applications(receipt_no, service_id, kiosk_id, id_kind, id_number, name, "
        "mobile, form, client_reference, status, acceptance, submitted_at, due_date, fee_fen, "
        "paid, seq, notify_sms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'submitted', 'pending', ?, ?, ?, 0, ?, ?)",
        (receipt, service["service_id"], kiosk_id, applicant["id_kind"], applicant["id_number"],
         applicant["name"], applicant.get("mobile"), json.dumps(body["form"], ensure_ascii=False),
         body["client_reference"], at,
         add_working_days(today, service["promised_limit_days"]).isoformat(),
         service["fee_fen"], seq, _sms(body)))
    _store_materials(conn, receipt, body["materials"], at)
    add_timeline(conn, receipt, "submitted", at, "submitted")
    if body.get("progress_token"):
        add_progress_token(conn, receipt, body["progress_token"], now)
    return to_json(conn, receipt)


# -- progress by the token printed on a receipt ------------------------------------------------

CLOSED = ("rejected", "collected")
PROGRESS_AFTER_CLOSE = dt.timedelta(days=30)


def add_progress_token(conn: sqlite3.Connection, receipt: str, token: str,
                       now: dt.datetime) -> None:
    """Register a token that opens the application's masked progress (only its hash kept)."""
    conn.execute("INSERT OR IGNORE INTO progress_tokens(token_hash, receipt_no, created_at) "
                 "VALUES (?, ?, ?)", (secret_digest(token), receipt, stamp(now)))


def issue_progress_token(conn: sqlite3.Connection, receipt: str, now: dt.datetime) -> str:
    token = "".join(secrets.choice(CROCKFORD) for _ in range(26))
    add_progress_token(conn, receipt, token, now)
    return token


def progress(conn: sqlite3.Connection, token: str, now: dt.datetime) -> dict[str, Any]:
    """The masked application a token opens: no timeline notes (a correction's reasons are
    the citizen's business), no certificate ids. 404 when unknown, or 30 days after the case
    closed."""
    row = conn.execute("SELECT receipt_no FROM progress_tokens WHERE token_hash = ?",
                       (secret_digest(token),)).fetchone()
    if row is None:
        raise not_found("application")
    application = to_json(conn, row["receipt_no"])
    if application["status"] in CLOSED:
        closed_at = dt.datetime.fromisoformat(application["timeline"][-1]["at"])
        if now - closed_at > PROGRESS_AFTER_CLOSE:
            raise not_found("application")
    application["timeline"] = [{"status": e["status"], "at": e["at"]}
                               for e in application["timeline"]]
    application["certificate_ids"] = []
    return application


def supplement(conn: sqlite3.Connection, receipt: str, body: dict[str, Any],
               now: dt.datetime) -> dict[str, Any]:
    """Hand in awaited materials: a correction's (back to review) or promised ones."""
    row = find(conn, receipt)
    if row is None:
        raise not_found("application")
    service = catalogue.get_service(conn, row["service_id"])
    outstanding = {r["material_id"] for r in conn.execute(
        "SELECT material_id FROM materials WHERE receipt_no = ? AND source = 'promised' "
        "AND received = 0", (receipt,))}
    if row["status"] == "correction_requested":
        requested = set(json.loads(row["awaiting"] or "[]"))
        allowed = (requested | outstanding) if requested else None
    elif outstanding and row["status"] in OPEN:
        allowed = outstanding
    else:
        raise conflict("not_awaiting_materials", "this application awaits no materials")
    citizen = catalogue.lookup_citizen(conn, row["id_number"])
    check_materials(service, body["materials"], citizen, now.date(), filing=False,
                    allowed=allowed)
    at = stamp(now)
    handed = {sub["material_id"] for sub in body["materials"]}
    conn.execute(
        f"UPDATE materials SET received = 1 WHERE receipt_no = ? AND source = 'promised' "
        f"AND material_id IN ({','.join('?' * len(handed))})", (receipt, *handed))
    _store_materials(conn, receipt, body["materials"], at)
    if row["status"] == "correction_requested":
        conn.execute("UPDATE applications SET status = 'in_review', awaiting = NULL "
                     "WHERE receipt_no = ?", (receipt,))
        add_timeline(conn, receipt, "in_review", at, "supplement_received")
    else:
        add_timeline(conn, receipt, row["status"], at, "promised_received")
    return to_json(conn, receipt)


def find(conn: sqlite3.Connection, receipt: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM applications WHERE receipt_no = ?", (receipt,)).fetchone()


def get(conn: sqlite3.Connection, receipt: str) -> dict[str, Any]:
    if find(conn, receipt) is None:
        raise not_found("application")
    return to_json(conn, receipt)


def query(conn: sqlite3.Connection, id_number: str, today: dt.date) -> list[dict[str, Any]]:
    check_id_number(id_number, None, today)
    rows = conn.execute("SELECT receipt_no FROM applications WHERE id_number = ? "
                        "ORDER BY seq DESC", (id_number,)).fetchall()
    return [to_json(conn, r["receipt_no"]) for r in rows]


def to_json(conn: sqlite3.Connection, receipt: str) -> dict[str, Any]:
    """The contract's `Application`: applicant masked, promised materials, full timeline."""
    row = find(conn, receipt)
    assert row is not None
    service = catalogue.get_service(conn, row["service_id"])
    promised = [{"material_id": r["material_id"], "promised_by": r["promised_by"],
                 "received": bool(r["received"])}
                for r in conn.execute("SELECT * FROM materials WHERE receipt_no = ? AND "
                                      "source = 'promised' ORDER BY id", (receipt,))]
    timeline = []
    for r in conn.execute("SELECT status, at, note, note_code, note_params FROM timeline "
                          "WHERE receipt_no = ? ORDER BY id", (receipt,)):
        entry = {"status": r["status"], "at": r["at"]}
        if r["note"]:
            entry["note"] = r["note"]
        if r["note_code"]:
            entry["note_code"] = r["note_code"]
        if r["note_params"]:
            entry["note_params"] = json.loads(r["note_params"])
        timeline.append(entry)
    certificate_ids = [r["certificate_id"] for r in conn.execute(
        "SELECT certificate_id FROM certificates WHERE receipt_no = ? ORDER BY issued_at",
        (receipt,))]
    return {
        "receipt_no": receipt,
        "service_id": row["service_id"],
        "service_name": service["name"],
        "status": row["status"],
        "acceptance": row["acceptance"],
        "promised_materials": promised,
        "applicant_masked": holder_masked(row["name"], row["id_number"]),
        "client_reference": row["client_reference"],
        "submitted_at": row["submitted_at"],
        "due_date": row["due_date"],
        "timeline": timeline,
        "certificate_ids": certificate_ids,
        "fee_fen": row["fee_fen"],
        "paid": bool(row["paid"]),
        "evaluated": conn.execute("SELECT 1 FROM evaluations WHERE receipt_no = ?",
                                  (receipt,)).fetchone() is not None,
        **({"notifications": {"sms": bool(row["notify_sms"])}}
           if row["notify_sms"] is not None else {}),
        **({"correction_materials": asked} if (asked := _asked_for(row)) else {}),
    }


def _asked_for(row: sqlite3.Row) -> list[str]:
    """The materials a pending correction request names ([] = any of the service's)."""
    if row["status"] != "correction_requested":
        return []
    return list(json.loads(row["awaiting"] or "[]"))


def _sms(body: dict[str, Any]) -> int | None:
    """The SMS opt-in as stored: 1/0, or NULL when the terminal did not ask."""
    notifications = body.get("notifications")
    return None if notifications is None else int(bool(notifications["sms"]))
