"""Attacks on the platform as a stranger would try them, against a platform that requires
citizen sessions: a second terminal's credential with no citizen present, a session stolen from
another terminal, a session whose holder never proved themselves, one citizen reaching for
another's data, code guessing, sweeps. Real server on loopback, real HTTP."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.refplatform import auth, operator
from kiosk.refplatform.server import ServerHandle
from kiosk.refplatform.store import Store
from tests.support import texted_code
from tests.refplatform.conftest import (CITIZEN_ID, KIOSK, OTHER_ID, Api, MovableClock, served,
                                        marriage_application, new_key, no_record_application)

SECOND_KIOSK = "kiosk-test-02"
OTHER_MOBILE = "13900139000"


@pytest.fixture
def strict(store: Store, clock: MovableClock) -> Iterator[ServerHandle]:
    store.seed([], {OTHER_ID: {"known": True, "prefill": {"name": "李四", "mobile": OTHER_MOBILE},
                               "elicences": []}})
    yield from served(store, clock, require_citizen_session=True)


@pytest.fixture
def kiosk(strict: ServerHandle, store: Store, clock: MovableClock) -> Api:
    return Api(strict, auth.enrol(store, KIOSK), clock, store)


@pytest.fixture
def second(strict: ServerHandle, store: Store, clock: MovableClock) -> Api:
    api = Api(strict, auth.enrol(store, SECOND_KIOSK), clock, store)
    api.session.auth = (SECOND_KIOSK, api.session.auth[1])  # type: ignore[index]
    return api


def open_session(api: Api, id_number: str = CITIZEN_ID) -> dict[str, Any]:
    response = api.post("/citizen-sessions", {"id_number": id_number, "evidence": "id_card"})
    assert response.status_code == 201, response.text
    return response.json()


def verified(api: Api, id_number: str = CITIZEN_ID, mobile: str = "13800138000"
             ) -> dict[str, str]:
    """Headers of a verified session: opened, code sent, code read off the SMS and typed."""
    token = open_session(api, id_number)["token"]
    headers = {"Citizen-Session": token}
    sent = api.post("/citizen-sessions/current/holder-code", headers=headers)
    assert sent.status_code == 202, sent.text
    assert sent.json()["to"] == mobile[:3] + "****" + mobile[-4:]
    proof = api.post("/citizen-sessions/current/holder",
                     {"factor": "sms_code", "code": texted_code(api.store, mobile)},
                     headers=headers)
    assert proof.status_code == 200, proof.text
    assert proof.json()["holder_verified"] is True
    return {**headers, "X-Grant": proof.json()["filing_grant"]}


def session_only(headers: dict[str, str]) -> dict[str, str]:
    return {"Citizen-Session": headers["Citizen-Session"]}


def filed_application(api: Api, headers: dict[str, str], body: dict[str, Any] | None = None
                      ) -> dict[str, Any]:
    response = api.post("/applications", body or no_record_application(), key=new_key(),
                        headers=session_only(headers))
    assert response.status_code == 201, response.text
    return response.json()


def citizen_data_requests(receipt_no: str, certificate_id: str, payment_id: str,
                          appointment_id: str) -> list[tuple[str, str, Any, bool]]:
    """(method, path, body, keyed) of every operation that reads or changes a citizen's data."""
    return [
        ("POST", "/citizens/lookup", {"id_number": CITIZEN_ID}, False),
        ("POST", "/applications", no_record_application(), True),
        ("POST", "/applications/query", {"id_number": CITIZEN_ID}, False),
        ("GET", f"/applications/{receipt_no}", None, False),
        ("POST", f"/applications/{receipt_no}/supplements",
         {"materials": [{"material_id": "household", "source": "elicence",
                         "elicence_id": "EL-ID-0001"}]}, True),
        ("POST", "/certificates/query", {"id_number": CITIZEN_ID}, False),
        ("GET", f"/certificates/{certificate_id}/document", None, False),
        ("POST", f"/certificates/{certificate_id}/collect", {}, True),
        ("POST", "/payments", {"receipt_no": receipt_no}, True),
        ("GET", f"/payments/{payment_id}", None, False),
        ("POST", "/appointments", {"service_id": "civil.marriage-record", "slot_id": "SLOTX",
                                   "applicant": {"id_kind": "resident", "id_number": CITIZEN_ID,
                                                 "name": "张三"}}, True),
        ("POST", "/appointments/query", {"id_number": CITIZEN_ID}, False),
        ("POST", f"/appointments/{appointment_id}/cancel", None, False),
        ("POST", "/evaluations", {"receipt_no": receipt_no, "score": 1}, True),
    ]


def send(api: Api, method: str, path: str, body: Any, keyed: bool,
         headers: dict[str, str] | None = None) -> requests.Response:
    if method == "GET":
        return api.get(path, headers=headers or {})
    return api.post(path, body, key=new_key() if keyed else None, headers=headers or {})


@pytest.fixture
def victim(kiosk: Api, store: Store, clock: MovableClock) -> dict[str, str]:
    """The victim's things at the platform: a certificate, a payment, an appointment."""
    headers = verified(kiosk)
    issued = filed_application(kiosk, headers)
    operator.accept(store, issued["receipt_no"], clock=clock)
    operator.start_review(store, issued["receipt_no"], clock=clock)
    operator.approve(store, issued["receipt_no"], clock=clock)
    with store.read() as conn:
        certificate_id = conn.execute("SELECT certificate_id FROM certificates").fetchone()[0]
    due = filed_application(kiosk, headers, marriage_application())
    operator.accept(store, due["receipt_no"], clock=clock)
    payment = kiosk.post("/payments", {"receipt_no": due["receipt_no"]}, key=new_key(),
                         headers=session_only(headers))
    assert payment.status_code == 201, payment.text
    slots = kiosk.get("/appointments/slots", params={
        "service_id": "civil.marriage-record", "date_from": "2025-06-11",
        "date_to": "2025-06-13"}).json()["items"]
    booked = kiosk.post("/appointments", {
        "service_id": "civil.marriage-record", "slot_id": slots[0]["slot_id"],
        "applicant": {"id_kind": "resident", "id_number": CITIZEN_ID, "name": "张三"}},
        key=new_key(), headers=session_only(headers))
    assert booked.status_code == 201, booked.text
    return {"receipt_no": due["receipt_no"], "certificate_id": certificate_id,
            "payment_id": payment.json()["payment_id"],
            "appointment_id": booked.json()["appointment_id"]}


def test_a_second_terminal_with_no_citizen_reaches_nothing_personal(
        victim: dict[str, str], second: Api) -> None:
    for method, path, body, keyed in citizen_data_requests(**victim):
        response = send(second, method, path, body, keyed)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["code"] == "citizen_session_required", (method, path)
        assert "张三" not in response.text and CITIZEN_ID not in response.text
    # public things still answer
    assert second.get("/catalogue/services").status_code == 200


def test_receipt_numbers_cannot_be_enumerated(victim: dict[str, str], second: Api) -> None:
    day = victim["receipt_no"].split("-")[1]
    for n in range(1, 21):
        response = second.get(f"/applications/SL-{day}-{n:06d}")
        assert response.status_code == 401


def test_a_session_from_another_terminal_is_refused(kiosk: Api, second: Api,
                                                    victim: dict[str, str]) -> None:
    stolen = session_only(verified(kiosk))
    for method, path, body, keyed in citizen_data_requests(**victim):
        response = send(second, method, path, body, keyed, stolen)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "citizen_session_invalid"


def test_nothing_personal_before_the_holder_is_verified(kiosk: Api, victim: dict[str, str]
                                                        ) -> None:
    """A found card (or one carrying someone's number) opens a session, and nothing more."""
    unverified = {"Citizen-Session": open_session(kiosk)["token"]}
    for method, path, body, keyed in citizen_data_requests(**victim):
        response = send(kiosk, method, path, body, keyed, unverified)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["code"] == "holder_not_verified"


def test_a_session_reaches_its_own_citizen_only(kiosk: Api, victim: dict[str, str]) -> None:
    other = session_only(verified(kiosk, OTHER_ID, OTHER_MOBILE))
    for method, path, body, keyed in citizen_data_requests(**victim):
        response = send(kiosk, method, path, body, keyed, other)
        assert response.status_code in (403, 404), (method, path, response.text)
        assert response.json()["code"] in ("not_this_citizen", "not_found")
        assert "张三" not in response.text
    own = kiosk.post("/applications/query", {"id_number": OTHER_ID}, headers=other)
    assert own.status_code == 200 and own.json()["items"] == []


def test_the_citizen_reaches_their_own_data_and_every_read_is_recorded(
        kiosk: Api, store: Store) -> None:
    headers = session_only(verified(kiosk))
    filed = filed_application(kiosk, headers)
    mine = kiosk.get(f"/applications/{filed['receipt_no']}", headers=headers)
    assert mine.status_code == 200
    listed = kiosk.post("/applications/query", {"id_number": CITIZEN_ID}, headers=headers)
    assert [a["receipt_no"] for a in listed.json()["items"]] == [filed["receipt_no"]]
    with store.read() as conn:
        reads = [tuple(r) for r in conn.execute(
            "SELECT kiosk_id, operation, subject, id_number FROM citizen_reads ORDER BY id")]
    assert (KIOSK, "getApplication", filed["receipt_no"], CITIZEN_ID) in reads
    assert (KIOSK, "queryApplications", None, CITIZEN_ID) in reads


def test_wrong_codes_count_down_then_the_code_is_dead(kiosk: Api, store: Store) -> None:
    headers = {"Citizen-Session": open_session(kiosk)["token"]}
    kiosk.post("/citizen-sessions/current/holder-code", headers=headers)
    right = texted_code(store, "13800138000")
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    lefts = []
    for _ in range(5):
        response = kiosk.post("/citizen-sessions/current/holder",
                              {"factor": "sms_code", "code": wrong}, headers=headers)
        assert response.status_code == 422 and response.json()["code"] == "wrong_code"
        lefts.append(response.json()["tries_left"])
    assert lefts == [4, 3, 2, 1, 0]
    late = kiosk.post("/citizen-sessions/current/holder", {"factor": "sms_code", "code": right},
                      headers=headers)
    assert late.status_code == 409 and late.json()["code"] == "no_live_code"


def test_a_code_lives_five_minutes_and_three_sends_per_session(kiosk: Api, store: Store,
                                                               clock: MovableClock) -> None:
    headers = {"Citizen-Session": open_session(kiosk)["token"]}
    sends = [kiosk.post("/citizen-sessions/current/holder-code", headers=headers)
             for _ in range(4)]
    assert [r.status_code for r in sends] == [202, 202, 202, 429]
    assert [r.json().get("sends_left") for r in sends[:3]] == [2, 1, 0]
    code = texted_code(store, "13800138000")
    clock.advance(minutes=5, seconds=1)
    response = kiosk.post("/citizen-sessions/current/holder", {"factor": "sms_code", "code": code},
                          headers=headers)
    assert response.status_code == 409


def test_sessions_expire_when_idle_or_old_and_end_when_the_terminal_says(
        kiosk: Api, clock: MovableClock) -> None:
    headers = session_only(verified(kiosk))
    query = ("/applications/query", {"id_number": CITIZEN_ID})
    clock.advance(minutes=14)
    assert kiosk.post(*query, headers=headers).status_code == 200  # touched: idle restarts
    for _ in range(3):
        clock.advance(minutes=14)
        assert kiosk.post(*query, headers=headers).status_code == 200
    clock.advance(minutes=14)  # 70 minutes after opening: past the absolute limit
    late = kiosk.post(*query, headers=headers)
    assert late.status_code == 401 and late.json()["code"] == "citizen_session_expired"

    idle = session_only(verified(kiosk))
    clock.advance(minutes=15)
    assert kiosk.post(*query, headers=idle).json()["code"] == "citizen_session_expired"

    ended = session_only(verified(kiosk))
    assert kiosk.session.delete(kiosk.url + "/citizen-sessions/current",
                                headers=ended).status_code == 204
    assert kiosk.post(*query, headers=ended).json()["code"] == "citizen_session_invalid"


def test_the_outbox_files_with_a_grant_after_the_citizen_left(kiosk: Api, second: Api) -> None:
    headers = verified(kiosk)
    kiosk.session.delete(kiosk.url + "/citizen-sessions/current", headers=session_only(headers))
    grant = {"Filing-Grant": headers["X-Grant"]}
    filed = kiosk.post("/applications", no_record_application(), key=new_key(), headers=grant)
    assert filed.status_code == 201, filed.text
    # the grant files, it does not read
    assert kiosk.get(f"/applications/{filed.json()['receipt_no']}",
                     headers=grant).status_code == 401
    # not for another citizen, not from another terminal
    other = no_record_application(applicant={"id_kind": "resident", "id_number": OTHER_ID,
                                             "name": "李四"})
    assert kiosk.post("/applications", other, key=new_key(), headers=grant).status_code == 403
    stolen = second.post("/applications", no_record_application(), key=new_key(), headers=grant)
    assert stolen.status_code == 401 and stolen.json()["code"] == "filing_grant_invalid"


def test_a_sweep_of_sessions_is_stopped(kiosk: Api) -> None:
    answers = [kiosk.post("/citizen-sessions", {"id_number": CITIZEN_ID, "evidence": "id_card"})
               for _ in range(12)]
    statuses = [a.status_code for a in answers]
    assert statuses[:10] == [201] * 10 and statuses[10:] == [429, 429]  # 10 per citizen an hour
    assert int(answers[-1].headers["Retry-After"]) > 0


def test_the_database_is_the_owners_alone(store: Store, tmp_path: Path) -> None:
    assert stat.S_IMODE(Path(store.path).stat().st_mode) == 0o600
    fresh = Store(tmp_path / "new" / "platform.sqlite3")
    assert stat.S_IMODE(Path(fresh.path).stat().st_mode) == 0o600


def test_an_unknown_kiosk_id_costs_the_same_hash(store: Store, monkeypatch) -> None:
    calls = []
    real = auth._hash
    monkeypatch.setattr(auth, "_hash", lambda c, s: calls.append(1) or real(c, s))
    auth.enrol(store, KIOSK)
    calls.clear()
    assert not auth.verify(store, "no-such-kiosk", "guess")
    assert not auth.verify(store, KIOSK, "guess")
    assert len(calls) == 2


def test_an_eid_code_opens_one_session_only(kiosk: Api, second: Api) -> None:
    body = {"id_number": CITIZEN_ID, "evidence": "eid_qr", "evidence_id": "jti-0123456789abcdef"}
    assert kiosk.post("/citizen-sessions", body).status_code == 201
    for api in (kiosk, second):  # replayed here or at another terminal
        again = api.post("/citizen-sessions", body)
        assert again.status_code == 409 and again.json()["code"] == "eid_replayed"
    nameless = kiosk.post("/citizen-sessions", {"id_number": CITIZEN_ID, "evidence": "eid_qr"})
    assert nameless.status_code == 400
