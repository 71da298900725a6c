"""`kiosk console serve|add-staff|staff|disable-staff|prune`: the operations console.

Every command works on the console's store (`--url`, or $KIOSK_CONSOLE_URL; SQLite by default,
a postgresql+psycopg:// URL for a province-size fleet), migrated on first use. Passwords are
read from a prompt (or $KIOSK_CONSOLE_PASSWORD for scripts), never from the command line.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from kiosk.cli import CliContext, fail, pass_ctx

url_option = click.option("--url", envvar="KIOSK_CONSOLE_URL", show_default=True,
                          default="sqlite:///run/console/console.sqlite3",
                          help="The console's store (sqlite:///… or postgresql+psycopg://…).")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _engine(url: str):  # type: ignore[no-untyped-def]
    from kiosk.console.beside import open_store

    try:
        return open_store(url)
    except Exception as exc:  # sqlalchemy.exc.*, OSError
        fail(f"cannot open the console store: {type(exc).__name__}")


@click.group("console")
def console_group() -> None:
    """The operations console: board, help requests and staff accounts, in a browser."""


@console_group.command("serve")
@url_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8600, show_default=True, type=int)
@click.option("--platform-db", envvar="KIOSK_PLATFORM_DB", type=click.Path(dir_okay=False),
              default=None, help="The reference platform's database: its help requests.")
@click.option("--settings", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A TOML file with a [console] table (kiosk.console.config) and an "
              "[alerts] table (kiosk.console.alert_loop).")
@click.option("--secret-key-file", default="run/console/secret.key", show_default=True,
              type=click.Path(dir_okay=False), help="Signs staff sessions; made if missing.")
def serve_cmd(url: str, host: str, port: int, platform_db: str | None, settings: str | None,
              secret_key_file: str) -> None:
    """Serve the console until interrupted (the platform feeds the same store with
    `kiosk platform serve --console-url`)."""
    from kiosk.console.alert_loop import AlertSettings
    from kiosk.console.beside import console_parts, secret_key
    from kiosk.console.config import ConsoleConfig
    from kiosk.console.server import serve

    config = ConsoleConfig.load(settings)
    parts = console_parts(url, platform_db=platform_db, config=config,
                          key=secret_key(Path(secret_key_file)),
                          alerts=AlertSettings.load(settings, config.heartbeat_interval_s))
    click.echo(f"console: http://{host}:{port}/", err=True)
    try:
        serve(parts.app, host, port)
    except OSError as exc:
        fail(f"cannot serve on {host}:{port}: {exc}")
    except KeyboardInterrupt:
        pass


@console_group.command("add-staff")
@url_option
@click.argument("username")
@click.option("--role", type=click.Choice(["hall_staff", "fleet_manager"]), required=True)
@click.option("--hall", default="", help="The hall of hall staff (as terminals report it).")
@click.password_option(envvar="KIOSK_CONSOLE_PASSWORD")
@pass_ctx
def add_staff_cmd(ctx: CliContext, url: str, username: str, role: str, hall: str,
                  password: str) -> None:
    """Make a staff account; prints the TOTP secret once (for the authenticator app)."""
    import pyotp

    from kiosk.console import audit, staff

    engine = _engine(url)
    try:
        secret = staff.add(engine, username, password, role, hall, _now())
    except staff.StaffError as exc:
        fail(str(exc))
    audit.record(engine, "cli", "add_staff", _now(), detail={"username": username,
                                                             "role": role, "hall": hall})
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="govkiosk console")
    ctx.emit({"username": username, "totp_secret": secret, "otpauth_uri": uri},
             f"{username} added ({role}{' of ' + hall if hall else ''}).\n"
             f"TOTP secret (shown once): {secret}\n{uri}")


@console_group.command("staff")
@url_option
@pass_ctx
def staff_cmd(ctx: CliContext, url: str) -> None:
    """List staff accounts (no secrets)."""
    from kiosk.console import staff

    rows = staff.list_staff(_engine(url))
    ctx.emit(rows, "\n".join(f"{r['username']:<20} {r['role']:<14} {r['hall'] or '-':<20}"
                             f"{' disabled' if r['disabled'] else ''}" for r in rows)
             or "no staff yet")


@console_group.command("disable-staff")
@url_option
@click.argument("username")
@pass_ctx
def disable_staff_cmd(ctx: CliContext, url: str, username: str) -> None:
    """Disable an account: its open sessions end at their next request."""
    from kiosk.console import audit, staff

    engine = _engine(url)
    if not staff.disable(engine, username):
        fail(f"no staff member {username}")
    audit.record(engine, "cli", "disable_staff", _now(), detail={"username": username})
    ctx.emit({"disabled": username}, f"{username} disabled")


@console_group.command("prune")
@url_option
@click.option("--days", default=7, show_default=True, type=int)
@pass_ctx
def prune_cmd(ctx: CliContext, url: str, days: int) -> None:
    """Drop heartbeat history older than DAYS (ingest does so hourly by itself)."""
    from kiosk.console.ingest import prune

    removed = prune(_engine(url), _now(), days)
    ctx.emit({"removed": removed}, f"{removed} heartbeat rows removed")
