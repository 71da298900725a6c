"""`kiosk doctor`: every configured device and the platform, as a table (or --json)."""

from __future__ import annotations

import click

from kiosk import doctor
from kiosk.cli import CliContext, pass_ctx


@click.command("doctor")
@click.option("--settle", default=6.0, show_default=True, help="Seconds to let devices come up.")
@pass_ctx
def doctor_command(ctx: CliContext, settle: float) -> None:
    """Status of every enabled device and of the platform. Exit 1 unless all devices are online."""
    config = ctx.loaded.config
    devices = doctor.check_devices(config, settle_s=settle)
    platform = doctor.check_platform(config)
    ctx.emit(doctor.as_dict(devices, platform), doctor.as_table(devices, platform))
    if not all(r.ok for r in devices):
        raise SystemExit(1)
