"""`kiosk platform serve|enrol|advance|pay|applications|payments|help|test-ca`: the reference
platform and its back office (`help list|ack|close`: citizens' calls for staff), for the demo and for trying a terminal against the whole contract.

Every command works on one SQLite file (`--db`, or $KIOSK_PLATFORM_DB); the server and the
back-office commands may run at the same time (WAL). Nothing here prints an unmasked ID number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kiosk.cli import CliContext, fail, pass_ctx

DEFAULT_DB = "run/platform/platform.sqlite3"
STATUSES = ["submitted", "accepted", "in_review", "correction_requested", "approved", "rejected",
            "certificate_issued", "collected"]

db_option = click.option("--db", "db", envvar="KIOSK_PLATFORM_DB", default=DEFAULT_DB,
                         show_default=True, type=click.Path(dir_okay=False),
                         help="The platform's SQLite database (made on first use).")


def _store(db: str) -> Any:
    from kiosk.refplatform.store import Store

    try:
        return Store(db)
    except Exception as exc:  # sqlite3.DatabaseError, OSError
        fail(f"cannot open the platform database {db}: {exc}")


def _line(app: dict[str, Any]) -> str:
    fee = f"{app['fee_fen'] / 100:.2f} yuan {'paid' if app['paid'] else 'unpaid'}" \
        if app["fee_fen"] else "free"
    return (f"{app['receipt_no']}  {app['status']:<20} {app['service_id']:<28} "
            f"{app['applicant_masked']}  {fee}  due {app['due_date'] or '-'}")


@click.group("platform")
def platform_group() -> None:
    """The reference government service platform (a real HTTP service of the whole contract)."""


@platform_group.command("serve")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8443, show_default=True, type=int)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), default=None,
              help="PEM certificate (chain); with --tls-key serves HTTPS.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), default=None)
@click.option("--validate-responses", is_flag=True,
              help="Hold every answer to the contract (a violation answers 500).")
@click.option("--fleet-repo", type=click.Path(exists=True, file_okay=False), default=None,
              help="A fleet repository (kiosk fleet init): its public files at /fleet/.")
@click.option("--card-issuer-root", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The smart-card issuer's root certificate (PEM): card holders may then "
                   "prove themselves by the card's PIN.")
@click.option("--allow-sessionless", is_flag=True,
              help="Also serve terminals of contract 1.0 that send no citizen session (a "
                   "migration aid: any terminal credential then reaches every citizen's data).")
@click.option("--console-url", envvar="KIOSK_CONSOLE_URL", default=None,
              help="Feed the operations console's store (sqlite:///… or postgresql+psycopg://…).")
@click.option("--console-port", type=int, default=None,
              help="Also serve the operations console on this port (needs --console-url).")
@click.option("--console-settings", type=click.Path(exists=True, dir_okay=False), default=None,
              help="The console's [console] settings (TOML): offline rule, history, sessions.")
@pass_ctx
def serve_cmd(ctx: CliContext, db: str, host: str, port: int, tls_cert: str | None,
              tls_key: str | None, validate_responses: bool, fleet_repo: str | None,
              card_issuer_root: str | None, allow_sessionless: bool, console_url: str | None,
              console_port: int | None, console_settings: str | None) -> None:
    """Serve the platform API at /api/v1 until interrupted (and the console beside it)."""
    from kiosk.refplatform.server import serve

    if bool(tls_cert) != bool(tls_key):
        fail("--tls-cert and --tls-key go together")
    scheme = "https" if tls_cert else "http"
    _store(db)
    sink = None
    if console_port is not None and not console_url:
        fail("--console-port needs --console-url")
    if console_url:
        from kiosk.console.alert_loop import AlertSettings
        from kiosk.console.beside import console_parts, secret_key
        from kiosk.console.config import ConsoleConfig
        from kiosk.console.server import start_in_thread

        config = ConsoleConfig.load(console_settings)
        parts = console_parts(console_url, platform_db=db, config=config,
                              alerts=AlertSettings.load(console_settings,
                                                        config.heartbeat_interval_s),
                              key=secret_key(Path(db).parent / "console-secret.key"),
                              command_key_file=Path(db).parent / "console-command-key.pem")
        sink = parts.sink
        if console_port is not None:
            handle = start_in_thread(parts.app, host, console_port)
            click.echo(f"console: {handle.url}/", err=True)
    click.echo(f"platform: {scheme}://{host}:{port}/api/v1 (database {db})", err=True)
    try:
        serve(db, host, port, tls_cert, tls_key, validate_responses=validate_responses,
              console_sink=sink,
              fleet_dir=Path(fleet_repo) / "public" if fleet_repo else None,
              require_citizen_session=not allow_sessionless,
              card_issuer_root=Path(card_issuer_root).read_bytes() if card_issuer_root else None)
    except OSError as exc:
        fail(f"cannot serve on {host}:{port}: {exc}")
    except KeyboardInterrupt:
        pass


@platform_group.command("enrol")
@db_option
@click.argument("kiosk_id")
@pass_ctx
def enrol_cmd(ctx: CliContext, db: str, kiosk_id: str) -> None:
    """Make a terminal's credential (replacing any old one). It is shown once, never stored."""
    from kiosk.refplatform.auth import EnrolError, enrol

    try:
        credential = enrol(_store(db), kiosk_id)
    except EnrolError as exc:
        fail(str(exc))
    ctx.emit({"kiosk_id": kiosk_id, "credential": credential},
             f"kiosk {kiosk_id} enrolled; its credential (shown once, keep it in the terminal's "
             f"credential file, mode 0600):\n{credential}")


@platform_group.command("advance")
@db_option
@click.argument("receipt_no")
@click.argument("action", type=click.Choice(["accept", "review", "correct", "approve", "reject"]))
@click.option("--reason", default=None, help="Shown to the citizen (needed by correct and reject).")
@click.option("--material", "materials", multiple=True,
              help="With correct: a material id to hand in again (repeatable; none = any).")
@pass_ctx
def advance_cmd(ctx: CliContext, db: str, receipt_no: str, action: str, reason: str | None,
                materials: tuple[str, ...]) -> None:
    """Move an application one step: accept, review, correct, approve (issues the certificate) or
    reject."""
    from kiosk.refplatform.operator import OperatorError, advance

    try:
        app = advance(_store(db), receipt_no, action, reason=reason, materials=materials)
    except OperatorError as exc:
        fail(str(exc))
    last = app["timeline"][-1]
    ctx.emit(app, f"{_line(app)}\n  {last['at']} {last['status']}: {last.get('note', '')}"
             + (f"\n  certificates: {', '.join(app['certificate_ids'])}"
                if app["certificate_ids"] else ""))


@platform_group.command("pay")
@db_option
@click.argument("payment_id")
@pass_ctx
def pay_cmd(ctx: CliContext, db: str, payment_id: str) -> None:
    """Mark a payment paid, as the payment provider's confirmation would."""
    from kiosk.refplatform.operator import OperatorError, mark_paid

    try:
        payment = mark_paid(_store(db), payment_id)
    except OperatorError as exc:
        fail(str(exc))
    except Exception as exc:
        fail(f"cannot mark {payment_id} paid: {getattr(exc, 'detail', '') or exc}")
    ctx.emit(payment, f"{payment_id}: {payment['status']} at {payment['paid_at']} "
             f"({payment['amount_fen'] / 100:.2f} yuan for {payment['receipt_no']})")


@platform_group.command("applications")
@db_option
@click.option("--status", type=click.Choice(STATUSES), default=None)
@pass_ctx
def applications_cmd(ctx: CliContext, db: str, status: str | None) -> None:
    """Applications, newest first (applicants masked)."""
    from kiosk.refplatform.operator import list_applications

    items = list_applications(_store(db), status)
    ctx.emit(items, "\n".join(_line(a) for a in items) if items else "no applications")


@platform_group.command("payments")
@db_option
@click.option("--receipt", "receipt_no", default=None, help="Only this application's payments.")
@pass_ctx
def payments_cmd(ctx: CliContext, db: str, receipt_no: str | None) -> None:
    """Payments, newest first, to find the one to mark paid."""
    from kiosk.refplatform.operator import list_payments

    items = list_payments(_store(db), receipt_no)
    ctx.emit(items, "\n".join(f"{p['payment_id']}  {p['status']:<9} {p['receipt_no']}  "
                              f"{p['amount_fen'] / 100:.2f} yuan" for p in items)
             if items else "no payments")


def _help_line(item: dict[str, Any]) -> str:
    where = item["screen"] + (f" ({item['journey']} {item['step']}/{item['steps']})"
                              if item.get("journey") and item.get("step") else "")
    answered = (f"  by {item['acknowledged_by']} at {item['acknowledged_at']}"
                if item.get("acknowledged_by") else "")
    return (f"{item['help_request_id']}  {item['status']:<12} {item['kiosk_id']:<12} "
            f"{item['raised_at']}  {where}{answered}")


@platform_group.group("help")
def help_group() -> None:
    """Citizens' calls for staff (呼叫工作人员): list them, acknowledge one (the terminal tells
    the citizen someone is coming), close it when they were helped."""


@help_group.command("list")
@db_option
@click.option("--status", type=click.Choice(["open", "acknowledged", "closed"]), default=None)
@click.option("--kiosk", "kiosk_id", default=None, help="Only this terminal's requests.")
@pass_ctx
def help_list_cmd(ctx: CliContext, db: str, status: str | None, kiosk_id: str | None) -> None:
    """Every terminal's help requests, oldest first (where the citizen is, never who)."""
    from kiosk.refplatform.operator import list_help_requests

    items = list_help_requests(_store(db), status, kiosk_id)
    ctx.emit(items, "\n".join(_help_line(i) for i in items) if items else "no help requests")


def _help_step(ctx: CliContext, db: str, help_request_id: str, staff_id: str,
               step: Any) -> None:
    from kiosk.refplatform.operator import OperatorError

    try:
        item = step(_store(db), help_request_id, staff_id)
    except OperatorError as exc:
        fail(str(exc))
    ctx.emit(item, f"{help_request_id}: {item['status']}")


@help_group.command("ack")
@db_option
@click.argument("help_request_id")
@click.option("--staff", "staff_id", required=True, help="Who is on their way (staff id).")
@pass_ctx
def help_ack_cmd(ctx: CliContext, db: str, help_request_id: str, staff_id: str) -> None:
    """Someone is on their way: the terminal's dialog says so."""
    from kiosk.refplatform.operator import acknowledge_help

    _help_step(ctx, db, help_request_id, staff_id, acknowledge_help)


@help_group.command("close")
@db_option
@click.argument("help_request_id")
@click.option("--staff", "staff_id", required=True, help="Who helped (staff id).")
@pass_ctx
def help_close_cmd(ctx: CliContext, db: str, help_request_id: str, staff_id: str) -> None:
    """The citizen was helped (or left)."""
    from kiosk.refplatform.operator import close_help

    _help_step(ctx, db, help_request_id, staff_id, close_help)


@platform_group.command("test-ca")
@click.argument("directory", type=click.Path(file_okay=False))
@pass_ctx
def test_ca_cmd(ctx: CliContext, directory: str) -> None:
    """Write a throw-away CA and a server certificate for 127.0.0.1/localhost (demo, tests)."""
    from kiosk.refplatform.tls import make_test_ca

    ca, cert, key = make_test_ca(Path(directory))
    ctx.emit({"ca": str(ca), "cert": str(cert), "key": str(key)},
             f"CA (give it to the kiosk as platform.ca_bundle): {ca}\n"
             f"serve with: --tls-cert {cert} --tls-key {key}")
