"""The help queue: citizens' live calls for staff (呼叫工作人员) in the staff member's halls,
refreshed every few seconds with a chime for a new one; acknowledge, on my way, resolve. The
terminal reads the state back over the contract and tells the citizen."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kiosk.console import queries
from kiosk.console.auth import audit, console, current_staff, hall_scope, may_see, now
from kiosk.console.helpdesk import ACTIONS, PlatformHelpDesk
from kiosk.console.sound import chime
from kiosk.refplatform.help_requests import HelpRequestError

bp = Blueprint("help", __name__)


def _desk() -> PlatformHelpDesk:
    desk = console().help_desk
    if desk is None:
        abort(404)
    return desk


def _queue() -> list[dict]:
    c = console()
    return _desk().requests(queries.kiosks_in(c.engine, hall_scope()))


@bp.route("/help")
def queue() -> ResponseReturnValue:
    return render_template("help.html", requests=_queue())


@bp.route("/help/rows")
def rows() -> ResponseReturnValue:
    """The queue's rows alone, for the page's poll (it chimes when an id is new)."""
    return render_template("help_rows.html", requests=_queue())


@bp.route("/help/chime.wav")
def sound() -> Response:
    return Response(chime(), mimetype="audio/wav",
                    headers={"Cache-Control": "private, max-age=86400"})


@bp.route("/help/<help_request_id>/<action>", methods=["POST"])
def act(help_request_id: str, action: str) -> ResponseReturnValue:
    if action not in ACTIONS:
        abort(404)
    desk = _desk()
    kiosk_id = desk.kiosk_of(help_request_id)
    if kiosk_id is None:
        abort(404)
    may_see(kiosk_id)
    try:
        desk.act(help_request_id, action, _staff_name(), now())
    except HelpRequestError:
        pass  # already closed: the queue shows it as it is
    else:
        audit(f"help_{action}", kiosk_id, help_request_id=help_request_id)
    back = request.form.get("back")
    return redirect(back if back in ("/help", f"/terminals/{kiosk_id}") else url_for("help.queue"))


def _staff_name() -> str:
    who = current_staff()
    assert who is not None  # the login check ran before any view
    return who.username
