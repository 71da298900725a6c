"""What the UI driver tells the benchmarks: frames drawn, the main loop's longest stall, and a
tap answered only once its effect is on the glass."""

from __future__ import annotations

import time
from pathlib import Path

from kiosk.demo.app_process import AppProcess
from kiosk.demo.xvfb import Xvfb


def test_a_tap_answers_after_the_next_screen_was_drawn(tmp_path: Path) -> None:
    with Xvfb() as xvfb:
        app = AppProcess(tmp_path / "app", xvfb).start()
        try:
            before = app.state()["frames"]["drawn"]
            assert before > 0  # the attract loop was drawn
            reply = app.tap("attract_text", wait_drawn=True)
            assert reply["tapped"] == "attract_text"
            assert 0 < reply["release_to_drawn_ms"] < reply["down_to_drawn_ms"] < 5000
            assert 0 < reply["down_to_next_frame_ms"] < reply["down_to_drawn_ms"]
            state = app.state()  # by the time the tap answered, home was drawn
            assert state["screen"] == "home" and state["frames"]["drawn"] > before

            app.command("stall_reset")
            time.sleep(0.5)
            stall = app.command("stall_reset")
            assert stall["since_s"] >= 0.5 and 0 < stall["max_ms"] < 500
        finally:
            app.stop()
