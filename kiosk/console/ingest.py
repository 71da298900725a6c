"""What the reference platform hears, into the console's store: every heartbeat (the latest per
terminal and a pruned history), every accepted event, and each help request raised (kept as an
event of kind `help_requested`, so alerts and reports see it like any other).

`ConsoleSink` is what the platform calls after its own write committed. It never raises: a
console store that is down costs the console its view, never the terminal its answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from kiosk.console.config import ConsoleConfig
from kiosk.console.db import events, heartbeats, terminals
from kiosk.console.status import as_utc, stored_standing

log = logging.getLogger(__name__)
PRUNE_EVERY_S = 3600


def _insert(engine: sa.Engine | sa.Connection, table: sa.Table) -> Any:
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _utc(at: str | dt.datetime) -> dt.datetime:
    value = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
    return value.astimezone(dt.timezone.utc)


# What changes with every beat of a terminal whose state did not: left out when deciding
# whether a heartbeat is news for the history.
_TICKING = ("uptime_s", "audit_head")


def is_news(doc: dict[str, Any], last: dict[str, Any] | None, last_at: dt.datetime | None,
            now: dt.datetime, keep_every_s: int) -> bool:
    """Whether a heartbeat earns a history row: the first, a change of state, a restart (uptime
    went back), or the first after `keep_every_s` of sameness (the history still shows the
    terminal alive). A row per beat was 1,440 a terminal a day, nearly all alike."""
    if last is None or last_at is None or (now - as_utc(last_at)).total_seconds() >= keep_every_s:
        return True
    if (doc.get("uptime_s") or 0) < (last.get("uptime_s") or 0):
        return True
    return any(doc.get(k) != last.get(k) for k in doc.keys() | last.keys() if k not in _TICKING)


def heartbeat(engine: sa.Engine, kiosk_id: str, doc: dict[str, Any], now: dt.datetime,
              keep_every_s: int = 900) -> None:
    """The terminal's latest state, and a row of its history when it is news (`is_news`). Hall
    and ring come from the heartbeat's `site` (contract 1.4); a terminal that sends none keeps
    what it had."""
    now = _utc(now)
    site = doc.get("site") or {}
    values: dict[str, Any] = {"last_seen": now, "heartbeat": doc, **stored_standing(doc)}
    for key in ("hall", "ring"):
        if key in site:
            values[key] = str(site[key])[:64]
    with engine.begin() as conn:
        insert = _insert(conn, terminals).values(kiosk_id=kiosk_id, first_seen=now, **values)
        conn.execute(insert.on_conflict_do_update(index_elements=[terminals.c.kiosk_id],
                                                  set_=values))
        last = conn.execute(sa.select(heartbeats.c.received_at, heartbeats.c.doc)
                            .where(heartbeats.c.kiosk_id == kiosk_id)
                            .order_by(heartbeats.c.received_at.desc()).limit(1)).first()
        if is_news(doc, last.doc if last else None, last.received_at if last else None, now,
                   keep_every_s):
            conn.execute(heartbeats.insert().values(kiosk_id=kiosk_id, received_at=now,
                                                    doc=doc))


def event_batch(engine: sa.Engine, kiosk_id: str, batch: list[dict[str, Any]],
                now: dt.datetime) -> int:
    """Store the events not stored yet (kiosk + event_id); answer how many were new."""
    now = _utc(now)
    rows = [{"kiosk_id": kiosk_id, "event_id": str(e["event_id"]).lower(), "at": _utc(e["at"]),
             "received_at": now, "kind": e["kind"], "severity": e["severity"],
             "detail": e.get("detail")} for e in batch]
    if not rows:
        return 0
    with engine.begin() as conn:
        inserted = conn.execute(_insert(conn, events).values(rows).on_conflict_do_nothing(
            index_elements=[events.c.kiosk_id, events.c.event_id]).returning(events.c.id))
        return len(inserted.all())  # rowcount is not reliable for multi-row inserts


def help_raised(engine: sa.Engine, kiosk_id: str, request: dict[str, Any],
                now: dt.datetime) -> None:
    """A citizen called staff: an event carrying where (screen, journey, step), never who."""
    detail = {k: request[k] for k in ("help_request_id", "screen", "journey", "step", "steps")
              if k in request}
    event_batch(engine, kiosk_id, [{"event_id": request["help_request_id"],
                                    "at": request["raised_at"], "kind": "help_requested",
                                    "severity": "warning", "detail": detail}], now)


def prune(engine: sa.Engine, now: dt.datetime, days: int) -> int:
    """Drop heartbeat history older than `days`; answer how many rows went."""
    cutoff = _utc(now) - dt.timedelta(days=days)
    with engine.begin() as conn:
        return conn.execute(heartbeats.delete().where(heartbeats.c.received_at < cutoff)).rowcount


class ConsoleSink:
    """The platform's hook into the console store (`create_app(console_sink=...)`)."""

    def __init__(self, engine: sa.Engine, config: ConsoleConfig | None = None) -> None:
        self.engine = engine
        self.config = config or ConsoleConfig()
        self._lock = threading.Lock()
        self._pruned_at: dt.datetime | None = None

    def heartbeat(self, kiosk_id: str, doc: dict[str, Any], now: dt.datetime) -> None:
        self._safely("heartbeat", heartbeat, kiosk_id, doc, now,
                     self.config.history_every_s)
        self._maybe_prune(now)

    def events(self, kiosk_id: str, batch: list[dict[str, Any]], now: dt.datetime) -> None:
        self._safely("events", event_batch, kiosk_id, batch, now)

    def audit_flagged(self, kiosk_id: str, flagged: list[dict[str, Any]],
                      now: dt.datetime) -> None:
        """The platform's audit alerts (kiosk/refplatform/audit_heads.py) as events of kinds
        `audit_head_rewritten` / `audit_head_backwards`: the alerts' audit mismatch rule."""
        from kiosk.console.alerts import audit_alert_event
        self._safely("audit alert", event_batch, kiosk_id,
                     [audit_alert_event(alert) for alert in flagged], now)

    def help_raised(self, kiosk_id: str, request: dict[str, Any], now: dt.datetime) -> None:
        self._safely("help request", help_raised, kiosk_id, request, now)

    def _maybe_prune(self, now: dt.datetime) -> None:
        with self._lock:
            due = self._pruned_at is None or \
                (now - self._pruned_at).total_seconds() >= PRUNE_EVERY_S
            if due:
                self._pruned_at = now
        if due:
            self._safely("prune", lambda e, n: prune(e, n, self.config.history_days), now)

    def _safely(self, what: str, action: Any, *args: Any) -> None:
        try:
            action(self.engine, *args)
        except Exception as exc:  # the terminal's request must not fail for the console
            log.error("console store: %s not recorded (%s)", what, type(exc).__name__)
