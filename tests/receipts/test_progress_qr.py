"""The progress QR (version 2): what a terminal reads off a receipt, and every way it refuses a
code it must not look up. Whether a token opens the reference is the platform's to say
(tests/refplatform/test_progress_tokens.py, tests/journeys/test_progress_journey.py)."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.receipts.progress_qr import (MAX_TEXT, REASONS, TOKEN, ProgressRef, ReceiptQrRefused,
                                        claimed_ref, make, new_token, parse)

TOKEN_A = "0123456789ABCDEFGHJKMNPQRS"
RECEIPT_NO = "SL-20261123-000042"
OUTBOX_REF = "K7Q2M9XH4"
QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")
# a version-1 code, signed with the fleet-wide HMAC key that every terminal held
OLD_CODE = "GOVKIOSK:R:1:SL-20261123-000042:SIM-0001:AAAAAAAAAAAAAAAA"


def refused(text) -> str:
    with pytest.raises(ReceiptQrRefused) as err:
        parse(text)
    assert err.value.reason in REASONS
    return err.value.reason


def test_a_receipt_number_comes_back_with_its_token():
    text = make(RECEIPT_NO, "SIM-0001", TOKEN_A)
    assert text == f"GOVKIOSK:R:2:{RECEIPT_NO}:SIM-0001:{TOKEN_A}"
    assert parse(text) == ProgressRef(RECEIPT_NO, "receipt_no", "SIM-0001", TOKEN_A)


def test_an_outbox_reference_comes_back_as_one():
    assert parse(make(OUTBOX_REF, "SIM-0001", TOKEN_A)) == ProgressRef(
        OUTBOX_REF, "outbox_reference", "SIM-0001", TOKEN_A)


def test_a_token_is_130_random_bits_never_shown_in_a_repr():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200 and all(TOKEN.fullmatch(t) for t in tokens)
    assert TOKEN_A not in repr(parse(make(RECEIPT_NO, "SIM-0001", TOKEN_A)))


def test_the_code_is_short_and_in_qr_alphanumeric_mode():
    for ref in (RECEIPT_NO, OUTBOX_REF):
        text = make(ref, "SIM-0001", new_token())
        assert set(text) <= QR_ALPHANUMERIC, text
        assert len(text) <= 70


def test_a_code_of_the_old_fleet_key_is_refused_as_old():
    assert refused(OLD_CODE) == "old_code"


@pytest.mark.parametrize("text, reason", [
    ("", "not_ours"),
    ("https://zwfw.example.gov.cn/progress?no=SL-20261123-000042", "not_ours"),
    (f"govkiosk:r:2:SL-20261123-000042:SIM-0001:{TOKEN_A}", "not_ours"),
    ("GOVKIOSK", "not_ours"),
    ("GOVKIOSK:", "malformed"),
    (f"GOVKIOSK:P:2:SL-20261123-000042:SIM-0001:{TOKEN_A}", "malformed"),
    (f"GOVKIOSK:R:3:SL-20261123-000042:SIM-0001:{TOKEN_A}", "malformed"),
    (f"GOVKIOSK:R:2:sl-1:SIM-0001:{TOKEN_A}", "malformed"),
    (f"GOVKIOSK:R:2:SL-20261123-000042::{TOKEN_A}", "malformed"),
    (f"GOVKIOSK:R:2:SL-20261123-000042:SIM 0001:{TOKEN_A}", "malformed"),
    ("GOVKIOSK:R:2:SL-20261123-000042:SIM-0001:0123456789ABCDEFGHJKMNPQRI", "malformed"),
    ("GOVKIOSK:R:2:SL-20261123-000042:SIM-0001:0123456789ABCDEFGHJKMNPQR", "malformed"),
    (f"GOVKIOSK:R:2:SL-20261123-000042:SIM-0001:{TOKEN_A}:X", "malformed"),
    ("GOVKIOSK:" + "A" * MAX_TEXT, "too_long"),
])
def test_refusals_have_stable_reasons(text, reason):
    assert refused(text) == reason


def test_the_refusal_never_quotes_the_scanned_text():
    secret = f"GOVKIOSK:R:2:110101199003078515:SIM-0001:{TOKEN_A[:-1]}"
    with pytest.raises(ReceiptQrRefused) as err:
        parse(secret)
    assert "110101199003078515" not in str(err.value)
    assert "110101199003078515" not in repr(err.value)


def test_make_refuses_what_it_could_not_give_back():
    with pytest.raises(ValueError):
        make("SL 42", "SIM-0001", TOKEN_A)  # not a receipt number
    with pytest.raises(ValueError):
        make(RECEIPT_NO, "SIM:0001", TOKEN_A)  # a colon would split the fields
    with pytest.raises(ValueError):
        make(RECEIPT_NO, "", TOKEN_A)
    with pytest.raises(ValueError):
        make(RECEIPT_NO, "SIM-0001", "short")
    # a receipt number shaped like an outbox reference would come back as the wrong kind
    with pytest.raises(ValueError):
        make("KABCDEFGH", "SIM-0001", TOKEN_A, kind="receipt_no")
    assert make(RECEIPT_NO, "SIM-0001", TOKEN_A, kind="receipt_no")


def test_claimed_ref_is_read_without_trusting_it():
    assert claimed_ref(make(OUTBOX_REF, "SIM-0001", TOKEN_A)) == OUTBOX_REF
    assert claimed_ref("https://example.org") is None


_refs = st.one_of(
    st.from_regex(r"K[0-9A-HJKMNP-TV-Z]{8}", fullmatch=True),
    st.from_regex(r"[A-Z0-9-]{6,40}", fullmatch=True),
)
_kiosk_ids = st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True)
_tokens = st.from_regex(r"[0-9A-HJKMNP-TV-Z]{26}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(_refs, _kiosk_ids, _tokens)
def test_every_code_make_writes_parse_reads_back(ref, kiosk_id, token):
    text = make(ref, kiosk_id, token)
    assert len(text) <= MAX_TEXT
    got = parse(text)
    assert (got.ref, got.kiosk_id, got.token) == (ref, kiosk_id, token)
    assert got.kind == ("outbox_reference" if re.fullmatch(r"K[0-9A-HJKMNP-TV-Z]{8}", ref)
                        else "receipt_no")


_near_ours = st.builds(
    lambda parts, sep: "GOVKIOSK" + sep + sep.join(parts),
    st.lists(st.text(alphabet=string.ascii_letters + string.digits + "-_.:: \n\x00中", max_size=30),
             max_size=7),
    st.sampled_from([":", "::", ""]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), _near_ours,
                 st.builds(lambda r, k, t, cut, junk: make(r, k, t)[:cut] + junk,
                           _refs, _kiosk_ids, _tokens, st.integers(0, 150),
                           st.text(max_size=4))))
def test_parse_never_raises_anything_but_a_refusal(text):
    try:
        got = parse(text)
    except ReceiptQrRefused as err:
        assert err.reason in REASONS
    else:  # only a well-formed code gets through, and it is exactly what make would write
        assert make(got.ref, got.kiosk_id, got.token) == text
