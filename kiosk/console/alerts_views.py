"""The alerts page: open (or all) alerts of the staff member's halls, and acknowledge.

`make_alerts_blueprint(engine)` is registered by the console app; the page extends the layout
the app names in `console_layout` (a plain one otherwise). Hall staff see and acknowledge only
their hall's alerts: another hall's alert answers 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from kiosk.console import alerts
from kiosk.console.alert_delivery import TITLES
from kiosk.console.staff_scope import hall_scope, staff

log = logging.getLogger(__name__)


def make_alerts_blueprint(engine: sa.Engine, channels: Iterable[str] = (),
                          clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
                          ) -> Blueprint:
    bp = Blueprint("alerts", __name__, template_folder="templates")
    channel_names = tuple(channels)

    @bp.get("/alerts")
    def index() -> str:
        show_all = request.args.get("all") == "1"
        items = alerts.listing(engine, hall=hall_scope(), open_only=not show_all)
        return render_template("console/alerts.html", alerts=items, titles=TITLES,
                               show_all=show_all, utc=alerts.utc, staff=staff())

    @bp.post("/alerts/<int:alert_id>/ack")
    def acknowledge(alert_id: int) -> Response:
        who = staff()
        try:
            alerts.acknowledge(engine, alert_id, who.username, clock(), hall=hall_scope(),
                               channels=channel_names)
        except alerts.AlertNotFound:
            abort(404)
        log.info("alert %d acknowledged by %s", alert_id, who.username)
        return redirect(url_for("alerts.index"))

    return bp
