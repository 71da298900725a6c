"""Pure logic of the smart card area: APDU codec, identity TLV, the project's applet."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.smartcard.apdu import (ApduError, CommandApdu, ResponseApdu, read_binary,
                                    select_aid, select_ef, sw_text, transmit_with_fixups,
                                    verify_pin)
from drivers.smartcard.applet import APPLET_AID, EF_SOCIAL, CardApplet, CardProfile
from drivers.smartcard.identity import (Identity, IdentityFormatError, decode_tlvs, encode_tlv,
                                        mask_id_number)
from drivers.smartcard.reader import NotOurCard, read_identity

ID = "11010519491231002X"
CARD = {"identity": {"id_number": ID, "name": "测试用户", "card_number": "SSC110105000001",
                     "expiry": "2031-06-30"}, "pin": "123456", "social": "acct=1"}


def applet(**over: object) -> CardApplet:
    return CardApplet(CardProfile.from_dict({**CARD, **over}))


def sw(resp: bytes) -> int:
    return ResponseApdu.parse(resp).sw


# ---- APDU codec ---------------------------------------------------------------------------

@given(cla=st.integers(0, 255), ins=st.integers(0, 255), p1=st.integers(0, 255),
       p2=st.integers(0, 255), data=st.binary(max_size=255),
       le=st.none() | st.integers(1, 256))
def test_command_apdu_round_trips(cla: int, ins: int, p1: int, p2: int, data: bytes,
                                  le: int | None) -> None:
    cmd = CommandApdu(cla, ins, p1, p2, data, le)
    assert CommandApdu.parse(cmd.to_bytes()) == cmd


@given(st.binary(max_size=300))
def test_garbage_apdu_is_parsed_or_refused_clearly(raw: bytes) -> None:
    try:
        CommandApdu.parse(raw)
    except ApduError as exc:
        assert str(exc)


def test_apdu_length_mismatch_is_named() -> None:
    with pytest.raises(ApduError, match="Lc=3"):
        CommandApdu.parse(bytes.fromhex("00A4040003AABB"))
    with pytest.raises(ApduError, match="too short"):
        CommandApdu.parse(b"\x00\xa4")
    with pytest.raises(ApduError, match="too short"):
        ResponseApdu.parse(b"\x90")


def test_response_repr_never_shows_data() -> None:
    r = ResponseApdu.parse(ID.encode() + b"\x90\x00")
    assert ID not in repr(r) and "9000" in repr(r)
    assert sw_text(0x63C2) == "verification failed, 2 tries left"


def test_t0_fixups_follow_61xx_and_6cxx() -> None:
    sent: list[bytes] = []
    answers = iter([b"\x6c\x04", b"\x61\x03", b"abc\x61\x02", b"de\x90\x00"])

    def send(apdu: bytes) -> bytes:
        sent.append(apdu)
        return next(answers)

    assert transmit_with_fixups(send, bytes.fromhex("00B0000010")) == b"abcde\x90\x00"
    assert sent[1] == bytes.fromhex("00B0000004")
    assert sent[2] == bytes.fromhex("00C0000003") and sent[3] == bytes.fromhex("00C0000002")


def test_t0_fixups_stop_an_endless_61xx_card() -> None:
    with pytest.raises(ApduError, match="GET RESPONSE loop"):
        transmit_with_fixups(lambda _a: b"\x61\x01", bytes.fromhex("00B0000001"))


# ---- identity TLV ---------------------------------------------------------------------------

ids = st.from_regex(r"\A[0-9]{17}[0-9X]\Z")
names = st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=64)


@given(id_number=ids, name=names, card=st.from_regex(r"\A[A-Z0-9]{4,32}\Z"),
       expiry=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), issuer=names | st.just(""))
def test_identity_round_trips_and_repr_is_masked(id_number: str, name: str, card: str,
                                                expiry: dt.date, issuer: str) -> None:
    ident = Identity(id_number, name, card, expiry, issuer)
    assert Identity.decode(ident.encode()) == ident
    assert id_number not in repr(ident) and id_number not in str(ident)
    assert ident.as_dict(unmasked=True)["id_number"] == id_number


@given(st.binary(max_size=400))
def test_garbage_identity_file_raises_a_clear_error(raw: bytes) -> None:
    try:
        Identity.decode(raw)
    except IdentityFormatError as exc:
        assert str(exc)


def test_identity_errors_never_quote_values() -> None:
    bad = encode_tlv(0x61, encode_tlv(0x80, b"12345") + encode_tlv(0x81, b"x")
                     + encode_tlv(0x82, b"ABCD") + encode_tlv(0x83, b"20300101"))
    with pytest.raises(IdentityFormatError) as err:
        Identity.decode(bad)
    assert "12345" not in str(err.value)
    with pytest.raises(IdentityFormatError, match="declares"):
        decode_tlvs(b"\x61\x05\x80")
    assert mask_id_number(ID) == "110105********002X"


# ---- the applet -----------------------------------------------------------------------------

VALID_SW1 = {0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D,
             0x6E, 0x6F, 0x90}


@settings(max_examples=300)
@given(st.lists(st.binary(max_size=270) | st.sampled_from([
    select_aid(APPLET_AID), select_ef(0x0101), select_ef(EF_SOCIAL), read_binary(0),
    verify_pin(b"123456"), verify_pin(b"000000"), bytes.fromhex("00C0000010")]), max_size=12),
    st.sampled_from(["T0", "T1"]))
def test_random_apdus_never_crash_and_always_end_in_a_status_word(apdus: list[bytes],
                                                                  protocol: str) -> None:
    a = applet(protocol=protocol)
    for raw in apdus:
        resp = a.process(raw)
        assert len(resp) >= 2 and resp[-2] in VALID_SW1


@pytest.mark.parametrize("apdu, expected", [
    ("00A4040003A0A0A0", 0x6A82),          # unknown AID
    ("00A40200020101", 0x6A82),            # EF before the applet is selected
    ("00B0000010", 0x6986),                # READ BINARY with no current EF
    ("80A4040000", 0x6E00),                # proprietary class
    ("00FF000000", 0x6D00),                # unknown instruction
    ("00A4", 0x6700),                      # truncated
    ("00A4040005F04B", 0x6700),            # Lc disagrees with the data
    ("00A40904020101", 0x6A86),            # SELECT with bad P1
])
def test_applet_status_words(apdu: str, expected: int) -> None:
    assert sw(applet().process(bytes.fromhex(apdu))) == expected


def test_pin_protected_file_and_tries_counter() -> None:
    a = applet()
    assert sw(a.process(select_aid(APPLET_AID))) == 0x9000
    assert sw(a.process(select_ef(EF_SOCIAL))) == 0x9000
    assert sw(a.process(read_binary(0))) == 0x6982
    assert sw(a.process(verify_pin(b"000000"))) == 0x63C2
    assert sw(a.process(verify_pin(b"123456"))) == 0x9000
    assert a.process(read_binary(0)) == b"acct=1\x62\x82"
    for left in (2, 1):
        assert sw(a.process(verify_pin(b"999999"))) == 0x63C0 | left
    assert sw(a.process(verify_pin(b"999999"))) == 0x6983
    assert sw(a.process(verify_pin(b"123456"))) == 0x6983  # blocked stays blocked


@pytest.mark.parametrize("protocol", ["T0", "T1"])
def test_read_identity_over_several_read_binary_chunks(protocol: str) -> None:
    long = {**CARD["identity"], "name": "张" * 60, "issuer": "人" * 60}
    a = applet(identity=long, protocol=protocol)
    assert len(a.profile.identity.encode()) > 256
    ident = read_identity(a.process)
    assert ident.name == "张" * 60 and ident.issuer == "人" * 60


def test_foreign_card_is_not_ours() -> None:
    a = CardApplet(CardProfile.from_dict({"identity": None}))
    with pytest.raises(NotOurCard, match="6A82"):
        read_identity(a.process)


# ---- watcher transitions and vpcd framing ---------------------------------------------------

PRESENT, EMPTY = 0x20, 0x10


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 3)), max_size=30))
def test_card_events_alternate_and_end_where_the_reader_is(
        looks: list[tuple[bool, int]]) -> None:
    from drivers.smartcard.watcher import card_transitions

    prev_state, present, count, kinds = 0, False, 0, []
    for is_present, bumps in looks:
        count += bumps
        new_state = (count << 16) | (PRESENT if is_present else EMPTY)
        present, k = card_transitions(prev_state, present, new_state)
        kinds += k
        prev_state = new_state
    # never two insertions or two removals in a row
    assert all(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    assert not kinds or kinds[0] == "card_inserted"
    assert present == (bool(looks) and looks[-1][0])
    assert present == (bool(kinds) and kinds[-1] == "card_inserted")


def test_a_swap_between_two_looks_is_a_removal_then_an_insertion() -> None:
    from drivers.smartcard.watcher import card_transitions

    assert card_transitions((1 << 16) | PRESENT, True, (3 << 16) | PRESENT) == (
        True, ["card_removed", "card_inserted"])
    assert card_transitions((1 << 16) | PRESENT, True, (1 << 16) | PRESENT | 0x100) == (True, [])


@given(st.lists(st.binary(min_size=1, max_size=300), max_size=8), st.data())
def test_vpcd_frames_round_trip_across_any_split(payloads: list[bytes],
                                                 data: st.DataObject) -> None:
    from drivers.smartcard.vpcd_card import decode_frames, encode_frame

    stream = b"".join(encode_frame(p) for p in payloads)
    cut = data.draw(st.integers(0, len(stream)))
    first, rest = decode_frames(stream[:cut])
    second, tail = decode_frames(rest + stream[cut:])
    assert first + second == payloads and tail == b""


@given(st.binary(max_size=64))
def test_vpcd_garbage_is_refused_clearly_or_left_incomplete(raw: bytes) -> None:
    from drivers.smartcard.vpcd_card import VpcdProtocolError, decode_frames

    try:
        messages, rest = decode_frames(raw)
    except VpcdProtocolError as exc:
        assert "zero-length" in str(exc)
    else:
        assert sum(len(m) + 2 for m in messages) + len(rest) == len(raw)
