"""serial_framing.py: a scanner's byte stream cut into codes, whatever the chunking."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from drivers.qr.serial_framing import Frame, LineFramer

CODE = st.binary(min_size=1, max_size=300).filter(lambda b: b"\r" not in b and b"\n" not in b)
TERMINATOR = st.sampled_from([b"\r", b"\r\n", b"\n"])


def feed_chunks(framer: LineFramer, stream: bytes, cuts: list[int], now: float = 0.0) -> list[Frame]:
    frames: list[Frame] = []
    positions = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    for a, b in itertools.pairwise(positions):
        frames += framer.feed(stream[a:b], now)
    return frames


@given(st.lists(st.tuples(CODE, TERMINATOR), min_size=1, max_size=10),
       st.lists(st.integers(0, 10_000), max_size=20))
def test_codes_come_out_whole_however_the_bytes_are_chunked(
        codes: list[tuple[bytes, bytes]], cuts: list[int]) -> None:
    stream = b"".join(code + term for code, term in codes)
    frames = feed_chunks(LineFramer(), stream, cuts)
    assert [f.raw for f in frames] == [code for code, _ in codes]
    assert all(f.refused is None and f.format == "unknown" for f in frames)


@given(st.binary(max_size=3000), st.lists(st.integers(0, 10_000), max_size=20))
def test_arbitrary_noise_never_raises_and_never_yields_oversize_codes(
        noise: bytes, cuts: list[int]) -> None:
    framer = LineFramer(max_bytes=100, no_terminator=len(noise) % 2 == 0)
    frames = feed_chunks(framer, noise, cuts) + framer.flush_if_idle(1e9)
    for f in frames:
        assert (f.refused is None and 0 < len(f.raw) <= 100) or (f.refused and f.raw == b"")


def test_an_oversize_code_is_refused_once_and_the_next_one_is_read() -> None:
    framer = LineFramer(max_bytes=10)
    frames = framer.feed(b"x" * 25 + b"\r" + b"ok\r", 0.0)
    assert frames == [Frame(b"", refused="too_long"), Frame(b"ok")]


def test_blank_lines_are_not_codes() -> None:
    assert LineFramer().feed(b"\r\n\r\n\n\r", 0.0) == []


def test_a_partial_code_followed_by_silence_is_refused_not_glued_to_the_next() -> None:
    framer = LineFramer(idle_s=0.5)
    assert framer.feed(b"HALF-", 10.0) == []
    assert framer.flush_if_idle(10.4) == []
    assert framer.flush_if_idle(10.6) == [Frame(b"", refused="incomplete")]
    assert framer.feed(b"WHOLE\r", 11.0) == [Frame(b"WHOLE")]
    assert framer.flush_if_idle(20.0) == []


def test_a_code_without_terminator_ends_after_silence() -> None:
    framer = LineFramer(idle_s=0.3, no_terminator=True)
    assert framer.feed(b"NOSUFFIX", 10.0) == []
    assert framer.flush_if_idle(10.2) == []
    assert framer.flush_if_idle(10.31) == [Frame(b"NOSUFFIX")]
    assert framer.flush_if_idle(20.0) == []


def test_a_cr_lf_split_across_reads_is_one_terminator() -> None:
    framer = LineFramer()
    assert framer.feed(b"A\r", 0.0) == [Frame(b"A")]
    assert framer.feed(b"\nB\r", 0.0) == [Frame(b"B")]


def test_aim_identifiers_give_the_format() -> None:
    framer = LineFramer(aim_ids=True)
    frames = framer.feed(b"]Q1hello\r]C0SLIP-1\r]E09787111111111\rplain\r]Q1\r", 0.0)
    assert frames == [Frame(b"hello", "QRCode"), Frame(b"SLIP-1", "Code128"),
                      Frame(b"9787111111111", "EAN13"), Frame(b"", refused="no_aim_id"),
                      Frame(b"", "QRCode", refused="empty")]


def test_reset_forgets_a_partial_code() -> None:
    framer = LineFramer()
    framer.feed(b"half-a-co", 0.0)
    framer.reset()
    assert framer.feed(b"de\r", 0.0) == [Frame(b"de")]
