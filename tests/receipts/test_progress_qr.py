"""The progress QR: what a terminal accepts, and every way it refuses a code it must not trust."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.receipts.progress_qr import (MAX_TEXT, REASONS, ProgressRef, ReceiptQrRefused,
                                        claimed_ref, make, parse)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
RECEIPT_NO = "SL-20261123-000042"
OUTBOX_REF = "K7Q2M9XH4"
QR_ALPHANUMERIC = set(string.digits + string.ascii_uppercase + " $%*+-./:")


def refused(text, key=KEY) -> str:
    with pytest.raises(ReceiptQrRefused) as err:
        parse(text, key)
    assert err.value.reason in REASONS
    return err.value.reason


def test_a_receipt_number_comes_back_as_itself():
    text = make(RECEIPT_NO, "SIM-0001", KEY)
    assert text.startswith("GOVKIOSK:R:1:SL-20261123-000042:SIM-0001:")
    assert parse(text, KEY) == ProgressRef(RECEIPT_NO, "receipt_no", "SIM-0001")


def test_an_outbox_reference_comes_back_as_one():
    assert parse(make(OUTBOX_REF, "SIM-0001", KEY), KEY) == ProgressRef(
        OUTBOX_REF, "outbox_reference", "SIM-0001")


def test_another_terminal_of_the_fleet_reads_it_with_the_same_key():
    text = make(RECEIPT_NO, "HALL2-07", KEY)
    assert parse(text, bytes(KEY)).kiosk_id == "HALL2-07"


def test_the_code_is_short_and_in_qr_alphanumeric_mode():
    for ref in (RECEIPT_NO, OUTBOX_REF):
        text = make(ref, "SIM-0001", KEY)
        assert set(text) <= QR_ALPHANUMERIC, text
        assert len(text) <= 60
    assert re.fullmatch(r"[A-Z2-7]{16}", make(RECEIPT_NO, "SIM-0001", KEY).rsplit(":", 1)[1])


def test_a_code_signed_with_another_fleet_key_is_refused():
    assert refused(make(RECEIPT_NO, "SIM-0001", OTHER_KEY)) == "bad_signature"


def test_key_rotation_accepts_old_and_new_keys():
    old = make(RECEIPT_NO, "SIM-0001", OTHER_KEY)
    new = make(RECEIPT_NO, "SIM-0001", KEY)
    assert parse(old, [KEY, OTHER_KEY]).ref == RECEIPT_NO
    assert parse(new, (KEY, OTHER_KEY)).ref == RECEIPT_NO
    assert refused(old, [KEY]) == "bad_signature"


def test_editing_the_reference_or_the_terminal_breaks_the_signature():
    text = make(RECEIPT_NO, "SIM-0001", KEY)
    assert refused(text.replace("000042", "000043")) == "bad_signature"
    assert refused(text.replace("SIM-0001", "SIM-0002")) == "bad_signature"
    assert refused(text.replace(RECEIPT_NO, OUTBOX_REF)) == "bad_signature"


def test_every_single_character_change_is_refused():
    text = make(RECEIPT_NO, "SIM-0001", KEY)
    for i in range(len(text)):
        for c in "0AZ7:-a ":
            if c != text[i]:
                mutated = text[:i] + c + text[i + 1:]
                refused(mutated)
    assert refused(text[:-1]) == "malformed"
    assert refused(text + "A") == "malformed"


@pytest.mark.parametrize("text, reason", [
    ("", "not_ours"),
    ("https://zwfw.example.gov.cn/progress?no=SL-20261123-000042", "not_ours"),
    ("govkiosk:r:1:SL-20261123-000042:SIM-0001:AAAAAAAAAAAAAAAA", "not_ours"),
    ("GOVKIOSK", "not_ours"),
    ("GOVKIOSK:", "malformed"),
    ("GOVKIOSK:P:1:SL-20261123-000042:SIM-0001:AAAAAAAAAAAAAAAA", "malformed"),
    ("GOVKIOSK:R:2:SL-20261123-000042:SIM-0001:AAAAAAAAAAAAAAAA", "malformed"),
    ("GOVKIOSK:R:1:sl-1:SIM-0001:AAAAAAAAAAAAAAAA", "malformed"),
    ("GOVKIOSK:R:1:SL-20261123-000042::AAAAAAAAAAAAAAAA", "malformed"),
    ("GOVKIOSK:R:1:SL-20261123-000042:SIM 0001:AAAAAAAAAAAAAAAA", "malformed"),
    ("GOVKIOSK:R:1:SL-20261123-000042:SIM-0001:AAAAAAAAAAAAAAA1", "malformed"),
    ("GOVKIOSK:R:1:SL-20261123-000042:SIM-0001:AAAAAAAAAAAAAAAA", "bad_signature"),
    ("GOVKIOSK:R:1:SL-20261123-000042:SIM-0001:AAAAAAAAAAAAAAAA:X", "malformed"),
    ("GOVKIOSK:" + "A" * MAX_TEXT, "too_long"),
])
def test_refusals_have_stable_reasons(text, reason):
    assert refused(text) == reason


def test_the_refusal_never_quotes_the_scanned_text():
    secret = "GOVKIOSK:R:1:110101199003078515:SIM-0001:AAAAAAAAAAAAAAAA"
    with pytest.raises(ReceiptQrRefused) as err:
        parse(secret, KEY)
    assert "110101199003078515" not in str(err.value)
    assert "110101199003078515" not in repr(err.value)


def test_make_refuses_what_it_could_not_give_back():
    with pytest.raises(ValueError):
        make("SL 42", "SIM-0001", KEY)  # not a receipt number
    with pytest.raises(ValueError):
        make(RECEIPT_NO, "SIM:0001", KEY)  # a colon would split the fields
    with pytest.raises(ValueError):
        make(RECEIPT_NO, "", KEY)
    with pytest.raises(ValueError):
        make(RECEIPT_NO, "SIM-0001", b"short")
    # a receipt number shaped like an outbox reference would come back as the wrong kind
    with pytest.raises(ValueError):
        make("KABCDEFGH", "SIM-0001", KEY, kind="receipt_no")
    assert make(RECEIPT_NO, "SIM-0001", KEY, kind="receipt_no")


def test_parse_refuses_a_weak_or_missing_key_loudly():
    text = make(RECEIPT_NO, "SIM-0001", KEY)
    with pytest.raises(ValueError):
        parse(text, b"short")
    with pytest.raises(ValueError):
        parse(text, [])


def test_claimed_ref_is_read_without_trusting_it():
    assert claimed_ref(make(OUTBOX_REF, "SIM-0001", KEY)) == OUTBOX_REF
    assert claimed_ref("https://example.org") is None


_refs = st.one_of(
    st.from_regex(r"K[0-9A-HJKMNP-TV-Z]{8}", fullmatch=True),
    st.from_regex(r"[A-Z0-9-]{6,40}", fullmatch=True),
)
_kiosk_ids = st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(_refs, _kiosk_ids)
def test_every_code_make_writes_parse_reads_back(ref, kiosk_id):
    text = make(ref, kiosk_id, KEY)
    assert len(text) <= MAX_TEXT
    got = parse(text, KEY)
    assert (got.ref, got.kiosk_id) == (ref, kiosk_id)
    assert got.kind == ("outbox_reference" if re.fullmatch(r"K[0-9A-HJKMNP-TV-Z]{8}", ref)
                        else "receipt_no")


_near_ours = st.builds(
    lambda parts, sep: "GOVKIOSK" + sep + sep.join(parts),
    st.lists(st.text(alphabet=string.ascii_letters + string.digits + "-_.:: \n\x00中", max_size=20),
             max_size=7),
    st.sampled_from([":", "::", ""]))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), _near_ours,
                 st.builds(lambda r, k, cut, junk: make(r, k, KEY)[:cut] + junk,
                           _refs, _kiosk_ids, st.integers(0, 140), st.text(max_size=4))))
def test_parse_never_raises_anything_but_a_refusal(text):
    try:
        got = parse(text, KEY)
    except ReceiptQrRefused as err:
        assert err.reason in REASONS
    else:  # only a code we signed gets through
        assert make(got.ref, got.kiosk_id, KEY) == text
