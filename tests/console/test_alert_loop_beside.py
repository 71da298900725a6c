"""The alert loop runs beside the console when its settings file has an [alerts] table: a
terminal's heartbeat stored by the platform's sink becomes an alert within a loop period."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from kiosk.console import alerts
from kiosk.console.alert_loop import AlertSettings
from kiosk.console.beside import console_parts
from kiosk.console.config import ConsoleConfig


def test_settings_file_and_the_loop_beside_the_console(tmp_path: Path) -> None:
    settings = tmp_path / "console.toml"
    settings.write_text("""
[console]
heartbeat_interval_s = 30

[alerts]
offline_missed = 2
offline_delay_s = 15
period_s = 0.1
[alerts.opening_hours."Hall A"]
opens = "09:00"
closes = "17:00"
[alerts.webhook]
url = "http://127.0.0.1:9/alerts"
secret = "s3cret"
""", encoding="utf-8")
    config = ConsoleConfig.load(settings)
    loaded = AlertSettings.load(settings, config.heartbeat_interval_s)
    assert loaded.rules.offline_after_s == 2 * 30 + 15 and loaded.period_s == 0.1
    assert "Hall A" in loaded.rules.opening_hours
    assert [c.name for c in loaded.channels] == ["webhook"]
    assert AlertSettings.load(None).rules == alerts.AlertRules()

    parts = console_parts(f"sqlite:///{tmp_path / 'console.sqlite3'}", platform_db=None,
                          config=config, alerts=AlertSettings(period_s=0.1))
    try:
        assert parts.app.extensions["console_alerts_channels"] == ()
        parts.sink.heartbeat("K-1", {"health": "ok", "versions": {"app": "1"},
                                     "outbox_depth": 0, "paper": "low", "devices": {},
                                     "site": {"hall": "Hall A"}}, dt.datetime.now(dt.UTC))
        deadline = time.monotonic() + 10
        while not alerts.listing(parts.engine) and time.monotonic() < deadline:
            time.sleep(0.05)
        [alert] = alerts.listing(parts.engine)
        assert (alert["kiosk_id"], alert["hall"], alert["kind"]) == ("K-1", "Hall A",
                                                                      "paper_low")
    finally:
        assert parts.alert_loop is not None
        parts.alert_loop.stop()
        parts.engine.dispose()
