"""The audit-trail heads terminals report (contract 1.2): kept as a series per terminal, read
back by that terminal only, and flagged on arrival when they go backwards or change a hash."""

from __future__ import annotations

import requests

from kiosk.refplatform import audit_heads, auth
from tests.refplatform.conftest import KIOSK

BEAT = {"health": "ok", "versions": {"app": "0.1.0"}, "outbox_depth": 0, "paper": "ok",
        "devices": {}}
H = {n: f"{n:064x}" for n in range(1, 20)}


def beat(api, seq: int, digest: str):
    response = api.post("/kiosk/heartbeat", {**BEAT, "audit_head": {"seq": seq, "hash": digest}})
    assert response.status_code == 200, response.text
    return response


def alerts(api) -> list[dict]:
    with api.store.read() as conn:
        return audit_heads.alerts(conn, KIOSK)


def test_each_head_is_kept_once_and_read_back_in_order(api) -> None:
    for seq in (3, 3, 5, 9):
        beat(api, seq, H[seq])
        api.clock.advance(minutes=1)
    api.post("/kiosk/heartbeat", BEAT)  # an empty trail reports no head: nothing changes
    series = api.get("/kiosk/audit-heads").json()
    assert [(i["seq"], i["hash"]) for i in series["items"]] == [(3, H[3]), (5, H[5]), (9, H[9])]
    assert series["items"][0]["first_seen"] == "2025-06-10T10:00:00+08:00"
    assert (series["more"], series["alerts"]) == (False, 0)
    assert [i["seq"] for i in api.get("/kiosk/audit-heads",
                                      params={"since_seq": 5}).json()["items"]] == [5, 9]
    assert api.get("/kiosk/audit-heads", params={"since_seq": 0}).status_code == 400
    bad = api.post("/kiosk/heartbeat", {**BEAT, "audit_head": {"seq": 1, "hash": "XYZ"}})
    assert bad.status_code == 400


def test_a_head_going_backwards_or_changing_its_hash_is_flagged(api) -> None:
    beat(api, 5, H[5])
    beat(api, 8, H[8])
    beat(api, 6, H[6])  # cut short, then written on
    beat(api, 8, H[9])  # the same seq with another hash: rewritten and re-chained
    beat(api, 8, H[8])  # the genuine one again: nothing new
    flagged = alerts(api)
    assert [(a["kind"], a["reported_seq"], a["known_seq"], a["known_hash"]) for a in flagged] == [
        ("audit_head_backwards", 6, 8, H[8]), ("audit_head_rewritten", 8, 8, H[8])]
    assert {a["kiosk_id"] for a in flagged} == {KIOSK}
    series = api.get("/kiosk/audit-heads").json()
    assert [i["seq"] for i in series["items"]] == [5, 8]  # the contradictions are not kept
    assert series["alerts"] == 2


def test_another_terminal_reads_its_own_series_only(api, store) -> None:
    """The attack: a second terminal's credential asks for the first's series."""
    beat(api, 4, H[4])
    other = requests.Session()
    other.auth = ("kiosk-test-02", auth.enrol(store, "kiosk-test-02"))
    for params in ({}, {"kiosk_id": KIOSK}, {"since_seq": 1, "kiosk": KIOSK}):
        answer = other.get(api.url + "/kiosk/audit-heads", params=params, timeout=30)
        assert answer.status_code in (200, 400)
        if answer.status_code == 200:
            assert answer.json() == {"items": [], "more": False, "alerts": 0}
    other.post(api.url + "/kiosk/heartbeat", json={**BEAT, "audit_head": {"seq": 1, "hash": H[1]}},
               timeout=30)
    assert [i["seq"] for i in api.get("/kiosk/audit-heads").json()["items"]] == [4]
    assert requests.get(api.url + "/kiosk/audit-heads", timeout=30).status_code == 401


def test_old_heads_are_thinned_to_one_a_day_and_the_newest_kept(api) -> None:
    for day in range(3):
        for seq in (day * 5 + 1, day * 5 + 2, day * 5 + 3):
            beat(api, seq, H[seq])
            api.clock.advance(hours=1)
        api.clock.advance(days=1)
    api.clock.advance(days=audit_heads.SERIES_DAYS)
    beat(api, 16, H[16])
    kept = [i["seq"] for i in api.get("/kiosk/audit-heads").json()["items"]]
    assert kept == [3, 8, 13, 16]
