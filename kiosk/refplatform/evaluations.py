"""好差评: one rating of an application's service, from any status once it is filed: the overall
score and, when the citizen gave them, efficiency, competence and attitude (contract 1.5)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from kiosk.refplatform.applications import find as find_application
from kiosk.refplatform.ids import opaque_id, stamp
from kiosk.refplatform.problems import conflict, not_found

# 服务效率 / 服务水平 / 服务态度 beside the overall score (contract 1.5), each optional
INDICATORS = ("efficiency", "competence", "attitude")


def create(conn: sqlite3.Connection, kiosk_id: str, body: dict[str, Any],
           now: dt.datetime) -> dict[str, Any]:
    """One evaluation per application (409 already_evaluated for a second one).

    Any filed application may be rated, so a citizen can rate the filing right after it at the
    terminal; `not_evaluable` is kept for platforms that rate only finished business.
    """
    if find_application(conn, body["receipt_no"]) is None:
        raise not_found("application")
    if conn.execute("SELECT 1 FROM evaluations WHERE receipt_no = ?",
                    (body["receipt_no"],)).fetchone():
        raise conflict("already_evaluated", "this application was rated already")
    indicators = {name: body[name] for name in INDICATORS if name in body}
    evaluation = {"evaluation_id": opaque_id("E"), "receipt_no": body["receipt_no"],
                  "score": body["score"], **indicators, "comment": body.get("comment", ""),
                  "created_at": stamp(now)}
    conn.execute("INSERT INTO evaluations(evaluation_id, receipt_no, kiosk_id, score, efficiency, "
                 "competence, attitude, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (evaluation["evaluation_id"], evaluation["receipt_no"], kiosk_id,
                  evaluation["score"], *(indicators.get(name) for name in INDICATORS),
                  evaluation["comment"], evaluation["created_at"]))
    return evaluation

