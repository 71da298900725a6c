"""What the console's pages read from the store: the board's terminals (within a hall, or
all), one terminal's recent heartbeats and events, and the halls and rings there are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from kiosk.console.db import events, heartbeats, terminals
from kiosk.console.status import TerminalStatus, as_utc, status_of


def statuses(engine: sa.Engine, now: dt.datetime, offline_after_s: int,
             hall: str | None = None, ring: str | None = None) -> list[TerminalStatus]:
    query = sa.select(terminals)
    if hall is not None:
        query = query.where(terminals.c.hall == hall)
    if ring is not None:
        query = query.where(terminals.c.ring == ring)
    with engine.connect() as conn:
        return [status_of(r.kiosk_id, r.hall, r.ring, r.last_seen, r.heartbeat, now,
                          offline_after_s) for r in conn.execute(query)]


def terminal(engine: sa.Engine, kiosk_id: str, now: dt.datetime,
             offline_after_s: int) -> TerminalStatus | None:
    with engine.connect() as conn:
        r = conn.execute(sa.select(terminals).where(terminals.c.kiosk_id == kiosk_id)).first()
    return status_of(r.kiosk_id, r.hall, r.ring, r.last_seen, r.heartbeat, now,
                     offline_after_s) if r else None


def hall_of(engine: sa.Engine, kiosk_id: str) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(terminals.c.hall)
                            .where(terminals.c.kiosk_id == kiosk_id)).scalar_one_or_none()


def kiosks_in(engine: sa.Engine, hall: str | None) -> set[str] | None:
    """The terminals of a hall (None: every terminal, for who sees all)."""
    if hall is None:
        return None
    with engine.connect() as conn:
        return set(conn.execute(sa.select(terminals.c.kiosk_id)
                                .where(terminals.c.hall == hall)).scalars())


def recent_heartbeats(engine: sa.Engine, kiosk_id: str, limit: int = 20) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(heartbeats.c.received_at, heartbeats.c.doc)
                            .where(heartbeats.c.kiosk_id == kiosk_id)
                            .order_by(heartbeats.c.received_at.desc()).limit(limit))
        return [{"received_at": as_utc(r.received_at), **r.doc} for r in rows]


def recent_events(engine: sa.Engine, kiosk_id: str, limit: int = 50) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(events.c.at, events.c.kind, events.c.severity,
                                      events.c.detail)
                            .where(events.c.kiosk_id == kiosk_id)
                            .order_by(events.c.at.desc()).limit(limit))
        return [{**r._mapping, "at": as_utc(r.at)} for r in rows]


def halls_and_rings(engine: sa.Engine, hall: str | None) -> tuple[list[str], list[str]]:
    query = sa.select(terminals.c.hall, terminals.c.ring).distinct()
    if hall is not None:
        query = query.where(terminals.c.hall == hall)
    with engine.connect() as conn:
        pairs = conn.execute(query).all()
    return sorted({p.hall for p in pairs}), sorted({p.ring for p in pairs})
