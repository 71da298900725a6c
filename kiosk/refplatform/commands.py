"""Console commands (contract 1.4): the platform keeps the console's signed envelopes and
serves each terminal its own; it reads the payload only to know which terminal and in which
order, and trusts nothing in it (the terminal checks the signature, the platform cannot).

`queue`, `revoke` and `results` are the console's side (called beside the platform, never
through a terminal credential); `pending` and `record_result` the terminal's. A revoked
command is no longer handed out; a terminal that fetched it before may still have carried it
out, and its report is recorded as any other (the console then says it stays executed).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import sqlite3
from typing import Any

from kiosk.refplatform.ids import stamp
from kiosk.refplatform.problems import conflict, not_found

PAGE = 50
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")


class CommandQueueError(Exception):
    """The envelope cannot be queued (not one the console makes)."""


def queue(conn: sqlite3.Connection, envelope: dict[str, str], now: dt.datetime) -> str:
    """Keep a signed envelope for its terminal; returns its command id."""
    command_id, payload, signature = (envelope.get(k) for k in
                                      ("command_id", "payload", "signature"))
    if not (isinstance(command_id, str) and _ID.match(command_id)
            and isinstance(payload, str) and _B64URL.match(payload) and len(payload) <= 8192
            and isinstance(signature, str) and _B64URL.match(signature)
            and len(signature) <= 200):
        raise CommandQueueError("not a command envelope")
    try:
        doc = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        kiosk_id, seq = doc["kiosk_id"], doc["seq"]
    except (ValueError, binascii.Error, KeyError, TypeError):
        raise CommandQueueError("the payload names no terminal and sequence") from None
    if not isinstance(kiosk_id, str) or not _ID.match(kiosk_id) or not isinstance(seq, int):
        raise CommandQueueError("the payload names no terminal and sequence")
    try:
        conn.execute("INSERT INTO kiosk_commands(command_id, kiosk_id, seq, payload, signature, "
                     "queued_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (command_id, kiosk_id, seq, payload, signature, stamp(now)))
    except sqlite3.IntegrityError:
        raise CommandQueueError(f"{command_id} is queued already") from None
    return command_id


def pending(conn: sqlite3.Connection, kiosk_id: str) -> dict[str, Any]:
    """The contract's KioskCommandList: this terminal's undecided commands, in order."""
    rows = conn.execute("SELECT command_id, payload, signature FROM kiosk_commands "
                        "WHERE kiosk_id = ? AND outcome IS NULL AND revoked_at IS NULL "
                        "ORDER BY seq, rowid LIMIT ?",
                        (kiosk_id, PAGE)).fetchall()
    return {"items": [{"command_id": r["command_id"], "payload": r["payload"],
                       "signature": r["signature"]} for r in rows]}


def revoke(conn: sqlite3.Connection, command_id: str, now: dt.datetime) -> dict[str, Any]:
    """For the console: stop handing the command out. Answers {"revoked": True} while the
    terminal has reported nothing, else {"revoked": False} with what it reported (too late:
    an executed command stays executed)."""
    row = conn.execute("SELECT outcome, reason, result_at, screenshot FROM kiosk_commands "
                       "WHERE command_id = ?", (command_id,)).fetchone()
    if row is None:
        raise CommandQueueError(f"{command_id} is not queued here")
    if row["outcome"] is not None:
        return {"revoked": False, "outcome": row["outcome"], "reason": row["reason"] or "",
                "result_at": row["result_at"], "screenshot": row["screenshot"]}
    conn.execute("UPDATE kiosk_commands SET revoked_at = COALESCE(revoked_at, ?) "
                 "WHERE command_id = ?", (stamp(now), command_id))
    return {"revoked": True}


def record_result(conn: sqlite3.Connection, kiosk_id: str, command_id: str,
                  body: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    row = conn.execute("SELECT kiosk_id, outcome, reason, result_at FROM kiosk_commands "
                       "WHERE command_id = ?", (command_id,)).fetchone()
    if row is None or row["kiosk_id"] != kiosk_id:
        raise not_found("command")
    outcome, reason = body["outcome"], body.get("reason")
    if row["outcome"] is not None:
        if (row["outcome"], row["reason"]) != (outcome, reason):
            raise conflict("command_settled", "this command has another outcome already")
        return {"command_id": command_id, "outcome": outcome, "recorded_at": row["result_at"]}
    png = body.get("screenshot_png")
    conn.execute("UPDATE kiosk_commands SET outcome = ?, reason = ?, result_at = ?, "
                 "screenshot = ? WHERE command_id = ?",
                 (outcome, reason, stamp(now), base64.b64decode(png) if png else None,
                  command_id))
    return {"command_id": command_id, "outcome": outcome, "recorded_at": stamp(now)}


def results(conn: sqlite3.Connection, command_ids: list[str]) -> dict[str, dict[str, Any]]:
    """For the console: the outcome of each command the terminal has reported so far."""
    out: dict[str, dict[str, Any]] = {}
    for command_id in command_ids:
        row = conn.execute("SELECT outcome, reason, result_at, screenshot FROM kiosk_commands "
                           "WHERE command_id = ? AND outcome IS NOT NULL",
                           (command_id,)).fetchone()
        if row is not None:
            out[command_id] = {"outcome": row["outcome"], "reason": row["reason"] or "",
                               "result_at": row["result_at"], "screenshot": row["screenshot"]}
    return out
