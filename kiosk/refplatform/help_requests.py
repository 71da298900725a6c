"""Help requests (contract 1.3): a citizen at a terminal touched 呼叫工作人员 / Call staff.

A request says where the citizen is (terminal, screen, journey and step) and when; it holds
nothing about who they are. Terminals raise requests and read back their own (another
terminal's answers 404); staff list, acknowledge and close them from the platform's side
(`kiosk platform help`, and the operations console later), never through a terminal credential.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from kiosk.refplatform.ids import opaque_id, stamp
from kiosk.refplatform.problems import not_found

STATUSES = ("open", "acknowledged", "closed")
_COLUMNS = ("help_request_id, kiosk_id, screen, journey, step, steps, raised_at, received_at, "
            "status, acknowledged_at, acknowledged_by, closed_at, closed_by, on_the_way_at, "
            "on_the_way_by")


class HelpRequestError(Exception):
    """The staff step does not apply to the request as it stands."""


def raise_request(conn: sqlite3.Connection, kiosk_id: str, body: dict[str, Any],
                  now: dt.datetime) -> dict[str, Any]:
    help_request_id = opaque_id("H")
    conn.execute(f"INSERT INTO help_requests({_COLUMNS}) VALUES "
                 "(?, ?, ?, ?, ?, ?, ?, ?, 'open', NULL, NULL, NULL, NULL, NULL, NULL)",
                 (help_request_id, kiosk_id, body["screen"], body.get("journey"),
                  body.get("step"), body.get("steps"), body["raised_at"], stamp(now)))
    return _get(conn, help_request_id)


def for_kiosk(conn: sqlite3.Connection, kiosk_id: str, help_request_id: str) -> dict[str, Any]:
    """The terminal's own request as the contract shows it; another terminal's is not there."""
    row = _row(conn, help_request_id)
    if row is None or row["kiosk_id"] != kiosk_id:
        raise not_found("help request")
    return to_json(row)


def to_json(row: sqlite3.Row | dict[str, Any]) -> dict[str, Any]:
    """The contract's HelpRequest: absent fields left out, the terminal and staff kept apart."""
    out = {k: row[k] for k in ("help_request_id", "screen", "journey", "step", "steps",
                               "raised_at", "received_at", "status", "acknowledged_at",
                               "acknowledged_by", "on_the_way_at", "closed_at")}
    return {k: v for k, v in out.items() if v is not None}


def list_requests(conn: sqlite3.Connection, status: str | None = None,
                  kiosk_id: str | None = None) -> list[dict[str, Any]]:
    """For staff: every terminal's requests, oldest open first, with the terminal's id."""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM help_requests WHERE (? IS NULL OR status = ?) "
        "AND (? IS NULL OR kiosk_id = ?) ORDER BY received_at, rowid",
        (status, status, kiosk_id, kiosk_id)).fetchall()
    return [{"kiosk_id": r["kiosk_id"], **to_json(r),
             **({"closed_by": r["closed_by"]} if r["closed_by"] else {})} for r in rows]


def acknowledge(conn: sqlite3.Connection, help_request_id: str, staff_id: str,
                now: dt.datetime) -> dict[str, Any]:
    """Someone is on their way. Acknowledging again by the same member of staff changes nothing."""
    row = _staff_row(conn, help_request_id, staff_id)
    if row["status"] == "closed":
        raise HelpRequestError(f"{help_request_id} is closed already")
    if row["status"] == "open":
        conn.execute("UPDATE help_requests SET status = 'acknowledged', acknowledged_at = ?, "
                     "acknowledged_by = ? WHERE help_request_id = ?",
                     (stamp(now), staff_id, help_request_id))
    return _get(conn, help_request_id)


def on_my_way(conn: sqlite3.Connection, help_request_id: str, staff_id: str,
                now: dt.datetime) -> dict[str, Any]:
    """A member of staff is walking to the terminal (contract 1.4: `on_the_way_at`); the
    request is acknowledged with it if it was not. Saying it again changes nothing."""
    row = _staff_row(conn, help_request_id, staff_id)
    if row["status"] == "closed":
        raise HelpRequestError(f"{help_request_id} is closed already")
    if row["on_the_way_at"] is None:
        conn.execute("UPDATE help_requests SET status = 'acknowledged', on_the_way_at = ?, "
                     "on_the_way_by = ?, acknowledged_at = COALESCE(acknowledged_at, ?), "
                     "acknowledged_by = COALESCE(acknowledged_by, ?) WHERE help_request_id = ?",
                     (stamp(now), staff_id, stamp(now), staff_id, help_request_id))
    return _get(conn, help_request_id)


def close(conn: sqlite3.Connection, help_request_id: str, staff_id: str,
          now: dt.datetime) -> dict[str, Any]:
    """The citizen was helped (or had left). An open request closed is acknowledged with it."""
    row = _staff_row(conn, help_request_id, staff_id)
    if row["status"] != "closed":
        conn.execute("UPDATE help_requests SET status = 'closed', closed_at = ?, closed_by = ?, "
                     "acknowledged_at = COALESCE(acknowledged_at, ?), "
                     "acknowledged_by = COALESCE(acknowledged_by, ?) WHERE help_request_id = ?",
                     (stamp(now), staff_id, stamp(now), staff_id, help_request_id))
    return _get(conn, help_request_id)


def _staff_row(conn: sqlite3.Connection, help_request_id: str, staff_id: str) -> sqlite3.Row:
    if not staff_id.strip() or len(staff_id) > 64:
        raise HelpRequestError("a staff id (1-64 characters) says who answers the request")
    row = _row(conn, help_request_id)
    if row is None:
        raise HelpRequestError(f"no help request {help_request_id}")
    return row


def _row(conn: sqlite3.Connection, help_request_id: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {_COLUMNS} FROM help_requests WHERE help_request_id = ?",
                        (help_request_id,)).fetchone()


def _get(conn: sqlite3.Connection, help_request_id: str) -> dict[str, Any]:
    row = _row(conn, help_request_id)
    assert row is not None
    return to_json(row)
