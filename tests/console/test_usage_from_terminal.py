"""Usage counts from a terminal's own events: sessions started and ended by the terminal's
session manager and journey, print, payment and rating events logged through `emit` (and by the
journeys themselves), batched by the forwarder into the outbox, posted by the real sender and
client to a real reference platform, copied into the console store as ingest does, and counted
by the usage report, per journey and service."""

from __future__ import annotations

import csv
import datetime as dt
import io
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
from kiosk.journeys.appointment import AppointmentJourney
from kiosk.journeys.evaluation import EvaluationJourney
from kiosk.journeys.payment import PaymentJourney
from kiosk.journeys.progress import ProgressJourney
from kiosk.session.session import EndReason, SessionManager
from tests.console.rows import beat, event, heartbeat
from tests.delivery.conftest import drill  # noqa: F401 - the fixture
from tests.delivery.drill import Drill
from tests.journeys.conftest import (APPLICANT, KIOSK_ID, NAME, SERVICE_ID, Terminal,
                                     fill_in)
from tests.journeys.conftest import emulator, running, terminal  # noqa: F401 - the fixtures
from tests.journeys.test_payment import FEE_SERVICE, file_fee_application
from tests.support import wait_until


def ingested_report(engine: sa.Engine, kiosk_id: str, rows: list) -> usage.Report:
    """The platform's stored events as console ingest keeps them (after a heartbeat of their
    terminal), then the usage report of the hour around now."""
    heartbeat(engine, kiosk_id, dt.datetime.now(dt.UTC), beat())
    for row_kiosk, event_id, at, kind, severity, detail in rows:
        event(engine, row_kiosk, kind, dt.datetime.fromisoformat(at), json.loads(detail),
              severity, event_id)
    now = dt.datetime.now(dt.UTC)
    return usage.report(engine, usage.Scope(now - dt.timedelta(hours=1),
                                            now + dt.timedelta(hours=1)))


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
    found = ingested_report(sqlite_engine, rows[0][0], rows)
    [kiosk] = found.rows("by_terminal")
    assert (kiosk["sessions"], kiosk["journeys_started"], kiosk["completed"],
            kiosk["abandoned"], kiosk["payments"], kiosk["paid_fen"]) == (3, 3, 2, 1, 2,
                                                                                   5000)
    assert found.rows("abandoned_at") == [{"journey": "apply", "service": "S1", "step": "materials",
                                           "abandoned": 1}]
    overall = found.rows("ratings")[0]
    assert (overall["ratings"], overall["mean"]) == (2, 4.5)
    ended = [json.loads(r[5]) for r in rows if r[3] == "session_ended"]
    assert [e["reason"] for e in ended] == ["finished"] * 3 and all(
        set(e) == {"session", "reason", "duration_s"} for e in ended)
    assert logging.getLogger("kiosk.events").handlers == []


def test_every_journey_is_counted_per_journey_and_service(running: Terminal,  # noqa: F811
                                                          sqlite_engine: sa.Engine) -> None:
    """The journeys themselves (apply, progress, evaluation, appointment, pay) on a terminal
    with a real platform and sender: what the console's report makes of their events."""
    forwarder = EventForwarder(running.outbox, flush_s=3600).install()
    try:
        session = running.session()
        apply = running.journey(session)
        fill_in(apply)
        apply.submit()
        apply.finish()
        progress_journey = ProgressJourney(session, running.client, running.outbox, KIOSK_ID)
        progress_journey.applications()
        rate = EvaluationJourney(session, running.client, running.outbox)
        rate.rate(rate.recent()[0], 5,
                  indicators={"efficiency": 4, "competence": 3, "attitude": 2})
        book = AppointmentJourney(session, running.client, None, running.config.receipts)
        book.book(book.slots(SERVICE_ID)[0].slot_id)
        running.sessions.end(EndReason.FINISHED)

        receipt_no = file_fee_application(running.citizen_view())
        session = running.session()
        pay = PaymentJourney(session, running.client, running.printer, running.config.receipts,
                             KIOSK_ID, timeout_s=0.2, poll_interval_s=0.05)
        pay.payables()
        pay.start(receipt_no)
        assert pay.wait().status == "timed_out"
        pay.finish()
        AppointmentJourney(session, running.client, None,
                           running.config.receipts).slots(SERVICE_ID)
        running.sessions.end(EndReason.TIMEOUT)
    finally:
        forwarder.close()
    assert wait_until(lambda: all(i.state == "delivered" for i in running.outbox.items()
                                  if i.kind == KIOSK_EVENTS), timeout=10, interval=0.05)

    platform = sqlite3.connect(running.platform_db)
    rows = platform.execute("SELECT kiosk_id, event_id, at, kind, severity, detail FROM events "
                            "ORDER BY rowid").fetchall()
    platform.close()
    told = " ".join(r[5] for r in rows)
    assert APPLICANT not in told and NAME not in told and receipt_no not in told
    found = ingested_report(sqlite_engine, KIOSK_ID, rows)
    counts = {(r["journey"], r["service"]): (r["journeys_started"], r["completed"],
                                             r["abandoned"], r["failed"])
              for r in found.rows("by_service")}
    assert counts == {("apply", SERVICE_ID): (1, 1, 0, 0),
                      ("progress", "progress"): (1, 1, 0, 0),
                      ("evaluation", SERVICE_ID): (1, 1, 0, 0),
                      ("appointment", SERVICE_ID): (2, 1, 1, 0),
                      ("pay", FEE_SERVICE): (1, 0, 1, 0)}
    assert found.rows("abandoned_at") == [
        {"journey": "appointment", "service": SERVICE_ID, "step": "slots", "abandoned": 1},
        {"journey": "pay", "service": FEE_SERVICE, "step": "not_paid", "abandoned": 1}]
    [kiosk] = found.rows("by_terminal")
    assert (kiosk["sessions"], kiosk["journeys_started"], kiosk["completed"],
            kiosk["abandoned"]) == (2, 6, 4, 2)
    # the one rating, counted under each of its four indicators, on the page and in the CSV
    ratings = {r["indicator"]: (r["ratings"], r["mean"], [r[str(s)] for s in range(1, 6)])
               for r in found.rows("ratings")}
    assert ratings == {"overall": (1, 5.0, [0, 0, 0, 0, 1]),
                       "efficiency": (1, 4.0, [0, 0, 0, 1, 0]),
                       "competence": (1, 3.0, [0, 0, 1, 0, 0]),
                       "attitude": (1, 2.0, [0, 1, 0, 0, 0])}
    exported = list(csv.DictReader(io.StringIO(usage.to_csv(found, "ratings"))))
    assert [(r["indicator"], r["name"], r["ratings"], r["mean"]) for r in exported] == [
        ("overall", "整体满意度", "1", "5.0"), ("efficiency", "服务效率", "1", "4.0"),
        ("competence", "服务水平", "1", "3.0"), ("attitude", "服务态度", "1", "2.0")]
