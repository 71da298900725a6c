"""`kiosk sim` (start every emulator) and `kiosk sim ctl` (steer a running one)."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Any

import click
import requests

from kiosk.cli import CliContext, fail
from kiosk.cli.doctor import report as doctor_report
from kiosk.config import ConfigError, load_layers
from kiosk.devices.registry import AREAS
from drivers.smartcard.emulator import DEMO_STAFF
from kiosk.sim import STATE_FILE, Simulation

DEFAULT_RUN_DIR = Path("run/sim")


@click.group("sim", invoke_without_command=True)
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_RUN_DIR, show_default=True,
              help="Where pty links, rendered jobs and the site config go.")
@click.option("--area", "areas", multiple=True, type=click.Choice(AREAS),
              help="Only these device areas (default: all).")
@click.option("--control-port", default=0, show_default=True, help="0 = any free port.")
@click.option("--platform/--no-platform", default=True, show_default=True,
              help="Also serve the reference platform (HTTPS, test CA) and enrol the terminal.")
@click.option("--doctor", "run_doctor", is_flag=True,
              help="Once started, run `kiosk doctor` against the emulators.")
@click.option("--once", is_flag=True, help="Exit after start (and --doctor) instead of serving.")
@click.pass_context
def sim_group(click_ctx: click.Context, run_dir: Path, areas: tuple[str, ...],
              control_port: int, platform: bool, run_doctor: bool, once: bool) -> None:
    """Start every device emulator and the reference platform, and print where they are."""
    if click_ctx.invoked_subcommand is not None:
        return
    ctx: CliContext = click_ctx.obj
    sim = Simulation(run_dir, areas or AREAS, control_port, platform)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        sim.start()
    except Exception as exc:
        fail(f"emulators did not start: {type(exc).__name__}: {exc}")
    rc = 0
    try:
        description = sim.describe()
        ctx.emit(description, _describe_text(description))
        if run_doctor:
            try:
                config = load_layers(sim.site_config_path).config
            except ConfigError as exc:
                fail("the simulation's site config was refused: " + "; ".join(exc.problems))
            if not ctx.as_json:
                click.echo()  # a blank line between the emulators and the status table
            rc = 0 if doctor_report(ctx, config) else 1
        if not once:
            click.echo("\nemulators running; steer them with `kiosk sim ctl EMULATOR CONTROL "
                       "[key=value ...]`; Ctrl-C stops.\nstaff: touch the four corners "
                       "(top-left, top-right, bottom-right, bottom-left) within 5 s, then a "
                       "staff card: `kiosk sim ctl smartcard insert_staff_card staff_id=S0001`"
                       f" (PIN {DEMO_STAFF['S0001'][2]}, this simulated staff issuer only).",
                       err=True)
            try:
                while not stop.wait(0.5):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        sim.stop()
    raise SystemExit(rc)


def _describe_text(d: dict[str, Any]) -> str:
    lines = ["EMULATOR      ENDPOINTS / CONTROLS"]
    for name, e in d["emulators"].items():
        ends = ", ".join(f"{k}={v}" for k, v in e["endpoints"].items())
        lines.append(f"{name:<13} {ends}")
        lines.append(f"{'':<13} controls: {', '.join(e['controls'])}")
    lines.append("")
    lines.append(f"site config   {d['site_config']}   (kiosk --config {d['site_config']} doctor)")
    lines.append(f"control       {d['control_url']}")
    return "\n".join(lines)


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


@sim_group.command("ctl")
@click.argument("emulator")
@click.argument("control")
@click.argument("params", nargs=-1)
@click.pass_context
def ctl(click_ctx: click.Context, emulator: str, control: str, params: tuple[str, ...]) -> None:
    """Steer a running emulator, e.g. `kiosk sim ctl printer paper_out`.

    PARAMS are key=value; values are JSON where they parse as JSON, else strings.
    """
    ctx: CliContext = click_ctx.obj
    run_dir: Path = click_ctx.parent.params["run_dir"] if click_ctx.parent else DEFAULT_RUN_DIR
    state = run_dir / STATE_FILE
    if not state.is_file():
        fail(f"no simulation is running with run dir {run_dir} (no {state})")
    url = json.loads(state.read_text())["control_url"]
    kwargs = {}
    for p in params:
        key, sep, value = p.partition("=")
        if not sep:
            fail(f"parameter {p!r} is not key=value")
        kwargs[key] = _parse_value(value)
    try:
        response = requests.post(f"{url}/{emulator}/{control}", json=kwargs, timeout=10)
    except requests.RequestException as exc:
        fail(f"the simulation at {url} did not answer: {type(exc).__name__}")
    body = response.json()
    if response.status_code != 200:
        fail(body.get("error", f"HTTP {response.status_code}"))
    result = body.get("result")
    ctx.emit(body, "ok" if result is None else json.dumps(result, ensure_ascii=False, default=str))
