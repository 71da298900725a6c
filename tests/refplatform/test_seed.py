"""The demo catalogue in kiosk/refplatform/seed is served as is and every service can be filed."""

from __future__ import annotations

import pytest
import requests

from kiosk.refplatform import auth
from kiosk.refplatform.server import start_in_thread
from kiosk.refplatform.store import Store
from tests.refplatform.conftest import MovableClock, jpeg_b64, new_key

seed = pytest.importorskip("kiosk.refplatform.seed")


@pytest.fixture
def seeded(tmp_path):
    store = Store(tmp_path / "demo.sqlite3")  # empty: create_app seeds it from the package
    credential = auth.enrol(store, "demo-kiosk")
    # the seed's data, not the citizen-session door (tests/refplatform/test_citizen_sessions.py)
    handle = start_in_thread(store.path, validate_responses=True, clock=MovableClock(),
                             require_citizen_session=False)
    session = requests.Session()
    session.auth = ("demo-kiosk", credential)
    yield handle, session
    handle.stop()
    assert not handle.app.extensions["refplatform"].violations


def test_every_seed_service_is_listed_and_can_be_filed_with_its_example_form(seeded):
    handle, session = seeded
    services = seed.load_services()
    listed = session.get(handle.url + "/catalogue/services", timeout=10).json()["items"]
    assert [s["service_id"] for s in listed] == [s["service_id"] for s in services]
    id_number, citizen = next(iter(seed.load_citizens().items()))
    examples = seed.load_examples()
    for service in services:
        full = session.get(f"{handle.url}/catalogue/services/{service['service_id']}",
                           timeout=10).json()
        materials = [{"material_id": m["material_id"], "source": "scan",
                      "pages": [{"media_type": "image/jpeg", "content": jpeg_b64()}]
                      * m["pages_min"]}
                     for m in full["materials"] if m["required"]]
        body = {"service_id": service["service_id"],
                "applicant": {"id_kind": "resident", "id_number": id_number,
                              "name": citizen["prefill"]["name"]},
                "form": examples[service["service_id"]][0], "materials": materials,
                "client_reference": "DEMO-0001"}
        response = session.post(handle.url + "/applications", json=body,
                                headers={"Idempotency-Key": new_key()}, timeout=30)
        assert response.status_code == 201, (service["service_id"], response.text)
    known = session.post(handle.url + "/citizens/lookup", json={"id_number": id_number},
                         timeout=10).json()
    assert known["known"] is True and known["elicences"]
