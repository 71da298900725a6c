"""The demo with a display: the app window, and beside it a control panel for the emulators.

The panel (`python -m screens.panel --control URL`) is its own process with its own window,
so the app under demonstration is the unmodified app. Its buttons are the data below; each
posts to the simulation's loopback control endpoint, as `kiosk sim ctl` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from kiosk.demo.app_process import ROOT, AppProcess
from kiosk.demo.console_login import console_login
from kiosk.devices.registry import AREAS
from kiosk.sim import Simulation


@dataclass(frozen=True)
class PanelButton:
    label: str  # what the demonstrator reads (Chinese first, like the app)
    emulator: str
    command: str
    args: dict[str, Any] = field(default_factory=dict)


PANEL: list[tuple[str, list[PanelButton]]] = [
    ("身份证 ID card", [
        PanelButton("放卡 place card", "idcard", "place_card",
                    {"path": str(ROOT / "assets/cards/resident.json")}),
        PanelButton("取卡 remove card", "idcard", "remove_card"),
    ]),
    ("社保卡 smart card", [
        PanelButton("插卡 insert", "smartcard", "insert_card"),
        PanelButton("拔卡 remove", "smartcard", "remove_card"),
    ]),
    ("二维码 QR camera", [
        PanelButton("出示 show QR-DEMO-1", "qr_camera", "show_code", {"text": "QR-DEMO-1"}),
        PanelButton("移开 blank", "qr_camera", "blank"),
    ]),
    ("高拍仪 document camera", [
        PanelButton("放文件 place page", "doc_camera", "place_page"),
        PanelButton("取走 remove page", "doc_camera", "remove_page"),
    ]),
    ("打印机 printer", [
        PanelButton("缺纸 paper out", "printer", "paper_out"),
        PanelButton("开盖 cover open", "printer", "cover_open"),
        PanelButton("装纸 reload paper", "printer", "reload_paper"),
    ]),
    ("平台 platform", [
        PanelButton("断开 down", "platform", "down"),
        PanelButton("恢复 up", "platform", "up"),
        # staff answering the newest 呼叫工作人员: the citizen's dialog says someone is coming
        PanelButton("应答呼叫 acknowledge call", "platform", "help_ack"),
        PanelButton("结束呼叫 close call", "platform", "help_close"),
    ]),
]


def buttons(available: set[str] | None = None) -> list[tuple[str, list[PanelButton]]]:
    """The panel's rows, without emulators that are not running."""
    rows = [(title, [b for b in row if available is None or b.emulator in available])
            for title, row in PANEL]
    return [(title, row) for title, row in rows if row]


def press(control_url: str, button: PanelButton, timeout_s: float = 10.0) -> str:
    """Send one button's control; a short line saying what happened (never raises)."""
    try:
        reply = requests.post(f"{control_url}/{button.emulator}/{button.command}",
                              json=button.args, timeout=timeout_s)
        body = reply.json()
    except (requests.RequestException, ValueError) as exc:
        return f"{button.label}: the simulation did not answer ({type(exc).__name__})"
    if reply.status_code != 200:
        return f"{button.label}: {body.get('error', reply.status_code)}"
    return f"{button.label}: ok"


def run_with_display(run_dir: Path, areas: tuple[str, ...] = AREAS, platform: bool = True,
                     size: tuple[int, int] = (1280, 800),
                     say: Callable[[str], None] = lambda _line: None) -> int:
    """The app and the panel on $DISPLAY until the demonstrator closes the panel (or Ctrl-C).
    The app refuses to close, by design: the panel's window is the way out."""
    with Simulation(run_dir / "sim", areas, platform=platform) as sim:
        app = AppProcess(run_dir / "app", None, site_file=sim.site_config_path, size=size)
        app.start()
        say(f"app ready in {app.started_s:.1f} s (UI driver {app.url})")
        if platform:
            say(console_login(sim))
        log = (run_dir / "panel.log").open("wb")
        panel = subprocess.Popen(
            [sys.executable, "-m", "screens.panel", "--control", sim.control_url,
             "--left", str(size[0] + 10), "--emulators", ",".join(sim.emulators)],
            cwd=ROOT, env={**os.environ, "KIOSK_PANEL_HOME": str(run_dir / "panel-kivy")},
            stdout=log, stderr=subprocess.STDOUT)
        say("control panel open; close it (or Ctrl-C) to stop the demo")
        try:
            while panel.poll() is None and app.proc is not None and app.proc.poll() is None:
                time.sleep(0.3)
        except KeyboardInterrupt:
            pass
        finally:
            if panel.poll() is None:
                panel.terminate()
                try:
                    panel.wait(5)
                except subprocess.TimeoutExpired:
                    panel.kill()
            log.close()
            app.stop()
        return 0
