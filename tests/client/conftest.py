"""Fixtures: a scripted platform on loopback, a 0600 credential file, clients with small timeouts."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kiosk.client import PlatformClient
from kiosk.config.schema import KioskConfig, PlatformConfig, TerminalConfig
from tests.client.fake_platform import FakePlatform

KIOSK_ID = "K-0042"
CREDENTIAL = "s3cret-Credential-0042"


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    fake = FakePlatform()
    yield fake
    fake.close()


@pytest.fixture
def credential_file(tmp_path: Path) -> Path:
    path = tmp_path / "platform.credential"
    path.write_text(CREDENTIAL + "\n", encoding="ascii")
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def make_config(credential_file: Path) -> Callable[..., KioskConfig]:
    def make(base_url: str, **platform: Any) -> KioskConfig:
        values: dict[str, Any] = {"base_url": base_url, "credential_file": str(credential_file),
                                  "kiosk_id": KIOSK_ID, "timeout_s": 0.5,
                                  "connect_timeout_s": 0.5, "retries": 2,
                                  "max_response_bytes": 50_000}
        values.update(platform)
        return KioskConfig(terminal=TerminalConfig(id="T-1"), platform=PlatformConfig(**values))
    return make


@pytest.fixture
def make_client(make_config: Callable[..., KioskConfig]) -> Iterator[Callable[..., PlatformClient]]:
    clients: list[PlatformClient] = []

    def make(base_url: str, **platform: Any) -> PlatformClient:
        client = PlatformClient.from_config(make_config(base_url, **platform),
                                            backoff_initial_s=0.01, backoff_max_s=0.05)
        clients.append(client)
        return client
    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(platform: FakePlatform, make_client: Callable[..., PlatformClient]) -> PlatformClient:
    return make_client(platform.url)


@dataclass(frozen=True)
class Pki:
    ca_file: Path
    server_context: ssl.SSLContext


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A private CA (as a platform operator would run) and a server certificate for 127.0.0.1."""
    directory = tmp_path_factory.mktemp("pki")
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (x509.CertificateBuilder().subject_name(_name("Test Platform CA"))
               .issuer_name(_name("Test Platform CA")).public_key(ca_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                            crl_sign=True, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                              critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name("127.0.0.1"))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file = directory / "server.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = directory / "server.key"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return Pki(ca_file, context)


@pytest.fixture
def tls_platform(pki: Pki) -> Iterator[FakePlatform]:
    fake = FakePlatform(tls=pki.server_context)
    yield fake
    fake.close()
