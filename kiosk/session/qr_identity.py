"""Starting a session from a scanned QR code instead of a card: our two text formats.

Appointment (the booking code of a counter appointment, printed on the booking slip or shown in
the citizen's app; not a secret, it only finds the booking):

    GOVKIOSK:APPT:1:<booking code: 6 ASCII digits>

Electronic ID (e-ID), issued by the identity authority's app and signed with its Ed25519 key:

    GOVKIOSK:EID:1:<payload>.<signature>

    payload   = base64url (no padding) of UTF-8 JSON
                {"id_kind", "id_number", "name", "iat", "exp", "jti"}
                id_kind: the contract's Applicant.id_kind; id_number: ^[0-9A-Z]{9,18}$;
                name: 1-100 printable characters; iat / exp: issued at / expiry, integer Unix
                seconds; jti: the code's own id, ^[A-Za-z0-9_-]{16,64}$.
                Other keys are ignored (a later issuer may add some).
    signature = base64url (no padding) of Ed25519 over the ASCII bytes
                "GOVKIOSK:EID:1:" + payload   (the prefix binds the signature to this format)

An e-ID code is a short-lived, one-use proof, not a bearer token: it lives at most
MAX_LIFETIME_S from its issue (a code that claims longer is refused), it is refused once older
than MAX_AGE_S here (or issued in the future beyond CLOCK_SKEW_S), and its `jti` is used once:
this terminal remembers the ones it took (kiosk.services.identity) and the platform records
each when a citizen session is opened with it (a second use is refused everywhere).

A code is at most 1 KB (UTF-8); leading/trailing whitespace (a scanner's CR/LF) is ignored.
Anything else is refused with `QrRefused(reason)`, reason one of the stable codes below; the
message never quotes the code (it may hold an ID number). Parsing raises nothing else.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kiosk.session.identity import ID_KINDS, Identity

PREFIX = "GOVKIOSK:"
APPT_PREFIX = "GOVKIOSK:APPT:1:"
EID_PREFIX = "GOVKIOSK:EID:1:"
MAX_BYTES = 1024
MAX_LIFETIME_S = 300  # exp - iat: what the issuing app may grant a code
MAX_AGE_S = 300  # now - iat: what this terminal accepts
CLOCK_SKEW_S = 60  # an issuer's clock a little ahead of ours

NOT_OURS = "not_ours"  # not one of our codes (a payment code, a web link...)
MALFORMED = "malformed"  # ours, but not well formed (unknown kind/version, bad base64/JSON/fields)
BAD_SIGNATURE = "bad_signature"  # e-ID signature does not verify (tampered, other key, no key)
EXPIRED = "expired"  # e-ID past its `exp`, too old, or claiming too long a life
TOO_LONG = "too_long"  # more than MAX_BYTES
REPLAYED = "replayed"  # an e-ID code already used (kiosk.services.identity)
REASONS = (NOT_OURS, MALFORMED, BAD_SIGNATURE, EXPIRED, TOO_LONG, REPLAYED)

_BOOKING = re.compile(r"\A[0-9]{6}\Z")
_B64URL = re.compile(r"\A[A-Za-z0-9_-]+\Z")
_ID_NUMBER = re.compile(r"\A[0-9A-Z]{9,18}\Z")
_JTI = re.compile(r"\A[A-Za-z0-9_-]{16,64}\Z")


class QrRefused(ValueError):
    """A scanned code cannot start a session; `reason` is one of REASONS."""

    def __init__(self, reason: str):
        super().__init__(f"QR code refused: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class AppointmentCode:
    """A counter appointment's booking code: the journey looks the booking up."""

    booking_code: str


def parse_qr(text: object, *, eid_key: Ed25519PublicKey | bytes | None,
             now: float | None = None) -> AppointmentCode | Identity:
    """An appointment code or a verified e-ID identity (source "qr"), else QrRefused.

    `eid_key` is the issuing authority's public key (raw 32 bytes or a key object); without one
    every e-ID code is refused as bad_signature. `now` is Unix time (injectable for tests).
    A key of the wrong type is the caller's bug and raises TypeError at once.
    """
    key = _public_key(eid_key)
    try:
        return _parse(text, key, time.time() if now is None else now)
    except QrRefused:
        raise
    except Exception:  # a safety net: whatever slipped past the checks is still "malformed"
        raise QrRefused(MALFORMED) from None


def _parse(text: object, key: Ed25519PublicKey | None, now: float) -> AppointmentCode | Identity:
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_BYTES:
            raise QrRefused(TOO_LONG)
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise QrRefused(NOT_OURS) from None
    if not isinstance(text, str):
        raise QrRefused(MALFORMED)
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise QrRefused(TOO_LONG)
    text = text.strip()
    if not text.startswith(PREFIX):
        raise QrRefused(NOT_OURS)
    if text.startswith(APPT_PREFIX):
        code = text[len(APPT_PREFIX):]
        if not _BOOKING.match(code):
            raise QrRefused(MALFORMED)
        return AppointmentCode(code)
    if text.startswith(EID_PREFIX):
        return _parse_eid(text[len(EID_PREFIX):], key, now)
    raise QrRefused(MALFORMED)


def _parse_eid(body: str, key: Ed25519PublicKey | None, now: float) -> Identity:
    payload_b64, dot, signature_b64 = body.partition(".")
    if not dot:
        raise QrRefused(MALFORMED)
    payload = _b64decode(payload_b64)
    signature = _b64decode(signature_b64)
    if len(signature) != 64:
        raise QrRefused(MALFORMED)
    if key is None:
        raise QrRefused(BAD_SIGNATURE)
    try:
        key.verify(signature, (EID_PREFIX + payload_b64).encode("ascii"))
    except InvalidSignature:
        raise QrRefused(BAD_SIGNATURE) from None
    claims = _claims(payload)
    issued, expires = claims["iat"], claims["exp"]
    if (expires <= now or expires - issued > MAX_LIFETIME_S or now - issued > MAX_AGE_S
            or issued > now + CLOCK_SKEW_S):
        raise QrRefused(EXPIRED)
    return Identity(id_kind=claims["id_kind"], id_number=claims["id_number"],
                    name=claims["name"], source="qr", evidence_id=claims["jti"])


def _claims(payload: bytes) -> dict[str, Any]:
    try:
        data = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise QrRefused(MALFORMED) from None
    if not isinstance(data, dict):
        raise QrRefused(MALFORMED)
    kind, number, name, iat, exp, jti = (
        data.get(k) for k in ("id_kind", "id_number", "name", "iat", "exp", "jti"))
    if (kind not in ID_KINDS or not isinstance(number, str) or not _ID_NUMBER.match(number)
            or not isinstance(name, str) or not 1 <= len(name) <= 100
            or not name.isprintable() or name != name.strip()
            or type(exp) is not int or type(iat) is not int
            or not isinstance(jti, str) or not _JTI.match(jti)):
        raise QrRefused(MALFORMED)
    return data


def _b64decode(segment: str) -> bytes:
    """Strict base64url without padding: one text for one value (no lenient decoding)."""
    if not _B64URL.match(segment) or len(segment) % 4 == 1:
        raise QrRefused(MALFORMED)
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise QrRefused(MALFORMED) from None
    if _b64encode(raw) != segment:
        raise QrRefused(MALFORMED)
    return raw


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _public_key(key: Ed25519PublicKey | bytes | None) -> Ed25519PublicKey | None:
    if key is None or isinstance(key, Ed25519PublicKey):
        return key
    if isinstance(key, (bytes, bytearray)) and len(key) == 32:
        return Ed25519PublicKey.from_public_bytes(bytes(key))
    raise TypeError("eid_key must be an Ed25519 public key or its 32 raw bytes")


# ---- making codes (emulator, demo, tests) -----------------------------------------------------

def make_appointment_qr(booking_code: str) -> str:
    if not _BOOKING.match(booking_code):
        raise ValueError("a booking code is 6 digits")
    return APPT_PREFIX + booking_code


def make_eid_qr(private_key: Ed25519PrivateKey, *, id_kind: str, id_number: str, name: str,
                exp: int | None = None, iat: int | None = None, jti: str | None = None) -> str:
    """A signed e-ID code as the issuing authority's app would show it: issued now (or at
    `iat`), good for two minutes (or until `exp`), with a fresh `jti`."""
    issued = int(time.time()) if iat is None else int(iat)
    claims = {"id_kind": id_kind, "id_number": id_number, "name": name, "iat": issued,
              "exp": issued + 120 if exp is None else int(exp),
              "jti": jti or secrets.token_urlsafe(18)}
    payload = _b64encode(json.dumps(claims, ensure_ascii=False,
                                    separators=(",", ":")).encode("utf-8"))
    signature = private_key.sign((EID_PREFIX + payload).encode("ascii"))
    text = f"{EID_PREFIX}{payload}.{_b64encode(signature)}"
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise ValueError("the e-ID code would exceed 1 KB")
    return text
