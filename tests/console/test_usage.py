"""Usage and 好差评 reports from a day of events, on SQLite and PostgreSQL, and their CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
import sqlalchemy as sa

from kiosk.console import usage
from kiosk.events import UndeclaredEvent
from kiosk.events.posted import as_posted
from tests.console.rows import beat, event, heartbeat

DAY = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)  # 08:00 Beijing
SCOPE = usage.Scope(DAY, DAY + dt.timedelta(days=1))


def post(engine: sa.Engine, kiosk_id: str, event_id: str, at: dt.datetime,
         disposition: str | None = None, **fields) -> None:
    """One event in the shape the terminal posts (kiosk.events.posted), stored as ingest does."""
    item = as_posted(event_id, at, disposition, **fields)
    event(engine, kiosk_id, item["kind"], at, item["detail"], item["severity"], item["event_id"])


def a_day(engine: sa.Engine) -> dict[str, int]:
    """Citizens at two terminals of hall-a and one of hall-b; returns what happened."""
    for kiosk_id, hall in (("K1", "hall-a"), ("K2", "hall-a"), ("K3", "hall-b")):
        heartbeat(engine, kiosk_id, DAY, beat(), hall=hall)
    rng = random.Random(17)
    seen = {"sessions": 0, "completed": 0, "abandoned": 0, "paid_fen": 0, "prints": 0}
    for n in range(40):
        kiosk_id = ("K1", "K2", "K3")[n % 3]
        at = DAY + dt.timedelta(hours=1 + n % 8, minutes=n)  # 09:xx … 16:xx Beijing
        session = f"s{n}"
        post(engine, kiosk_id, "session_started", at, session=session, method="idcard")
        service = ("residence_permit", "social_security")[n % 2]
        post(engine, kiosk_id, "journey_init", at, session=session, journey="apply",
             service=service)
        seen["sessions"] += 1
        if n % 4 == 3:
            post(engine, kiosk_id, "journey_complete", at, "cancelled", session=session,
                 journey="apply", service=service, step="materials")
            seen["abandoned"] += 1
            continue
        post(engine, kiosk_id, "payment_complete", at, "success", session=session,
             payment=f"P{n}", amount_fen=1000)
        seen["paid_fen"] += 1000
        post(engine, kiosk_id, "print_job_complete", at, "success", device="printer",
             job=f"j{n}", kind="receipt")
        seen["prints"] += 1
        post(engine, kiosk_id, "journey_complete", at, "success", session=session,
             journey="apply", service=service, step="done")
        seen["completed"] += 1
        post(engine, kiosk_id, "rating_given", at, service=service, overall=rng.randint(3, 5))
    post(engine, "K1", "print_job_complete", DAY + dt.timedelta(hours=1), "success",
         device="printer", job="j0", kind="receipt")  # a second tap on print: the same job
    post(engine, "K1", "print_job_complete", DAY + dt.timedelta(hours=3), "failure",
         device="printer", job="jx", kind="receipt", reason="paper_out")
    post(engine, "K1", "session_started", DAY - dt.timedelta(hours=1), session="yesterday",
         method="qr")  # outside the window
    return seen


def test_usage_per_terminal_service_hour_and_ratings(engine: sa.Engine) -> None:
    seen = a_day(engine)
    found = usage.report(engine, SCOPE)
    terminals = found.rows("by_terminal")
    assert [t["kiosk_id"] for t in terminals] == ["K1", "K2", "K3"]
    assert sum(t["sessions"] for t in terminals) == seen["sessions"] == 40
    assert sum(t["completed"] for t in terminals) == seen["completed"] == 30
    assert sum(t["abandoned"] for t in terminals) == seen["abandoned"] == 10
    assert sum(t["paid_fen"] for t in terminals) == seen["paid_fen"]
    assert sum(t["payments"] for t in terminals) == 30
    assert terminals[0]["prints"] == 10 and terminals[0]["prints_failed"] == 1
    assert terminals[0]["sessions"] == 14  # n = 0, 3, …, 39
    hours = found.rows("by_hour")
    assert [h["hour"] for h in hours] == list(range(24))
    assert {h["hour"] for h in hours if h["sessions"]} == set(range(9, 17))  # Beijing time
    assert hours[9]["sessions"] == 5 and hours[11]["prints_failed"] == 1
    services = {s["service"]: s for s in found.rows("by_service")}
    assert services["residence_permit"]["journeys_started"] == 20
    assert services["social_security"]["abandoned"] == 10  # n % 4 == 3 are all odd
    assert found.rows("abandoned_at") == [{"journey": "apply", "service": "social_security",
                                           "step": "materials", "abandoned": 10}]
    ratings = {r["indicator"]: r for r in found.rows("ratings")}
    assert ratings["overall"]["ratings"] == 30 and ratings["overall"]["name"] == "整体满意度"
    assert 3 <= ratings["overall"]["mean"] <= 5
    assert sum(ratings["overall"][str(s)] for s in range(1, 6)) == 30
    assert ratings["attitude"]["ratings"] == 0 and ratings["attitude"]["mean"] is None


def test_one_hall_only(engine: sa.Engine) -> None:
    a_day(engine)
    found = usage.report(engine, usage.Scope(SCOPE.start, SCOPE.end, hall="hall-b"))
    assert [t["kiosk_id"] for t in found.rows("by_terminal")] == ["K3"]
    assert sum(h["sessions"] for h in found.rows("by_hour")) == 13


def test_csv_export(sqlite_engine: sa.Engine) -> None:
    a_day(sqlite_engine)
    found = usage.report(sqlite_engine, SCOPE)
    rows = list(csv.reader(io.StringIO(usage.to_csv(found, "ratings"))))
    assert rows[0] == ["indicator", "name", "ratings", "mean", "1", "2", "3", "4", "5"]
    assert rows[1][:3] == ["overall", "整体满意度", "30"] and rows[4][3] == ""
    terminals = list(csv.DictReader(io.StringIO(usage.to_csv(found, "by_terminal"))))
    assert [(t["kiosk_id"], t["sessions"]) for t in terminals] == [("K1", "14"), ("K2", "13"),
                                                                  ("K3", "13")]


def test_ratings_by_all_four_indicators_are_counted_per_indicator(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", DAY, beat(), hall="hall-a")
    at = DAY + dt.timedelta(hours=2)
    post(engine, "K1", "rating_given", at, service="s", overall=5, efficiency=4, competence=4,
         attitude=1)
    post(engine, "K1", "rating_given", at, service="s", overall=3, efficiency=2, competence=5,
         attitude=1)
    post(engine, "K1", "rating_given", at, service="s", overall=4)  # the overall score alone
    found = usage.report(engine, SCOPE)
    ratings = {r["indicator"]: (r["ratings"], r["mean"], [r[str(s)] for s in range(1, 6)])
               for r in found.rows("ratings")}
    assert ratings == {"overall": (3, 4.0, [0, 0, 1, 1, 1]),
                       "efficiency": (2, 3.0, [0, 1, 0, 1, 0]),
                       "competence": (2, 4.5, [0, 0, 0, 1, 1]),
                       "attitude": (2, 1.0, [2, 0, 0, 0, 0])}
    rows = list(csv.reader(io.StringIO(usage.to_csv(found, "ratings"))))
    assert rows[1:] == [["overall", "整体满意度", "3", "4.0", "0", "0", "1", "1", "1"],
                        ["efficiency", "服务效率", "2", "3.0", "0", "1", "0", "1", "0"],
                        ["competence", "服务水平", "2", "4.5", "0", "0", "0", "1", "1"],
                        ["attitude", "服务态度", "2", "1.0", "2", "0", "0", "0", "0"]]


def test_posted_events_are_checked_against_the_catalogue() -> None:
    with pytest.raises(UndeclaredEvent):
        as_posted("rating_given", DAY, comment="free text")  # comments never leave
    with pytest.raises(UndeclaredEvent):
        as_posted("journey_complete", DAY, session="s", service="x", step="y")
    item = as_posted("payment_complete", DAY, "success", session="s1", payment="P1",
                     amount_fen=500, reason="card 110101199003071234")
    assert item["detail"] == {"session": "s1", "payment": "P1", "amount_fen": 500,
                              "reason": "card 110101********1234", "disposition": "success"}
