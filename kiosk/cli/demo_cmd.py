"""`kiosk demo`: the app on the emulators and the reference platform.

With no display (a fresh server) it plays a scripted citizen under a private Xvfb and names
the folder of screenshots and receipts at the end; with a display it opens the app and a
control panel for the emulators.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from kiosk.cli import CliContext, fail
from kiosk.devices.registry import AREAS

DEFAULT_OUT = Path("run/demo")


@click.command("demo")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for screenshots and receipts (default run/demo/<time>).")
@click.option("--headless/--display", default=None,
              help="Scripted under Xvfb, or the app and a control panel on $DISPLAY "
                   "(default: headless when $DISPLAY is unset).")
@click.option("--script", "script_name", type=click.Choice(["full", "apply", "shell"]),
              default="full", show_default=True,
              help="Headless: every journey (apply, then progress, rate, book, pay, collect), "
                   "the apply journey alone, or the shell.")
@click.option("--area", "areas", multiple=True, type=click.Choice(AREAS),
              help="Only these device areas (default: all).")
@click.option("--platform/--no-platform", default=True, show_default=True)
@click.pass_obj
def demo_command(ctx: CliContext, out: Path | None, headless: bool | None, script_name: str,
                 areas: tuple[str, ...], platform: bool) -> None:
    """Run the citizen app against every emulator and the reference platform."""
    from kiosk.demo.runner import DemoFailed, run_headless
    from kiosk.demo.script import SCRIPTS

    if headless is None:
        headless = not os.environ.get("DISPLAY")
    out = out or DEFAULT_OUT / time.strftime("%Y%m%d-%H%M%S")
    if not headless:
        from kiosk.demo.panel import run_with_display

        try:
            raise SystemExit(run_with_display(out, areas or AREAS, platform, say=click.echo))
        except RuntimeError as exc:
            fail(str(exc))
    try:
        result = run_headless(out, SCRIPTS[script_name], areas or AREAS, platform,
                              say=lambda line: click.echo(line, err=True))
    except DemoFailed as exc:
        click.echo(f"--- the app's log (last lines) ---\n{exc.log_tail}", err=True)
        fail(f"demo stopped: {exc}\npictures so far are in {out.resolve()}")
    ctx.emit({"out": str(result.out), "screenshots": [str(p) for p in result.screenshots],
              "receipts": [str(p) for p in result.receipts],
              "a4_pages": [str(p) for p in result.pages], "seconds": round(result.seconds, 1)},
             f"{len(result.screenshots)} screenshots, {len(result.receipts)} receipts and "
             f"{len(result.pages)} A4 page(s) in {result.seconds:.0f} s:\n{result.out}")
