"""Alert rules: from the terminals' latest heartbeats and their events, raise and clear alerts.

`evaluate(engine, rules, now)` compares the alerts the stored state calls for with the open ones
and raises what is new and clears what has gone, in one transaction; a background thread runs it
every few seconds (kiosk.console.alert_loop) and ingest may run it for one terminal
(`kiosk_ids=[...]`), which costs a handful of indexed reads. Each raise and clear queues one
delivery per configured channel (kiosk.console.alert_delivery).

Kinds and what raises them:
- `offline`: no heartbeat for `offline_missed` heartbeat intervals plus `offline_delay_s`.
- `paper_low` / `paper_out`: the heartbeat's `paper`.
- `device_needs_staff`: a device in a state staff must see to (XFS4IoT words: hardwareError,
  userError, offline, noDevice, fraudAttempt).
- `outbox_stuck`: the heartbeat's `outbox_stuck` (items failing longer than the terminal's set time).
- `audit_mismatch`: an event of kind `audit_head_rewritten` or `audit_head_backwards`, the
  platform's audit_alerts (kiosk/refplatform/audit_heads.py) copied into the console's events by
  ingest (`audit_alert_event`). It is a fact about the past, so it clears only when acknowledged.
- `no_sessions`: during the hall's opening hours, no `session_started` event for `quiet_after_s`
  from a terminal that is online and in service.

No personal data: the inputs carry none, and an alert's detail is built only from the
whitelisted facts below (`DETAIL_KEYS`), never copied wholesale from a heartbeat or event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from kiosk.console.alert_tables import alert_deliveries, alerts
from kiosk.console.db import events, terminals

OFFLINE, PAPER_LOW, PAPER_OUT = "offline", "paper_low", "paper_out"
DEVICE, OUTBOX, AUDIT, NO_SESSIONS = ("device_needs_staff", "outbox_stuck", "audit_mismatch",
                                      "no_sessions")
KINDS = (OFFLINE, PAPER_OUT, PAPER_LOW, DEVICE, OUTBOX, AUDIT, NO_SESSIONS)
STAFF_STATES = frozenset({"hardwareError", "userError", "offline", "noDevice", "fraudAttempt"})
AUDIT_EVENT_KINDS = ("audit_head_rewritten", "audit_head_backwards")
SESSION_EVENT = "session_started"
DETAIL_KEYS: Mapping[str, tuple[str, ...]] = {
    OFFLINE: ("last_seen", "silent_s"),
    PAPER_LOW: ("paper",), PAPER_OUT: ("paper",),
    DEVICE: ("devices",),
    OUTBOX: ("count", "oldest_age_s"),
    AUDIT: ("audit_kind", "reported_seq"),
    NO_SESSIONS: ("quiet_s",),
}


@dataclass(frozen=True)
class OpeningHours:
    """When a hall is open: weekdays (0 = Monday) and a local opening and closing time."""
    opens: dt.time
    closes: dt.time
    weekdays: frozenset[int] = frozenset(range(7))

    @classmethod
    def parse(cls, spec: Mapping[str, Any]) -> "OpeningHours":
        return cls(dt.time.fromisoformat(spec["opens"]), dt.time.fromisoformat(spec["closes"]),
                   frozenset(spec.get("weekdays", range(7))))

    def opened_at(self, local: dt.datetime) -> dt.datetime | None:
        """When the hall opened today if `local` lies within its hours, else None."""
        if local.weekday() not in self.weekdays:
            return None
        if not self.opens <= local.time() < self.closes:
            return None
        return local.replace(hour=self.opens.hour, minute=self.opens.minute, second=0,
                             microsecond=0)


@dataclass(frozen=True)
class AlertRules:
    """The console's alert settings ([alerts] in its config)."""
    heartbeat_interval_s: float = 60.0
    offline_missed: int = 3
    offline_delay_s: float = 0.0
    quiet_after_s: float = 3600.0
    opening_hours: Mapping[str, OpeningHours] = field(default_factory=dict)
    timezone: str = "Asia/Shanghai"

    @property
    def offline_after_s(self) -> float:
        return self.offline_missed * self.heartbeat_interval_s + self.offline_delay_s

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "AlertRules":
        hours = {hall: OpeningHours.parse(spec)
                 for hall, spec in data.get("opening_hours", {}).items()}
        plain = {k: v for k, v in data.items() if k != "opening_hours"}
        return cls(opening_hours=hours, **plain)


@dataclass(frozen=True)
class Wanted:
    kiosk_id: str
    hall: str
    kind: str
    detail: dict[str, Any]


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes; everything the console stores is UTC."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _detail(kind: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    return {k: facts[k] for k in DETAIL_KEYS[kind] if k in facts}


def wanted_for(row: Mapping[str, Any], rules: AlertRules, now: dt.datetime,
               last_session: dt.datetime | None, audit: Mapping[str, Any] | None) -> list[Wanted]:
    """The alerts one terminal's stored state calls for (pure: the rules, tested alone)."""
    kiosk_id, hall = row["kiosk_id"], row["hall"] or ""
    last_seen = utc(row["last_seen"])
    beat: Mapping[str, Any] = row["heartbeat"] or {}
    out: list[Wanted] = []

    def want(kind: str, **facts: Any) -> None:
        out.append(Wanted(kiosk_id, hall, kind, _detail(kind, facts)))

    silent_s = (now - last_seen).total_seconds()
    offline = silent_s >= rules.offline_after_s
    if offline:
        want(OFFLINE, last_seen=last_seen.isoformat(), silent_s=int(silent_s))
    paper = beat.get("paper")
    if paper == "out":
        want(PAPER_OUT, paper="out")
    elif paper == "low":
        want(PAPER_LOW, paper="low")
    devices = beat.get("devices") or {}
    broken = {str(name)[:40]: str(state)[:40] for name, state in sorted(devices.items())
              if state in STAFF_STATES}
    if broken:
        want(DEVICE, devices=broken)
    stuck = beat.get("outbox_stuck")
    if isinstance(stuck, Mapping) and int(stuck.get("count", 0)) > 0:
        want(OUTBOX, count=int(stuck["count"]), oldest_age_s=int(stuck.get("oldest_age_s", 0)))
    if audit is not None:
        want(AUDIT, audit_kind=str(audit["kind"]), reported_seq=audit.get("reported_seq"))
    hours = rules.opening_hours.get(hall)
    if hours and not offline and beat.get("health") != "out_of_service":
        local = now.astimezone(ZoneInfo(rules.timezone))
        opened = hours.opened_at(local)
        if opened is not None:
            quiet_since = max(opened.astimezone(dt.UTC),
                              utc(last_session) if last_session else opened)
            quiet_s = (now - quiet_since).total_seconds()
            if quiet_s >= rules.quiet_after_s:
                want(NO_SESSIONS, quiet_s=int(quiet_s))
    return out


def audit_alert_event(alert: Mapping[str, Any]) -> dict[str, Any]:
    """A platform audit alert (a row of audit_alerts, or what the heartbeat route flagged) as an
    event in the contract's shape plus its kiosk_id (for ingest): the event id is derived from
    the alert, so copying it twice stores it once; only seq numbers ride along."""
    key = f"{alert['kiosk_id']}|{alert['at']}|{alert['kind']}|{alert['reported_seq']}"
    event_id = str(uuid.UUID(bytes=hashlib.sha256(key.encode()).digest()[:16]))
    detail = {k: alert[k] for k in ("reported_seq", "known_seq") if alert.get(k) is not None}
    return {"kiosk_id": alert["kiosk_id"], "event_id": event_id, "at": str(alert["at"]),
            "kind": alert["kind"], "severity": "critical", "detail": detail}


@dataclass
class Outcome:
    raised: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)


def evaluate(engine: sa.Engine, rules: AlertRules, now: dt.datetime,
             kiosk_ids: Iterable[str] | None = None,
             channels: Iterable[str] = ()) -> Outcome:
    """Raise and clear alerts for every terminal (or only `kiosk_ids`); queue a delivery per
    channel for each. Safe to run from two threads: the unique open_key refuses a twin, and the
    loser simply tries again next round."""
    try:
        return _evaluate(engine, rules, utc(now),
                         list(kiosk_ids) if kiosk_ids is not None else None, tuple(channels))
    except sa.exc.IntegrityError:
        return Outcome()  # another evaluator raised the same alert first: nothing left to do


def _evaluate(engine: sa.Engine, rules: AlertRules, now: dt.datetime, ids: list[str] | None,
              channels: tuple[str, ...]) -> Outcome:
    outcome = Outcome()
    with engine.begin() as conn:
        wanted = _wanted(conn, rules, now, ids)
        open_q = sa.select(alerts.c.id, alerts.c.kiosk_id, alerts.c.kind, alerts.c.detail,
                           alerts.c.acked_at).where(alerts.c.open_key.is_not(None))
        if ids is not None:
            open_q = open_q.where(alerts.c.kiosk_id.in_(ids))
        open_now = {(r.kiosk_id, r.kind): r for r in conn.execute(open_q)}
        for key, want in wanted.items():
            if key in open_now:
                if open_now[key].detail != want.detail and want.kind == DEVICE:
                    conn.execute(alerts.update().where(alerts.c.id == open_now[key].id)
                                 .values(detail=want.detail))
                continue
            alert_id = conn.execute(alerts.insert().values(
                kiosk_id=want.kiosk_id, hall=want.hall, kind=want.kind, detail=want.detail,
                raised_at=now, open_key=f"{want.kiosk_id}|{want.kind}")).inserted_primary_key[0]
            _queue(conn, alert_id, "raised", channels, now)
            outcome.raised.append(alert_id)
        for key, row in open_now.items():
            if key in wanted or row.kind == AUDIT:
                continue  # an audit mismatch clears by acknowledgement only
            _clear(conn, row.id, now, channels)
            outcome.cleared.append(row.id)
    return outcome


def _wanted(conn: sa.Connection, rules: AlertRules, now: dt.datetime,
            ids: list[str] | None) -> dict[tuple[str, str], Wanted]:
    q = sa.select(terminals.c.kiosk_id, terminals.c.hall, terminals.c.last_seen,
                  terminals.c.heartbeat)
    if ids is not None:
        q = q.where(terminals.c.kiosk_id.in_(ids))
    rows = conn.execute(q).mappings().all()
    sessions_q = (sa.select(events.c.kiosk_id, sa.func.max(events.c.at).label("at"))
                  .where(events.c.kind == SESSION_EVENT,
                         events.c.at >= now - dt.timedelta(seconds=rules.quiet_after_s))
                  .group_by(events.c.kiosk_id))
    if ids is not None:
        sessions_q = sessions_q.where(events.c.kiosk_id.in_(ids))
    last_session = {r.kiosk_id: r.at for r in conn.execute(sessions_q)}
    audits = _unacknowledged_audit_events(conn, ids)
    out: dict[tuple[str, str], Wanted] = {}
    for row in rows:
        for want in wanted_for(row, rules, now, last_session.get(row["kiosk_id"]),
                               audits.get(row["kiosk_id"])):
            out[(want.kiosk_id, want.kind)] = want
    return out


def _unacknowledged_audit_events(conn: sa.Connection,
                                 ids: list[str] | None) -> dict[str, dict[str, Any]]:
    """Per terminal, its newest audit event received after its last audit alert was raised."""
    last_cleared = (sa.select(alerts.c.kiosk_id, sa.func.max(alerts.c.raised_at).label("at"))
                    .where(alerts.c.kind == AUDIT).group_by(alerts.c.kiosk_id).subquery())
    q = (sa.select(events.c.kiosk_id, events.c.kind, events.c.detail, events.c.received_at)
         .select_from(events.outerjoin(last_cleared,
                                       last_cleared.c.kiosk_id == events.c.kiosk_id))
         .where(events.c.kind.in_(AUDIT_EVENT_KINDS),
                sa.or_(last_cleared.c.at.is_(None), events.c.received_at > last_cleared.c.at))
         .order_by(events.c.received_at))
    if ids is not None:
        q = q.where(events.c.kiosk_id.in_(ids))
    found: dict[str, dict[str, Any]] = {}
    for r in conn.execute(q):
        found[r.kiosk_id] = {"kind": r.kind, "reported_seq": (r.detail or {}).get("reported_seq")}
    return found


def _queue(conn: sa.Connection, alert_id: int, transition: str, channels: tuple[str, ...],
           now: dt.datetime) -> None:
    for channel in channels:
        conn.execute(alert_deliveries.insert().values(
            alert_id=alert_id, channel=channel, transition=transition, state="pending",
            attempts=0, next_at=now))


def _clear(conn: sa.Connection, alert_id: int, now: dt.datetime,
           channels: tuple[str, ...]) -> None:
    conn.execute(alerts.update().where(alerts.c.id == alert_id)
                 .values(cleared_at=now, open_key=None))
    _queue(conn, alert_id, "cleared", channels, now)


class AlertNotFound(LookupError):
    """No such alert, or not one this staff member may see."""


def acknowledge(engine: sa.Engine, alert_id: int, username: str, now: dt.datetime,
                hall: str | None = None, channels: Iterable[str] = ()) -> dict[str, Any]:
    """Record who acknowledged an alert and when (the first acknowledgement stands). `hall`
    limits it to one hall's terminals (hall staff). An audit mismatch clears with it."""
    now = utc(now)
    with engine.begin() as conn:
        q = sa.select(alerts).where(alerts.c.id == alert_id)
        if hall is not None:
            q = q.where(alerts.c.hall == hall)
        row = conn.execute(q).mappings().first()
        if row is None:
            raise AlertNotFound(alert_id)
        if row["acked_at"] is None:
            conn.execute(alerts.update().where(alerts.c.id == alert_id)
                         .values(acked_by=username[:64], acked_at=now))
        if row["kind"] == AUDIT and row["open_key"] is not None:
            _clear(conn, alert_id, now, tuple(channels))
        return dict(conn.execute(sa.select(alerts).where(alerts.c.id == alert_id))
                    .mappings().one())


def listing(engine: sa.Engine, hall: str | None = None, open_only: bool = True,
            limit: int = 500) -> list[dict[str, Any]]:
    """Alerts newest first, open ones (or all), of one hall or every hall."""
    q = sa.select(alerts).order_by(alerts.c.raised_at.desc(), alerts.c.id.desc()).limit(limit)
    if hall is not None:
        q = q.where(alerts.c.hall == hall)
    if open_only:
        q = q.where(alerts.c.open_key.is_not(None))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]
