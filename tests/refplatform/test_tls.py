"""HTTPS with a test CA: trusted when the kiosk is given the CA, refused otherwise."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from kiosk.refplatform.server import HANDSHAKE_TIMEOUT_S, start_in_thread
from kiosk.refplatform.tls import make_test_ca


def test_https_is_verified_with_the_test_ca_and_only_with_it(tmp_path, store):
    ca, cert, key = make_test_ca(tmp_path / "tls")
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    handle = start_in_thread(store.path, tls_cert=cert, tls_key=key, validate_responses=True)
    try:
        assert handle.url.startswith("https://127.0.0.1:")
        response = requests.get(handle.url + "/health", verify=str(ca), timeout=10)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        by_name = requests.get(f"https://localhost:{handle.port}/api/v1/health",
                               verify=str(ca), timeout=10)
        assert by_name.status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(handle.url + "/health", timeout=10)  # system trust store
        other_ca, _, _ = make_test_ca(tmp_path / "other")
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(handle.url + "/health", verify=str(other_ca), timeout=10)
    finally:
        handle.stop()


def test_a_silent_client_holds_the_others_back_at_most_the_handshake_timeout(tmp_path, store):
    """cheroot shakes hands in its accept loop: a connection that never starts TLS delayed
    every other terminal by the idle timeout (10 s) before the handshake had its own bound."""
    ca, cert, key = make_test_ca(tmp_path / "tls")
    handle = start_in_thread(store.path, tls_cert=cert, tls_key=key)
    try:
        with socket.create_connection(("127.0.0.1", handle.port)):
            time.sleep(0.2)  # accepted: the loop now waits on its handshake
            began = time.monotonic()
            response = requests.get(handle.url + "/health", verify=str(ca), timeout=10)
            waited = time.monotonic() - began
        assert response.status_code == 200
        assert waited < HANDSHAKE_TIMEOUT_S + 1.5, waited
    finally:
        handle.stop()
