"""Card authentication: the card proves it was made by its issuer, by signing a fresh challenge
with a key whose certificate the issuer signed (like eMRTD active authentication or EMV DDA).

The card holds an ECDSA P-256 key and an X.509 certificate for it (EF 0103), issued by the card
issuer: subject serialNumber = the card number, userId = the holder's ID number. INTERNAL
AUTHENTICATE (00 88 00 00) signs `CONTEXT + challenge`; the context keeps a signature made
here from being any other message. Anyone can copy a card's data, certificate included; only
the card can sign, so a card carrying someone's ID number without the issuer's key fails.

Pure logic: the terminal verifies against the issuer root of its configuration
(`verify_card`); the emulator and the tests make issuers and cards (`CardIssuer`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CONTEXT = b"GOVKIOSK card authentication v1\x00"
# INTERNAL AUTHENTICATE P2=01 signs HOLDER_CONTEXT + the platform's nonce, and only after the
# card's own VERIFY of its PIN: the platform can check that the holder unlocked the card.
HOLDER_CONTEXT = b"GOVKIOSK holder proof v1\x00"
CHALLENGE_BYTES = 32
MAX_CERTIFICATE = 2048
REASONS = ("no_certificate", "bad_certificate", "not_from_issuer", "certificate_expired",
           "wrong_holder", "bad_signature")


class CardNotAuthentic(ValueError):
    """The card did not prove it is genuine; `reason` is one of REASONS (never card data)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"card not authentic: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class CardCertificate:
    card_number: str
    id_number: str


def new_challenge() -> bytes:
    return secrets.token_bytes(CHALLENGE_BYTES)


def sign_challenge(key: ec.EllipticCurvePrivateKey, challenge: bytes,
                   context: bytes = CONTEXT) -> bytes:
    """What the card does on INTERNAL AUTHENTICATE."""
    return key.sign(context + challenge, ec.ECDSA(hashes.SHA256()))


def load_issuer_root(pem: bytes) -> x509.Certificate:
    """The card issuer's root certificate (PEM), as the terminal's configuration names it."""
    return x509.load_pem_x509_certificate(pem)


def load_issuer_root_file(path: str | Path) -> x509.Certificate | None:
    """An issuer's root from a configured file; '' -> None (nothing is then accepted). A file
    that holds no PEM certificate is a configuration error: ValueError naming the file."""
    if not str(path):
        return None
    try:
        return load_issuer_root(Path(path).read_bytes())
    except ValueError:
        raise ValueError(f"{path}: not a PEM certificate") from None


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = name.get_attributes_for_oid(oid)
    if len(values) != 1 or not isinstance(values[0].value, str):
        raise CardNotAuthentic("bad_certificate")
    return values[0].value


def certified_by(root: x509.Certificate, certificate: bytes | None, signature: bytes | None, *,
                 now: dt.datetime | None = None) -> x509.Certificate:
    """The card's certificate, once it is a P-256 key certified directly by `root` and valid
    now; CardNotAuthentic otherwise. What it certifies is the caller's to check."""
    if not certificate or signature is None:
        raise CardNotAuthentic("no_certificate")
    if len(certificate) > MAX_CERTIFICATE:
        raise CardNotAuthentic("bad_certificate")
    try:
        cert = x509.load_der_x509_certificate(certificate)
        public_key = cert.public_key()
    except ValueError:
        raise CardNotAuthentic("bad_certificate") from None
    if not isinstance(public_key, ec.EllipticCurvePublicKey) \
            or not isinstance(public_key.curve, ec.SECP256R1):
        raise CardNotAuthentic("bad_certificate")
    try:
        cert.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        raise CardNotAuthentic("not_from_issuer") from None
    moment = now or dt.datetime.now(dt.timezone.utc)
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        raise CardNotAuthentic("certificate_expired")
    return cert


def check_signed(cert: x509.Certificate, signature: bytes | None, challenge: bytes,
                 context: bytes) -> None:
    """The certified key (see `certified_by`) signed `context + challenge`; CardNotAuthentic
    otherwise."""
    public_key = cert.public_key()
    if signature is None or not isinstance(public_key, ec.EllipticCurvePublicKey):
        raise CardNotAuthentic("bad_signature")
    try:
        public_key.verify(signature, context + challenge, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise CardNotAuthentic("bad_signature") from None


def verify_card(root: x509.Certificate, certificate: bytes | None, challenge: bytes,
                signature: bytes | None, *, id_number: str, card_number: str | None,
                now: dt.datetime | None = None, context: bytes = CONTEXT) -> CardCertificate:
    """Check that the issuer under `root` certified this card for this holder and that the card
    signed `challenge` (under `context`: HOLDER_CONTEXT for the PIN-gated holder proof, where
    the card number is not known to the checker); CardNotAuthentic otherwise."""
    cert = certified_by(root, certificate, signature, now=now)
    held = CardCertificate(_attribute(cert.subject, NameOID.SERIAL_NUMBER),
                           _attribute(cert.subject, NameOID.USER_ID))
    if held.id_number != id_number or card_number not in (None, held.card_number):
        raise CardNotAuthentic("wrong_holder")  # a genuine certificate copied onto another card
    check_signed(cert, signature, challenge, context)
    return held


class CardIssuer:
    """A card issuer with its root key: makes cards' keys and certificates (the emulator's
    demo issuer, tests). A real issuer's key never comes near a terminal."""

    def __init__(self, name: str = "模拟发卡机构 Demo Card Issuer") -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        self.root = (x509.CertificateBuilder()
                     .subject_name(subject).issuer_name(subject)
                     .public_key(self._key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(days=1))
                     .not_valid_after(now + dt.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .sign(self._key, hashes.SHA256()))

    @property
    def root_pem(self) -> bytes:
        return self.root.public_bytes(serialization.Encoding.PEM)

    def issue(self, *, card_number: str, id_number: str
              ) -> tuple[ec.EllipticCurvePrivateKey, bytes]:
        """A card key and its certificate (DER), valid ten years."""
        card_key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(x509.Name([
                    x509.NameAttribute(NameOID.SERIAL_NUMBER, card_number),
                    x509.NameAttribute(NameOID.USER_ID, id_number)]))
                .issuer_name(self.root.subject)
                .public_key(card_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1))
                .not_valid_after(now + dt.timedelta(days=3650))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .sign(self._key, hashes.SHA256()))
        return card_key, cert.public_bytes(serialization.Encoding.DER)
