"""`kiosk admin hash-pin|status|unlock`: set up and look after the staff PIN.

The PIN is read from the terminal (twice, unechoed) or from stdin, never from the command line,
where it would stay in the shell history and in every process listing.
"""

from __future__ import annotations

import getpass
import sys

import click

from kiosk.admin.from_config import pin_gate, pin_state_path
from kiosk.admin.pin import PinError, hash_pin
from kiosk.audit import AuditError, open_trail
from kiosk.cli import CliContext, fail, pass_ctx


@click.group("admin")
def admin_group() -> None:
    """Staff access: the admin PIN and its lockout."""


def _read_pin() -> str:
    if sys.stdin.isatty():
        pin = getpass.getpass("New admin PIN: ")
        if getpass.getpass("Again: ") != pin:
            fail("the two PINs differ")
        return pin
    return sys.stdin.readline().rstrip("\r\n")


@admin_group.command("hash-pin")
@pass_ctx
def hash_pin_command(ctx: CliContext) -> None:
    """Read a new PIN (tty or stdin) and print its argon2id hash for `[admin] pin_hash`."""
    try:
        hashed = hash_pin(_read_pin())
    except PinError as exc:
        fail(str(exc))
    ctx.emit({"pin_hash": hashed},
             f'# under [admin] in the site file (only the hash: the PIN is not recoverable)\n'
             f'pin_hash = "{hashed}"')


@admin_group.command("status")
@pass_ctx
def status(ctx: CliContext) -> None:
    """Whether a PIN is set and whether the PIN pad is locked out now."""
    gate = pin_gate(ctx.loaded.config)
    state = gate.status()
    data = {"configured": gate.configured, "failures": state.failures,
            "locked": state.locked, "retry_after_s": round(state.retry_after_s)}
    ctx.emit(data, ("PIN set" if gate.configured else "no PIN set: the admin screen is closed")
             + f"; {state.failures} wrong PIN(s) in a row"
             + (f"; locked for {round(state.retry_after_s)} s more" if state.locked else ""))


@admin_group.command("unlock")
@click.option("--staff", required=True, help="Your staff id (kept in the audit trail).")
@pass_ctx
def unlock(ctx: CliContext, staff: str) -> None:
    """Clear the lockout (for a technician at the terminal's shell). Audited."""
    config = ctx.loaded.config
    try:
        with open_trail(config) as trail:
            trail.append("staff", staff, "admin.unlock_pin")
    except (AuditError, ValueError) as exc:
        fail(f"not unlocked: the audit trail refused it: {exc}")
    pin_state_path(config).unlink(missing_ok=True)
    ctx.emit({"unlocked": True}, "PIN pad unlocked")
