"""The service catalogue (政务服务事项) and what the platform knows of citizens."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kiosk.refplatform.problems import not_found

SUMMARY_FIELDS = ("service_id", "name", "audience", "department", "fee_fen",
                  "terminal_completable", "legal_limit_days", "promised_limit_days", "appointment")


def list_services(conn: sqlite3.Connection, audience: str | None = None,
                  terminal_only: bool | None = None) -> list[dict[str, Any]]:
    items = []
    for row in conn.execute("SELECT doc FROM services ORDER BY position"):
        service = json.loads(row["doc"])
        if audience and service["audience"] != audience:
            continue
        if terminal_only and not service["terminal_completable"]:
            continue
        items.append({k: service[k] for k in SUMMARY_FIELDS if k in service})
    return items


def find_service(conn: sqlite3.Connection, service_id: str) -> dict[str, Any] | None:
    row = conn.execute("SELECT doc FROM services WHERE service_id = ?", (service_id,)).fetchone()
    return json.loads(row["doc"]) if row else None


def get_service(conn: sqlite3.Connection, service_id: str) -> dict[str, Any]:
    service = find_service(conn, service_id)
    if service is None:
        raise not_found("service")
    return service


def lookup_citizen(conn: sqlite3.Connection, id_number: str) -> dict[str, Any]:
    """A known citizen's prefill and e-licences; an unknown one gets an empty answer, not 404."""
    row = conn.execute("SELECT doc FROM citizens WHERE id_number = ?", (id_number,)).fetchone()
    if row is None:
        return {"known": False, "prefill": {}, "elicences": []}
    citizen = json.loads(row["doc"])
    return {"known": True, "prefill": dict(citizen.get("prefill", {})),
            "elicences": list(citizen.get("elicences", []))}
