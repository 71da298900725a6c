"""The citizen app's responsiveness under Xvfb. Run by hand (takes ~10 min with the soak):

    .venv/bin/python bench/ui_bench.py [cold] [tap] [stall] [soak] [--sessions 1000] [--runs 5]

- cold: process spawn → first frame drawn, the app (full emulator set and platform) against a
  bare Kivy window (a Label, same Kivy settings) in the same Xvfb, alternating, medians and
  ratio; plus the first touch → home drawn, so "to an interactive home" = the sum.
- tap: touch release → the next screen's content drawn (the UI driver answers once the first
  frame showing it is on the glass: a row of a list, a form's field), p50/p95 per tap, on home's
  switches and on every journey's screens (each list, a detail, guide, form, preview, slots) in
  normal and elder mode, with the p95 of the screen's first frame (a skeleton) beside it, and
  of its worker call (timed by the app: the platform's answer, and for a certificate preview
  the sheet's render) and of the content time less that call (the main loop's share: the
  skeleton, the wait for the loop and the fill); the floor is one frame at Kivy's 60 fps.
- stall: the main loop's longest gap between two clock ticks while the document camera's
  preview runs (the camera screen, reached through the demo's apply script) and the QR camera
  decodes a degraded code on its thread; the same on an idle home for comparison.
  Beside them, the floor: a bare Kivy window of the same size, cleared and redrawn (one changing
  label) every tick, and the same with a 640x480 texture uploaded every tick as the preview
  does, measured the same way: one software-rendered frame, below which no screen can go.
- soak: resident memory of the app every 100 sessions (ID card placed → greeted home → card
  removed → attract), the growth after the first 100 (warm-up) and from session 10 on.
At the end each figure is printed beside its floor (issue 16), with the ratio where there is one.
Xvfb, never SDL's offscreen driver: it never frees textures (PITFALLS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.demo.app_process import AppProcess  # noqa: E402
from kiosk.demo.runner import Player  # noqa: E402
from kiosk.demo.script import APPLY_JOURNEY, RESIDENT_CARD, SERVICE_ID, Screen  # noqa: E402
from kiosk.demo.xvfb import Xvfb  # noqa: E402
from kiosk.sim import Simulation  # noqa: E402
from tests.ui.explorer_walk import earlier_visits  # noqa: E402

BARE_WINDOW = r"""
import os, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from screens import environment
environment.prepare(Path({home!r}), 1920, 1080)
from kivy.app import App
from kivy.core.window import Window
from kivy.uix.label import Label
def first(*_a):
    print("FIRST", time.time(), int(open("/proc/self/statm").read().split()[1]) * 4096, flush=True)
    Window.unbind(on_flip=first)
    App.get_running_app().stop()
Window.bind(on_flip=first)
class Bare(App):
    def build(self):
        return Label(text="Touch the screen to begin", font_size=60)
Bare().run()
"""


BARE_FRAMES = r"""
import json, os, sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from screens import environment
environment.prepare(Path({home!r}), 1920, 1080)
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.uix.label import Label
PREVIEW = {preview!r}  # upload a 640x480 frame each tick, as the camera preview does
SECONDS = {seconds!r}
class Floor(App):
    def build(self):
        self.label = Label(text="0", font_size=60)
        Window.clearcolor = (0.96, 0.97, 0.98, 1)  # the least a frame can draw: clear + text
        with self.label.canvas.before:
            if PREVIEW:
                Color(1, 1, 1, 1)
                self.tex = Texture.create(size=(640, 480), colorfmt="rgb")
                self.frames = [bytes([n * 40 % 256]) * (640 * 480 * 3) for n in range(4)]
                Rectangle(texture=self.tex, pos=(640, 300), size=(640, 480))
        self.n, self.last, self.gaps, self.windows = 0, None, [], []
        Clock.schedule_interval(self.tick, 0)
        Clock.schedule_once(self.measure, 2.0)  # after the first frames and font loading
        return self.label
    def tick(self, _dt):
        now = time.perf_counter()
        if self.last is not None and self.windows is not None:
            self.gaps.append(now - self.last)
        self.last = now
        self.n += 1
        self.label.text = str(self.n)  # every tick changes what is drawn
        if PREVIEW:
            self.tex.blit_buffer(self.frames[self.n % 4], colorfmt="rgb", bufferfmt="ubyte")
            self.label.canvas.ask_update()
    def measure(self, _dt):
        self.gaps, self.windows = [], []
        Clock.schedule_interval(self.window, 1.0)
        Clock.schedule_once(self.done, SECONDS + 0.05)
    def window(self, _dt):
        self.windows.append(max(self.gaps, default=0.0) * 1000)
        self.gaps = []
    def done(self, _dt):
        print("FLOOR", json.dumps({{"max_ms": max(self.windows),
                                   "p50_of_1s_windows_ms": sorted(self.windows)[len(self.windows) // 2],
                                   "ticks_per_s": self.n / (SECONDS + 2.05)}}), flush=True)
        self.stop()
Floor().run()
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_app(work: Path, xvfb: Xvfb, sim: Simulation, name: str) -> AppProcess:
    return AppProcess(work / name, xvfb, site_file=sim.site_config_path).start(90)


# -- cold start ---------------------------------------------------------------------------------

def run_bare(xvfb: Xvfb, home: Path, source: str, marker: str, timeout_s: float) -> str:
    """Run a bare Kivy window's script in `home`, in the same Xvfb; what it printed after
    `marker`."""
    script = home.with_suffix(".py")  # Kivy's App exits with 1 under `python -c`
    script.write_text(source)
    out = subprocess.run([sys.executable, str(script)], env={**os.environ, **xvfb.env},
                         capture_output=True, text=True, timeout=timeout_s, cwd=ROOT)
    line = next(l for l in out.stdout.splitlines() if l.startswith(marker + " "))
    return line.split(" ", 1)[1]


def bare_window(xvfb: Xvfb, home: Path) -> tuple[float, float]:
    t0 = time.time()
    at, rss = run_bare(xvfb, home, BARE_WINDOW.format(root=str(ROOT), home=str(home)),
                       "FIRST", 120).split()
    return float(at) - t0, int(rss) / 2**20


def app_cold(xvfb: Xvfb, sim: Simulation, work: Path, n: int) -> tuple[float, float, float]:
    t0 = time.time()
    app = AppProcess(work / f"cold{n}", xvfb, site_file=sim.site_config_path)
    try:
        app.start(90)
        state = app.wait_for(lambda s: s["frames"]["first_wall"] is not None, 30)
        first = state["frames"]["first_wall"] - t0
        reply = app.tap("attract_text", wait_drawn=True)
        assert app.state()["screen"] == "home"
        assert app.proc is not None
        return first, reply["down_to_next_frame_ms"] / 1000, rss_mb(app.proc.pid)
    finally:
        app.stop()


def bench_cold(xvfb: Xvfb, sim: Simulation, work: Path, runs: int) -> dict:
    bare, app, home, bare_rss, app_rss = [], [], [], [], []
    bare_window(xvfb, work / "bare")  # warm the file cache for both alike
    app_cold(xvfb, sim, work, 0)
    for n in range(1, runs + 1):
        b, br = bare_window(xvfb, work / "bare")
        a, h, ar = app_cold(xvfb, sim, work, n)
        bare.append(b), bare_rss.append(br), app.append(a), home.append(h), app_rss.append(ar)
        print(f"  run {n}: bare {b * 1000:.0f} ms, app {a * 1000:.0f} ms + home {h * 1000:.0f} ms")
    result = {"bare_first_frame_ms": statistics.median(bare) * 1000,
              "app_first_frame_ms": statistics.median(app) * 1000,
              "touch_to_home_drawn_ms": statistics.median(home) * 1000,
              "app_to_interactive_home_ms": statistics.median(
                  [a + h for a, h in zip(app, home)]) * 1000,
              "bare_rss_mb": statistics.median(bare_rss),
              "app_rss_at_home_mb": statistics.median(app_rss), "runs": runs}
    result["ratio_first_frame"] = result["app_first_frame_ms"] / result["bare_first_frame_ms"]
    return result


# -- tap → drawn --------------------------------------------------------------------------------

ANONYMOUS_TAPS = [  # (kid, the state the next screen shows, which timing counts)
    ("attract_text", {"screen": "home"}, "down_to_next_frame_ms"),  # wakes on touch-down
    # Exit says goodbye for a few seconds before the attract loop: the goodbye is the answer
    ("exit", {"screen": "goodbye"}, "release_to_drawn_ms"),
]
CITIZEN_TAPS = [  # with the ID card on the reader (the catalogue needs an identified citizen)
    ("switch_language", {"language": "en"}, "release_to_drawn_ms"),
    ("switch_language", {"language": "zh-CN"}, "release_to_drawn_ms"),
    ("switch_elder", {"elder_mode": True}, "release_to_drawn_ms"),
    ("switch_elder", {"elder_mode": False}, "release_to_drawn_ms"),
    ("switch_contrast", {"high_contrast": True}, "release_to_drawn_ms"),
    ("switch_contrast", {"high_contrast": False}, "release_to_drawn_ms"),
    ("tile_apply", {"screen": "catalogue", "kid": f"service_{SERVICE_ID}"},  # the list drawn
     "release_to_drawn_ms"),
    ("home", {"screen": "home"}, "release_to_drawn_ms"),
]


# Every journey's screens from home and back, with what "its content drawn" means on each: a
# row, field or button that comes with the screen's data (a skeleton drawn first is timed too).
# (what to tap: a kid, or the first kid with that prefix; the screen; the kid prefix of its
# content)
JOURNEY_ROUTES = [
    [("tile_apply", "catalogue", "service_"),
     (f"service_{SERVICE_ID}", "guide", "guide_start"),
     ("guide_start", "form", "field_"),
     ("home", "home", "tile_")],
    [("tile_progress", "progress_list", "app_"),
     ("app_", "progress_detail", "progress_status"),
     ("back", "progress_list", "app_"),
     ("home", "home", "tile_")],
    [("tile_collect", "collect_list", "cert_"),
     ("cert_", "collect_preview", "print_certificate"),
     ("home", "home", "tile_")],
    [("tile_pay", "pay_due", "pay_"),
     ("home", "home", "tile_")],
    [("tile_evaluate", "evaluate_list", "rate_"),
     ("rate_", "evaluate_rate", "score_"),
     ("home", "home", "tile_")],
    [("tile_appointment", "appt_menu", "appt_new"),
     ("appt_new", "appt_services", "appt_service_"),
     ("appt_service_", "appt_slots", "appt_slot_"),
     ("home", "home", "tile_")],
]


def prove_holder(app: AppProcess, sim: Simulation) -> list[float]:
    """Open apply, type the code the platform texted (read off the SMS emulator), each digit
    after a wrong one deleted, go home; each key's release → drawn (ms)."""
    app.wait_for(lambda s: "tile_apply" in s["kids"], 20)
    app.tap("tile_apply", until={"screen": "holder"})
    app.wait_for(lambda s: "holder_resend" in s["kids"] and "busy" not in s["kids"], 20)
    keys = []
    for digit in sim.control("platform", "last_code", {}):
        for kid in ("code_0", "code_delete", f"code_{digit}"):
            keys.append(app.tap(kid, until={"screen": "holder"})["release_to_drawn_ms"])
    app.tap("code_ok", until={"screen": "catalogue"})
    app.wait_for(lambda s: "home" in s["kids"] and "busy" not in s["kids"], 20)
    app.tap("home", until={"screen": "home"})
    return keys


def bench_tap(xvfb: Xvfb, sim: Simulation, work: Path, rounds: int = 20,
              journey_rounds: int = 10) -> dict:
    app = start_app(work, xvfb, sim, "tap")
    times: dict[str, list[float]] = {}
    late = 0
    def play(taps: list, rounds: int) -> None:
        nonlocal late
        for _ in range(rounds):
            for kid, until, key in taps:
                app.wait_for(lambda s, k=kid: k in s["kids"], 20)
                reply = app.tap(kid, until=until)
                state = app.state()
                if any(state[k] != v for k, v in until.items() if k != "kid"):
                    late += 1  # cannot happen unless the driver's `until` is broken
                times.setdefault(kid, []).append(reply[key])
                time.sleep(0.05)

    skeleton: dict[str, list[float]] = {}
    answers: dict[str, list[float]] = {}  # each one's worker call (platform, render)

    def walk(mode: str) -> None:
        """Every journey route once, timing each screen's content drawn (and its first frame)."""
        for route in JOURNEY_ROUTES:
            for target, screen, content in route:
                state = app.wait_for(lambda s: s["screen"] != "home" or "greeting" in s["kids"],
                                     20)
                if target not in state["kids"] and "tiles_more" in state["kids"]:
                    app.tap("tiles_more", until={"screen": "home", "kid": target})  # elder home
                    state = app.state()  # pages its tiles
                kids = [k for k in sorted(state["kids"]) if k == target or k.startswith(target)]
                assert kids, f"{mode}: no {target} on {state['screen']}: {sorted(state['kids'])}"
                kid = target if target in kids else kids[0]
                reply = app.tap(kid, until={"screen": screen, "kid_prefix": content})
                name = f"{mode}: {screen}" if screen != "home" else f"{mode}: back to home"
                times.setdefault(name, []).append(reply["release_to_drawn_ms"])
                skeleton.setdefault(name, []).append(reply.get("screen_drawn_ms", reply["release_to_drawn_ms"]))
                answers.setdefault(name, []).append(reply.get("answer_ms", 0.0))
                time.sleep(0.05)

    try:
        play(ANONYMOUS_TAPS, rounds)
        earlier_visits(sim)  # something on every journey's list
        sim.control("idcard", "place_card", {"path": str(ROOT / RESIDENT_CARD)})
        app.wait_for(lambda s: s["screen"] == "home" and "greeting" in s["kids"], 20)
        # once a visit, before the first personal journey
        times["code pad key"] = prove_holder(app, sim)
        play(CITIZEN_TAPS, rounds)
        for mode, elder in (("normal", False), ("elder", True)):
            if app.state()["elder_mode"] != elder:
                app.tap("switch_elder", until={"elder_mode": elder})
            for _ in range(journey_rounds):
                walk(mode)
        sim.control("idcard", "remove_card", {})
        collector = app.state().get("collector")  # full garbage collections: between touches
    finally:
        app.stop()
    return {"collector": collector, "per_tap": {k: {"p50_ms": statistics.median(v), "p95_ms": pct(v, 0.95),
                            "max_ms": max(v), "n": len(v),
                            **({"first_frame_p95_ms": pct(skeleton[k], 0.95),
                                "answer_p95_ms": pct(answers[k], 0.95),
                                "app_share_p95_ms": pct([t - a for t, a in
                                                         zip(v, answers[k], strict=True)],
                                                        0.95)}
                               if k in skeleton else {})}
                        for k, v in times.items()},
            "all": {"p50_ms": statistics.median(sum(times.values(), [])),
                    "p95_ms": pct(sum(times.values(), []), 0.95)},
            "wrong_state_after_reply": late}


# -- main-loop stall ----------------------------------------------------------------------------

def measure_stall(app: AppProcess, seconds: float) -> dict:
    """The longest main-loop stall in each 1 s window; and the app's full garbage collections
    in the meantime (screens.collector runs them while nobody touches: one is a stall)."""
    app.command("stall_reset")
    before = app.state()
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # the longest stall in each 1 s window
        time.sleep(1.0)
        samples.append(app.command("stall_reset")["max_ms"])
    after = app.state()
    drawn = after["frames"]["drawn"] - before["frames"]["drawn"]
    collections = (after.get("collector") or {}).get("full", 0) \
        - (before.get("collector") or {}).get("full", 0)
    return {"max_ms": max(samples), "p50_of_1s_windows_ms": statistics.median(samples),
            "fps_drawn": drawn / seconds, "full_collections": collections,
            "longest_collection_ms": (after.get("collector") or {}).get("longest_ms")}


def bench_stall(xvfb: Xvfb, sim: Simulation, work: Path, seconds: float = 20) -> dict:
    app = start_app(work, xvfb, sim, "stall")
    result: dict = {}
    try:
        app.tap("attract_text")
        app.wait_for(lambda s: s["screen"] == "home")
        result["idle_home"] = measure_stall(app, seconds)
        sim.control("qr_camera", "show_degraded", {"text": "QR-DEMO-1"})
        result["home_qr_decoding"] = measure_stall(app, seconds)
        # to the camera screen through the demo's own script
        prefix = APPLY_JOURNEY[1:next(i for i, s in enumerate(APPLY_JOURNEY)
                                      if isinstance(s, Screen) and s.name == "camera") + 1]
        app.command("tap", kid="exit")
        app.wait_for(lambda s: s["screen"] == "attract")
        shots = work / "stall-shots"
        shots.mkdir(exist_ok=True)
        try:
            Player(app, sim, shots).play(prefix)
            sim.control("doc_camera", "remove_page", {})
            result["camera_preview_and_qr_decoding"] = measure_stall(app, seconds)
            sim.control("doc_camera", "place_page", {"seed": 5})  # page found, taken, checked
            result["camera_preview_page_capture_and_qr"] = measure_stall(app, seconds)
        except Exception as exc:
            result["camera_preview_and_qr_decoding"] = f"camera screen not reached: {exc}"[:300]
    finally:
        app.stop()
    for name, preview in (("floor_bare_window_redrawn", False),
                          ("floor_bare_window_redrawn_with_preview", True)):
        result[name] = bare_stall_floor(xvfb, work / name, seconds, preview)
    return result


def bare_stall_floor(xvfb: Xvfb, home: Path, seconds: float, preview: bool) -> dict:
    """The same stall measure in a bare Kivy window at the app's size that clears and redraws
    the whole window (one changing label) every tick (and with `preview`, uploads a 640x480
    frame as the camera preview does): what one software-rendered frame costs here, below
    which no screen can go."""
    source = BARE_FRAMES.format(root=str(ROOT), home=str(home), preview=preview, seconds=seconds)
    return json.loads(run_bare(xvfb, home, source, "FLOOR", seconds + 120))


# -- memory soak --------------------------------------------------------------------------------

def bench_soak(xvfb: Xvfb, sim: Simulation, work: Path, sessions: int) -> dict:
    app = start_app(work, xvfb, sim, "soak")
    assert app.proc is not None
    card = {"path": str(ROOT / RESIDENT_CARD)}
    rss = [(0, rss_mb(app.proc.pid))]
    t0 = time.monotonic()
    try:
        for n in range(1, sessions + 1):
            sim.control("idcard", "place_card", card)
            app.wait_for(lambda s: s["screen"] == "home" and "greeting" in s["kids"], 20)
            sim.control("idcard", "remove_card", {})
            app.wait_for(lambda s: s["screen"] == "attract", 20)
            if n % 100 == 0 or n == 10:
                rss.append((n, rss_mb(app.proc.pid)))
                print(f"  {n} sessions: {rss[-1][1]:.1f} MB, {time.monotonic() - t0:.0f} s")
    finally:
        app.stop()
    after_warmup = [mb for n, mb in rss if n >= 100] or [rss[-1][1]]
    from_10 = [mb for n, mb in rss if n >= 10]
    return {"rss_mb": rss, "growth_100_to_end_mb": after_warmup[-1] - after_warmup[0],
            "growth_10_to_end_mb": from_10[-1] - from_10[0],
            "per_session_kb": (after_warmup[-1] - after_warmup[0]) * 1024 / max(1, sessions - 100),
            "seconds": time.monotonic() - t0}


# -- the floors of issue 16 ------------------------------------------------------------------

FLOORS = {  # figure -> (the most it may be, unit)
    "cold: first frame, app / bare window": (1.5, "×"),
    "cold: resident memory at home, app / bare window": (1.4, "×"),
    "tap: p95 touch → next screen on the glass (a skeleton counts), worst": (100.0, "ms"),
    "tap: p95 touch → its content drawn (platform data too), worst": (100.0, "ms"),
    "tap: the same less its worker call (the main loop's share), worst": (100.0, "ms"),
    "stall: longest main-loop stall, worst scene": (50.0, "ms"),
    "stall: worst scene / bare window redrawn each tick": (1.0, "×"),  # software GL's floor
    "soak: memory growth from session 10 to the end": (10.0, "MB"),
}


def figures(results: dict) -> dict[str, float]:
    """The measured value of each floor that was run."""
    out: dict[str, float] = {}
    cold = results.get("cold")
    if cold:
        out["cold: first frame, app / bare window"] = cold["ratio_first_frame"]
        out["cold: resident memory at home, app / bare window"] = (
            cold["app_rss_at_home_mb"] / cold["bare_rss_mb"])
    if results.get("tap"):
        taps = results["tap"]["per_tap"].values()
        out["tap: p95 touch → next screen on the glass (a skeleton counts), worst"] = max(
            t.get("first_frame_p95_ms", t["p95_ms"]) for t in taps)
        out["tap: p95 touch → its content drawn (platform data too), worst"] = max(
            t["p95_ms"] for t in taps)
        out["tap: the same less its worker call (the main loop's share), worst"] = max(
            t.get("app_share_p95_ms", t["p95_ms"]) for t in taps)
    scenes = {k: v for k, v in (results.get("stall") or {}).items() if isinstance(v, dict)}
    stalls = [v["max_ms"] for k, v in scenes.items() if not k.startswith("floor_")]
    if stalls:
        out["stall: longest main-loop stall, worst scene"] = max(stalls)
    floors = [v["max_ms"] for k, v in scenes.items() if k.startswith("floor_")]
    if stalls and floors:
        out["stall: worst scene / bare window redrawn each tick"] = max(stalls) / max(floors)
    if results.get("soak"):
        out["soak: memory growth from session 10 to the end"] = results["soak"][
            "growth_10_to_end_mb"]
    return out


def print_floors(results: dict) -> None:
    print("\nfigure                                              measured      floor")
    for name, value in figures(results).items():
        floor, unit = FLOORS[name]
        verdict = "ok" if value <= floor else f"over ({value / floor:.1f}× the floor)"
        print(f"{name:50} {value:8.2f} {unit:2} ≤ {floor:6.1f} {unit:2}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", nargs="*", default=["cold", "tap", "stall", "soak"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20, help="of each tap on home")
    parser.add_argument("--journey-rounds", type=int, default=10,
                        help="walks through every journey's screens, per mode")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="ui-bench-") as tmp:
        work = Path(tmp)
        with Xvfb() as xvfb, Simulation(work / "sim") as sim:
            for what in args.what:
                print(f"{what} ...", flush=True)
                if what == "cold":
                    results[what] = bench_cold(xvfb, sim, work, args.runs)
                elif what == "tap":
                    results[what] = bench_tap(xvfb, sim, work, args.rounds, args.journey_rounds)
                elif what == "stall":
                    results[what] = bench_stall(xvfb, sim, work)
                elif what == "soak":
                    results[what] = bench_soak(xvfb, sim, work, args.sessions)
                print(json.dumps(results[what], indent=1, ensure_ascii=False, default=str))
    print_floors(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
