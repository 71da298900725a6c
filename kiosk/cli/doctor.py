"""`kiosk doctor`: every configured device and the platform, as a table (or --json)."""

from __future__ import annotations

import click

from kiosk import doctor
from kiosk.cli import CliContext, pass_ctx
from kiosk.config import KioskConfig


@click.command("doctor")
@click.option("--settle", default=6.0, show_default=True, help="Seconds to let devices come up.")
@pass_ctx
def doctor_command(ctx: CliContext, settle: float) -> None:
    """Status of every enabled device, the platform, the outbox and the install. Exit 1 unless
    all devices are online, the platform (when reachable) accepts this terminal, and a
    production install has no virtual card reader."""
    if not report(ctx, ctx.loaded.config, settle):
        raise SystemExit(1)


def report(ctx: CliContext, config: KioskConfig, settle: float = 6.0) -> bool:
    """Print the status of every device, the platform and the outbox; True when all is well."""
    devices = doctor.check_devices(config, settle_s=settle)
    platform = doctor.check_platform(config)
    outbox = doctor.check_outbox(config)
    install = doctor.check_production(config)
    ctx.emit(doctor.as_dict(devices, platform, outbox, install),
             doctor.as_table(devices, platform, outbox, install))
    return all(r.ok for r in devices) and platform.ok and install.ok
