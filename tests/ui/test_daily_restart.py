"""The daily fresh start never cuts a citizen off: due while someone is at the screen, the app
waits for them to leave, then exits for its supervisor to start a new process (exit code 75)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from kiosk.fleet.service import RESTART_EXIT_CODE
from tests.ui.harness import KioskUi, Xvfb

LEAD_S = 15  # the app must be up and a session open before the restart is due (~5 s)


def test_the_daily_restart_waits_for_the_citizen(xvfb: Xvfb, tmp_path: Path) -> None:
    run_dir = tmp_path / "ui"
    at = (dt.datetime.now() + dt.timedelta(seconds=LEAD_S)).replace(microsecond=0)
    app = KioskUi(run_dir, xvfb, site={"terminal": {
        "id": "UI-0001", "data_dir": str(run_dir / "data"), "run_dir": str(run_dir),
        "daily_restart_at": at.strftime("%H:%M:%S"), "daily_restart_spread_s": 0}}).start()
    try:
        app.tap("attract_text", wait_drawn=True)  # a citizen's session
        assert app.state()["screen"] == "home"
        assert dt.datetime.now() < at - dt.timedelta(seconds=2), "the app was too slow to start"
        time.sleep(max(0.0, (at - dt.datetime.now()).total_seconds()) + 3)
        assert app.proc is not None and app.proc.poll() is None, app.app_log()
        assert app.state()["screen"] == "home"  # still serving the citizen

        app.tap("exit")
        assert app.proc.wait(20) == RESTART_EXIT_CODE, app.app_log()
        assert 'event=app_stopping reason="restart: daily"' in app.app_log(20_000)
    finally:
        app.stop()
