"""Usage and 好差评 reports from the terminals' events: sessions, journeys started / completed /
abandoned (and at which step), prints, payments, per terminal, per service and per hour of day;
ratings per indicator; CSV export.

The events are the terminal's catalogued events (kiosk/events/events.toml) as posted through the
contract's postEvents: `kind` is the event id, `detail` its declared fields plus `disposition`
for a closing event. What the reports read, and nothing more:

- `session_started` {session, method}: a citizen session (the session id is random).
- `journey_init` {session, journey, service}; `journey_complete` {…, step} with disposition
  success (completed), cancelled (abandoned at `step`) or failure. Journeys: apply,
  progress, supplement, collect, pay, appointment, appointment_cancel, evaluation; the service
  is the service_id where there is one, else the journey's name (progress, collect).
- `print_job_complete` {device, job, kind, reason} with disposition success / failure; jobs
  are counted by distinct `job` (the action id) when it is given.
- `payment_complete` {session, payment, amount_fen, reason} with disposition success / failure /
  cancelled.
- `rating_given` {service, overall} and those of `efficiency`, `competence`, `attitude` the
  citizen answered (整体满意度 / 服务效率 / 服务水平 / 服务态度), each 1–5.

None of these carries personal data; the aggregation is done in SQL (GROUP BY on the same
statements for SQLite and PostgreSQL), so a province's month is not loaded into the console.
The hour of day is the halls' local hour at a fixed UTC offset (China has no daylight saving).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from kiosk.console.db import events, terminals

SESSION, JOURNEY_START, JOURNEY_END = "session_started", "journey_init", "journey_complete"
PRINT_END, PAYMENT_END, RATING = "print_job_complete", "payment_complete", "rating_given"
KINDS = (SESSION, JOURNEY_START, JOURNEY_END, PRINT_END, PAYMENT_END, RATING)
INDICATORS = {"overall": "整体满意度", "efficiency": "服务效率", "competence": "服务水平",
              "attitude": "服务态度"}
OUTCOME = {"success": "completed", "cancelled": "abandoned", "failure": "failed"}


@dataclass(frozen=True)
class Scope:
    """Which events a report covers: a time window and optionally one hall."""
    start: dt.datetime
    end: dt.datetime
    hall: str | None = None
    timezone: str = "Asia/Shanghai"

    @property
    def utc_offset_s(self) -> int:
        offset = self.start.astimezone(ZoneInfo(self.timezone)).utcoffset()
        return int(offset.total_seconds()) if offset else 0


@dataclass
class Report:
    """Each table is a header and rows, ready for a page or a CSV file."""
    tables: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)

    def rows(self, name: str) -> list[dict[str, Any]]:
        header, rows = self.tables[name]
        return [dict(zip(header, row)) for row in rows]


def _text(key: str) -> sa.ColumnElement[Any]:
    return events.c.detail[key].as_string()


def _local_hour(dialect: str, offset_s: int) -> sa.ColumnElement[Any]:
    if dialect == "sqlite":
        return sa.cast(sa.func.strftime("%H", events.c.at, f"{offset_s:+d} seconds"), sa.Integer)
    shifted = events.c.at + sa.literal_column(f"interval '{int(offset_s)} seconds'")
    return sa.cast(sa.extract("hour", sa.func.timezone("UTC", shifted)), sa.Integer)


def _grouped(conn: sa.Connection, scope: Scope, kinds: Sequence[str],
             dims: Mapping[str, sa.ColumnElement[Any]],
             measures: Mapping[str, sa.ColumnElement[Any]] | None = None) -> list[dict[str, Any]]:
    columns = [expr.label(name) for name, expr in dims.items()]
    columns += [sa.func.count().label("n")]
    columns += [expr.label(name) for name, expr in (measures or {}).items()]
    q = (sa.select(*columns).where(events.c.kind.in_(kinds), events.c.at >= scope.start,
                                   events.c.at < scope.end)
         # by position: PostgreSQL sees `detail ->> $1` and `detail ->> $2` as different
         .group_by(*(sa.literal_column(str(i + 1)) for i in range(len(dims)))))
    if scope.hall is not None:
        q = q.join_from(events, terminals, terminals.c.kiosk_id == events.c.kiosk_id).where(
            terminals.c.hall == scope.hall)
    return [dict(r) for r in conn.execute(q).mappings()]


def report(engine: sa.Engine, scope: Scope) -> Report:
    """Every table of the usage report for `scope`."""
    kind, outcome = events.c.kind, _text("disposition")
    hour = _local_hour(engine.dialect.name, scope.utc_offset_s)
    out = Report()
    with engine.connect() as conn:
        measures = {"fen": sa.func.sum(sa.cast(_text("amount_fen"), sa.Integer)),
                    "jobs": sa.func.count(sa.distinct(_text("job")))}
        per_terminal = _grouped(conn, scope, KINDS[:5], {"kiosk_id": events.c.kiosk_id,
                                                          "kind": kind, "outcome": outcome},
                                measures)
        per_hour = _grouped(conn, scope, KINDS[:5], {"hour": hour, "kind": kind,
                                                      "outcome": outcome}, measures)
        per_service = _grouped(conn, scope, (JOURNEY_START, JOURNEY_END),
                               {"journey": _text("journey"), "service": _text("service"),
                                "kind": kind, "outcome": outcome})
        abandoned = _grouped(conn, scope, (JOURNEY_END,),
                             {"journey": _text("journey"), "service": _text("service"),
                              "step": _text("step"), "outcome": outcome})
        ratings = {name: _grouped(conn, scope, (RATING,), {"score": _text(name)})
                   for name in INDICATORS}
    activity = ["sessions", "journeys_started", "completed", "abandoned", "failed",
                "prints", "prints_failed", "payments", "paid_fen"]
    out.tables["by_terminal"] = _pivot(per_terminal, "kiosk_id", activity)
    out.tables["by_hour"] = _pivot(per_hour, "hour", activity, keys=range(24))
    out.tables["by_service"] = _pivot(per_service, ("journey", "service"),
                                      ["journeys_started", "completed", "abandoned", "failed"])
    out.tables["abandoned_at"] = (["journey", "service", "step", "abandoned"], sorted(
        [[r["journey"] or "", r["service"] or "", r["step"] or "", r["n"]] for r in abandoned
         if r["outcome"] == "cancelled"], key=lambda row: (-row[3], row[0], row[1], row[2])))
    out.tables["ratings"] = _ratings(ratings)
    return out


def _activity(row: Mapping[str, Any]) -> dict[str, int]:
    kind, outcome, n = row["kind"], row["outcome"], row["n"]
    if kind == SESSION:
        return {"sessions": n}
    if kind == JOURNEY_START:
        return {"journeys_started": n}
    if kind == JOURNEY_END and outcome in OUTCOME:
        return {OUTCOME[outcome]: n}
    if kind == PRINT_END:  # a job settled twice (a second tap on print) is one print
        jobs = int(row.get("jobs") or 0) or n
        return {"prints": jobs} if outcome == "success" else {"prints_failed": jobs}
    if kind == PAYMENT_END and outcome == "success":
        return {"payments": n, "paid_fen": int(row.get("fen") or 0)}
    return {}


def _pivot(rows: Iterable[Mapping[str, Any]], key: str | tuple[str, ...], columns: list[str],
           keys: Iterable[Any] = ()) -> tuple[list[str], list[list[Any]]]:
    """One row per value of `key` (or per combination of the `key` columns)."""
    names = (key,) if isinstance(key, str) else key
    table: dict[tuple[Any, ...], dict[str, int]] = {(k,): {} for k in keys}
    for row in rows:
        at = tuple(row[n] if row[n] is not None else "" for n in names)
        cell = table.setdefault(at, {})
        for name, n in _activity(row).items():
            cell[name] = cell.get(name, 0) + n
    order = sorted(table, key=(lambda k: tuple(map(str, k))) if not keys else None)
    return [*names, *columns], [[*k, *(table[k].get(c, 0) for c in columns)] for k in order]


def _ratings(found: Mapping[str, list[dict[str, Any]]]) -> tuple[list[str], list[list[Any]]]:
    header = ["indicator", "name", "ratings", "mean", "1", "2", "3", "4", "5"]
    rows = []
    for indicator, label in INDICATORS.items():
        counts = {int(r["score"]): r["n"] for r in found[indicator]
                  if r["score"] is not None and str(r["score"]).isdigit()
                  and 1 <= int(r["score"]) <= 5}
        total = sum(counts.values())
        mean = round(sum(s * n for s, n in counts.items()) / total, 2) if total else None
        rows.append([indicator, label, total, mean, *(counts.get(s, 0) for s in range(1, 6))])
    return header, rows


def to_csv(report_: Report, table: str) -> str:
    """One table as CSV (UTF-8 with a BOM when written as bytes: Excel opens Chinese right)."""
    header, rows = report_.tables[table]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return buffer.getvalue()
