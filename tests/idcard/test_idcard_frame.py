"""The GA/T 467 frame codec: known frames, round trips, and a decoder that survives any input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.idcard import frame
from drivers.idcard.errors import (ChecksumError, FrameError, IdCardError, LengthError,
                                   MalformedFrame, NoCard, ReadFailed, SelectFailed)
from drivers.idcard.frame import Command, FrameDecoder

# Frames as published in vendor protocol notes (find card command, find/select replies).
KNOWN = {
    "find card command": (frame.build_command(Command.FIND_CARD), "aaaaaa96690003200122"),
    "select card command": (frame.build_command(Command.SELECT_CARD), "aaaaaa96690003200221"),
    "read base command": (frame.build_command(Command.READ_BASE), "aaaaaa96690003300132"),
    "sam id command": (frame.build_command(Command.SAM_ID), "aaaaaa9669000312ffee"),
    "find ok reply": (frame.build_reply(0x9F, bytes(4)), "aaaaaa9669000800009f0000000097"),
    "select ok reply": (frame.build_reply(0x90, bytes(8)),
                        "aaaaaa9669000c00009000000000000000009c"),
    "read failed reply": (frame.build_reply(0x41), "aaaaaa96690004000041 45"),
}


@pytest.mark.parametrize("name", KNOWN)
def test_frames_match_the_published_bytes(name):
    built, expected = KNOWN[name]
    assert built == bytes.fromhex(expected.replace(" ", ""))


def test_reply_statuses_map_to_clear_exceptions():
    cases = {0x80: (NoCard, "no_card"), 0x81: (SelectFailed, "select_failed"),
             0x41: (ReadFailed, "read_failed"), 0x10: (IdCardError, "module_checksum")}
    for sw3, (cls, reason) in cases.items():
        reply = frame.parse_reply_body(frame.decode_one(frame.build_reply(sw3)))
        with pytest.raises(cls) as info:
            reply.raise_for_status()
        assert info.value.reason == reason and f"0x{sw3:02X}" in str(info.value)
    unknown = frame.status_error(0xEE)
    assert unknown.reason == "unknown_status"


def test_strict_decode_rejects_each_kind_of_damage():
    good = frame.build_reply(0x90, b"abc")
    assert frame.decode_one(good) == b"\x00\x00\x90abc"
    with pytest.raises(ChecksumError):
        frame.decode_one(good[:-1] + bytes([good[-1] ^ 1]))
    with pytest.raises(LengthError):
        frame.decode_one(good[:-1])
    with pytest.raises(MalformedFrame):
        frame.decode_one(b"\x00" + good)
    with pytest.raises(LengthError):
        frame.decode_one(frame.PREAMBLE + b"\xff\xff" + b"\x00" * 10)


def test_decoder_resynchronises_after_garbage_and_bad_frames():
    a = frame.build_reply(0x9F, bytes(4))
    b = frame.build_reply(0x90, bytes(range(200)))
    bad = bytearray(b)
    bad[-1] ^= 0xFF
    stream = b"\x00\xAA\xAA" + a + b"noise" + frame.PREAMBLE + b"\xFF\xFF" + bytes(bad) + b
    out = FrameDecoder().feed(stream)
    bodies = [x for x in out if isinstance(x, bytes)]
    errors = [x for x in out if isinstance(x, FrameError)]
    assert bodies == [frame.decode_one(a), frame.decode_one(b)]
    assert any(isinstance(e, ChecksumError) for e in errors)
    assert any(isinstance(e, LengthError) for e in errors)


def test_decoder_buffer_stays_bounded_on_endless_garbage():
    decoder = FrameDecoder()
    for _ in range(1000):
        decoder.feed(b"\x55" * 997 + b"\xAA\xAA")
        assert decoder.pending <= len(frame.PREAMBLE)
    decoder.feed(frame.PREAMBLE + b"\x0f\xff")  # a plausible LEN whose body never comes
    for _ in range(10):
        decoder.feed(b"\x00" * 100)
    assert decoder.pending <= frame.HEADER_LEN + frame.MAX_LEN


bodies = st.binary(min_size=3, max_size=1400)


@given(bodies, st.lists(st.integers(1, 64), min_size=1, max_size=40))
def test_any_body_round_trips_however_the_line_splits_it(body, cuts):
    wire = frame.encode(body)
    decoder, out, pos, i = FrameDecoder(), [], 0, 0
    while pos < len(wire):
        step = cuts[i % len(cuts)]
        out += decoder.feed(wire[pos:pos + step])
        pos, i = pos + step, i + 1
    assert out == [body]
    assert frame.decode_one(wire) == body


@given(st.binary(max_size=3000))
@settings(max_examples=300)
def test_random_bytes_give_only_bodies_or_frame_errors(data):
    for item in FrameDecoder().feed(data):
        assert isinstance(item, (bytes, FrameError))
    try:
        frame.decode_one(data)
    except FrameError:
        pass


@given(bodies, st.lists(st.tuples(st.integers(0, 1500), st.integers(0, 255)), max_size=8),
       st.binary(max_size=20))
@settings(max_examples=300)
def test_mutated_frames_never_raise_foreign_errors(body, flips, junk):
    wire = bytearray(frame.encode(body))
    for pos, value in flips:
        wire[pos % len(wire)] = value
    data = bytes(junk) + bytes(wire)
    out = FrameDecoder().feed(data)
    for item in out:
        assert isinstance(item, (bytes, FrameError))
        if isinstance(item, bytes):
            try:
                frame.parse_reply_body(item)
                frame.parse_command_body(item)
            except FrameError:
                pass
    if not flips and not junk:
        assert out == [body]
