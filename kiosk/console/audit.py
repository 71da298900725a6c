"""The console's own audit trail: who did what, when, to which terminal.

Every staff action in the console (logins too, and failed ones) lands here; the console's
other parts record theirs through `record`. Details are small and hold no personal data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from kiosk.console.db import UTC_TIME, metadata

console_audit = sa.Table(
    "console_audit", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("at", UTC_TIME, nullable=False),
    sa.Column("staff", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("kiosk_id", sa.String(64), nullable=True),
    sa.Column("detail", sa.JSON, nullable=True),
    sa.Index("console_audit_by_time", "at"),
    sa.Index("console_audit_by_terminal", "kiosk_id", "at"),
)


def record(engine: sa.Engine, staff: str, action: str, now: dt.datetime,
           kiosk_id: str | None = None, detail: dict[str, Any] | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(console_audit.insert().values(at=now, staff=staff[:64], action=action,
                                                   kiosk_id=kiosk_id, detail=detail))


def recent(engine: sa.Engine, limit: int = 100, kiosk_id: str | None = None,
           kiosk_ids: set[str] | None = None) -> list[dict[str, Any]]:
    query = sa.select(console_audit).order_by(console_audit.c.id.desc()).limit(limit)
    if kiosk_id is not None:
        query = query.where(console_audit.c.kiosk_id == kiosk_id)
    if kiosk_ids is not None:
        query = query.where(console_audit.c.kiosk_id.in_(kiosk_ids))
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
