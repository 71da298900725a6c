"""The citizen app under a real X server (Xvfb, started here), driven through its UI driver."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import tomli_w

from tests.delivery.drill import free_port

ROOT = Path(__file__).resolve().parents[2]
DEVICE_SECTIONS = ("idcard", "smartcard", "qr_camera", "qr_serial", "doc_camera", "scanner",
                   "printer")
SIZE = (1920, 1080)


class Xvfb:
    """A private X server on a free display number; stopped with the test session."""

    def __init__(self, size: tuple[int, int] = SIZE) -> None:
        if shutil.which("Xvfb") is None:
            raise RuntimeError("Xvfb is not installed (setup.sh installs xvfb)")
        self.display = self._free_display()
        self.proc = subprocess.Popen(
            ["Xvfb", f":{self.display}", "-screen", "0", f"{size[0]}x{size[1]}x24",
             "-nolisten", "tcp", "-noreset"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        socket = Path(f"/tmp/.X11-unix/X{self.display}")
        deadline = time.monotonic() + 10
        while not socket.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb :{self.display} did not start")
            time.sleep(0.05)

    @staticmethod
    def _free_display() -> int:
        for n in range(90, 190):
            if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
                return n
        raise RuntimeError("no free X display number")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class KioskUi:
    """One running app process and the way to touch it."""

    run_dir: Path
    xvfb: Xvfb
    site: dict[str, Any] = field(default_factory=dict)
    site_file: Path | None = None  # e.g. the one `kiosk sim` writes; else built from `site`
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: Any = None  # the app's stdout/stderr file, open while it runs

    def start(self, timeout_s: float = 60.0) -> KioskUi:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        site_path = self.site_file
        if site_path is None:
            # No devices unless a test asks for them: the shell needs none.
            site = {"terminal": {"id": "UI-0001", "data_dir": str(self.run_dir / "data"),
                                 "run_dir": str(self.run_dir)},
                    "devices": {name: {"enabled": False} for name in DEVICE_SECTIONS},
                    **self.site}
            site_path = self.run_dir / "site.toml"
            site_path.write_text(tomli_w.dumps(site), encoding="utf-8")
        env = {**os.environ, "DISPLAY": f":{self.xvfb.display}"}
        self.log = (self.run_dir / "app.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "screens", "--config", str(site_path),
             "--size", f"{SIZE[0]}x{SIZE[1]}", "--ui-driver", str(self.port)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}:\n{self.app_log()}")
            try:
                if self.state().get("ready"):
                    return self
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not come up:\n{self.app_log()}")
            time.sleep(0.1)

    def app_log(self) -> str:
        return (self.run_dir / "app.log").read_text(errors="replace")[-4000:]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def state(self) -> dict[str, Any]:
        return requests.get(f"{self.url}/state", timeout=10).json()

    def command(self, name: str, **args: Any) -> dict[str, Any]:
        reply = requests.post(f"{self.url}/{name}", json=args, timeout=15)
        body = reply.json()
        if reply.status_code != 200:
            raise AssertionError(f"{name} {args}: HTTP {reply.status_code} {body}")
        return body

    def tap(self, kid: str) -> None:
        self.command("tap", kid=kid)

    def wait_for(self, predicate, timeout_s: float = 10.0) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.state()
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"screen never matched; last state {state}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        if self.log is not None:
            self.log.close()
