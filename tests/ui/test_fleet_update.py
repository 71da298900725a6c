"""Issue 7's promise on the demo terminal: a fleet manager publishes a layer to the ring, the
running app takes it between sessions (it restarts under its supervisor) and the new setting is
in force on the screen; the applied version reaches the heartbeat. The updater runs beside the
app as its own process (`kiosk fleet run`), as kiosk-fleet.service does on a terminal."""

from __future__ import annotations

import time
from pathlib import Path

import requests
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.config import load_config
from kiosk.fleet.records import heartbeat_versions
from tests.ui.harness import KioskUi, Xvfb

AREAS = ("printer",)


def _state_when(app: KioskUi, predicate, timeout_s: float) -> dict:  # type: ignore[no-untyped-def]
    """The app's state once `predicate` holds; the UI driver is away while the app restarts."""
    deadline = time.monotonic() + timeout_s
    last: dict = {}
    while time.monotonic() < deadline:
        try:
            last = app.state()
            if last.get("ready") and predicate(last):
                return last
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"never matched; last state screen={last.get('screen')}")


def test_a_layer_published_to_the_ring_is_in_force_on_the_terminal(sim, xvfb: Xvfb,
                                                                    tmp_path: Path) -> None:
    app = KioskUi(tmp_path / "ui", xvfb, site_file=sim.site_config_path, supervise=True).start()
    try:
        app.tap("attract_text", wait_drawn=True)
        assert not _state_when(app, lambda s: s["screen"] == "home", 10)["elder_mode"]
        layer = tmp_path / "elder.toml"
        layer.write_text("[ui]\nelder_mode = true\n", encoding="utf-8")
        repo = sim.emulators["platform"].endpoints()["fleet_repo"]
        published = CliRunner().invoke(main, ["fleet", "publish", "--repo", repo, "--ring",
                                              "demo", str(layer)])
        assert published.exit_code == 0, published.output
        fleet_dir = Path(load_config(sim.site_config_path).fleet_dir)
        deadline = time.monotonic() + 30  # a poll: the updater writes the layer at once...
        while not (fleet_dir / "applied.toml").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (fleet_dir / "applied.toml").exists()
        time.sleep(2)  # ...and the app, seeing it, waits for the citizen to leave
        assert _state_when(app, lambda s: True, 5)["screen"] == "home"
        app.tap("exit", wait_drawn=True)  # between sessions now: the update goes in
        state = _state_when(app, lambda s: s["elder_mode"], 60)
        assert state["screen"] == "attract"
        fleet_dir = load_config(sim.site_config_path).fleet_dir
        assert heartbeat_versions(fleet_dir) == {"config": "1"}
    finally:
        app.stop()
