"""The console beside a reference platform: one store URL, the platform's help requests as the
console's help desk, and the sink the platform feeds. Used by `kiosk platform serve
--console-port`, `kiosk console serve --platform-db`, the sim and the demo."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from kiosk.console import actions, actions_views, db, signing
from kiosk.console.alert_loop import AlertLoop, AlertSettings
from kiosk.console.app import create_console
from kiosk.console.config import ConsoleConfig
from kiosk.console.helpdesk import PlatformHelpDesk
from kiosk.console.ingest import ConsoleSink
from kiosk.fleet.repository import FleetRepository
from kiosk.refplatform.store import Store

DEFAULT_URL = "sqlite:///run/console/console.sqlite3"


@dataclass
class ConsoleParts:
    engine: sa.Engine
    sink: ConsoleSink
    app: Flask
    alert_loop: AlertLoop | None = None  # running when `alerts` settings were given


def open_store(url: str) -> sa.Engine:
    """The store at `url`, made and migrated (a SQLite file's folder too). A PostgreSQL
    server that hangs must not hold a terminal's heartbeat: connections give up after
    `connect_timeout` and statements after `statement_timeout` unless the URL says otherwise."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        url = bounded(url)
    engine = db.connect(url)
    db.migrate(engine)
    return engine


PG_LIMITS = {"connect_timeout": "5", "options": "-c statement_timeout=5000"}


def bounded(url: str) -> str:
    parsed = sa.engine.make_url(url)
    limits = {k: v for k, v in PG_LIMITS.items() if k not in parsed.query}
    return parsed.update_query_dict(limits).render_as_string(hide_password=False)


def secret_key(path: Path) -> bytes:
    """The key that signs staff sessions, kept (0600) so a restart does not log everyone out."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(os.urandom(32))
    return path.read_bytes()


def console_parts(url: str, *, platform_db: str | Path | None, config: ConsoleConfig,
                  key: bytes | None = None, command_key_file: Path | None = None,
                  fleet: FleetRepository | None = None,
                  alerts: AlertSettings | None = None) -> ConsoleParts:
    """The console's parts; with the platform's database and a command key (made once, 0600,
    its public half for the site files), remote actions and rollouts too; with `alerts`, the
    alert loop running (stop it with `parts.alert_loop.stop()`)."""
    engine = open_store(url)
    desk = PlatformHelpDesk(platform_db) if platform_db else None
    app = create_console(engine, config, help_desk=desk, secret_key=key)
    if platform_db and command_key_file is not None:
        channel = actions.PlatformStoreChannel(Store(platform_db))
        actions_views.install(app, actions_views.ActionsSetup(
            engine, channel, signing.load_or_generate(command_key_file), fleet))
    loop = None
    if alerts is not None:
        app.extensions["console_alerts_channels"] = tuple(c.name for c in alerts.channels)
        loop = alerts.loop(engine).start()
    return ConsoleParts(engine, ConsoleSink(engine, config), app, loop)
