"""What the back office does to an application, as plain functions over the store.

Used by `kiosk platform advance|pay|applications` and by tests to walk an application through
its life. Each step checks the status it starts from and appends a timeline entry whose note the
citizen sees at the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kiosk.refplatform import (applications, catalogue, certificate_records, help_requests,
                               payments)
from kiosk.refplatform.ids import Clock, stamp, system_clock
from kiosk.refplatform.problems import Problem
from kiosk.refplatform.store import Store

ACTIONS = ("accept", "review", "correct", "approve", "reject")


class OperatorError(Exception):
    """The step does not apply to the application as it stands."""


def _load(conn: Any, receipt_no: str, allowed: Iterable[str], action: str) -> Any:
    row = applications.find(conn, receipt_no)
    if row is None:
        raise OperatorError(f"no application {receipt_no}")
    allowed = tuple(allowed)
    if row["status"] not in allowed:
        raise OperatorError(f"cannot {action} an application that is {row['status']} "
                            f"(only from {', '.join(allowed)})")
    return row


def _outstanding(conn: Any, receipt_no: str) -> list[str]:
    return [r["material_id"] for r in conn.execute(
        "SELECT material_id FROM materials WHERE receipt_no = ? AND source = 'promised' "
        "AND received = 0 ORDER BY id", (receipt_no,))]


def _set(conn: Any, receipt_no: str, status: str, at: str, code: str,
         params: dict[str, str] | None = None, *, text: str | None = None) -> None:
    conn.execute("UPDATE applications SET status = ? WHERE receipt_no = ?", (status, receipt_no))
    applications.add_timeline(conn, receipt_no, status, at, code, params, text=text)


def accept(store: Store, receipt_no: str, *, clock: Clock = system_clock) -> dict[str, Any]:
    """受理: complete, or with a promise (容缺) while promised materials are outstanding."""
    with store.write() as conn:
        row = _load(conn, receipt_no, ["submitted"], "accept")
        missing = _outstanding(conn, receipt_no)
        conn.execute("UPDATE applications SET acceptance = ? WHERE receipt_no = ?",
                     ("with_promise" if missing else "complete", receipt_no))
        if missing:
            # the code carries the materials' ids (a terminal names them in its language);
            # the Chinese text their Chinese names
            names = {m["material_id"]: m["name"]["zh-CN"] for m in
                     catalogue.get_service(conn, row["service_id"])["materials"]}
            _set(conn, receipt_no, "accepted", stamp(clock()), "accepted_with_promise",
                 {"materials": ",".join(missing)},
                 text=applications.NOTE_TEXT["accepted_with_promise"].format(
                     materials="、".join(names.get(m, m) for m in missing)))
        else:
            _set(conn, receipt_no, "accepted", stamp(clock()), "accepted")
        return applications.to_json(conn, receipt_no)


def start_review(store: Store, receipt_no: str, *, clock: Clock = system_clock) -> dict[str, Any]:
    with store.write() as conn:
        _load(conn, receipt_no, ["accepted"], "review")
        _set(conn, receipt_no, "in_review", stamp(clock()), "in_review")
        return applications.to_json(conn, receipt_no)


def request_correction(store: Store, receipt_no: str, reason: str,
                       materials: Iterable[str] = (), *,
                       clock: Clock = system_clock) -> dict[str, Any]:
    """补正: ask for materials (ids of the service's materials; none = any of them)."""
    if not reason.strip():
        raise OperatorError("a correction request needs a reason the citizen can act on")
    with store.write() as conn:
        row = _load(conn, receipt_no, ["accepted", "in_review"], "request a correction of")
        service = catalogue.get_service(conn, row["service_id"])
        known = {m["material_id"] for m in service["materials"]}
        wanted = list(dict.fromkeys(materials))
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise OperatorError(f"not materials of {service['service_id']}: {', '.join(unknown)}")
        conn.execute("UPDATE applications SET awaiting = ? WHERE receipt_no = ?",
                     (json.dumps(wanted), receipt_no))
        _set(conn, receipt_no, "correction_requested", stamp(clock()),
             applications.OFFICER_NOTE, text=reason.strip())
        return applications.to_json(conn, receipt_no)


def approve(store: Store, receipt_no: str, *, clock: Clock = system_clock) -> dict[str, Any]:
    """办结: approved, and at once a certificate is issued (with its verification code)."""
    with store.write() as conn:
        row = _load(conn, receipt_no, ["in_review"], "approve")
        missing = _outstanding(conn, receipt_no)
        if missing:
            raise OperatorError("promised materials are still outstanding: " + ", ".join(missing))
        now = clock()
        _set(conn, receipt_no, "approved", stamp(now), "approved")
        certificate_records.issue(conn, row, now)
        _set(conn, receipt_no, "certificate_issued", stamp(now), "certificate_issued")
        return applications.to_json(conn, receipt_no)


def reject(store: Store, receipt_no: str, reason: str, *,
           clock: Clock = system_clock) -> dict[str, Any]:
    if not reason.strip():
        raise OperatorError("a rejection needs a reason the citizen is told")
    with store.write() as conn:
        _load(conn, receipt_no, applications.OPEN, "reject")
        _set(conn, receipt_no, "rejected", stamp(clock()), applications.OFFICER_NOTE,
             text=reason.strip())
        return applications.to_json(conn, receipt_no)


def advance(store: Store, receipt_no: str, action: str, *, reason: str | None = None,
            materials: Iterable[str] = (), clock: Clock = system_clock) -> dict[str, Any]:
    """One named step (`ACTIONS`), as the CLI offers them."""
    if action == "accept":
        return accept(store, receipt_no, clock=clock)
    if action == "review":
        return start_review(store, receipt_no, clock=clock)
    if action == "correct":
        return request_correction(store, receipt_no, reason or "", materials, clock=clock)
    if action == "approve":
        return approve(store, receipt_no, clock=clock)
    if action == "reject":
        return reject(store, receipt_no, reason or "", clock=clock)
    raise OperatorError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")


def mark_paid(store: Store, payment_id: str, *, clock: Clock = system_clock) -> dict[str, Any]:
    """The payment provider's confirmation, given by hand."""
    with store.write() as conn:
        try:
            return payments.mark_paid(conn, payment_id, clock())
        except Problem as exc:
            raise OperatorError(exc.detail or exc.code) from None


def list_applications(store: Store, status: str | None = None) -> list[dict[str, Any]]:
    """Newest first, applicant masked: what a back-office list shows."""
    with store.read() as conn:
        sql = "SELECT receipt_no FROM applications"
        args: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status = ?"
            args = (status,)
        rows = conn.execute(sql + " ORDER BY seq DESC", args).fetchall()
        return [applications.to_json(conn, r["receipt_no"]) for r in rows]


def list_payments(store: Store, receipt_no: str | None = None) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute("SELECT payment_id FROM payments WHERE ? IS NULL OR receipt_no = ? "
                            "ORDER BY created_at DESC", (receipt_no, receipt_no)).fetchall()
        return [payments.get(conn, r["payment_id"], system_clock()) for r in rows]


def list_help_requests(store: Store, status: str | None = None,
                       kiosk_id: str | None = None) -> list[dict[str, Any]]:
    """Every terminal's help requests, oldest first: what the hall's staff answer."""
    with store.read() as conn:
        return help_requests.list_requests(conn, status, kiosk_id)


def help_on_my_way(store: Store, help_request_id: str, staff_id: str, *,
                    clock: Clock = system_clock) -> dict[str, Any]:
    """A member of staff set off to the terminal (contract 1.4), as the console's On my way."""
    with store.write() as conn:
        try:
            return help_requests.on_my_way(conn, help_request_id, staff_id, clock())
        except help_requests.HelpRequestError as exc:
            raise OperatorError(str(exc)) from None


def acknowledge_help(store: Store, help_request_id: str, staff_id: str, *,
                     clock: Clock = system_clock) -> dict[str, Any]:
    """Staff are on their way: the terminal's dialog says so at its next look."""
    with store.write() as conn:
        try:
            return help_requests.acknowledge(conn, help_request_id, staff_id, clock())
        except help_requests.HelpRequestError as exc:
            raise OperatorError(str(exc)) from None


def close_help(store: Store, help_request_id: str, staff_id: str, *,
               clock: Clock = system_clock) -> dict[str, Any]:
    with store.write() as conn:
        try:
            return help_requests.close(conn, help_request_id, staff_id, clock())
        except help_requests.HelpRequestError as exc:
            raise OperatorError(str(exc)) from None
