"""The audit-trail heads terminals report in their heartbeats (contract 1.2), kept as a series.

A terminal's trail is hash-chained: rewriting or removing entry k changes (or removes) the hash
of every entry from k on. The platform keeps each (seq, hash) a terminal reported, so a trail
cut short or rewritten and re-chained on the terminal no longer holds what it reported here;
the terminal checks itself against the series (`kiosk audit verify --platform`), and the
platform flags on arrival what it can see alone: a head that goes backwards, or a known seq
with another hash (`audit_alerts`, for the operations console; never personal data).

Bounded: every report is kept for SERIES_DAYS days; older ones are thinned to the highest seq
first seen on each day. Nothing is lost for detection by thinning: any rewrite or cut changes
the newest head, which is always kept; the older heads only narrow down when it happened.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import Any

from kiosk.audit.entry import AuditEntry
from kiosk.audit.heads import HeadCheck, check_heads
from kiosk.refplatform.ids import stamp

SERIES_DAYS = 30
PAGE = 5000


def report(conn: sqlite3.Connection, kiosk_id: str, head: dict[str, Any],
           now: dt.datetime) -> str | None:
    """Record a reported head; the alert kind when it contradicts the series, else None.
    A contradicting head is not added to the series: the series is what the trail once was."""
    seq, digest, at = int(head["seq"]), str(head["hash"]), stamp(now)
    known = conn.execute("SELECT seq, hash FROM audit_heads WHERE kiosk_id = ? "
                         "ORDER BY seq DESC LIMIT 1", (kiosk_id,)).fetchone()
    same = conn.execute("SELECT hash FROM audit_heads WHERE kiosk_id = ? AND seq = ?",
                        (kiosk_id, seq)).fetchone()
    kind = None
    if same is not None and same[0] != digest:
        kind, known = "audit_head_rewritten", (seq, same[0])
    elif known is not None and seq < known[0]:
        kind = "audit_head_backwards"
    if kind is not None:
        conn.execute("INSERT INTO audit_alerts(kiosk_id, at, kind, reported_seq, reported_hash, "
                     "known_seq, known_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (kiosk_id, at, kind, seq, digest, known[0], known[1]))
        return kind
    if same is not None:
        conn.execute("UPDATE audit_heads SET last_seen = ? WHERE kiosk_id = ? AND seq = ?",
                     (at, kiosk_id, seq))
        return None
    conn.execute("INSERT INTO audit_heads(kiosk_id, seq, hash, first_seen, last_seen) "
                 "VALUES (?, ?, ?, ?, ?)", (kiosk_id, seq, digest, at, at))
    _thin(conn, kiosk_id, now)
    return None


def _thin(conn: sqlite3.Connection, kiosk_id: str, now: dt.datetime) -> None:
    cutoff = stamp(now - dt.timedelta(days=SERIES_DAYS))
    conn.execute(
        "DELETE FROM audit_heads WHERE kiosk_id = ? AND last_seen < ? AND seq NOT IN ("
        " SELECT MAX(seq) FROM audit_heads WHERE kiosk_id = ? AND last_seen < ?"
        " GROUP BY substr(first_seen, 1, 10))", (kiosk_id, cutoff, kiosk_id, cutoff))


def series(conn: sqlite3.Connection, kiosk_id: str, since_seq: int = 1) -> dict[str, Any]:
    """One page of `kiosk_id`'s series from `since_seq`: the caller's own, never another's."""
    rows = conn.execute("SELECT seq, hash, first_seen FROM audit_heads WHERE kiosk_id = ? "
                        "AND seq >= ? ORDER BY seq LIMIT ?",
                        (kiosk_id, since_seq, PAGE + 1)).fetchall()
    alerts = conn.execute("SELECT COUNT(*) FROM audit_alerts WHERE kiosk_id = ?",
                          (kiosk_id,)).fetchone()[0]
    return {"items": [{"seq": r[0], "hash": r[1], "first_seen": r[2]} for r in rows[:PAGE]],
            "more": len(rows) > PAGE, "alerts": alerts}


def alerts(conn: sqlite3.Connection, kiosk_id: str | None = None) -> list[dict[str, Any]]:
    """The flagged heads, oldest first (for the operations console and `kiosk fleet`)."""
    where, args = ("WHERE kiosk_id = ?", (kiosk_id,)) if kiosk_id else ("", ())
    cursor = conn.execute(f"SELECT kiosk_id, at, kind, reported_seq, reported_hash, known_seq, "
                          f"known_hash FROM audit_alerts {where} ORDER BY id", args)
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def check_export(conn: sqlite3.Connection, kiosk_id: str,
                 entries: Iterable[AuditEntry]) -> HeadCheck:
    """The platform's side of the check: a terminal's trail (e.g. an export staff brought, read
    with kiosk.audit.read_jsonl) against every head that terminal reported here."""
    heads = [(r[0], r[1]) for r in conn.execute(
        "SELECT seq, hash FROM audit_heads WHERE kiosk_id = ? ORDER BY seq", (kiosk_id,))]
    return check_heads(entries, heads)
