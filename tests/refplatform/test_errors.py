"""Every failure is a problem document; none repeats what the citizen entered."""

from __future__ import annotations

import copy
import logging

import requests

from kiosk.refplatform.server import start_in_thread
from tests.refplatform.conftest import SERVICES, new_key, no_record_application


def test_unknown_routes_are_404_problems(api):
    for url in (api.url + "/nothing/here", api.handle.origin + "/", api.handle.origin + "/admin"):
        response = api.session.get(url, timeout=10)
        assert response.status_code == 404
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "not_found"


def test_a_wrong_method_is_405_with_the_allowed_ones(api):
    for method, path, allowed in (("PUT", "/applications", "POST"),
                                  ("GET", "/applications/query", "POST"),
                                  ("DELETE", "/health", "GET"),
                                  ("POST", "/applications/SL-20250101-000001", "GET")):
        response = api.session.request(method, api.url + path, timeout=10)
        assert response.status_code == 405, (method, path)
        assert response.headers["Allow"] == allowed
        assert response.json()["code"] == "method_not_allowed"


def test_a_platform_failure_is_500_internal_error_and_logs_no_personal_data(tmp_path, caplog):
    from kiosk.refplatform import auth
    from kiosk.refplatform.store import Store

    broken = copy.deepcopy(SERVICES[0])
    broken["form_schema"] = {"type": 12}  # a catalogue mistake, not the kiosk's
    store = Store(tmp_path / "p.sqlite3")
    store.seed([broken])
    credential = auth.enrol(store, "k1")
    handle = start_in_thread(store.path, require_citizen_session=False)  # past the door
    try:
        with caplog.at_level(logging.INFO):
            response = requests.post(handle.url + "/applications", json=no_record_application(),
                                     headers={"Idempotency-Key": new_key()},
                                     auth=("k1", credential), timeout=30)
    finally:
        handle.stop()
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "TypeError" in caplog.text and "applications.py" in caplog.text
    assert "1101051949" not in caplog.text and "张三" not in caplog.text
