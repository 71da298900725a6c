"""The board (every terminal the staff member may see, red first, filtered by hall, ring and
problem), a terminal's page, and the console's audit trail."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from kiosk.console import audit as console_audit
from kiosk.console import queries
from kiosk.console.auth import console, hall_scope, may_see, now
from kiosk.console.status import PROBLEMS

bp = Blueprint("board", __name__)


@bp.route("/")
def board() -> ResponseReturnValue:
    c = console()
    scope = hall_scope()
    hall = scope if scope is not None else (request.args.get("hall") or None)
    ring = request.args.get("ring") or None
    problem = request.args.get("problem") or None
    if problem is not None and problem not in PROBLEMS:
        abort(404)
    board_page = queries.board_page(c.engine, now(), c.config.offline_after_s, hall=hall,
                                    ring=ring, problem=problem,
                                    page=request.args.get("page", 1, type=int) or 1,
                                    size=c.config.board_page_size)
    halls, rings = queries.halls_and_rings(c.engine, scope)
    waiting: dict[str, int] = {}
    if c.help_desk is not None:
        for r in c.help_desk.requests(queries.kiosks_in(c.engine, scope)):
            waiting[r["kiosk_id"]] = waiting.get(r["kiosk_id"], 0) + 1
    return render_template("board.html", rows=board_page.rows, halls=halls, rings=rings,
                           hall=hall, ring=ring, problem=problem, counts=board_page.counts,
                           waiting=waiting, page=board_page.page, pages=board_page.pages)


@bp.route("/terminals/<kiosk_id>")
def terminal(kiosk_id: str) -> ResponseReturnValue:
    may_see(kiosk_id)
    c = console()
    status = queries.terminal(c.engine, kiosk_id, now(), c.config.offline_after_s)
    help_requests = c.help_desk.requests(None, live_only=False, kiosk_id=kiosk_id)[-20:][::-1] \
        if c.help_desk else []
    panels = [Markup(panel(kiosk_id)) for panel in
              current_app.extensions["console_terminal_panels"]]
    return render_template("terminal.html", t=status, panels=panels,
                           heartbeats=queries.recent_heartbeats(c.engine, kiosk_id),
                           events=queries.recent_events(c.engine, kiosk_id),
                           help_requests=help_requests,
                           actions=console_audit.recent(c.engine, 20, kiosk_id=kiosk_id))


@bp.route("/audit")
def audit_trail() -> ResponseReturnValue:
    c = console()
    scope = hall_scope()
    rows = console_audit.recent(c.engine, 200, kiosk_ids=queries.kiosks_in(c.engine, scope))
    return render_template("audit.html", rows=rows)
