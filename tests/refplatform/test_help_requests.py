"""Help requests (contract 1.3): a terminal raises one per tap of 呼叫工作人员 (a double tap under
one key raises one), reads back its own only, and staff acknowledge and close them."""

from __future__ import annotations

import json

import pytest
import requests

from kiosk.refplatform import auth, operator
from kiosk.refplatform.operator import OperatorError
from tests.refplatform.conftest import CITIZEN_ID, KIOSK, new_key

CALL = {"screen": "apply_form", "journey": "apply", "step": 3, "steps": 6,
        "raised_at": "2025-06-10T09:59:58+08:00"}


def raise_help(api, body=CALL, key: str | None = None) -> requests.Response:
    return api.post("/kiosk/help-requests", body, key=key or new_key())


def test_a_double_tap_raises_one_request_and_staff_see_where_not_who(api, store) -> None:
    key = new_key()
    first, second = raise_help(api, key=key), raise_help(api, key=key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    made = first.json()
    assert made["status"] == "open" and made["screen"] == "apply_form"
    assert (made["journey"], made["step"], made["steps"]) == ("apply", 3, 6)
    assert made["received_at"] == "2025-06-10T10:00:00+08:00"
    listed = operator.list_help_requests(store)
    assert [(r["help_request_id"], r["kiosk_id"]) for r in listed] == [
        (made["help_request_id"], KIOSK)]
    with store.read() as conn:  # nothing else is kept that could say who called
        row = dict(conn.execute("SELECT * FROM help_requests").fetchone())
    assert set(row) == {"help_request_id", "kiosk_id", "screen", "journey", "step", "steps",
                        "raised_at", "received_at", "status", "acknowledged_at",
                        "acknowledged_by", "closed_at", "closed_by", "on_the_way_at",
                        "on_the_way_by"}


def test_personal_data_is_refused_by_the_contract(api) -> None:
    for extra in ({"id_number": CITIZEN_ID}, {"name": "张三"}, {"session_id": "CS0123"}):
        assert raise_help(api, {**CALL, **extra}).status_code == 400
    assert raise_help(api, {**CALL, "screen": "张三"}).status_code == 400
    assert raise_help(api, {"screen": "home", "raised_at": CALL["raised_at"]}).status_code == 201
    assert api.post("/kiosk/help-requests", CALL).status_code == 400  # no key


def test_staff_acknowledge_then_close_and_the_terminal_reads_it(api, store, clock) -> None:
    made = raise_help(api).json()
    path = f"/kiosk/help-requests/{made['help_request_id']}"
    assert api.get(path).json()["status"] == "open"
    clock.advance(minutes=1)
    operator.acknowledge_help(store, made["help_request_id"], "S0001", clock=clock)
    seen = api.get(path).json()
    assert (seen["status"], seen["acknowledged_by"]) == ("acknowledged", "S0001")
    assert seen["acknowledged_at"] == "2025-06-10T10:01:00+08:00"
    operator.acknowledge_help(store, made["help_request_id"], "S0002", clock=clock)
    assert api.get(path).json()["acknowledged_by"] == "S0001"  # the first answer stands
    clock.advance(minutes=4)
    operator.close_help(store, made["help_request_id"], "S0001", clock=clock)
    closed = api.get(path).json()
    assert (closed["status"], closed["closed_at"]) == ("closed", "2025-06-10T10:05:00+08:00")
    with pytest.raises(OperatorError, match="closed already"):
        operator.acknowledge_help(store, made["help_request_id"], "S0001", clock=clock)
    with pytest.raises(OperatorError, match="no help request"):
        operator.close_help(store, "H-none", "S0001", clock=clock)
    with pytest.raises(OperatorError, match="staff id"):
        operator.close_help(store, made["help_request_id"], " ", clock=clock)
    assert operator.list_help_requests(store, "open") == []
    assert [r["status"] for r in operator.list_help_requests(store)] == ["closed"]


def test_a_terminal_reads_its_own_requests_only(api, store) -> None:
    """The attack: a second terminal's credential reads, or guesses, the first's request."""
    made = raise_help(api).json()
    other = requests.Session()
    other.auth = ("kiosk-test-02", auth.enrol(store, "kiosk-test-02"))
    answer = other.get(f"{api.url}/kiosk/help-requests/{made['help_request_id']}", timeout=30)
    assert answer.status_code == 404
    assert made["help_request_id"] not in answer.text
    theirs = other.post(f"{api.url}/kiosk/help-requests", json={**CALL, "screen": "home"},
                        headers={"Idempotency-Key": new_key()}, timeout=30).json()
    assert api.get(f"/kiosk/help-requests/{theirs['help_request_id']}").status_code == 404
    by_kiosk = {r["kiosk_id"]: r["screen"] for r in operator.list_help_requests(store)}
    assert by_kiosk == {KIOSK: "apply_form", "kiosk-test-02": "home"}  # staff see all
    assert [r["kiosk_id"] for r in operator.list_help_requests(store, kiosk_id=KIOSK)] == [KIOSK]
    assert requests.post(f"{api.url}/kiosk/help-requests", json=CALL, timeout=30,
                         headers={"Idempotency-Key": new_key()}).status_code == 401


def test_a_stuck_loop_cannot_flood_the_hall(api) -> None:
    answers = [raise_help(api).status_code for _ in range(11)]
    assert answers[:10] == [201] * 10 and answers[10] == 429
    assert json.loads(raise_help(api).text)["code"] == "rate_limited"
