"""The citizen app as a child process, looked at and touched through its UI driver.

Used by the headless demo, the UI tests and the UI benchmarks alike, so the three drive the
app the same way: `python -m screens --ui-driver PORT` and loopback HTTP.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import requests
import tomli_w

from kiosk.demo.xvfb import SIZE, Xvfb

ROOT = Path(__file__).resolve().parents[2]
# The CJK faces extracted once for every app these start (each has a run directory of its own;
# extracting them costs 2-4 s a start)
FONT_CACHE = ROOT / "run" / "font-cache"
# python-escpos's parsed printer database, likewise (0.4 s each app that prints a QR code); one
# per pytest-xdist worker, since python-escpos writes it without a lock
ESCPOS_CACHE = ROOT / "run" / f"escpos-cache-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
DEVICE_SECTIONS = ("idcard", "smartcard", "qr_camera", "qr_serial", "doc_camera", "scanner",
                   "printer")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppProcess:
    """One running app process and the way to touch it.

    `xvfb=None` draws on the caller's $DISPLAY (the demo with a display).
    """

    run_dir: Path
    xvfb: Xvfb | None
    site: dict[str, Any] = field(default_factory=dict)
    site_file: Path | None = None  # e.g. the one `kiosk sim` writes; else built from `site`
    port: int = field(default_factory=free_port)
    size: tuple[int, int] = SIZE
    proc: subprocess.Popen[bytes] | None = None
    log: Any = None  # the app's stdout/stderr file, open while it runs
    started_s: float | None = None  # seconds from spawn to the UI driver answering "ready"
    supervise: bool = False  # restart the app when it asks (fleet update) or crashes
    # With `supervise` and [fleet] on: the fleet updater beside the app, as kiosk-fleet.service
    updater: subprocess.Popen[bytes] | None = None
    log_from: int = 0  # app_log() reads from here: what the app wrote since the last reset()

    def start(self, timeout_s: float = 60.0) -> AppProcess:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        site_path = self.site_file
        if site_path is None:
            # No devices unless a caller asks for them: the shell needs none.
            site = {"terminal": {"id": "UI-0001", "data_dir": str(self.run_dir / "data"),
                                 "run_dir": str(self.run_dir), "daily_restart_at": ""},
                    "devices": {name: {"enabled": False} for name in DEVICE_SECTIONS},
                    **self.site}
            site_path = self.run_dir / "site.toml"
            site_path.write_text(tomli_w.dumps(site), encoding="utf-8")
        ESCPOS_CACHE.mkdir(parents=True, exist_ok=True)
        env = {"KIOSK_FONT_CACHE": str(FONT_CACHE),
               "ESCPOS_CAPABILITIES_PICKLE_DIR": str(ESCPOS_CACHE), **os.environ,
               **(self.xvfb.env if self.xvfb else {})}
        self.log = (self.run_dir / "app.log").open("wb")
        t0 = time.monotonic()
        # Supervised (the demo), a fleet update's restart brings the app back as systemd would;
        # unsupervised (tests), an app that exits or crashes fails at once.
        supervisor = [sys.executable, "-m", "kiosk.fleet.supervise", "--"] if self.supervise \
            else []
        self.proc = subprocess.Popen(
            [*supervisor, sys.executable, "-m", "screens", "--config", str(site_path),
             "--size", f"{self.size[0]}x{self.size[1]}", "--ui-driver", str(self.port)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        if self.supervise and _fleet_enabled(site_path):
            self.updater = subprocess.Popen(
                [sys.executable, "-m", "kiosk.cli.entry", "--config", str(site_path), "fleet",
                 "run"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = t0 + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}:\n{self.app_log()}")
            try:
                state = self.state()
                # the first frame comes before the devices and the platform link: a caller
                # touches a terminal that has them all (or has said why not)
                if state.get("ready") and state.get("started", True):
                    self.started_s = time.monotonic() - t0
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the app did not come up:\n{self.app_log()}")
            time.sleep(0.05)

    def app_log(self, chars: int = 4000) -> str:
        path = self.run_dir / "app.log"
        if not path.exists():
            return ""
        with path.open("rb") as log:
            log.seek(self.log_from)
            return log.read().decode(errors="replace")[-chars:]

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def reset(self, defaults: dict[str, Any] | None = None, timeout_s: float = 20.0) -> None:
        """Back to the attract loop with nobody's session, no dialog and the configured
        `defaults` (language, modes) in force, the log read from here on: the state a test
        starts from when one app serves several tests (starting one costs seconds)."""
        self.command("reset")
        want = {"screen": "attract", "dialog": None, **(defaults or {})}
        self.wait_for(lambda s: all(s.get(k) == v for k, v in want.items()), timeout_s)
        path = self.run_dir / "app.log"
        self.log_from = path.stat().st_size if path.exists() else 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def state(self) -> dict[str, Any]:
        return requests.get(f"{self.url}/state", timeout=10).json()

    def layout(self) -> list[list[Any]]:
        """Every widget of the current screen: [class, kid, x, y, width, height]."""
        return requests.get(f"{self.url}/layout", timeout=10).json()

    def modules(self) -> dict[str, list[str]]:
        """The modules the app had imported at its first frame and has now."""
        return requests.get(f"{self.url}/modules", timeout=10).json()

    def held(self) -> dict[str, list[str]]:
        """The texts every screen holds, on the glass or not."""
        return requests.get(f"{self.url}/held", timeout=10).json()

    def inspect(self) -> dict[str, Any]:
        """What is wrong on the glass now, and what can be pressed (screens.inspect)."""
        return requests.get(f"{self.url}/inspect", timeout=10).json()

    def command(self, name: str, **args: Any) -> dict[str, Any]:
        reply = requests.post(f"{self.url}/{name}", json=args, timeout=15)
        body = reply.json()
        if reply.status_code != 200:
            raise AssertionError(f"{name} {args}: HTTP {reply.status_code} {body}")
        return body

    def tap(self, kid: str, wait_drawn: bool = False,
            until: dict[str, Any] | None = None) -> dict[str, Any]:
        """Touch a widget; with `wait_drawn` the reply comes once the frame after the release
        (or, with `until`, the first frame showing e.g. {"screen": "home"}) was drawn, carrying
        how long that took."""
        if until:
            return self.command("tap", kid=kid, wait_drawn=True, until=until)
        return self.command("tap", kid=kid, wait_drawn=wait_drawn)

    def screenshot(self, path: Path) -> Path:
        self.command("screenshot", path=str(path))
        return path

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool],
                 timeout_s: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.state()
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"screen never matched; last state {_brief(state)}")
            time.sleep(0.05)

    def stop(self) -> None:
        for proc in (self.proc, self.updater):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        if self.log is not None:
            self.log.close()
            self.log = None


def _brief(state: dict[str, Any]) -> dict[str, Any]:
    """A state for an error message: where the app is, not what the citizen typed."""
    return {k: state.get(k) for k in ("screen", "kids", "language") if k in state}


KioskUi = AppProcess  # the name the UI tests know it by


def _fleet_enabled(site_path: Path) -> bool:
    try:
        return bool(tomllib.loads(site_path.read_text(encoding="utf-8"))
                    .get("fleet", {}).get("enabled"))
    except (OSError, ValueError):
        return False
