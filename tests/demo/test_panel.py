"""The demo's control panel (with a display): every button reaches a running emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kiosk.demo.app_process import ROOT
from kiosk.demo.panel import PANEL, buttons, press
from kiosk.demo.xvfb import Xvfb
from kiosk.sim import Simulation


def test_every_panel_button_names_a_real_control(tmp_path: Path) -> None:
    with Simulation(tmp_path / "sim", areas=("idcard", "printer"), platform=False) as sim:
        controls = {name: set(d["controls"]) for name, d in sim.describe()["emulators"].items()}
        shown = buttons(set(sim.emulators))
        assert [b.emulator for _, row in shown for b in row] == [
            "idcard", "idcard", "printer", "printer", "printer"]
        for _, row in shown:
            for button in row:
                assert button.command in controls[button.emulator]
                assert press(sim.control_url, button) == f"{button.label}: ok"
        assert "did not answer" in press("http://127.0.0.1:9", PANEL[0][1][0], timeout_s=2)


def test_the_panel_window_presses_every_button(tmp_path: Path) -> None:
    with Simulation(tmp_path / "sim", areas=("idcard", "printer"), platform=False) as sim, \
            Xvfb() as xvfb:
        done = subprocess.run(
            [sys.executable, "-m", "screens.panel", "--control", sim.control_url,
             "--emulators", ",".join(sim.emulators), "--press-all"],
            cwd=ROOT, env={**os.environ, **xvfb.env, "KIOSK_PANEL_HOME": str(tmp_path / "kivy")},
            capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stdout + done.stderr[-2000:]
        assert len(done.stdout.splitlines()) == 5
