"""Heartbeats, terminal events and service ratings (好差评)."""

from __future__ import annotations

import uuid

import pytest

from kiosk.refplatform import terminals
from tests.refplatform.conftest import KIOSK, new_key

HEARTBEAT = {"health": "ok", "versions": {"app": "0.1.0", "config": "42"}, "outbox_depth": 0,
             "paper": "low", "devices": {"printer": "online", "idcard": "noDevice"}}


def test_the_latest_heartbeat_of_each_kiosk_is_kept(api):
    ack = api.post("/kiosk/heartbeat", HEARTBEAT)
    assert ack.status_code == 200 and ack.json() == {"server_time": "2025-06-10T10:00:00+08:00"}
    api.clock.advance(minutes=1)
    api.post("/kiosk/heartbeat", {**HEARTBEAT, "paper": "out", "health": "degraded"})
    with api.store.read() as conn:
        latest = terminals.latest_heartbeats(conn)
    assert len(latest) == 1
    assert latest[0]["kiosk_id"] == KIOSK and latest[0]["paper"] == "out"
    assert latest[0]["received_at"] == "2025-06-10T10:01:00+08:00"


def test_events_are_deduplicated_by_id(api):
    events = [{"event_id": str(uuid.uuid4()), "at": "2025-06-10T09:59:00+08:00",
               "kind": "printer.paper_low", "severity": "warning"} for _ in range(3)]
    first = api.post("/kiosk/events", {"events": events[:2]})
    assert first.status_code == 202 and first.json() == {"accepted": 2, "duplicates": 0}
    second = api.post("/kiosk/events", {"events": events})
    assert second.json() == {"accepted": 1, "duplicates": 2}
    bad = api.post("/kiosk/events", {"events": [{**events[0], "event_id": "not-a-uuid"}]})
    assert bad.status_code == 400


def test_an_application_is_rated_once(api):
    receipt = api.file()["receipt_no"]
    created = api.post("/evaluations", {"receipt_no": receipt, "score": 4, "comment": "很快"},
                       key=new_key())
    assert created.status_code == 201
    evaluation = created.json()
    assert evaluation["score"] == 4 and evaluation["comment"] == "很快"
    again = api.post("/evaluations", {"receipt_no": receipt, "score": 1}, key=new_key())
    assert again.status_code == 409 and again.json()["code"] == "already_evaluated"
    unknown = api.post("/evaluations", {"receipt_no": "SL-20000101-000001", "score": 3},
                       key=new_key())
    assert unknown.status_code == 404
    out_of_range = api.post("/evaluations", {"receipt_no": receipt, "score": 6}, key=new_key())
    assert out_of_range.status_code == 400


def test_a_rating_by_all_four_indicators_is_stored_and_returned(api):
    receipt = api.file()["receipt_no"]
    created = api.post("/evaluations", {"receipt_no": receipt, "score": 5, "efficiency": 4,
                                        "competence": 3, "attitude": 2}, key=new_key())
    assert created.status_code == 201
    evaluation = created.json()
    assert (evaluation["score"], evaluation["efficiency"], evaluation["competence"],
            evaluation["attitude"]) == (5, 4, 3, 2)
    with api.store.read() as conn:
        row = conn.execute("SELECT score, efficiency, competence, attitude FROM evaluations "
                           "WHERE receipt_no = ?", (receipt,)).fetchone()
    assert tuple(row) == (5, 4, 3, 2)


def test_the_overall_score_alone_leaves_the_other_indicators_out(api):
    receipt = api.file()["receipt_no"]
    evaluation = api.post("/evaluations", {"receipt_no": receipt, "score": 3},
                          key=new_key()).json()
    assert evaluation["score"] == 3
    assert not {"efficiency", "competence", "attitude"} & set(evaluation)
    with api.store.read() as conn:
        row = conn.execute("SELECT efficiency, competence, attitude FROM evaluations "
                           "WHERE receipt_no = ?", (receipt,)).fetchone()
    assert tuple(row) == (None, None, None)


@pytest.mark.parametrize("field,value,path", [("efficiency", 0, "body/efficiency"),
                                              ("competence", 6, "body/competence"),
                                              ("attitude", "5", "body/attitude"),
                                              ("speed", 4, "body")])
def test_an_indicator_out_of_range_or_unknown_is_refused_as_a_problem(api, field, value, path):
    receipt = api.file()["receipt_no"]
    refused = api.post("/evaluations", {"receipt_no": receipt, "score": 4, field: value},
                       key=new_key())
    assert refused.status_code == 400
    assert refused.headers["Content-Type"] == "application/problem+json"
    problem = refused.json()
    assert problem["code"] == "validation_failed"
    assert [e["path"] for e in problem["errors"]] == [path]
    with api.store.read() as conn:
        assert conn.execute("SELECT 1 FROM evaluations WHERE receipt_no = ?",
                            (receipt,)).fetchone() is None
