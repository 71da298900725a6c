"""The alerts and usage pages as parts of the console (behind its login and CSRF): hall staff
see and acknowledge only their hall, each acknowledgement is in the audit trail, the CSV
downloads are the report's tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import sqlalchemy as sa
from flask.testing import FlaskClient

from kiosk.console import alerts, audit
from kiosk.console.alerts import AlertRules, evaluate
from kiosk.console.app import create_console
from tests.console.conftest import add_staff, cell, english
from tests.console.rows import T0, beat, heartbeat
from tests.console.test_usage import DAY, a_day


def signed_in(engine: sa.Engine, username: str, role: str, hall: str = "",
              now: dt.datetime = T0) -> FlaskClient:
    add_staff(engine, username, role, hall)
    client = english(create_console(engine, clock=lambda: now).test_client())
    with client.session_transaction() as session:
        t = now.timestamp()
        session.update(staff=username, login_at=t, seen_at=t)
    return client


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_hall_staff_see_and_acknowledge_their_hall_only(sqlite_engine: sa.Engine) -> None:
    engine = sqlite_engine
    heartbeat(engine, "K1", T0, beat(paper="out"))
    heartbeat(engine, "K9", T0, beat(paper="low"), hall="hall-b")
    evaluate(engine, AlertRules(), T0)
    anonymous = english(create_console(engine).test_client())
    assert anonymous.get("/alerts").status_code == 302  # to the login
    client = signed_in(engine, "zhang.min", "hall_staff", "hall-a", T0 + dt.timedelta(minutes=5))
    page = client.get("/alerts").get_data(as_text=True)
    assert cell("K1") in page and "paper out" in page and cell("K9") not in page
    assert 'href="/alerts">Alerts' in page and 'href="/usage">Usage' in page
    theirs = alerts.listing(engine, hall="hall-b")[0]["id"]
    ours = alerts.listing(engine, hall="hall-a")[0]["id"]
    assert client.post(f"/alerts/{theirs}/ack", data={"csrf_token": token(page)}).status_code \
        == 404
    assert client.post(f"/alerts/{ours}/ack").status_code == 400  # no CSRF token
    done = client.post(f"/alerts/{ours}/ack", data={"csrf_token": token(page)},
                       follow_redirects=True)
    assert done.status_code == 200
    assert "zhang.min · 2026-12-07 02:05:00 UTC" in done.get_data(as_text=True)
    assert alerts.listing(engine, hall="hall-b")[0]["acked_by"] is None
    [entry] = [e for e in audit.recent(engine) if e["action"] == "alert.acknowledge"]
    assert (entry["staff"], entry["kiosk_id"]) == ("zhang.min", "K1")
    assert cell("K9") not in client.get("/alerts?hall=hall-b").get_data(as_text=True)

    fleet = signed_in(engine, "chen.jie", "fleet_manager")
    everything = fleet.get("/alerts").get_data(as_text=True)
    assert cell("K1") in everything and cell("K9") in everything
    assert cell("K1") not in fleet.get("/alerts?hall=hall-b").get_data(as_text=True)


def test_usage_page_and_csv(sqlite_engine: sa.Engine) -> None:
    a_day(sqlite_engine)
    fleet = signed_in(sqlite_engine, "chen.jie", "fleet_manager", now=DAY)
    page = fleet.get("/usage").get_data(as_text=True)
    assert 'id="usage-by_terminal"' in page and "整体满意度" in page
    hall_a = signed_in(sqlite_engine, "zhang.min", "hall_staff", "hall-a", now=DAY)
    download = hall_a.get("/usage/by_terminal.csv?start=2026-12-07")
    assert download.mimetype == "text/csv"
    assert 'filename="usage-by_terminal-2026-12-07.csv"' in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["kiosk_id"] for r in rows] == ["K1", "K2"]  # hall-a only
    assert fleet.get("/usage/secrets.csv").status_code == 404
    assert fleet.get("/usage?start=yesterday").status_code == 400
    other_day = fleet.get("/usage/by_terminal.csv?start=2026-12-08")
    assert other_day.get_data(as_text=True).strip() == "\ufeff" + (
        "kiosk_id,sessions,journeys_started,completed,abandoned,failed,prints,prints_failed,"
        "payments,paid_fen")
