"""The operations console as a Flask app: server-rendered pages over the console's store.

`create_console(engine, config)` makes the app with its own parts (login, board and terminal
pages, help queue) and the console's other parts (alerts, reports, actions, rollouts): each is
a module named in `PARTS` whose `bp` blueprint is registered as it is, behind the same login,
CSRF protection and session expiry, using kiosk.console.auth for roles, hall scope and the
audit trail. A blueprint may carry `nav = [(endpoint, label)]` (links in every page's header)
and `terminal_panel(kiosk_id) -> str` (HTML placed on a terminal's page, e.g. its actions).
"""

from __future__ import annotations

import datetime as dt
import importlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from kiosk.console import auth, lang, words
from kiosk.console.config import ConsoleConfig
from kiosk.console.helpdesk import PlatformHelpDesk
from kiosk.console.lang import N_, _
from kiosk.console.status import PROBLEMS, as_utc

LOCAL = ZoneInfo("Asia/Shanghai")  # halls read local time
# The console's other parts, by module (each has `bp`): one line each, e.g.
# "kiosk.console.alerts.views".
PARTS: tuple[str, ...] = ("kiosk.console.alerts_views", "kiosk.console.usage_views")


def part_blueprints() -> list[Blueprint]:
    return [importlib.import_module(name).bp for name in PARTS]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Console:
    """What the console's pages share; `app.extensions["console"]`."""

    engine: sa.Engine
    config: ConsoleConfig
    help_desk: PlatformHelpDesk | None
    clock: Callable[[], dt.datetime]

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.timezone.utc)


def create_console(engine: sa.Engine, config: ConsoleConfig | None = None, *,
                   help_desk: PlatformHelpDesk | None = None,
                   blueprints: Iterable[Blueprint] | None = None,
                   secret_key: bytes | None = None,
                   clock: Callable[[], dt.datetime] | None = None) -> Flask:
    """The console over `engine` (already migrated: kiosk.console.db.migrate). `help_desk`: the
    platform's help requests (none: no queue). `blueprints`: the other parts (default: those
    of `PARTS`). `secret_key` signs session cookies (a fresh
    random key by default: sessions then end with the process)."""
    from kiosk.console.views import board, help_queue, login

    config = config or ConsoleConfig()
    app = Flask("kiosk.console")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        SESSION_COOKIE_NAME="console_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # the session's own expiry bounds the token
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.extensions["console"] = Console(engine, config, help_desk, clock or _utc_now)
    CSRFProtect(app)
    app.before_request(auth.load_session)
    app.after_request(_headers)
    parts = list(part_blueprints() if blueprints is None else blueprints)
    for blueprint in (login.bp, board.bp, help_queue.bp, *parts):
        app.register_blueprint(blueprint)
    nav = [entry for part in parts for entry in getattr(part, "nav", ())]
    app.extensions["console_nav"] = nav  # a part installed later (actions) adds its links here
    app.extensions["console_terminal_panels"] = [
        part.terminal_panel for part in parts if hasattr(part, "terminal_panel")]
    lang.install(app)
    app.jinja_env.filters["local"] = _local
    app.jinja_env.filters["ago"] = _ago
    app.jinja_env.filters["problem"] = words.problem
    app.jinja_env.filters["level"] = words.level
    app.jinja_env.filters["alert"] = words.alert
    app.jinja_env.filters["column"] = words.column
    app.jinja_env.filters["command"] = words.command
    app.jinja_env.globals["PROBLEMS"] = PROBLEMS
    app.context_processor(lambda: {"staff": auth.current_staff(), "config": config,
                                   "has_help_desk": help_desk is not None, "part_nav": nav})
    for code in (401, 403, 404):
        app.register_error_handler(code, _error_page(code))
    app.register_error_handler(CSRFError, lambda e: (render_template(
        "error.html", code=400, reason=_("The form was stale or forged (CSRF check failed). "
                                          "Reload the page and try again.")), 400))
    return app


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; frame-ancestors 'none'; form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(code: int) -> Callable[[Any], Any]:
    reasons = {401: N_("Please log in."), 403: N_("This is not yours to see or act on."),
               404: N_("There is nothing here.")}
    return lambda _e: (render_template("error.html", code=code, reason=_(reasons[code])), code)


def _time(value: dt.datetime | str) -> dt.datetime:
    return as_utc(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


def _local(value: dt.datetime | str | None) -> str:
    return "-" if value is None else _time(value).astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def _ago(value: dt.datetime | str | None) -> str:
    if value is None:
        return "-"
    value = _time(value)
    seconds = int((auth.now() - as_utc(value)).total_seconds())
    if seconds < 120:
        return _("%(n)d s ago", n=max(seconds, 0))
    if seconds < 7200:
        return _("%(n)d min ago", n=seconds // 60)
    if seconds < 172800:
        return _("%(n)d h ago", n=seconds // 3600)
    return _("%(n)d days ago", n=seconds // 86400)
