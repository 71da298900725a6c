"""Who is logged in to the console, what they may see, and the helpers every console page uses.

A staff session is Flask's signed cookie holding the user name, when they logged in and when
they were last seen; it ends after `idle_timeout_s` without a request or `session_max_s` after
login, and at once when the account is disabled (checked on every request). Hall staff see and
act on their own hall only; the fleet manager sees all.

For the console's other parts:
    from kiosk.console.auth import requires_role, hall_scope, may_see, audit
    @bp.route("/x/<kiosk_id>", methods=["POST"])
    @requires_role("fleet_manager", "hall_staff")
    def x(kiosk_id): may_see(kiosk_id); ...; audit("x", kiosk_id)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, g, redirect, request, session, url_for

from kiosk.console import audit as console_audit
from kiosk.console import queries, staff
from kiosk.console.staff import Staff

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC_ENDPOINTS = {"login.login", "static", "language"}
# A page's own poll (fetch) says so: it gets 401 rather than the login page as its rows. An
# open help queue's poll keeps the session from idling out (it is a monitor in use); the
# absolute limit still ends it.
POLL_HEADER = "X-Console-Poll"


def console() -> Any:
    """The running console's `Console` (kiosk.console.app)."""
    return current_app.extensions["console"]


def now() -> dt.datetime:
    return console().now()


def current_staff() -> Staff | None:
    return g.get("staff")


def load_session() -> Any:
    """Before every request: find the logged-in staff member, or send them to log in."""
    g.staff = None
    name, login_at, seen_at = (session.get(k) for k in ("staff", "login_at", "seen_at"))
    if name and login_at and seen_at:
        t = now().timestamp()
        config = console().config
        if t - seen_at <= config.idle_timeout_s and t - login_at <= config.session_max_s:
            g.staff = staff.find(console().engine, name)
        if g.staff is None:
            session.clear()
        else:
            session["seen_at"] = t
    if g.staff is None and request.endpoint not in PUBLIC_ENDPOINTS:
        if request.method == "GET" and POLL_HEADER not in request.headers:
            return redirect(url_for("login.login", next=request.full_path))
        abort(401)
    return None


def requires_role(*roles: str) -> Callable[[F], F]:
    """Only staff of these roles (403 for the others)."""
    def wrap(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            who = current_staff()
            if who is None:
                abort(401)
            if who.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return guarded  # type: ignore[return-value]
    return wrap


def hall_scope() -> str | None:
    """The hall the current staff member is limited to; None for the fleet manager."""
    who = current_staff()
    if who is None:
        abort(401)
    return None if who.sees_all else who.hall


def may_see(kiosk_id: str) -> None:
    """404 for a terminal the console never heard of, 403 for one in another hall."""
    hall = queries.hall_of(console().engine, kiosk_id)
    if hall is None:
        abort(404)
    scope = hall_scope()
    if scope is not None and hall != scope:
        abort(403)


def audit(action: str, kiosk_id: str | None = None, **detail: Any) -> None:
    """Record a console action of the current staff member (no personal data in `detail`)."""
    who = current_staff()
    console_audit.record(console().engine, who.username if who else "-", action, now(),
                         kiosk_id, detail or None)
