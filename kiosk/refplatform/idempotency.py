"""Run a creating call at most once per Idempotency-Key.

The key is remembered per (kiosk, operation) with a fingerprint of the request, the status and
the body of the first answer, in the same `BEGIN IMMEDIATE` transaction as the effect. Two
copies of one request arriving together therefore serialise on the write lock: the second
finds the first's row and replays it, so nothing is ever filed twice. A refusal (a Problem
raised by the effect) rolls back and is not remembered: the kiosk may fix nothing and retry,
and it will be refused again the same way.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.refplatform.ids import stamp, system_clock
from kiosk.refplatform.problems import Problem
from kiosk.refplatform.store import Store

REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Outcome:
    status: int
    body: Any
    replayed: bool


def fingerprint(path: str, body: Any) -> str:
    """SHA-256 of the canonical JSON of the path and body: key order and spacing do not matter."""
    canonical = json.dumps({"path": path, "body": body}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def run_once(store: Store, *, kiosk_id: str, operation: str, key: str, print_: str,
             effect: Callable[[sqlite3.Connection], tuple[int, Any]]) -> Outcome:
    """`effect(conn)` -> (status, body) runs only if this key was not used; else replay."""
    with store.write() as conn:
        row = conn.execute(
            "SELECT fingerprint, body FROM idempotency WHERE kiosk_id = ? AND operation = ? "
            "AND key = ?", (kiosk_id, operation, key)).fetchone()
        if row is not None:
            if row["fingerprint"] != print_:
                raise Problem(422, "idempotency_key_reused",
                              "this Idempotency-Key was used with another request")
            return Outcome(200, json.loads(row["body"]), True)
        status, body = effect(conn)
        conn.execute(
            "INSERT INTO idempotency(kiosk_id, operation, key, fingerprint, status, body, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (kiosk_id, operation, key, print_, status, json.dumps(body, ensure_ascii=False),
             stamp(system_clock())))
    return Outcome(status, body, False)
