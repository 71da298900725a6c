"""A terminal's standing on the board, from its latest heartbeat and when it was seen (pure).

Problems use the heartbeat's own words (XFS4IoT device states, paper ok/low/out); `level` is
red (someone must go now), amber (soon) or green. Offline means the configured number of
heartbeats in a row did not come.

Everything but offline depends on the heartbeat alone: ingest keeps it in the terminal's row
(`stored_standing`), so the board sorts, filters, counts and pages in SQL and adds offline
from `last_seen` at read time (kiosk/console/queries.py). A change to these rules needs an
Alembic revision that recomputes the stored columns, as 0005 does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

LEVELS = ("red", "amber", "green")
RED_DEVICE_STATES = {"hardwareError", "offline", "noDevice", "fraudAttempt"}
# Problem codes a board filter can name, with the level each one means.
PROBLEMS = {
    "offline": "red", "out_of_service": "red", "paper_out": "red", "device_error": "red",
    "outbox_stuck": "red", "paper_low": "amber", "degraded": "amber", "device_attention": "amber",
    "prints_unknown": "amber", "paper_unknown": "amber",
}


@dataclass(frozen=True)
class TerminalStatus:
    kiosk_id: str
    hall: str
    ring: str
    last_seen: dt.datetime
    offline: bool
    problems: list[str]
    heartbeat: dict[str, Any] = field(default_factory=dict)

    @property
    def level(self) -> str:
        return level_of(self.problems)

    @property
    def devices(self) -> dict[str, str]:
        return dict(self.heartbeat.get("devices") or {})

    @property
    def versions(self) -> dict[str, str]:
        return dict(self.heartbeat.get("versions") or {})

    def sort_key(self) -> tuple[int, str, str]:
        return LEVELS.index(self.level), self.hall, self.kiosk_id


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands times back naive: they were stored as UTC."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None \
        else value.astimezone(dt.timezone.utc)


def level_of(problems: list[str]) -> str:
    levels = {PROBLEMS[p] for p in problems}
    return "red" if "red" in levels else "amber" if "amber" in levels else "green"


def status_of(kiosk_id: str, hall: str, ring: str, last_seen: dt.datetime,
              heartbeat: dict[str, Any] | None, now: dt.datetime,
              offline_after_s: int) -> TerminalStatus:
    doc = heartbeat or {}
    last_seen = as_utc(last_seen)
    offline = (now - last_seen).total_seconds() > offline_after_s
    problems = (["offline"] if offline else []) + heartbeat_problems(doc)
    return TerminalStatus(kiosk_id, hall, ring, last_seen, offline, problems, doc)


def heartbeat_problems(doc: dict[str, Any]) -> list[str]:
    """The problems a heartbeat shows by itself (all but offline)."""
    problems: list[str] = []
    health = doc.get("health")
    if health == "out_of_service":
        problems.append("out_of_service")
    elif health == "degraded":
        problems.append("degraded")
    paper = doc.get("paper")
    if paper in ("low", "out", "unknown"):
        problems.append(f"paper_{paper}")
    states = set((doc.get("devices") or {}).values())
    if states & RED_DEVICE_STATES:
        problems.append("device_error")
    elif states - {"online", "busy", "deviceBusy"} - RED_DEVICE_STATES:
        problems.append("device_attention")
    if doc.get("outbox_stuck"):
        problems.append("outbox_stuck")
    if doc.get("prints_unknown"):
        problems.append("prints_unknown")
    return problems


def stored_standing(doc: dict[str, Any] | None) -> dict[str, Any]:
    """The terminal row's precomputed columns for its latest heartbeat: `standing` (the level's
    index in LEVELS without offline) and `problems` (",paper_low,device_error,": a filter is a
    LIKE on ",code,")."""
    problems = heartbeat_problems(doc or {})
    return {"standing": LEVELS.index(level_of(problems)),
            "problems": "," + ",".join(problems) + "," if problems else ""}


def board(statuses: list[TerminalStatus]) -> list[TerminalStatus]:
    """Red first, then amber, then green; by hall and terminal within each."""
    return sorted(statuses, key=TerminalStatus.sort_key)
