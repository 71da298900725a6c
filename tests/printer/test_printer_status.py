"""DLE EOT replies: every condition a person can see is named, garbage is refused, and
silence is never taken for "paper OK"."""

import pytest
from hypothesis import given
from hypothesis import strategies as s

from drivers.printer import status as st

CONDITIONS = [
    ({}, st.Ok()),
    ({"near_end": True}, st.PaperNearEnd()),
    ({"paper_out": True}, st.PaperOut()),
    ({"paper_out": True, "near_end": True}, st.PaperOut()),
    ({"cover_open": True}, st.CoverOpen()),
    ({"cover_open": True, "paper_out": True}, st.CoverOpen()),
    ({"feed_button": True}, st.Offline()),
    ({"error": "autocutter"}, st.Error("autocutter")),
    ({"error": "unrecoverable"}, st.Error("unrecoverable")),
    ({"error": "auto_recoverable"}, st.Error("auto_recoverable")),
    ({"error": "recoverable"}, st.Error("recoverable")),
]


@pytest.mark.parametrize("condition,expected", CONDITIONS, ids=lambda v: str(v))
def test_each_condition_reads_back_as_itself(condition, expected):
    replies = {n: bytes([b]) for n, b in st.encode_replies(**condition).items()}
    assert st.parse_all(replies) == expected


def test_idle_printer_bytes_from_the_epson_manual():
    # 0x12 = only the fixed bits: online, cover closed, no error, paper present
    assert st.parse_all({n: b"\x12" for n in st.QUERIES}) == st.Ok()
    assert st.parse_reply(4, b"\x7e") == st.PaperSensor(near_end=True, paper_out=True)
    assert st.parse_reply(2, b"\x16").cover_open


@pytest.mark.parametrize("n", st.QUERIES)
def test_no_answer_is_never_ok(n):
    with pytest.raises(st.NoAnswer):
        st.parse_reply(n, b"")
    replies = {m: b"\x12" for m in st.QUERIES}
    replies[n] = b""
    with pytest.raises(st.NoAnswer):
        st.parse_all(replies)


@pytest.mark.parametrize("byte", [0x00, 0xFF, 0x13, 0x02, 0x10, 0x92, 0x37, 0x22])
def test_bytes_breaking_the_fixed_bits_are_refused(byte):
    with pytest.raises(st.BadStatusByte, match=f"0x{byte:02X}"):
        st.parse_reply(1, bytes([byte]))


@given(s.integers(1, 4), s.binary(max_size=4))
def test_any_reply_parses_or_raises_a_status_error(n, data):
    try:
        reply = st.parse_reply(n, data)
    except st.StatusError:
        return
    assert len(data) == 1 and st.is_status_byte(data[0])
    assert reply is not None


@given(s.lists(s.integers(0, 255), min_size=4, max_size=4))
def test_any_four_bytes_give_one_verdict_or_a_clear_refusal(values):
    replies = {n: bytes([v]) for n, v in zip(st.QUERIES, values)}
    try:
        verdict = st.parse_all(replies)
    except st.BadStatusByte as exc:
        assert not st.is_status_byte(exc.value)
        return
    assert verdict.kind in ("ok", "paper_near_end", "paper_out", "cover_open", "offline", "error")
    paper = st.parse_reply(4, replies[4])
    if isinstance(paper, st.PaperSensor) and paper.paper_out:
        assert not st.can_print(verdict)


def test_query_bytes():
    assert st.query_bytes(4) == b"\x10\x04\x04"
    with pytest.raises(ValueError):
        st.query_bytes(5)
