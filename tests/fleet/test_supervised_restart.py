"""The restart a fleet layer needs, with real processes: `kiosk.fleet.supervise` starts the
kiosk process again when it exits to take a new layer (or dies), as systemd's Restart=always
does on a terminal, and stops with it on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomli_w

from kiosk.fleet.scopes import parse_scope
from kiosk.fleet.supervise import RESTART_EXIT_CODE
from kiosk.sim import Simulation
from tests.support import wait_until

ROOT = Path(__file__).resolve().parents[2]
SUPERVISE = [sys.executable, "-m", "kiosk.fleet.supervise", "--restart-delay", "0.1"]


def _lives(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_restarted_after_a_restart_request_and_a_crash_stopped_by_sigterm(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    child = (f"import pathlib, sys, time; p = pathlib.Path({str(starts)!r}); "
             "n = len(p.read_text()) if p.exists() else 0; p.write_text('x' * (n + 1)); "
             f"sys.exit({RESTART_EXIT_CODE} if n == 0 else 3 if n == 1 else time.sleep(60))")
    proc = subprocess.Popen([*SUPERVISE, "--", sys.executable, "-c", child], cwd=ROOT,
                            stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: starts.exists() and len(starts.read_text()) == 3, timeout=20)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 128 + signal.SIGTERM  # the child's end, passed on
    finally:
        proc.kill()
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert "to take a new configuration" in err and "after a crash" in err


def test_gives_up_on_a_crash_loop(tmp_path: Path) -> None:
    done = subprocess.run([*SUPERVISE, "--burst", "3", "--", sys.executable, "-c",
                           "raise SystemExit(4)"], cwd=ROOT, capture_output=True, timeout=30)
    assert done.returncode == 1 and done.stderr.count(b"after a crash") == 2


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulation]:
    with Simulation(tmp_path / "sim", areas=("printer",)) as s:
        yield s


def test_a_published_layer_is_running_after_a_supervised_restart(sim: Simulation,
                                                                 tmp_path: Path) -> None:
    """Two processes as on a terminal: the updater (`kiosk fleet run`) and the supervised
    terminal; they meet only through the fleet directory and the UI's report."""
    lives = tmp_path / "lives.jsonl"
    site = tmp_path / "site.toml"
    config = tomllib.loads(sim.site_config_path.read_text())
    config["fleet"].update(poll_interval_s=10.0, jitter_s=0.0)  # the shortest allowed
    site.write_text(tomli_w.dumps(config))
    proc = subprocess.Popen([*SUPERVISE, "--", sys.executable, "-m", "tests.fleet.child_terminal",
                             str(site), str(lives)], cwd=ROOT)
    updater = subprocess.Popen([sys.executable, "-m", "kiosk.cli.entry", "--config", str(site),
                                "fleet", "run"], cwd=ROOT)
    try:
        assert wait_until(lambda: len(_lives(lives)) == 1, timeout=30)
        sim.emulators["platform"].fleet.publish(parse_scope("ring:demo"),
                                                b"[session]\nidle_timeout_s = 75.0\n")
        assert wait_until(lambda: len(_lives(lives)) == 2, timeout=45)
        first, second = _lives(lives)
        assert first["pid"] != second["pid"]
        assert second["idle_timeout_s"] == 75.0 != first["idle_timeout_s"]
        fleet = sim.run_dir / "data" / "fleet"
        assert wait_until(lambda: not (fleet / "trial.json").exists(), timeout=15)
        state = json.loads((fleet / "state.json").read_text())
        assert state["applied"]["version"] == 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        assert len(_lives(lives)) == 2  # kept: no rollback restart
        updater.send_signal(signal.SIGTERM)
        assert updater.wait(20) == 0
    finally:
        proc.kill()
        updater.kill()
