"""The usage and 好差评 page and its CSV downloads, for the staff member's halls.

`?start=YYYY-MM-DD&days=N` (local dates, default today) chooses the window; hall staff get their
hall whatever the query says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from kiosk.console import usage
from kiosk.console.staff_scope import hall_scope

TABLES = {"by_terminal": "按终端 per terminal", "by_service": "按事项 per service",
          "abandoned_at": "中途放弃 abandoned at", "by_hour": "按时段 per hour of day",
          "ratings": "好差评 ratings"}


def make_usage_blueprint(engine: sa.Engine, timezone: str = "Asia/Shanghai",
                         clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
                         ) -> Blueprint:
    bp = Blueprint("usage", __name__, template_folder="templates")
    zone = ZoneInfo(timezone)

    def scope() -> usage.Scope:
        try:
            day = (dt.date.fromisoformat(request.args["start"]) if request.args.get("start")
                   else clock().astimezone(zone).date())
            days = min(max(int(request.args.get("days", "1")), 1), 366)
        except ValueError:
            abort(400)
        start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
        return usage.Scope(start, start + dt.timedelta(days=days), hall=hall_scope(),
                           timezone=timezone)

    @bp.get("/usage")
    def index() -> str:
        chosen = scope()
        found = usage.report(engine, chosen)
        return render_template("console/usage.html", report=found, tables=TABLES, scope=chosen,
                               start=chosen.start.astimezone(zone).date(),
                               days=(chosen.end - chosen.start).days, query=request.args)

    @bp.get("/usage/<table>.csv")
    def download(table: str) -> Response:
        if table not in TABLES:
            abort(404)
        chosen = scope()
        body = "\ufeff" + usage.to_csv(usage.report(engine, chosen), table)
        name = f"usage-{table}-{chosen.start.astimezone(zone).date()}.csv"
        return Response(body.encode("utf-8"), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    return bp
