"""Starting a session from a QR code: appointment and signed e-ID, everything else refused."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.session.identity import Identity
from kiosk.session.qr_identity import (EID_PREFIX, REASONS, AppointmentCode, QrRefused,
                                       make_appointment_qr, make_eid_qr, parse_qr)

NOW = 1_800_000_000.0
AUTHORITY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = AUTHORITY.public_key()
OTHER = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
CLAIMS = {"id_kind": "resident", "id_number": "110101199003071233", "name": "测试样例"}


def eid(key: Ed25519PrivateKey = AUTHORITY, exp: float = NOW + 100, iat: float = NOW - 10,
        **claims: str) -> str:
    return make_eid_qr(key, exp=int(exp), iat=int(iat), **{**CLAIMS, **claims})


def refused(text: object, key=PUBLIC) -> str:
    with pytest.raises(QrRefused) as err:
        parse_qr(text, eid_key=key, now=NOW)
    assert str(err.value) == f"QR code refused: {err.value.reason}"  # never the content
    return err.value.reason


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_appointment_code() -> None:
    assert parse_qr("GOVKIOSK:APPT:1:042917\r\n", eid_key=None) == AppointmentCode("042917")
    assert parse_qr(make_appointment_qr("123456").encode(), eid_key=None).booking_code == "123456"
    for bad in ("GOVKIOSK:APPT:1:12345", "GOVKIOSK:APPT:1:1234567", "GOVKIOSK:APPT:1:12a456",
                "GOVKIOSK:APPT:2:123456", "GOVKIOSK:APPT:1:１２３４５６"):
        assert refused(bad) == "malformed", bad


def test_valid_eid_gives_a_qr_identity() -> None:
    ident = parse_qr(eid(), eid_key=PUBLIC, now=NOW)
    assert isinstance(ident, Identity) and ident.source == "qr"
    assert ident.applicant() == CLAIMS
    raw_key = PUBLIC.public_bytes(Encoding.Raw, PublicFormat.Raw)
    assert parse_qr(eid(id_kind="taiwan_permit", id_number="T12345678", name="JOHN DOE"),
                    eid_key=raw_key, now=NOW).id_kind == "taiwan_permit"


def test_expired_eid() -> None:
    assert refused(eid(exp=NOW)) == "expired"
    assert refused(eid(exp=NOW - 1)) == "expired"
    assert isinstance(parse_qr(eid(exp=NOW + 1), eid_key=PUBLIC, now=NOW), Identity)


def test_an_eid_code_is_short_lived_not_a_bearer_token() -> None:
    assert refused(eid(iat=NOW - 10, exp=NOW + 10 * 365 * 86400)) == "expired"  # 10-year claim
    assert refused(eid(iat=NOW - 301, exp=NOW + 1)) == "expired"  # too old to be taken here
    assert refused(eid(iat=NOW + 61, exp=NOW + 200)) == "expired"  # issued in the future
    assert isinstance(parse_qr(eid(iat=NOW + 30, exp=NOW + 200), eid_key=PUBLIC, now=NOW),
                      Identity)  # a slightly fast issuer clock is fine
    ident = parse_qr(eid(), eid_key=PUBLIC, now=NOW)
    assert ident.evidence_id and len(ident.evidence_id) >= 16


def test_an_eid_code_without_issue_time_or_id_is_malformed() -> None:
    for drop in ("iat", "jti"):
        text = eid()
        payload, _ = text[len(EID_PREFIX):].split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        del claims[drop]
        body = b64(json.dumps(claims).encode())
        signature = b64(AUTHORITY.sign((EID_PREFIX + body).encode()))
        assert refused(f"{EID_PREFIX}{body}.{signature}") == "malformed", drop


def test_tampered_eid() -> None:
    text = eid()
    payload, signature = text[len(EID_PREFIX):].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = b64(json.dumps({**claims, "id_number": "11010519491231002X"}).encode())
    assert refused(f"{EID_PREFIX}{forged}.{signature}") == "bad_signature"
    extended = b64(json.dumps({**claims, "exp": claims["exp"] + 10**6}).encode())
    assert refused(f"{EID_PREFIX}{extended}.{signature}") == "bad_signature"
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    assert refused(f"{EID_PREFIX}{payload}.{flipped}") in ("bad_signature", "malformed")


def test_wrong_key_or_no_key() -> None:
    assert refused(eid(key=OTHER)) == "bad_signature"
    assert refused(eid(), key=None) == "bad_signature"
    assert refused(eid(), key=OTHER.public_key()) == "bad_signature"
    with pytest.raises(TypeError):
        parse_qr(eid(), eid_key="not a key", now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize("claims", [
    {"id_kind": "passport"}, {"id_number": "110101-1990"}, {"id_number": 110101199003071233},
    {"name": ""}, {"name": "x" * 101}, {"name": "a\nb"}, {"exp": "1900000000"}, {"exp": True},
])
def test_signed_but_malformed_claims(claims: dict) -> None:
    body = b64(json.dumps({**CLAIMS, "exp": int(NOW + 60), **claims}).encode())
    signature = b64(AUTHORITY.sign((EID_PREFIX + body).encode()))
    assert refused(f"{EID_PREFIX}{body}.{signature}") == "malformed"


def test_not_ours_malformed_and_too_long() -> None:
    assert refused("https://example.com/pay?id=1") == "not_ours"
    assert refused("QR-DEMO-1") == "not_ours"
    assert refused(b"\xff\xfe garbage") == "not_ours"
    assert refused("GOVKIOSK:WHAT:1:x") == "malformed"
    assert refused(EID_PREFIX + "nodot") == "malformed"
    assert refused(EID_PREFIX + "a$b.c") == "malformed"
    assert refused(EID_PREFIX + eid()[len(EID_PREFIX):] + "==") == "malformed"
    assert refused(12345) == "malformed"
    assert refused("GOVKIOSK:APPT:1:123456" + " " * 1100) == "too_long"
    assert refused("GOVKIOSK:" + "好" * 400) == "too_long"  # 1209 bytes in UTF-8
    assert refused(b"x" * 1025) == "too_long"


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.text(max_size=1200),
    st.binary(max_size=1200),
    st.text(max_size=300).map(lambda t: "GOVKIOSK:" + t),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
            max_size=300).map(lambda t: EID_PREFIX + t),
))
def test_garbage_only_ever_raises_qr_refused(text) -> None:
    try:
        result = parse_qr(text, eid_key=PUBLIC, now=NOW)
    except QrRefused as err:
        assert err.reason in REASONS
    else:
        assert isinstance(result, AppointmentCode)  # garbage never forges an identity


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutated_valid_codes_never_give_another_identity(data) -> None:
    text = eid()
    i = data.draw(st.integers(0, len(text) - 1))
    char = data.draw(st.characters(codec="utf-8"))
    mutated = text[:i] + char + text[i + 1:]
    try:
        result = parse_qr(mutated, eid_key=PUBLIC, now=NOW)
    except QrRefused as err:
        assert err.reason in REASONS
    else:
        assert mutated == text or mutated.strip() == text
        assert result.applicant() == CLAIMS
