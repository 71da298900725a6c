"""A retry never files twice: replays, reused keys, concurrent duplicates."""

from __future__ import annotations

import json
import threading

import requests

from kiosk.refplatform import auth, operator
from tests.refplatform.conftest import marriage_application, new_key, no_record_application


def _count(api) -> int:
    with api.store.read() as conn:
        return conn.execute("SELECT COUNT(*) FROM applications").fetchone()[0]


def test_the_same_key_and_body_replay_the_first_answer_with_200(api):
    key = new_key()
    first = api.post("/applications", no_record_application(), key=key)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    api.clock.advance(minutes=5)
    replay = api.post("/applications", no_record_application(), key=key)
    assert replay.status_code == 200
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert _count(api) == 1


def test_key_order_and_spacing_of_the_body_do_not_matter(api):
    key = new_key()
    body = no_record_application()
    api.post("/applications", body, key=key)
    reordered = dict(reversed(list(body.items())))
    response = api.session.post(api.url + "/applications", data=json.dumps(
        reordered, indent=3), headers={"Idempotency-Key": key,
                                       "Content-Type": "application/json"})
    assert response.status_code == 200 and response.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_422(api):
    key = new_key()
    api.post("/applications", no_record_application(), key=key)
    other = api.post("/applications", no_record_application(client_reference="K01-9999"), key=key)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert _count(api) == 1


def test_a_refusal_is_not_remembered(api):
    key = new_key()
    bad = api.post("/applications", no_record_application(form={}), key=key)
    assert bad.status_code == 422
    good = api.post("/applications", no_record_application(), key=key)
    assert good.status_code == 201


def test_keys_belong_to_one_kiosk(api):
    key = new_key()
    api.post("/applications", no_record_application(), key=key)
    other = requests.post(api.url + "/applications", json=no_record_application(),
                          headers={"Idempotency-Key": key}, timeout=30,
                          auth=("kiosk-test-02", auth.enrol(api.store, "kiosk-test-02")))
    assert other.status_code == 201
    assert _count(api) == 2


def test_concurrent_duplicates_file_exactly_one_application(api):
    key = new_key()
    body = no_record_application()
    results: list[requests.Response] = []
    gate = threading.Barrier(8)

    def send() -> None:
        session = requests.Session()
        session.auth = api.session.auth
        gate.wait()
        results.append(session.post(api.url + "/applications", json=body,
                                    headers={"Idempotency-Key": key}, timeout=60))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] * 7 + [201]
    assert len({r.json()["receipt_no"] for r in results}) == 1
    assert _count(api) == 1


def test_every_creating_call_replays(api):
    app = api.file(marriage_application())
    receipt = app["receipt_no"]
    for path, body in (("/payments", {"receipt_no": receipt}),
                       ("/evaluations", {"receipt_no": receipt, "score": 5})):
        key = new_key()
        first = api.post(path, body, key=key)
        assert first.status_code == 201, first.text
        again = api.post(path, body, key=key)
        assert again.status_code == 200 and again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
    operator.accept(api.store, receipt, clock=api.clock)
    operator.start_review(api.store, receipt, clock=api.clock)
    key = new_key()
    body = {"materials": [{"material_id": "household", "source": "scan",
                           "pages": [{"media_type": "application/pdf",
                                      "content": "JVBERi0xLjQKJSVFT0YK"}]}]}
    first = api.post(f"/applications/{receipt}/supplements", body, key=key)
    assert first.status_code == 200, first.text
    again = api.post(f"/applications/{receipt}/supplements", body, key=key)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first.json()
