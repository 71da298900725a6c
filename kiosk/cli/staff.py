"""Staff attribution on the command line: the commands that wipe, unmask or copy out citizens'
data take `--staff ID --reason TEXT` and write both to the audit trail before they act.

The CLI runs as root or ops over ssh: the OS account authenticates the person, the staff id
and the reason attribute the act. A trail that refuses the entry (a malformed staff id, no
trail) stops the command: nothing is done unaudited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kiosk.audit import AuditError, open_trail
from kiosk.cli import CliContext, fail

F = TypeVar("F", bound=Callable[..., Any])


def staff_options(required: bool = True) -> Callable[[F], F]:
    """`--staff` and `--reason` (required unless the command checks them itself)."""
    def decorate(command: F) -> F:
        command = click.option("--reason", required=required,
                               help="Why (kept in the audit trail; no personal data).")(command)
        return click.option("--staff", required=required,
                            help="Your staff id (kept in the audit trail).")(command)
    return decorate


def audited(ctx: CliContext, staff: str | None, reason: str | None, action: str, *,
            create: bool = True, **details: Any) -> None:
    """Append `action` by `staff` with `reason` to the trail, or stop the command
    (`create=False`: a trail that is not there is not made for this entry)."""
    reason = " ".join((reason or "").split())
    if not staff or not reason:
        fail(f"{action} needs --staff ID and --reason TEXT (both go into the audit trail)")
    try:
        with open_trail(ctx.loaded.config, create=create) as trail:
            trail.append("staff", str(staff), action, {"reason": reason[:200], **details})
    except (AuditError, ValueError, OSError) as exc:
        fail(f"not done: the audit trail refused the entry: {exc}")
