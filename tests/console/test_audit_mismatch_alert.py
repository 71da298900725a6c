"""An audit trail rewritten on a terminal reaches the console as an alert: the platform flags
the head its series contradicts, passes it through the sink as an event, and the alert rules
raise `audit_mismatch`, which stays open until someone acknowledges it."""

from __future__ import annotations

import datetime as dt

from kiosk.client.platform import PlatformClient
from kiosk.console import alerts, db
from kiosk.console.alerts import AlertRules, evaluate
from kiosk.console.ingest import ConsoleSink
from kiosk.refplatform.server import start_in_thread
from kiosk.refplatform.store import Store
from tests.support import enrolled_terminal_config

BEAT = {"health": "ok", "versions": {"app": "1.4.0"}, "outbox_depth": 0, "paper": "ok",
        "devices": {"printer": "online"}, "site": {"hall": "Hall A", "ring": "canary"}}


def test_a_rewritten_trail_raises_an_audit_mismatch(tmp_path) -> None:
    engine = db.connect(f"sqlite:///{tmp_path / 'console.sqlite3'}")
    db.migrate(engine)
    platform = start_in_thread(tmp_path / "platform.sqlite3", validate_responses=True,
                               console_sink=ConsoleSink(engine))
    config = enrolled_terminal_config(tmp_path, platform.url,
                                      Store(tmp_path / "platform.sqlite3"), "K-0001")
    try:
        with PlatformClient.from_config(config) as client:
            client.post_heartbeat({**BEAT, "audit_head": {"seq": 7, "hash": "a" * 64}})
            evaluate(engine, AlertRules(), dt.datetime.now(dt.UTC))
            assert alerts.listing(engine) == []
            for _ in range(2):  # the same rewritten head twice: one alert
                client.post_heartbeat({**BEAT, "audit_head": {"seq": 7, "hash": "b" * 64}})
            evaluate(engine, AlertRules(), dt.datetime.now(dt.UTC))
    finally:
        platform.stop()
    [alert] = alerts.listing(engine)
    assert (alert["kiosk_id"], alert["hall"], alert["kind"], alert["detail"]) == (
        "K-0001", "Hall A", "audit_mismatch", {"audit_kind": "audit_head_rewritten",
                                               "reported_seq": 7})
    alerts.acknowledge(engine, alert["id"], "chen.jie", dt.datetime.now(dt.UTC))
    evaluate(engine, AlertRules(), dt.datetime.now(dt.UTC))
    assert alerts.listing(engine) == []
    engine.dispose()
