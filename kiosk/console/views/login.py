"""Log in with a password and a TOTP code (both on one form), log out. Failures are throttled
per name and per address, and recorded in the console's audit trail without the password."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from kiosk.console import audit as console_audit
from kiosk.console import staff
from kiosk.console.auth import audit, console, now
from kiosk.console.lang import _

bp = Blueprint("login", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    error = None
    if request.method == "POST":
        name = request.form.get("username", "")[:64]
        remote = request.remote_addr or "-"
        c = console()
        if staff.throttled(c.engine, name, remote, now(), max_failures=c.config.max_login_failures,
                           window_s=c.config.login_window_s):
            console_audit.record(c.engine, name or "-", "login_throttled", now())
            error = _("Too many failed attempts. Wait a few minutes and try again.")
            return render_template("login.html", error=error), 429
        who = staff.authenticate(c.engine, name, request.form.get("password", ""),
                                 request.form.get("code", ""), now())
        if who is None:
            staff.record_failure(c.engine, name, remote, now())
            console_audit.record(c.engine, name or "-", "login_failed", now())
            error = _("The name, password or code is wrong.")
        else:
            staff.clear_failures(c.engine, name)
            session.clear()
            t = now().timestamp()
            session.update(staff=who.username, login_at=t, seen_at=t)
            console_audit.record(c.engine, who.username, "login", now())
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error), 401 if error else 200


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    audit("logout")
    session.clear()
    return redirect(url_for("login.login"))


def _safe_next(target: str | None) -> str:
    """Only a path on this console (never another site) after login."""
    if target and target.startswith("/") and not target.startswith("//") \
            and "\\" not in target and not urlparse(target).netloc:
        return target
    return url_for("board.board")
