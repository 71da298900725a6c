"""Every citizen screen wears the same frame: the hall's name, the date with its weekday and
the time, the terminal number, a small session timer, and language / home / call staff / exit;
a multi-step journey numbers its steps. The timer ticks without moving anything. Real app
under Xvfb, in both languages, normal, elder mode and high contrast."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest
import tomli_w

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi
from tests.ui.journey import on, tap

FRAME = {"hall_name", "clock", "terminal_no", "session_timer", "switch_language",
         "call_staff", "exit"}
AREAS = ("idcard", "qr", "printer")
MODES = [("zh-CN", False, False), ("en", True, False), ("zh-CN", False, True),
         ("en", False, True)]


def _timer(state: dict) -> str:
    return next(t for t in state["texts"] if t.startswith(("剩余", "Time left")))


@pytest.mark.parametrize("language,elder,high_contrast", MODES)
def test_home_and_a_journey_wear_the_frame_and_the_timer_moves_nothing(
        sim: Simulation, xvfb, tmp_path: Path, language: str, elder: bool,
        high_contrast: bool) -> None:
    site = tomllib.loads(sim.site_config_path.read_text(encoding="utf-8"))
    site["terminal"].update(id="CY-007", hall_name="朝阳区政务服务中心",
                            hall_name_en="Chaoyang Government Service Centre")
    site["ui"] = {"language": language, "elder_mode": elder, "high_contrast": high_contrast}
    site_file = tmp_path / "site.toml"
    site_file.write_text(tomli_w.dumps(site), encoding="utf-8")
    ui = KioskUi(tmp_path / "run", xvfb, site_file=site_file).start()
    try:
        tap(ui, "attract_text")
        state = ui.wait_for(on("home"), 15)
        assert FRAME <= set(state["kids"]) and "home" not in state["kids"]
        assert ("朝阳区政务服务中心" if language == "zh-CN"
                else "Chaoyang Government Service Centre") in state["texts"]
        terminal = "终端 CY-007" if language == "zh-CN" else "Terminal CY-007"
        assert terminal in state["texts"]
        weekdays = ("周一", "周二", "周三", "周四", "周五", "周六", "周日") if language == "zh-CN" \
            else ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        assert any(any(day in t for day in weekdays) and ":" in t for t in state["texts"])

        tap(ui, "tile_progress")  # before any card: the progress journey's first step
        state = ui.wait_for(on("progress_start"), 15)
        assert FRAME | {"home", "step_bar", "stepbar_1_current", "stepbar_2_todo"} <= set(state["kids"])
        before, first = ui.layout(), _timer(state)
        time.sleep(2.2)
        state = ui.state()
        assert _timer(state) != first  # it counts down …
        assert ui.layout() == before  # … and nothing on the screen moved or resized
    finally:
        ui.stop()


def test_a_site_or_fleet_hall_name_with_markup_is_shown_as_text(
        sim: Simulation, xvfb, tmp_path: Path) -> None:
    """The header's labels take markup (the timer's icon): a hall's name from a site file or a
    fleet layer with "[font=/etc/passwd]" in it would have named a file for Kivy to open."""
    site = tomllib.loads(sim.site_config_path.read_text(encoding="utf-8"))
    site["terminal"].update(hall_name="大厅[font=/etc/passwd]X[/font]",
                            hall_name_en="Hall[size=200]X[/size]")
    site["ui"] = {"language": "en"}
    site_file = tmp_path / "site.toml"
    site_file.write_text(tomli_w.dumps(site), encoding="utf-8")
    ui = KioskUi(tmp_path / "run", xvfb, site_file=site_file).start()
    try:
        tap(ui, "attract_text")
        ui.wait_for(on("home"), 15)
        assert ui.command("widget", kid="hall_name")["text"] == "Hall&bl;size=200&br;X&bl;/size&br;"
        tap(ui, "switch_language")
        ui.wait_for(lambda s: s["language"] == "zh-CN", 10)
        assert ui.command("widget", kid="hall_name")["text"] == \
            "大厅&bl;font=/etc/passwd&br;X&bl;/font&br;"
        assert ui.state()["screen"] == "home"
        assert "Traceback" not in ui.app_log(20000)
    finally:
        ui.stop()
