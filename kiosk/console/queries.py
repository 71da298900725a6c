"""What the console's pages read from the store: the board's terminals (within a hall, or
all), one terminal's recent heartbeats and events, and the halls and rings there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from kiosk.console.db import events, heartbeats, terminals
from kiosk.console.status import LEVELS, TerminalStatus, as_utc, status_of


@dataclass(frozen=True)
class BoardPage:
    rows: list[TerminalStatus]  # this page's, red first, by hall and terminal within a level
    counts: dict[str, int]  # per level, over every page
    page: int
    pages: int


def board_page(engine: sa.Engine, now: dt.datetime, offline_after_s: int, *,
               hall: str | None = None, ring: str | None = None, problem: str | None = None,
               page: int = 1, size: int = 200) -> BoardPage:
    """One page of the board, sorted, filtered, counted and paged in SQL from the standing
    ingest kept (kiosk.console.status.stored_standing); offline comes from `last_seen` here,
    as it changes with time alone. Only the page's rows are read whole."""
    offline = terminals.c.last_seen < now - dt.timedelta(seconds=offline_after_s)
    level = sa.case((offline, LEVELS.index("red")), else_=terminals.c.standing)
    where: list[sa.ColumnElement[bool]] = []
    if hall is not None:
        where.append(terminals.c.hall == hall)
    if ring is not None:
        where.append(terminals.c.ring == ring)
    if problem == "offline":
        where.append(offline)
    elif problem is not None:
        where.append(terminals.c.problems.contains(f",{problem},", autoescape=True))
    levels = sa.select(level.label("level")).where(*where).subquery()
    by_name = _bytewise(terminals.c.hall, engine), _bytewise(terminals.c.kiosk_id, engine)
    with engine.connect() as conn:
        per_level = {r.level: r.n for r in conn.execute(
            sa.select(levels.c.level, sa.func.count().label("n")).group_by(levels.c.level))}
        counts = {name: int(per_level.get(i, 0)) for i, name in enumerate(LEVELS)}
        pages = max(1, -(-sum(counts.values()) // size))
        page = min(max(page, 1), pages)
        found = conn.execute(sa.select(terminals).where(*where)
                             .order_by(level, *by_name)
                             .limit(size).offset((page - 1) * size))
        rows = [status_of(r.kiosk_id, r.hall, r.ring, r.last_seen, r.heartbeat, now,
                          offline_after_s) for r in found]
    return BoardPage(rows, counts, page, pages)


def _bytewise(column: sa.Column[str], engine: sa.Engine) -> sa.ColumnElement[str]:
    """Order as Python compares strings (code points), whatever PostgreSQL's locale."""
    return column.collate("C") if engine.dialect.name == "postgresql" else column


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
