"""The citizen's time and work are protected without moving anything under their finger: the
idle warning is a question above the screen ("需要更多时间吗？ [继续办理]"), Exit asks before it
throws away what was entered, and a session that ends says goodbye. Real app under Xvfb."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.harness import KioskUi
from tests.ui.journey import on, tap

SHORT_IDLE = {"session": {"idle_timeout_s": 6.0, "warning_s": 4.0}}


def _warned(state: dict) -> bool:
    return state["dialog"] == "idle_warning" and "countdown" in state["kids"]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_idle_warning_moves_nothing_and_continue_extends(xvfb, tmp_path: Path,
                                                              language: str) -> None:
    ui = KioskUi(tmp_path / "run", xvfb, site={**SHORT_IDLE, "ui": {"language": language}}
                 ).start()
    try:
        tap(ui, "attract_text")
        ui.wait_for(on("home"), 15)
        before = ui.layout()
        assert len(before) > 10
        state = ui.wait_for(_warned, 10)
        assert state["screen"] == "home"
        after = ui.layout()
        assert after == before  # same widgets, same places: the warning lies above them
        question = "需要更多时间吗？" if language == "zh-CN" else "Need more time?"
        assert question in state["texts"]
        assert any(("秒后" if language == "zh-CN" else "seconds") in t for t in state["texts"])
        assert "countdown_continue" in state["kids"]
        tap(ui, "countdown_continue")
        state = ui.wait_for(lambda s: s["dialog"] is None, 5)
        assert state["screen"] == "home" and ui.layout() == before
        # the extension was real: the session runs on, then warns again
        ui.wait_for(_warned, 10)
    finally:
        ui.stop()


def test_a_touch_anywhere_during_the_warning_extends_and_presses_nothing(
        xvfb, tmp_path: Path) -> None:
    ui = KioskUi(tmp_path / "run", xvfb, site=SHORT_IDLE).start()
    try:
        tap(ui, "attract_text")
        ui.wait_for(on("home"), 15)
        ui.wait_for(_warned, 10)
        # on the Exit button, dimmed under the dialog: the touch answers the dialog only
        x, y, w, h = next(row[2:] for row in ui.layout() if row[1] == "exit")
        ui.command("touch", x=x + w / 2, y=y + h / 2)
        state = ui.wait_for(lambda s: s["dialog"] is None, 5)
        assert state["screen"] == "home"  # still in the session: Exit was not pressed
    finally:
        ui.stop()
