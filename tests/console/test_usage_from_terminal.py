"""Usage counts from a terminal's own events: sessions started and ended by the terminal's
session manager and journey, print, payment and rating events logged through `emit`, batched by
the forwarder into the outbox, posted by the real sender and client to a real reference
platform, copied into the console store as ingest does, and counted by the usage report."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3

import sqlalchemy as sa

from kiosk.client import PlatformClient
from kiosk.config import load_config
from kiosk.console import usage
from kiosk.delivery import KIOSK_EVENTS, Delivery
from kiosk.events import emit
from kiosk.events.forward import EventForwarder
from kiosk.outbox import Backoff, Sender, open_outbox
from kiosk.session.session import EndReason, SessionManager
from tests.console.rows import beat, event, heartbeat
from tests.delivery.conftest import drill  # noqa: F401 - the fixture
from tests.delivery.drill import Drill


def test_a_terminals_sessions_reach_the_usage_report(drill: Drill,  # noqa: F811
                                                     sqlite_engine: sa.Engine) -> None:
    drill.platform_up()
    config = load_config(drill.kiosk("kiosk"))
    outbox = open_outbox(config)
    client = PlatformClient.from_config(config, retries=0)
    sender = Sender(outbox, Delivery(client, outbox), backoff=Backoff(0.05, 0.3))
    forwarder = EventForwarder(outbox, flush_s=3600).install()
    sessions = SessionManager(config)
    try:
        for n in range(3):
            session = sessions.start()
            emit("journey_init", session=session.session_id, journey="apply", service="S1")
            if n == 2:
                emit("journey_complete", "cancelled", session=session.session_id,
                     journey="apply", service="S1", step="materials")
            else:
                emit("payment_complete", "success", session=session.session_id, payment=f"P{n}",
                     amount_fen=2500)
                emit("journey_complete", "success", session=session.session_id,
                     journey="apply", service="S1", step="done")
                emit("rating_given", service="S1", overall=4 + n)
            emit("card_inserted", device="idcard")  # not a usage event: stays on the terminal
            sessions.end(EndReason.FINISHED)
    finally:
        forwarder.close()
        sessions.close()
    [item] = [i for i in outbox.pending() if i.kind == KIOSK_EVENTS]
    assert sender.drain_once().delivered == [item.id]
    client.close()
    outbox.close()

    platform = sqlite3.connect(drill.platform_db)
    rows = platform.execute("SELECT kiosk_id, event_id, at, kind, severity, detail FROM events "
                            "ORDER BY rowid").fetchall()
    platform.close()
    assert "card_inserted" not in {r[3] for r in rows}
    heartbeat(sqlite_engine, rows[0][0], dt.datetime.now(dt.UTC), beat())
    for kiosk_id, event_id, at, kind, severity, detail in rows:  # what console ingest does
        event(sqlite_engine, kiosk_id, kind, dt.datetime.fromisoformat(at),
              json.loads(detail), severity, event_id)
    now = dt.datetime.now(dt.UTC)
    found = usage.report(sqlite_engine, usage.Scope(now - dt.timedelta(hours=1),
                                                    now + dt.timedelta(hours=1)))
    [terminal] = found.rows("by_terminal")
    assert (terminal["sessions"], terminal["journeys_started"], terminal["completed"],
            terminal["abandoned"], terminal["payments"], terminal["paid_fen"]) == (3, 3, 2, 1, 2,
                                                                                   5000)
    assert found.rows("abandoned_at") == [{"service": "S1", "step": "materials", "abandoned": 1}]
    overall = found.rows("ratings")[0]
    assert (overall["ratings"], overall["mean"]) == (2, 4.5)
    ended = [json.loads(r[5]) for r in rows if r[3] == "session_ended"]
    assert [e["reason"] for e in ended] == ["finished"] * 3 and all(
        set(e) == {"session", "reason", "duration_s"} for e in ended)
    assert logging.getLogger("kiosk.events").handlers == []
