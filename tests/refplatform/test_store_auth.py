"""The database file and terminal credentials: migrations, WAL, hashed credentials, 401s."""

from __future__ import annotations

import sqlite3

import requests

from kiosk.refplatform import auth
from kiosk.refplatform.store import MIGRATIONS, Store


def test_a_new_database_is_migrated_to_the_latest_version_in_wal(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    assert store.schema_version == len(MIGRATIONS)
    again = Store(tmp_path / "p.sqlite3")  # reopening runs nothing twice
    assert again.schema_version == len(MIGRATIONS)
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_credential_is_stored_only_as_a_salted_hash(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    credential = auth.enrol(store, "kiosk-7")
    assert len(credential) >= 40
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert credential.encode() not in raw
    assert auth.verify(store, "kiosk-7", credential)
    assert not auth.verify(store, "kiosk-7", credential + "x")
    assert not auth.verify(store, "kiosk-8", credential)


def test_enrolling_again_revokes_the_old_credential(tmp_path):
    store = Store(tmp_path / "p.sqlite3")
    old = auth.enrol(store, "kiosk-7")
    assert auth.verify(store, "kiosk-7", old)
    new = auth.enrol(store, "kiosk-7")
    assert new != old
    assert not auth.verify(store, "kiosk-7", old)
    assert auth.verify(store, "kiosk-7", new)


def test_calls_without_a_valid_credential_are_refused_with_401(api):
    url = api.url + "/catalogue/services"
    for credentials in (None, ("kiosk-test-01", "wrong"), ("nobody", "x")):
        response = requests.get(url, auth=credentials, timeout=10)
        assert response.status_code == 401
        assert response.headers["Content-Type"] == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Basic")
        assert response.json()["code"] == "unauthorized"
    garbled = requests.get(url, headers={"Authorization": "Basic !!!"}, timeout=10)
    assert garbled.status_code == 401
    assert api.get("/catalogue/services").status_code == 200


def test_health_and_verification_need_no_credential(api):
    assert requests.get(api.url + "/health", timeout=10).json()["status"] == "ok"
    response = requests.get(api.url + "/verify/AAAA-BBBB-CCCC-DDDD", timeout=10)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
