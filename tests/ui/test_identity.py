"""The session follows the card: placed, the citizen is greeted (masked); removed, everything of
theirs is wiped and the attract loop returns. Real ID card emulator on a pty, real app."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import load_config
from kiosk.sim import Simulation
from tests.ui.harness import ROOT, KioskUi

AREAS = ("idcard",)
PLATFORM = False


def _sessions_dir(sim: Simulation) -> Path:
    config = load_config(sim.site_config_path)
    return Path(config.session.directory or Path(config.terminal.run_dir) / "sessions")


def test_card_placed_greets_masked_and_removed_ends_the_session(sim, app: KioskUi) -> None:
    sim.control("idcard", "place_card", {"path": str(ROOT / "assets/cards/resident.json")})
    state = app.wait_for(lambda s: s["screen"] == "home" and "greeting" in s["kids"], 15)
    greeting = next(t for t in state["texts"] if t.startswith("您好"))
    assert "*" in greeting  # masked
    sim.control("idcard", "remove_card", {})
    app.wait_for(lambda s: s["screen"] == "attract", 15)
    sessions = _sessions_dir(sim)
    assert not sessions.exists() or not any(sessions.iterdir())
    log = app.app_log()
    assert "110101199003071233" not in log


def test_exit_ends_the_session_and_resets_the_language(app: KioskUi) -> None:
    app.tap("attract_text")
    app.wait_for(lambda s: s["screen"] == "home")
    app.tap("switch_language")
    app.wait_for(lambda s: s["language"] == "en")
    app.tap("exit")
    state = app.wait_for(lambda s: s["screen"] == "attract")
    assert state["language"] == "zh-CN"
