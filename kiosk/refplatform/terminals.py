"""What terminals report about themselves: the latest heartbeat and a deduplicated event log."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from typing import Any

from kiosk.refplatform import audit_heads
from kiosk.refplatform.ids import stamp

log = logging.getLogger(__name__)


def heartbeat(conn: sqlite3.Connection, kiosk_id: str, body: dict[str, Any],
              now: dt.datetime, flagged: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Keep only the latest heartbeat of each terminal, and the series of its audit-trail
    heads; answer the platform's time. A head flagged by the series is appended to `flagged`
    (kiosk_id, at, kind, reported_seq: for the operations console)."""
    if "audit_head" in body:
        alert = audit_heads.report(conn, kiosk_id, body["audit_head"], now)
        if alert:
            log.warning("terminal %s: %s (seq %s)", kiosk_id, alert, body["audit_head"]["seq"])
            if flagged is not None:
                flagged.append({"kiosk_id": kiosk_id, "at": stamp(now), "kind": alert,
                                "reported_seq": int(body["audit_head"]["seq"])})
    conn.execute("INSERT INTO heartbeats(kiosk_id, received_at, doc) VALUES (?, ?, ?) "
                 "ON CONFLICT(kiosk_id) DO UPDATE SET received_at = excluded.received_at, "
                 "doc = excluded.doc", (kiosk_id, stamp(now), json.dumps(body)))
    return {"server_time": stamp(now)}


def events(conn: sqlite3.Connection, kiosk_id: str, batch: list[dict[str, Any]],
           now: dt.datetime) -> dict[str, int]:
    """Store events; one already stored (same kiosk and event_id) counts as a duplicate."""
    accepted = duplicates = 0
    for event in batch:
        cur = conn.execute(
            "INSERT OR IGNORE INTO events(kiosk_id, event_id, at, kind, severity, detail, "
            "received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kiosk_id, event["event_id"].lower(), event["at"], event["kind"], event["severity"],
             json.dumps(event.get("detail")) if "detail" in event else None, stamp(now)))
        if cur.rowcount:
            accepted += 1
        else:
            duplicates += 1
    return {"accepted": accepted, "duplicates": duplicates}


def latest_heartbeats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [{"kiosk_id": r["kiosk_id"], "received_at": r["received_at"], **json.loads(r["doc"])}
            for r in conn.execute("SELECT * FROM heartbeats ORDER BY kiosk_id")]
