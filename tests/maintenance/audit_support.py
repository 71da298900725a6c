"""Tampering with a real audit trail the way someone holding the file would: raw SQLite,
triggers dropped, hashes recomputed where that is the point."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from kiosk.audit.entry import AuditEntry, entry_hash, entry_mac

KEY = bytes(range(32))


class Clock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.5
        return self.now


def populate(trail, n: int = 6) -> None:
    for i in range(1, n + 1):
        kind, actor = [("system", "kiosk"), ("citizen_session", f"S-{i:04d}"),
                       ("staff", "staff-007")][i % 3]
        trail.append(kind, actor, "outbox.discard" if kind == "staff" else "session.step",
                     {"step": i, "note": "ok"})


def raw(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TRIGGER IF EXISTS audit_no_update")
    db.execute("DROP TRIGGER IF EXISTS audit_no_delete")
    return db


def rows(db: sqlite3.Connection) -> list[AuditEntry]:
    out = []
    for seq, when, kind, actor, action, details, prev, digest, mac in db.execute(
            "SELECT seq, time, actor_kind, actor_id, action, details, prev_hash, hash, mac "
            "FROM audit ORDER BY seq"):
        out.append(AuditEntry(seq, when, kind, actor, action, json.loads(details), prev, digest,
                              mac))
    return out


def write(db: sqlite3.Connection, entry: AuditEntry) -> None:
    db.execute("INSERT OR REPLACE INTO audit (seq, time, actor_kind, actor_id, action, details, "
               "prev_hash, hash, mac) VALUES (?,?,?,?,?,?,?,?,?)",
               (entry.seq, entry.time, entry.actor_kind, entry.actor_id, entry.action,
                json.dumps(entry.details), entry.prev_hash, entry.hash, entry.mac))


def rehash(entry: AuditEntry, prev: str, key: bytes | None = None, **changes) -> AuditEntry:
    """The entry with `changes` and prev, its hash recomputed (and its MAC, with a key)."""
    body = entry.body() | changes | {"prev_hash": prev}
    digest = entry_hash(body)
    return AuditEntry(**body, hash=digest, mac=entry_mac(key, digest) if key else None)
