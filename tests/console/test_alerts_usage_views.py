"""The alerts and usage pages in a tiny console app (CSRF on, g.staff set per request as the
console's login will): hall staff see and acknowledge only their hall, CSRF is required, the
CSV downloads are the report's tables."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import Flask, g, request
from flask_wtf.csrf import CSRFProtect

from kiosk.console import alerts
from kiosk.console.alerts import AlertRules, evaluate
from kiosk.console.alerts_views import make_alerts_blueprint
from kiosk.console.usage_views import make_usage_blueprint
from tests.console.rows import T0, beat, heartbeat
from tests.console.test_usage import DAY, a_day


def console(engine: sa.Engine) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="test", TESTING=True)
    CSRFProtect(app)

    @app.before_request
    def sign_in() -> None:  # stands in for the console's login
        who = request.headers.get("X-Test-Staff")
        if who:
            username, role, hall = who.split(":")
            g.staff = SimpleNamespace(username=username, role=role, hall=hall)

    app.register_blueprint(make_alerts_blueprint(engine, clock=lambda: T0 + dt.timedelta(
        minutes=5)))
    app.register_blueprint(make_usage_blueprint(engine, clock=lambda: DAY))
    return app


HALL_A = {"X-Test-Staff": "zhang.min:hall_staff:hall-a"}
HALL_B = {"X-Test-Staff": "wang.fang:hall_staff:hall-b"}
FLEET = {"X-Test-Staff": "chen.jie:fleet_manager:"}


def token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def two_halls(sqlite_engine: sa.Engine) -> sa.Engine:
    heartbeat(sqlite_engine, "K1", T0, beat(paper="out"))
    heartbeat(sqlite_engine, "K9", T0, beat(paper="low"), hall="hall-b")
    evaluate(sqlite_engine, AlertRules(), T0)
    return sqlite_engine


def test_hall_staff_see_and_acknowledge_their_hall_only(two_halls: sa.Engine) -> None:
    client = console(two_halls).test_client()
    assert client.get("/alerts").status_code == 401
    page = client.get("/alerts", headers=HALL_A).get_data(as_text=True)
    assert "K1" in page and "缺纸 paper out" in page and "K9" not in page
    theirs = alerts.listing(two_halls, hall="hall-b")[0]["id"]
    ours = alerts.listing(two_halls, hall="hall-a")[0]["id"]
    refused = client.post(f"/alerts/{theirs}/ack", headers=HALL_A, data={"csrf_token": token(page)})
    assert refused.status_code == 404
    no_token = client.post(f"/alerts/{ours}/ack", headers=HALL_A)
    assert no_token.status_code == 400
    done = client.post(f"/alerts/{ours}/ack", headers=HALL_A, data={"csrf_token": token(page)},
                       follow_redirects=True)
    assert done.status_code == 200 and "zhang.min · 2026-12-07 02:05:00 UTC" in done.get_data(
        as_text=True)
    assert alerts.listing(two_halls, hall="hall-b")[0]["acked_by"] is None
    fleet = client.get("/alerts", headers=FLEET).get_data(as_text=True)
    assert "K1" in fleet and "K9" in fleet
    assert "K1" not in client.get("/alerts?hall=hall-b", headers=FLEET).get_data(as_text=True)
    assert "K9" not in client.get("/alerts?hall=hall-b", headers=HALL_A).get_data(as_text=True)


def test_usage_page_and_csv(sqlite_engine: sa.Engine) -> None:
    a_day(sqlite_engine)
    client = console(sqlite_engine).test_client()
    page = client.get("/usage", headers=FLEET).get_data(as_text=True)
    assert 'id="usage-by_terminal"' in page and "整体满意度" in page
    download = client.get("/usage/by_terminal.csv?start=2026-12-07", headers=HALL_A)
    assert download.mimetype == "text/csv"
    assert 'filename="usage-by_terminal-2026-12-07.csv"' in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["kiosk_id"] for r in rows] == ["K1", "K2"]  # hall-a only
    assert client.get("/usage/secrets.csv", headers=FLEET).status_code == 404
    assert client.get("/usage?start=yesterday", headers=FLEET).status_code == 400
    other_day = client.get("/usage/by_terminal.csv?start=2026-12-08", headers=FLEET)
    assert other_day.get_data(as_text=True).strip() == "\ufeff" + (
        "kiosk_id,sessions,journeys_started,completed,abandoned,failed,prints,prints_failed,"
        "payments,paid_fen")
