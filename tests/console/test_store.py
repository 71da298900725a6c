"""The console's store on SQLite and on PostgreSQL (the same statements): what ingest keeps
from heartbeats, events and help requests, pruning, the board's order and offline rule, staff
accounts and login throttling."""

from __future__ import annotations

import datetime as dt
import uuid

import pyotp
import sqlalchemy as sa

from kiosk.console import audit, ingest, queries, staff
from kiosk.console.db import events, heartbeats, terminals
from kiosk.console.status import as_utc, board
from tests.console.conftest import PASSWORD, add_staff

T0 = dt.datetime(2026, 12, 5, 2, 0, tzinfo=dt.timezone.utc)


def beat(paper: str = "ok", hall: str = "Hall A", ring: str = "canary", **extra: object) -> dict:
    return {"health": "ok", "versions": {"app": "1.4.0", "base": "7"}, "outbox_depth": 0,
            "paper": paper, "devices": {"printer": "online", "idcard": "online"},
            "uptime_s": 60, "site": {"hall": hall, "ring": ring}, **extra}


def test_heartbeats_keep_the_latest_per_terminal_and_a_pruned_history(store) -> None:
    ingest.heartbeat(store, "K-1", beat(), T0)
    ingest.heartbeat(store, "K-1", beat("low"), T0 + dt.timedelta(days=3))
    ingest.heartbeat(store, "K-2", beat(hall="Hall B", ring="stable"), T0 + dt.timedelta(days=3))
    with store.connect() as conn:
        row = conn.execute(sa.select(terminals).where(terminals.c.kiosk_id == "K-1")).one()
        assert (row.hall, row.ring, row.heartbeat["paper"]) == ("Hall A", "canary", "low")
        assert conn.execute(sa.select(sa.func.count()).select_from(heartbeats)).scalar() == 3
    assert ingest.prune(store, T0 + dt.timedelta(days=4), days=2) == 1
    assert [h["paper"] for h in queries.recent_heartbeats(store, "K-1")] == ["low"]
    # a terminal of contract 1.3 sends no site: it keeps the hall it had
    no_site = beat()
    del no_site["site"]
    ingest.heartbeat(store, "K-2", no_site, T0 + dt.timedelta(days=4))
    assert queries.hall_of(store, "K-2") == "Hall B"


def test_events_are_kept_once_and_a_help_request_becomes_an_event_without_who(store) -> None:
    event = {"event_id": str(uuid.uuid4()), "at": "2026-12-05T10:00:00+08:00",
             "kind": "printer.paper_low", "severity": "warning", "detail": {"device": "printer"}}
    assert ingest.event_batch(store, "K-1", [event], T0) == 1
    assert ingest.event_batch(store, "K-1", [event], T0) == 0
    ingest.help_raised(store, "K-1", {"help_request_id": "HABC", "screen": "apply_form",
                                      "journey": "apply", "step": 3, "steps": 6,
                                      "raised_at": "2026-12-05T10:01:00+08:00",
                                      "received_at": "2026-12-05T10:01:00+08:00",
                                      "status": "open"}, T0)
    with store.connect() as conn:
        kinds = dict(conn.execute(sa.select(events.c.kind, events.c.detail)).all())
    assert kinds["help_requested"] == {"help_request_id": "HABC", "screen": "apply_form",
                                       "journey": "apply", "step": 3, "steps": 6}


def test_the_board_puts_red_first_and_calls_a_terminal_offline_after_the_missed_beats(store):
    ingest.heartbeat(store, "K-ok", beat(), T0)
    ingest.heartbeat(store, "K-low", beat("low"), T0)
    ingest.heartbeat(store, "K-out", beat("out", devices={"printer": "userError"}), T0)
    ingest.heartbeat(store, "K-quiet", beat(), T0 - dt.timedelta(seconds=181))
    ingest.heartbeat(store, "K-stuck", beat(outbox_stuck={"count": 2, "oldest_age_s": 900}), T0)
    rows = board(queries.statuses(store, T0, offline_after_s=180))
    assert [(r.kiosk_id, r.level) for r in rows] == [
        ("K-out", "red"), ("K-quiet", "red"), ("K-stuck", "red"), ("K-low", "amber"),
        ("K-ok", "green")]
    assert {r.kiosk_id: r.problems for r in rows}["K-out"] == ["paper_out", "device_attention"]
    assert {r.kiosk_id: r.problems for r in rows}["K-quiet"] == ["offline"]
    # one second inside the window: still online
    assert not queries.terminal(store, "K-quiet", T0 - dt.timedelta(seconds=1), 180).offline
    assert [r.kiosk_id for r in queries.statuses(store, T0, 180, hall="Hall B")] == []


def test_staff_log_in_with_password_and_a_code_used_once(store) -> None:
    secret = add_staff(store, "li.hall.a", "hall_staff", "Hall A")
    code = pyotp.TOTP(secret).at(T0)
    assert staff.authenticate(store, "li.hall.a", "wrong password", code, T0) is None
    who = staff.authenticate(store, "li.hall.a", PASSWORD, code, T0)
    assert who == staff.Staff("li.hall.a", "hall_staff", "Hall A") and not who.sees_all
    assert staff.authenticate(store, "li.hall.a", PASSWORD, code, T0) is None  # replayed
    later = T0 + dt.timedelta(seconds=60)
    assert staff.authenticate(store, "li.hall.a", PASSWORD, pyotp.TOTP(secret).at(later),
                              later) is not None
    with store.connect() as conn:
        stored = conn.execute(sa.select(staff.staff.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    staff.disable(store, "li.hall.a")
    assert staff.find(store, "li.hall.a") is None


def test_failed_logins_throttle_a_name_and_age_out(store) -> None:
    for _ in range(5):
        staff.record_failure(store, "boss", "10.0.0.9", T0)
    assert staff.throttled(store, "boss", "10.0.0.1", T0, max_failures=5, window_s=900)
    assert not staff.throttled(store, "other", "10.0.0.1", T0, max_failures=5, window_s=900)
    assert not staff.throttled(store, "boss", "10.0.0.1", T0 + dt.timedelta(seconds=901),
                               max_failures=5, window_s=900)


def test_the_console_audit_trail_says_who_did_what_to_which_terminal(store) -> None:
    audit.record(store, "li.hall.a", "help_acknowledge", T0, "K-1", {"help_request_id": "H1"})
    audit.record(store, "boss", "login", T0)
    rows = audit.recent(store, kiosk_ids={"K-1"})
    assert [(r["staff"], r["action"], r["kiosk_id"]) for r in rows] == [
        ("li.hall.a", "help_acknowledge", "K-1")]


def test_the_history_keeps_what_changed_a_restart_and_one_row_a_quarter_hour(store) -> None:
    """A row per beat was 1,440 a terminal a day, nearly all alike: the history keeps news."""
    minute = dt.timedelta(minutes=1)
    for n in range(20):  # twenty alike beats, the uptime and audit head ticking
        ingest.heartbeat(store, "K-1", beat(uptime_s=60 * (n + 1),
                                            audit_head={"seq": n + 1, "hash": "a" * 64}),
                         T0 + n * minute)
    ingest.heartbeat(store, "K-1", beat("low", uptime_s=1300), T0 + 20 * minute)  # news
    ingest.heartbeat(store, "K-1", beat("low", uptime_s=1360), T0 + 21 * minute)
    ingest.heartbeat(store, "K-1", beat("low", uptime_s=5), T0 + 22 * minute)  # restarted
    kept = [(h["paper"], h["uptime_s"]) for h in reversed(queries.recent_heartbeats(store, "K-1"))]
    # the first, the first after 15 min of sameness, the change to low, the restart
    assert kept == [("ok", 60), ("ok", 960), ("low", 1300), ("low", 5)]
    with store.connect() as conn:  # the board still has the latest, whatever was kept
        row = conn.execute(sa.select(terminals).where(terminals.c.kiosk_id == "K-1")).one()
    assert (row.heartbeat["uptime_s"], as_utc(row.last_seen)) == (5, T0 + 22 * minute)
