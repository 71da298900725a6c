"""Terminal state written into the console store the way ingest stores what the platform got."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from kiosk.console.db import events, heartbeats, terminals
from kiosk.console.status import stored_standing

T0 = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Beijing


def beat(paper: str = "ok", devices: dict[str, str] | None = None, **more: Any) -> dict[str, Any]:
    return {"health": "ok", "versions": {"app": "1.0"}, "outbox_depth": 0, "paper": paper,
            "devices": devices or {"printer": "online", "idcard": "online"}, **more}


def heartbeat(engine: sa.Engine, kiosk_id: str, at: dt.datetime, doc: dict[str, Any],
              hall: str = "hall-a") -> None:
    with engine.begin() as conn:
        found = conn.execute(sa.select(terminals.c.kiosk_id)
                             .where(terminals.c.kiosk_id == kiosk_id)).first()
        if found:
            conn.execute(terminals.update().where(terminals.c.kiosk_id == kiosk_id)
                         .values(last_seen=at, heartbeat=doc, **stored_standing(doc)))
        else:
            conn.execute(terminals.insert().values(kiosk_id=kiosk_id, hall=hall, ring="ring-1",
                                                   first_seen=at, last_seen=at, heartbeat=doc,
                                                   **stored_standing(doc)))
        conn.execute(heartbeats.insert().values(kiosk_id=kiosk_id, received_at=at, doc=doc))


def event(engine: sa.Engine, kiosk_id: str, kind: str, at: dt.datetime,
          detail: dict[str, Any] | None = None, severity: str = "info",
          event_id: str | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(events.insert().values(
            kiosk_id=kiosk_id, event_id=event_id or str(uuid.uuid4()), at=at, received_at=at,
            kind=kind, severity=severity, detail=detail))
