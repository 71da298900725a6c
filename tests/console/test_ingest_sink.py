"""The platform feeds the console through its sink, and a console store that is down never
fails a terminal's request: the platform answers, the console logs what it lost."""

from __future__ import annotations

import logging
import socket

import pytest

from kiosk.client.platform import PlatformClient
from kiosk.console import db, queries
from kiosk.console.ingest import ConsoleSink
from kiosk.refplatform.server import start_in_thread
from kiosk.refplatform.store import Store
from tests.support import enrolled_terminal_config

BEAT = {"health": "ok", "versions": {"app": "1.4.0"}, "outbox_depth": 0, "paper": "ok",
        "devices": {"printer": "online"}, "site": {"hall": "Hall A", "ring": "canary"}}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("store_up", [True, False])
def test_heartbeats_reach_the_console_and_a_store_that_is_down_fails_nobody(
        tmp_path, caplog, store_up: bool) -> None:
    if store_up:
        engine = db.connect(f"sqlite:///{tmp_path / 'console.sqlite3'}")
        db.migrate(engine)
    else:
        engine = db.connect(f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none"
                            "?connect_timeout=2")
    platform = start_in_thread(tmp_path / "platform.sqlite3", validate_responses=True,
                               console_sink=ConsoleSink(engine))
    config = enrolled_terminal_config(tmp_path, platform.url,
                                      Store(tmp_path / "platform.sqlite3"), "K-0001")
    caplog.set_level(logging.ERROR, "kiosk.console.ingest")
    try:
        with PlatformClient.from_config(config) as client:
            assert client.post_heartbeat(BEAT).server_time is not None
    finally:
        platform.stop()
        engine.dispose()
    assert not platform.app.extensions["refplatform"].violations
    # the sink's own records (a test before may have left alembic's INFO lines switched on)
    said = [r.getMessage() for r in caplog.records if r.name == "kiosk.console.ingest"]
    if store_up:
        assert queries.hall_of(engine, "K-0001") == "Hall A"
        assert not said
    else:
        assert said == [
            "console store: heartbeat not recorded (OperationalError)",
            "console store: prune not recorded (OperationalError)"]
