"""Alert rules over the console store, on SQLite and PostgreSQL: raised once, cleared when the
condition goes, acknowledged by name, scoped by hall, and free of personal data."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from dataclasses import replace

import pytest
import sqlalchemy as sa

from kiosk.console import alerts
from kiosk.console.alert_delivery import message
from kiosk.console.alert_loop import AlertLoop
from kiosk.console.alerts import AlertRules, OpeningHours, evaluate
from tests.console.rows import T0, beat, event, heartbeat

RULES = AlertRules(heartbeat_interval_s=60, offline_missed=3, offline_delay_s=60,
                   quiet_after_s=3600)
HOURS = replace(RULES, opening_hours={
    "hall-a": OpeningHours(dt.time(9), dt.time(17), frozenset(range(5)))})  # Mon-Fri 9-17
SEC = dt.timedelta(seconds=1)


def open_kinds(engine: sa.Engine, kiosk_id: str = "K1") -> set[str]:
    return {a["kind"] for a in alerts.listing(engine) if a["kiosk_id"] == kiosk_id}


def test_paper_low_then_out_then_reloaded(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", T0, beat(paper="low"))
    first = evaluate(engine, RULES, T0, channels=["email"])
    assert open_kinds(engine) == {"paper_low"} and len(first.raised) == 1
    assert evaluate(engine, RULES, T0 + 5 * SEC).raised == []  # raised once
    heartbeat(engine, "K1", T0 + 60 * SEC, beat(paper="out"))
    second = evaluate(engine, RULES, T0 + 61 * SEC, channels=["email"])
    assert open_kinds(engine) == {"paper_out"}
    assert second.cleared == first.raised
    heartbeat(engine, "K1", T0 + 120 * SEC, beat(paper="ok"))
    evaluate(engine, RULES, T0 + 121 * SEC)
    assert open_kinds(engine) == set()
    every = alerts.listing(engine, open_only=False)
    assert [(a["kind"], a["cleared_at"] is not None) for a in every] == [
        ("paper_out", True), ("paper_low", True)]


def test_devices_and_outbox_stuck(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", T0, beat(devices={"printer": "hardwareError", "camera": "online",
                                              "idcard": "noDevice"},
                                     outbox_stuck={"count": 2, "oldest_age_s": 7200}))
    evaluate(engine, RULES, T0)
    found = {a["kind"]: a["detail"] for a in alerts.listing(engine)}
    assert found == {"device_needs_staff": {"devices": {"idcard": "noDevice",
                                                         "printer": "hardwareError"}},
                     "outbox_stuck": {"count": 2, "oldest_age_s": 7200}}
    heartbeat(engine, "K1", T0 + 60 * SEC, beat())
    evaluate(engine, RULES, T0 + 61 * SEC)
    assert open_kinds(engine) == set()


def test_offline_after_missed_heartbeats_and_delay(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", T0, beat())
    threshold = RULES.offline_after_s  # 3 × 60 s + 60 s
    evaluate(engine, RULES, T0 + (threshold - 1) * SEC)
    assert open_kinds(engine) == set()
    evaluate(engine, RULES, T0 + threshold * SEC)
    assert open_kinds(engine) == {"offline"}
    heartbeat(engine, "K1", T0 + 300 * SEC, beat())
    evaluate(engine, RULES, T0 + 301 * SEC)
    assert open_kinds(engine) == set()


def test_no_sessions_only_in_opening_hours(engine: sa.Engine) -> None:
    opened = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 Beijing
    heartbeat(engine, "K1", opened + 3600 * SEC, beat())
    heartbeat(engine, "K2", opened + 3600 * SEC, beat(), hall="hall-b")  # no hours configured
    evaluate(engine, HOURS, opened + 3599 * SEC)  # open for less than quiet_after_s
    assert open_kinds(engine) == set()
    evaluate(engine, HOURS, opened + 3600 * SEC)
    assert open_kinds(engine) == {"no_sessions"} and open_kinds(engine, "K2") == set()
    event(engine, "K1", "session_started", opened + 3610 * SEC, {"method": "idcard"})
    evaluate(engine, HOURS, opened + 3620 * SEC)
    assert open_kinds(engine) == set()
    evening = dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC)  # 19:00 Beijing: closed
    heartbeat(engine, "K1", evening, beat())
    evaluate(engine, HOURS, evening)
    assert open_kinds(engine) == set()
    saturday = dt.datetime(2026, 12, 12, 4, 0, tzinfo=dt.UTC)
    heartbeat(engine, "K1", saturday, beat())
    evaluate(engine, HOURS, saturday)
    assert open_kinds(engine) == set()


def test_audit_mismatch_stays_until_acknowledged(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", T0, beat())
    platform_alert = {"kiosk_id": "K1", "at": T0.isoformat(), "kind": "audit_head_rewritten",
                      "reported_seq": 40, "reported_hash": "ab" * 32, "known_seq": 40,
                      "known_hash": "cd" * 32}
    row = alerts.audit_alert_event(platform_alert)
    assert row == alerts.audit_alert_event(platform_alert)  # copied twice, stored once
    event(engine, row["kiosk_id"], row["kind"], T0, row["detail"], row["severity"],
          row["event_id"])
    evaluate(engine, RULES, T0 + SEC)
    evaluate(engine, RULES, T0 + 2 * SEC)
    [alert] = alerts.listing(engine)
    assert (alert["kind"], alert["detail"]) == ("audit_mismatch", {
        "audit_kind": "audit_head_rewritten", "reported_seq": 40})
    done = alerts.acknowledge(engine, alert["id"], "li.wei", T0 + 10 * SEC)
    assert done["acked_by"] == "li.wei" and done["cleared_at"] is not None
    evaluate(engine, RULES, T0 + 20 * SEC)
    assert open_kinds(engine) == set()  # the same mismatch is not raised again


def test_acknowledge_records_who_and_when_and_respects_the_hall(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", T0, beat(paper="out"))
    heartbeat(engine, "K9", T0, beat(paper="out"), hall="hall-b")
    evaluate(engine, RULES, T0)
    ours = next(a for a in alerts.listing(engine, hall="hall-a"))
    theirs = next(a for a in alerts.listing(engine, hall="hall-b"))
    with pytest.raises(alerts.AlertNotFound):
        alerts.acknowledge(engine, theirs["id"], "zhang.min", T0, hall="hall-a")
    done = alerts.acknowledge(engine, ours["id"], "zhang.min", T0 + 30 * SEC, hall="hall-a")
    again = alerts.acknowledge(engine, ours["id"], "someone.else", T0 + 60 * SEC)
    assert (again["acked_by"], alerts.utc(again["acked_at"])) == ("zhang.min", T0 + 30 * SEC)
    assert done["cleared_at"] is None  # acknowledged, still out of paper
    assert alerts.listing(engine, hall="hall-b")[0]["acked_by"] is None


def test_an_open_alert_is_unique_in_the_database(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", T0, beat(paper="out"))
    evaluate(engine, RULES, T0)
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(alerts.alerts.insert().values(kiosk_id="K1", hall="hall-a", kind="paper_out",
                                                   raised_at=T0, open_key="K1|paper_out"))


def test_no_personal_data_reaches_an_alert(sqlite_engine: sa.Engine) -> None:
    """Even if a heartbeat or event carried personal data, the alert is built from whitelisted
    fields only: plant it everywhere and look for it in every message."""
    name, id_number = "张三丰", "110101199003071234"
    planted = {"name": name, "id_number": id_number}
    heartbeat(sqlite_engine, "K1", T0, beat(
        paper="low", last_error=f"card of {name} {id_number}",
        devices={"printer": "userError", "idcard": "hardwareError"},
        outbox_stuck={"count": 1, "oldest_age_s": 9000, **planted}, **planted))
    event(sqlite_engine, "K1", "audit_head_backwards", T0, {"reported_seq": 3, **planted})
    event(sqlite_engine, "K1", "session_started", T0, planted)
    evaluate(sqlite_engine, RULES, T0 + 3600 * SEC)
    every = alerts.listing(sqlite_engine)
    assert {a["kind"] for a in every} == {"paper_low", "device_needs_staff", "outbox_stuck",
                                          "audit_mismatch", "offline"}
    for alert in every:
        text = json.dumps(message(alert, "raised", 1), ensure_ascii=False)
        assert name not in text and id_number not in text, text


def test_offline_alert_latency_with_the_loop_running(sqlite_engine: sa.Engine) -> None:
    """A terminal heartbeats every 0.4 s, then stops; the loop (period 0.2 s) raises `offline`
    no later than the delay plus one heartbeat interval after its last heartbeat."""
    rules = AlertRules(heartbeat_interval_s=0.4, offline_missed=2, offline_delay_s=0.4)
    stop = threading.Event()
    last: list[dt.datetime] = []

    def terminal() -> None:
        while not stop.is_set():
            now = dt.datetime.now(dt.UTC)
            heartbeat(sqlite_engine, "K1", now, beat())
            last.append(now)
            stop.wait(rules.heartbeat_interval_s)

    loop = AlertLoop(sqlite_engine, rules, [], period_s=0.2).start()
    beating = threading.Thread(target=terminal)
    beating.start()
    try:
        time.sleep(2.0)
        assert open_kinds(sqlite_engine) == set()
        stop.set()
        beating.join()
        deadline = time.monotonic() + 10
        while "offline" not in open_kinds(sqlite_engine) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        loop.stop()
    [alert] = alerts.listing(sqlite_engine)
    latency = (alerts.utc(alert["raised_at"]) - last[-1]).total_seconds()
    print(f"offline alert {latency:.2f} s after the last heartbeat "
          f"(threshold {rules.offline_after_s:.1f} s, bound "
          f"{rules.offline_after_s + rules.heartbeat_interval_s:.1f} s)")
    assert rules.offline_after_s <= latency <= rules.offline_after_s + rules.heartbeat_interval_s


def test_evaluating_one_terminal_on_ingest_leaves_the_others(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", T0, beat(paper="out"))
    heartbeat(engine, "K2", T0, beat(paper="out"))
    evaluate(engine, RULES, T0, kiosk_ids=["K2"])
    assert open_kinds(engine, "K1") == set() and open_kinds(engine, "K2") == {"paper_out"}
    heartbeat(engine, "K2", T0 + 60 * SEC, beat())
    evaluate(engine, RULES, T0 + 60 * SEC, kiosk_ids=["K2"])
    assert open_kinds(engine, "K2") == set()


def test_rules_and_channels_from_the_console_config() -> None:
    import tomllib

    from kiosk.console.alert_loop import channels_from_mapping
    config = tomllib.loads("""
[alerts]
heartbeat_interval_s = 30
offline_missed = 2
offline_delay_s = 45
quiet_after_s = 1800
[alerts.opening_hours.hall-a]
opens = "08:30"
closes = "17:30"
weekdays = [0, 1, 2, 3, 4, 5]
[alerts.email]
host = "smtp.example"
port = 587
starttls = true
username = "console"
password = "secret"
sender = "console@example"
recipients = ["duty@example"]
[alerts.webhook]
url = "https://hooks.example/alerts"
secret = "s3cret"
""")["alerts"]
    rules = AlertRules.from_mapping({k: v for k, v in config.items()
                                     if k not in ("email", "webhook")})
    assert rules.offline_after_s == 105
    assert rules.opening_hours["hall-a"] == OpeningHours(dt.time(8, 30), dt.time(17, 30),
                                                         frozenset(range(6)))
    email, hook = channels_from_mapping(config)
    assert (email.name, email.port, email.starttls, email.recipients) == (
        "email", 587, True, ("duty@example",))
    assert (hook.name, hook.secret) == ("webhook", b"s3cret")


def test_two_evaluators_at_once_raise_one_alert(engine: sa.Engine) -> None:
    heartbeat(engine, "K1", T0, beat(paper="out"))
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            evaluate(engine, RULES, T0 + n * SEC, channels=["email"])
        except BaseException as exc:
            failures.append(exc)

    for _ in range(3):
        threads = [threading.Thread(target=run, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []
    assert [a["kind"] for a in alerts.listing(engine, open_only=False)] == ["paper_out"]
