"""The headless demo: Xvfb → emulators and platform → the app → a scripted citizen.

Every touch goes through the app's UI driver (Kivy's input dispatch, as a finger's), every
device event comes from an emulator through the real OS interface. What the citizen saw is
written to the output folder: `NN-<screen>.png` per screen, `receipt-NN.png` per printed job.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.demo.app_process import ROOT, AppProcess
from kiosk.demo.console_login import console_login
from kiosk.demo.script import (Certificate, Control, OnBoard, Pause, Receipts, Screen, Shot, Step, Tap, TextedCode,
                               Type, WaitFor, keys)
from kiosk.demo.xvfb import SIZE, Xvfb
from kiosk.devices.registry import AREAS
from kiosk.sim import Simulation


class DemoFailed(Exception):
    """A step did not happen; carries the app's log tail (the app masks personal data)."""

    def __init__(self, message: str, log_tail: str = "") -> None:
        super().__init__(message)
        self.log_tail = log_tail


@dataclass
class Player:
    """Plays steps against one running app and simulation, writing pictures into `out`."""

    app: AppProcess
    sim: Simulation
    out: Path
    say: Callable[[str], None] = lambda _line: None
    screenshots: list[Path] = field(default_factory=list)
    receipts: list[Path] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)  # A4 pages, as PNG

    def play(self, script: Sequence[Step]) -> None:
        for number, step in enumerate(script, 1):
            try:
                self.step(step)
            except Exception as exc:
                try:
                    self.shoot("failed")
                except Exception:
                    pass  # the app may be gone; the log says why
                raise DemoFailed(f"step {number} of {len(script)} ({step}) failed: {exc}",
                                 self.app.app_log()) from exc
        self.collect_receipts()

    def step(self, step: Step) -> None:
        if isinstance(step, Tap):
            self.tap(step.kid)
        elif isinstance(step, Screen):
            self.app.wait_for(lambda s: s.get("screen") == step.name and _idle(s)
                              and (not step.kid or bool(_find(step.kid, s))), step.timeout_s)
            if step.shot:
                self.settle()
                self.shoot(step.label)
        elif isinstance(step, WaitFor):
            self.app.wait_for(lambda s: all(s.get(k) == v for k, v in step.values.items())
                              and (not step.kid or bool(_find(step.kid, s)))
                              and (not step.text or any(step.text in t
                                                        for t in s.get("texts", ()))),
                              step.timeout_s)
        elif isinstance(step, Shot):
            self.settle()
            self.shoot(step.label)
        elif isinstance(step, Control):
            self.sim.control(step.emulator, step.command, _resolve(step.args))
        elif isinstance(step, Type):
            self.tap(f"field_{step.field_name}")
            for char, kid in zip(step.text, keys(step.text)):
                if kid not in self.app.state().get("kids", ()):
                    self.tap("kb_mode_digits" if char.isdigit() else "kb_mode_letters")
                self.tap(kid)
            self.tap("key_done")
        elif isinstance(step, TextedCode):
            for digit in self.sim.control("platform", "last_code", {}):
                self.tap(f"code_{digit}")
            self.tap("code_ok")
        elif isinstance(step, Receipts):
            deadline = time.monotonic() + step.timeout_s
            while len(self.printed()) < step.count:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(self.printed())} of {step.count} jobs printed")
                time.sleep(0.1)
            self.collect_receipts()
        elif isinstance(step, Certificate):
            if "page_printer" in self.sim.emulators:
                self.wait_for_pages(1, step.timeout_s)
            else:
                self.step(Receipts(step.receipts, step.timeout_s))
        elif isinstance(step, OnBoard):
            self.wait_on_board(step)
        elif isinstance(step, Pause):
            time.sleep(step.seconds)
        else:
            raise TypeError(f"not a demo step: {step!r}")

    def tap(self, kid: str, timeout_s: float = 10.0) -> None:
        """Touch `kid` once it is on screen and nothing is loading (a screen that is still
        loading its data shows "busy" and disables its buttons: a touch would be lost). Returns
        when the release was handled and drawn: one finger, one touch at a time (a touch that
        lands while the last one is still down may hit a widget that just moved)."""
        state = self.app.wait_for(lambda s: bool(_find(kid, s)) and _idle(s), timeout_s)
        self.app.tap(_find(kid, state), wait_drawn=True)

    def wait_on_board(self, step: OnBoard) -> None:
        deadline = time.monotonic() + step.timeout_s
        while True:
            rows = self.sim.control("platform", "console_board", {})
            if any((not step.problem or step.problem in r["problems"])
                   and (not step.help_waiting or r["help_waiting"]) for r in rows):
                self.say(f"console board: {rows}")
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the console's board never showed {step}: {rows}")
            time.sleep(0.5)

    def settle(self, quiet_s: float = 0.3, timeout_s: float = 5.0) -> None:
        """Wait until the last release was drawn and no frame was drawn for `quiet_s`, so the
        picture shows the screen, not a half-pressed button."""
        time.sleep(0.15)  # a tap's release comes 0.1 s after the touch
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            last = self.app.state().get("frames", {}).get("last_s")
            if last is None or last >= quiet_s:
                return
            time.sleep(quiet_s - last + 0.02)

    def shoot(self, label: str = "") -> Path:
        screen = self.app.state().get("screen") or "screen"
        name = f"{len(self.screenshots) + 1:02d}-{screen}{'-' + label if label else ''}.png"
        path = self.app.screenshot((self.out / name).resolve())
        self.screenshots.append(path)
        self.say(f"  {name}")
        return path

    def printed(self) -> list[Path]:
        if "printer" not in self.sim.emulators:
            return []
        return [Path(p) for p in self.sim.control("printer", "jobs", {})]

    def wait_for_pages(self, count: int, timeout_s: float) -> None:
        """Until `count` A4 jobs completed whole; each new page saved as a PNG (pdftoppm)."""
        emulator = self.sim.emulators["page_printer"]
        deadline = time.monotonic() + timeout_s
        while True:
            done = [j for j in emulator.printed() if j["outcome"] == "completed"]
            if len(done) >= count:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(done)} of {count} A4 jobs printed")
            time.sleep(0.1)
        for job in done[len(self.pages):]:
            stem = self.out / f"certificate-a4-{len(self.pages) + 1:02d}"
            subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", "-singlefile",
                            str(emulator.spooled(job["job_id"])), str(stem)],
                           check=True, capture_output=True, timeout=60)
            self.pages.append(stem.with_suffix(".png"))
            self.say(f"  {stem.name}.png")

    def collect_receipts(self) -> None:
        for job in self.printed()[len(self.receipts):]:
            target = self.out / f"receipt-{len(self.receipts) + 1:02d}.png"
            shutil.copyfile(job, target)
            self.receipts.append(target)
            self.say(f"  {target.name}")


def _idle(state: dict[str, Any]) -> bool:
    """Nothing loading: a journey screen at work shows "busy" and disables its buttons."""
    return "busy" not in state.get("kids", ())


def _find(kid: str, state: dict[str, Any]) -> str:
    """The kid on screen that `kid` names ("" if none): itself, or for `prefix*` the first
    (sorted) one starting with prefix."""
    kids = state.get("kids", ())
    if not kid.endswith("*"):
        return kid if kid in kids else ""
    return next((k for k in sorted(kids) if k.startswith(kid[:-1])), "")


def _resolve(args: dict[str, Any]) -> dict[str, Any]:
    return {k: str(ROOT / v.removeprefix("<ROOT>/"))
            if isinstance(v, str) and v.startswith("<ROOT>/") else v for k, v in args.items()}


@dataclass
class DemoResult:
    out: Path
    screenshots: list[Path]
    receipts: list[Path]
    seconds: float
    pages: list[Path] = field(default_factory=list)  # A4 certificates, as PNG


def run_headless(out: Path, script: Sequence[Step], areas: tuple[str, ...] = AREAS,
                 platform: bool = True, size: tuple[int, int] = SIZE,
                 say: Callable[[str], None] = lambda _line: None) -> DemoResult:
    """Play `script` under a private Xvfb against fresh emulators; raise DemoFailed on a step
    that did not happen. The emulators' and app's working files go to `out/run/`."""
    t0 = time.monotonic()
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = out / "run"
    if work.exists():
        shutil.rmtree(work)  # a fresh platform database and outbox each time
    for stale in [*out.glob("[0-9][0-9]-*.png"), *out.glob("receipt-*.png"),
                  *out.glob("certificate-a4-*.png")]:
        stale.unlink()  # pictures of an earlier run would pass for this one's
    say(f"starting Xvfb, {len(areas)} emulator areas{' and the platform' if platform else ''}")
    with Xvfb(size) as xvfb, Simulation(work / "sim", areas, platform=platform) as sim:
        if platform:
            say(console_login(sim))
        app = AppProcess(work / "app", xvfb, site_file=sim.site_config_path, size=size,
                         supervise=True)
        try:
            try:
                app.start()
            except RuntimeError as exc:
                raise DemoFailed("the app did not start", str(exc)) from exc
            say(f"app ready in {app.started_s:.1f} s; playing {len(script)} steps")
            player = Player(app, sim, out, say)
            player.play(script)
        finally:
            app.stop()
    return DemoResult(out, player.screenshots, player.receipts, time.monotonic() - t0,
                      player.pages)
