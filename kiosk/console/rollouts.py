"""Rollouts of fleet configuration layers, ring by ring, from the console.

Which terminal runs which layer comes from the heartbeats (`versions.config`, the publish
counter of the layer in force). The fleet manager promotes the layer of one ring to the next
(ordered by `position`: lab, canary, district, ...) and rolls a ring back, through the signed
fleet repository (kiosk/fleet/repository.py, the same as `kiosk fleet promote|rollback`): the
console never makes a layer the repository would not sign.

A ring halts by itself, like hawkBit's rollout groups (an error condition: a share of failed
targets, whose error action pauses the rollout): once a version was promoted into a ring,
if more than `halt_share` of the ring's terminals report that they took it back
(`config_rolled_back` events) or report, on that version, a health other than ok, the ring is
halted: nothing is promoted from it until the fleet manager rolls it back or resumes it.
A terminal says it took a version back in its heartbeat (`versions.config_rolled_back`, from
the updater's records), or in a `config_rolled_back` event where events reach the console.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from kiosk.console.db import UTC_TIME, events, metadata, terminals
from kiosk.console.refusal import N_, Refusal
from kiosk.fleet.repository import FleetError, FleetRepository
from kiosk.fleet.scopes import NAME, Scope

DEFAULT_HALT_SHARE = 0.2
ROLLED_BACK_EVENT = "config_rolled_back"
UNHEALTHY = ("degraded", "out_of_service")

rollout_rings = sa.Table(
    "rollout_rings", metadata,
    sa.Column("ring", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),  # promotion goes to the next position
    sa.Column("halt_share", sa.Float, nullable=False, server_default=str(DEFAULT_HALT_SHARE)),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),  # open | halted
    sa.Column("version", sa.Integer, nullable=True),  # what was last promoted into the ring
    sa.Column("previous_version", sa.Integer, nullable=True),  # what it had before (rollback)
    sa.Column("since", UTC_TIME, nullable=True),  # when `version` arrived: failures counted after
    sa.Column("halt_reason", sa.String(200), nullable=False, server_default=""),
)

rollout_log = sa.Table(
    "rollout_log", metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
              autoincrement=True),
    sa.Column("at", UTC_TIME, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),  # a staff user name, or "system"
    sa.Column("action", sa.String(16), nullable=False),  # promote|rollback|halt|resume|plan
    sa.Column("ring", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("detail", sa.String(300), nullable=False, server_default=""),
    sa.Index("rollout_log_by_ring", "ring", "at"),
)


class RolloutError(Refusal):
    """The step cannot be taken; the message says why."""


@dataclass(frozen=True)
class Halt:
    ring: str
    failed: int
    total: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _log(conn: sa.Connection, at: dt.datetime, actor: str, action: str, ring: str,
         version: int | None, detail: str = "") -> None:
    conn.execute(rollout_log.insert().values(at=at, actor=actor, action=action, ring=ring,
                                             version=version, detail=detail[:300]))


def plan_ring(engine: sa.Engine, ring: str, position: int, *, actor: str,
              halt_share: float = DEFAULT_HALT_SHARE, now: dt.datetime | None = None) -> None:
    """Declare a ring (or change its place or threshold)."""
    if not NAME.match(ring) or not 0 <= halt_share < 1:
        raise RolloutError(N_("a ring is a name of letters, digits, _ . - and a share below 1"))
    now = now or _now()
    with engine.begin() as conn:
        updated = conn.execute(rollout_rings.update().where(rollout_rings.c.ring == ring)
                               .values(position=position, halt_share=halt_share)).rowcount
        if not updated:
            conn.execute(rollout_rings.insert().values(ring=ring, position=position,
                                                       halt_share=halt_share))
        _log(conn, now, actor, "plan", ring, None, f"position {position}, halt above "
             f"{halt_share:.0%}")


def rings(engine: sa.Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            sa.select(rollout_rings).order_by(rollout_rings.c.position))]


def layer_map(engine: sa.Engine, halls: list[str] | None = None) -> list[dict[str, Any]]:
    """Every terminal with its ring, the layer version it runs and its health."""
    query = sa.select(terminals.c.kiosk_id, terminals.c.hall, terminals.c.ring,
                      terminals.c.last_seen, terminals.c.heartbeat)
    if halls is not None:
        query = query.where(terminals.c.hall.in_(halls))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(terminals.c.ring, terminals.c.kiosk_id)).all()
    out = []
    for row in rows:
        beat = row.heartbeat or {}
        out.append({"kiosk_id": row.kiosk_id, "hall": row.hall, "ring": row.ring,
                    "config": str((beat.get("versions") or {}).get("config", "")),
                    "app": str((beat.get("versions") or {}).get("app", "")),
                    "health": str(beat.get("health", "")), "last_seen": row.last_seen})
    return out


def promote(engine: sa.Engine, repo: FleetRepository, *, source: str, actor: str,
            now: dt.datetime | None = None) -> int:
    """The layer `source` has now, published for the next ring; returns its new version."""
    now = now or _now()
    with engine.begin() as conn:
        ordered = conn.execute(sa.select(rollout_rings)
                               .order_by(rollout_rings.c.position)).all()
        names = [r.ring for r in ordered]
        if source not in names:
            raise RolloutError(N_("no ring %(ring)s"), ring=source)
        here = ordered[names.index(source)]
        if here.status == "halted":
            raise RolloutError(N_("ring %(ring)s is halted: %(reason)s"), ring=source,
                               reason=here.halt_reason)
        if names.index(source) + 1 >= len(names):
            raise RolloutError(N_("ring %(ring)s is the last ring"), ring=source)
        dest = ordered[names.index(source) + 1]
        if dest.status == "halted":
            raise RolloutError(N_("ring %(ring)s is halted: roll it back or resume it first"),
                               ring=dest.ring)
        before = repo.current().get(Scope("ring", dest.ring).target_path)
        try:
            record = repo.promote(Scope("ring", source), Scope("ring", dest.ring))
        except FleetError as exc:
            raise RolloutError(str(exc)) from None
        conn.execute(rollout_rings.update().where(rollout_rings.c.ring == dest.ring).values(
            version=record.version, since=now, halt_reason="",
            previous_version=before.version if before else None))
        _log(conn, now, actor, "promote", dest.ring, record.version, f"from {source}")
    return record.version


def rollback(engine: sa.Engine, repo: FleetRepository, *, ring: str, actor: str,
             now: dt.datetime | None = None) -> int | None:
    """The ring back to the layer it had before the last promotion (published again as a new
    version: terminals never go down in version), or to none if it had none; reopens it."""
    now = now or _now()
    with engine.begin() as conn:
        row = conn.execute(sa.select(rollout_rings).where(rollout_rings.c.ring == ring)).first()
        if row is None:
            raise RolloutError(N_("no ring %(ring)s"), ring=ring)
        scope = Scope("ring", ring)
        try:
            if row.previous_version is not None:
                version: int | None = repo.rollback(scope, row.previous_version).version
            else:
                repo.withdraw(scope)
                version = None
        except FleetError as exc:
            raise RolloutError(str(exc)) from None
        conn.execute(rollout_rings.update().where(rollout_rings.c.ring == ring).values(
            status="open", version=version, previous_version=None, since=now, halt_reason=""))
        _log(conn, now, actor, "rollback", ring, version,
             f"to the layer of version {row.previous_version}" if row.previous_version
             else "layer withdrawn")
    return version


def resume(engine: sa.Engine, *, ring: str, actor: str, now: dt.datetime | None = None) -> None:
    """The fleet manager judged the failures unrelated: promotion from the ring may go on."""
    now = now or _now()
    with engine.begin() as conn:
        if not conn.execute(rollout_rings.update().where(rollout_rings.c.ring == ring)
                            .values(status="open", halt_reason="", since=now)).rowcount:
            raise RolloutError(N_("no ring %(ring)s"), ring=ring)
        _log(conn, now, actor, "resume", ring, None)


def evaluate(engine: sa.Engine, now: dt.datetime | None = None) -> list[Halt]:
    """Halt every open ring whose failure share after its last promotion is above its
    threshold; returns the rings halted now. Cheap: call it after each ingest or on a timer."""
    now = now or _now()
    halted: list[Halt] = []
    with engine.begin() as conn:
        watched = conn.execute(sa.select(rollout_rings).where(
            rollout_rings.c.status == "open", rollout_rings.c.version.is_not(None),
            rollout_rings.c.since.is_not(None))).all()
        for ring in watched:
            failed, total = _failures(conn, ring.ring, ring.version, ring.since)
            if total and failed / total > ring.halt_share:
                reason = (f"{failed} of {total} terminals took version {ring.version} back or "
                          f"were unhealthy on it (threshold {ring.halt_share:.0%})")
                conn.execute(rollout_rings.update().where(rollout_rings.c.ring == ring.ring)
                             .values(status="halted", halt_reason=reason[:200]))
                _log(conn, now, "system", "halt", ring.ring, ring.version, reason)
                halted.append(Halt(ring.ring, failed, total))
    return halted


def _failures(conn: sa.Connection, ring: str, version: int,
              since: dt.datetime) -> tuple[int, int]:
    members = conn.execute(sa.select(terminals.c.kiosk_id, terminals.c.heartbeat,
                                     terminals.c.last_seen)
                           .where(terminals.c.ring == ring)).all()
    if not members:
        return 0, 0
    since = _aware(since)
    failed = {r.kiosk_id for r in conn.execute(
        sa.select(events.c.kiosk_id).where(
            events.c.kiosk_id.in_([m.kiosk_id for m in members]),
            events.c.kind == ROLLED_BACK_EVENT, events.c.received_at >= since))}
    for member in members:
        beat = member.heartbeat or {}
        versions = beat.get("versions") or {}
        if _aware(member.last_seen) < since:
            continue
        if str(versions.get("config_rolled_back", "")) == str(version):
            failed.add(member.kiosk_id)  # took it back (kiosk.fleet.records.heartbeat_versions)
        elif str(versions.get("config", "")) == str(version) and beat.get("health") in UNHEALTHY:
            failed.add(member.kiosk_id)
    return len(failed), len(members)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives times back naive (they were stored as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def log_entries(engine: sa.Engine, limit: int = 50) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            sa.select(rollout_log).order_by(rollout_log.c.id.desc()).limit(limit))]
