"""HTTPS against a private CA, as on a real terminal: trusted only through `platform.ca_bundle`."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from kiosk.client import PlatformClient, PlatformUnreachable
from tests.client import samples
from tests.client.conftest import CREDENTIAL, KIOSK_ID, Pki
from tests.client.fake_platform import FakePlatform


def test_the_platform_is_trusted_through_the_configured_bundle(
        tls_platform: FakePlatform, pki: Pki, make_client: Callable[..., PlatformClient]) -> None:
    client = make_client(tls_platform.url, ca_bundle=str(pki.ca_file))
    tls_platform.json(samples.CITIZEN)
    assert client.lookup_citizen(samples.ID_NUMBER).known is True
    [seen] = tls_platform.requests
    expected = base64.b64encode(f"{KIOSK_ID}:{CREDENTIAL}".encode()).decode()
    assert seen.headers["Authorization"] == f"Basic {expected}"


def test_without_the_bundle_the_platform_is_not_trusted(
        tls_platform: FakePlatform, make_client: Callable[..., PlatformClient]) -> None:
    client = make_client(tls_platform.url, retries=0)  # the system trust store only
    tls_platform.json(samples.CITIZEN)
    with pytest.raises(PlatformUnreachable) as caught:
        client.lookup_citizen(samples.ID_NUMBER)
    assert "certificate" in str(caught.value).lower()
    assert tls_platform.requests == []  # nothing, least of all the ID number, was sent


def test_a_missing_bundle_file_is_a_configuration_error(
        tls_platform: FakePlatform, tmp_path, make_client: Callable[..., PlatformClient]) -> None:
    with pytest.raises(ValueError, match="CA bundle"):
        make_client(tls_platform.url, ca_bundle=str(tmp_path / "nope.pem"))
