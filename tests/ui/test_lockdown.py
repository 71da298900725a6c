"""Keyboard lock-down: a keyboard plugged into the terminal opens nothing and leaves nothing.

Real key events under Xvfb: xdotool sends them through the X server's XTEST extension, as a
USB keyboard's reach the app (a keyboard's key-down reaches SDL exactly the same way). The
app's Kivy home is given a config.ini that turns on Kivy's key-driven modules (inspector,
screenshot, keybinding), as a tampered or careless configuration would: they stay off. The
UI driver counts the key-downs the window received, so a test whose keys never arrived fails.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from tests.ui.harness import ROOT, KioskUi, Xvfb

# key combinations that open something in Kivy, SDL, X or a window manager, or would leave the app
KEYS = ("F1", "ctrl+F1", "Escape", "alt+F4", "ctrl+c", "ctrl+q", "ctrl+w", "ctrl+e",
        "ctrl+shift+e", "F11", "F12", "shift+F12", "ctrl+F12", "alt+Tab", "super",
        "ctrl+alt+BackSpace", "ctrl+alt+Delete", "ctrl+alt+F1", "Menu", "alt+F2")
TAMPERED_KIVY_CONFIG = "[modules]\ninspector =\nscreenshot =\nkeybinding =\n"

pytestmark = pytest.mark.skipif(shutil.which("xdotool") is None,
                                reason="xdotool is installed by setup.sh")


def xdotool(xvfb: Xvfb, *args: str) -> None:
    subprocess.run(["xdotool", *args], env={"DISPLAY": f":{xvfb.display}", "PATH": "/usr/bin"},
                   check=True, timeout=10)


@pytest.fixture(scope="module")
def locked_app(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory):
    run_dir = tmp_path_factory.mktemp("locked") / "run"
    (run_dir / "kivy").mkdir(parents=True)
    (run_dir / "kivy" / "config.ini").write_text(TAMPERED_KIVY_CONFIG, encoding="utf-8")
    app = KioskUi(run_dir, xvfb).start()
    yield app
    app.stop()


@pytest.fixture
def locked(locked_app: KioskUi, xvfb: Xvfb):
    """The tampered app, one for the module (it must still be running: the test before
    proved nothing made it leave), back on the attract loop."""
    assert locked_app.alive, locked_app.app_log()
    locked_app.reset()
    xdotool(xvfb, "mousemove", "960", "540")  # no window manager: keys go to the window under it
    return locked_app


def assert_still_serving(app: KioskUi, screen: str) -> dict:
    time.sleep(0.25)  # a panel opens on the next frame or two (~0.1 s under software GL)
    assert app.proc is not None and app.proc.poll() is None, app.app_log()
    state = app.state()
    assert state["ready"] and state["screen"] == screen, state
    assert state["overlays"] == [], state["overlays"]  # no settings panel, no inspector
    return state


@pytest.mark.parametrize("screen", ["attract", "home"])
def test_no_key_opens_kivy_or_leaves_the_app(locked: KioskUi, xvfb: Xvfb, screen: str) -> None:
    if screen == "home":
        locked.tap("attract_text")
        locked.wait_for(lambda s: s["screen"] == "home")
    shots_before = set(ROOT.glob("screenshot*.png"))
    seen = locked.state()["keys_seen"]
    for combo in KEYS:
        xdotool(xvfb, "key", "--delay", "60", combo)
        state = assert_still_serving(locked, screen)
        assert state["keys_seen"] > seen, f"{combo} never reached the app"
        seen = state["keys_seen"]
    for _ in range(3):  # F1 again and again: a toggle must not open on the second press
        xdotool(xvfb, "key", "F1")
    assert_still_serving(locked, screen)
    assert set(ROOT.glob("screenshot*.png")) == shots_before  # the screenshot keys wrote none
