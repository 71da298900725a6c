"""The app as a passer-by meets it: attract loop, home, language and modes, no way out."""

from __future__ import annotations

import os
import time
from pathlib import Path

from PIL import Image

from tests.ui.harness import SIZE, KioskUi

TILE_TEXTS_ZH = {"办事申请", "进度查询", "证照打印", "缴费", "预约", "评价"}


def test_attract_loop_then_a_touch_opens_home_in_chinese(ui: KioskUi) -> None:
    state = ui.state()
    assert state["screen"] == "attract" and state["window"] == list(SIZE)
    ui.tap("attract_text")
    state = ui.wait_for(lambda s: s["screen"] == "home")
    assert state["language"] == "zh-CN"
    assert TILE_TEXTS_ZH <= set(state["texts"]), state["texts"]


def test_english_from_home_and_back(ui: KioskUi) -> None:
    ui.tap("attract_text")
    ui.wait_for(lambda s: s["screen"] == "home")
    ui.tap("switch_language")
    state = ui.wait_for(lambda s: s["language"] == "en")
    assert "Apply for a service" in state["texts"]
    assert not TILE_TEXTS_ZH & set(state["texts"])
    ui.tap("switch_language")
    state = ui.wait_for(lambda s: s["language"] == "zh-CN")
    assert TILE_TEXTS_ZH <= set(state["texts"])


def test_elder_mode_fewer_choices_per_screen_and_the_rest_behind_more(ui: KioskUi) -> None:
    ui.tap("attract_text")
    before = ui.wait_for(lambda s: s["screen"] == "home")
    all_tiles = {k for k in before["kids"] if k.startswith("tile_")}
    assert len(all_tiles) == 6
    ui.tap("switch_elder")
    first = ui.wait_for(lambda s: s["elder_mode"])
    first_tiles = {k for k in first["kids"] if k.startswith("tile_")}
    assert len(first_tiles) == 3
    ui.tap("tiles_more")
    second = ui.wait_for(lambda s: not {k for k in s["kids"] if k.startswith("tile_")}
                         & first_tiles)
    assert first_tiles | {k for k in second["kids"] if k.startswith("tile_")} == all_tiles


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_idle_at_home_the_app_leaves_the_processor_alone(ui: KioskUi) -> None:
    """Waiting at home all day, the main loop keeps Kivy's frame cap and sleeps between frames:
    Kivy's interrupt clock, tried for quicker answers, spun it at 110 % of a core (14 % with
    the default clock, cameras and platform included)."""
    ui.tap("attract_text")
    ui.wait_for(lambda s: s["screen"] == "home")
    time.sleep(1.0)
    assert ui.proc is not None
    pid = ui.proc.pid
    used, start = _cpu_seconds(pid), time.monotonic()
    time.sleep(4.0)
    share = (_cpu_seconds(pid) - used) / (time.monotonic() - start)
    assert share < 0.5, f"{share:.0%} of a core at home with nothing to do"


def test_a_journey_this_terminal_cannot_offer_says_why_and_goes_nowhere(ui: KioskUi) -> None:
    # this terminal has no printer and no platform credential: pay needs both
    ui.tap("attract_text")
    state = ui.wait_for(lambda s: s["screen"] == "home")
    assert any("打印机" in text for text in state["texts"])
    ui.tap("tile_pay")
    assert ui.state()["screen"] == "home"


def test_escape_and_close_requests_are_refused(ui: KioskUi) -> None:
    assert ui.command("key", key=27)["handled"]
    assert ui.command("close")["refused"]
    assert ui.proc is not None and ui.proc.poll() is None
    assert ui.state()["ready"]


def test_screenshot_is_the_whole_panel(ui: KioskUi, tmp_path: Path) -> None:
    ui.tap("attract_text")
    ui.wait_for(lambda s: s["screen"] == "home")
    path = tmp_path / "home.png"
    ui.command("screenshot", path=str(path))
    with Image.open(path) as image:
        assert image.size == SIZE
        assert len(image.convert("L").getcolors(maxcolors=1 << 16) or ()) > 8  # something was drawn


def test_sigterm_stops_the_app_cleanly(ui: KioskUi) -> None:
    """systemd's stop: the main loop ends on its own, no kill needed."""
    assert ui.proc is not None
    ui.proc.terminate()
    assert ui.proc.wait(10) == 0


def test_idle_countdown_then_the_session_ends(xvfb, tmp_path: Path) -> None:
    ui = KioskUi(tmp_path / "run", xvfb,
                 site={"session": {"idle_timeout_s": 4.0, "warning_s": 3.0}}).start()
    try:
        ui.tap("attract_text")
        ui.wait_for(lambda s: s["screen"] == "home")
        ui.tap("switch_language")  # a choice of this citizen, to be forgotten at the end
        state = ui.wait_for(lambda s: "countdown" in s["kids"], 10)
        assert state["dialog"] == "idle_warning" and "Need more time?" in state["texts"]
        state = ui.wait_for(lambda s: s["screen"] == "attract", 10)
        assert state["language"] == "zh-CN"
    finally:
        ui.stop()
