"""The usage and 好差评 page and its CSV downloads, for the staff member's halls.

A console part (kiosk.console.app.PARTS). `?start=YYYY-MM-DD&days=N` (local dates, default
today) chooses the window; hall staff get their hall whatever the query says.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from kiosk.console import usage
from kiosk.console.alerts_views import ROLES, scope as hall_of_request
from kiosk.console.auth import console, now, requires_role
from kiosk.console.lang import N_

TIMEZONE = "Asia/Shanghai"  # the halls' local time
TABLES = {"by_terminal": N_("Per terminal"), "by_service": N_("Per journey and service"),
          "abandoned_at": N_("Abandoned at"), "by_hour": N_("Per hour of day"),
          "ratings": N_("Ratings")}

bp = Blueprint("usage", __name__)
bp.nav = [("usage.index", N_("Usage"))]  # type: ignore[attr-defined]


def _scope() -> usage.Scope:
    zone = ZoneInfo(TIMEZONE)
    try:
        day = (dt.date.fromisoformat(request.args["start"]) if request.args.get("start")
               else now().astimezone(zone).date())
        days = min(max(int(request.args.get("days", "1")), 1), 366)
    except ValueError:
        abort(400)
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    return usage.Scope(start, start + dt.timedelta(days=days), hall=hall_of_request(),
                       timezone=TIMEZONE)


@bp.get("/usage")
@requires_role(*ROLES)
def index() -> str:
    chosen = _scope()
    found = usage.report(console().engine, chosen)
    return render_template("console/usage.html", report=found, tables=TABLES, scope=chosen,
                           start=chosen.start.astimezone(ZoneInfo(TIMEZONE)).date(),
                           days=(chosen.end - chosen.start).days, query=request.args)


@bp.get("/usage/<table>.csv")
@requires_role(*ROLES)
def download(table: str) -> Response:
    if table not in TABLES:
        abort(404)
    chosen = _scope()
    body = "\ufeff" + usage.to_csv(usage.report(console().engine, chosen), table)
    name = f"usage-{table}-{chosen.start.astimezone(ZoneInfo(TIMEZONE)).date()}.csv"
    return Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
