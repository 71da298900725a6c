"""The alerts page: open (or all) alerts of the staff member's halls, and acknowledge.

A console part (kiosk.console.app.PARTS): `bp` behind the console's login and CSRF protection.
Hall staff see and acknowledge only their hall's alerts (another hall's alert answers 404, as if
it did not exist); the fleet manager sees every hall, or the one `?hall=` names. Each
acknowledgement is stored on the alert (who, when) and in the console's audit trail. The alert
channels an acknowledgement may notify (an audit mismatch clears with it) are
`app.extensions["console_alerts_channels"]` (names; none by default).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from kiosk.console import alerts
from kiosk.console.auth import audit, console, current_staff, hall_scope, now, requires_role
from kiosk.console.lang import N_

ROLES = ("fleet_manager", "hall_staff")

bp = Blueprint("alerts", __name__)
bp.nav = [("alerts.index", N_("Alerts"))]  # type: ignore[attr-defined]


def scope() -> str | None:
    """Hall staff: their own hall, whatever the query says; the fleet manager: `?hall=` or all."""
    return hall_scope() or request.args.get("hall") or None


@bp.get("/alerts")
@requires_role(*ROLES)
def index() -> str:
    show_all = request.args.get("all") == "1"
    items = alerts.listing(console().engine, hall=scope(), open_only=not show_all)
    return render_template("console/alerts.html", alerts=items,
                           show_all=show_all, utc=alerts.utc)


@bp.post("/alerts/<int:alert_id>/ack")
@requires_role(*ROLES)
def acknowledge(alert_id: int) -> Response:
    try:
        done = alerts.acknowledge(console().engine, alert_id, _username(), now(), hall=hall_scope(),
                                  channels=current_app.extensions.get(
                                      "console_alerts_channels", ()))
    except alerts.AlertNotFound:
        abort(404)
    audit("alert.acknowledge", done["kiosk_id"], alert=alert_id, kind=done["kind"])
    return redirect(url_for("alerts.index"))


def _username() -> str:
    staff = current_staff()
    return staff.username if staff else "-"
