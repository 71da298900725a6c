"""payload.py: what a code may carry before anything else sees it (hypothesis-fuzzed)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from drivers.qr.payload import (
    MAX_PAYLOAD_BYTES,
    PayloadError,
    ScannedCode,
    scanned_code,
)

SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"),
                           blacklist_characters="".join(chr(c) for c in
                                                        (*range(0x202A, 0x202F),
                                                         *range(0x2066, 0x206A), 0xFEFF))),
    min_size=1, max_size=200).filter(lambda t: t.strip())


@given(SAFE_TEXT)
def test_any_printable_utf8_text_comes_through_unchanged(text: str) -> None:
    code = scanned_code(text.encode("utf-8"), "QRCode", "qr_camera")
    assert code.text == text and code.encoding == "utf-8"


@given(st.text(alphabet="预约号居住证签注市民中心窗口办理材料事项时段编码", min_size=1, max_size=60),
       st.text(alphabet="0123456789:;-ABC", max_size=20))
def test_gbk_text_from_older_generators_is_read(chinese: str, ascii_part: str) -> None:
    text = chinese + ascii_part
    assume(not _valid_utf8(text.encode("gb18030")))  # see the next test
    code = scanned_code(text.encode("gb18030"), "QRCode", "qr_serial")
    assert code.text == text and code.encoding == "gb18030"


def _valid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_known_limit_a_tiny_gbk_text_that_is_also_utf8_reads_as_utf8() -> None:
    """住 alone is D7 A1 in GBK, which is valid UTF-8 (ס): UTF-8 wins, by design."""
    assert scanned_code("住".encode("gb18030"), "QRCode", "s").encoding == "utf-8"
    # a realistic GBK payload is not valid UTF-8, and reads right
    text = "预约号:123456;事项:居住证签注"
    assert not _valid_utf8(text.encode("gb18030"))
    assert scanned_code(text.encode("gb18030"), "QRCode", "s").text == text


@given(st.binary(max_size=MAX_PAYLOAD_BYTES + 10))
def test_any_bytes_give_safe_text_or_a_clear_refusal(raw: bytes) -> None:
    try:
        code = scanned_code(raw, "QRCode", "qr_camera")
    except PayloadError as exc:
        assert exc.reason in {"empty", "too_long", "bad_encoding", "control_character"}
        # the refusal never quotes the content
        assert not any(ch.isalpha() and ord(ch) > 127 for ch in str(exc))
        return
    assert code.text.strip()
    for ch in code.text:
        assert ch in "\t\n" or unicodedata.category(ch) != "Cc"
        assert not (0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069)
    assert len(raw) <= MAX_PAYLOAD_BYTES


@pytest.mark.parametrize("raw, reason", [
    (b"", "empty"),
    (b"   \n\t ", "empty"),
    (b"\x1b[2Jcleared", "control_character"),
    (b"abc\x00def", "control_character"),
    ("invoice \u202egnp.exe".encode(), "control_character"),
    ("\u2066isolate".encode(), "control_character"),
    (b"\xff\xfe\xfd", "bad_encoding"),
    (b"x" * (MAX_PAYLOAD_BYTES + 1), "too_long"),
])
def test_dangerous_or_broken_content_is_refused_by_name(raw: bytes, reason: str) -> None:
    with pytest.raises(PayloadError) as info:
        scanned_code(raw, "QRCode", "qr_camera")
    assert info.value.reason == reason


def test_line_endings_are_normalised_and_tabs_kept() -> None:
    code = scanned_code(b"BEGIN:VCARD\r\nN:x\rTEL;\t1\n", "QRCode", "qr_camera")
    assert code.text == "BEGIN:VCARD\nN:x\nTEL;\t1\n"


def test_a_utf8_bom_is_dropped() -> None:
    assert scanned_code("\ufeff办事".encode("utf-8"), "QRCode", "s").text == "办事"


def test_exactly_the_cap_is_accepted_and_the_cap_is_adjustable() -> None:
    assert len(scanned_code(b"a" * MAX_PAYLOAD_BYTES, "QRCode", "s").text) == MAX_PAYLOAD_BYTES
    with pytest.raises(PayloadError):
        scanned_code(b"a" * 11, "QRCode", "s", max_bytes=10)


def test_non_bytes_are_refused() -> None:
    with pytest.raises(PayloadError, match="bytes"):
        scanned_code("text", "QRCode", "s")  # type: ignore[arg-type]


def test_repr_and_logs_never_show_the_content() -> None:
    code = scanned_code("身份证号110101199003071234".encode(), "QRCode", "qr_camera")
    assert isinstance(code, ScannedCode)
    assert "110101199003071234" not in repr(code) and "110101199003071234" not in code.masked()
    assert code.as_event()["text"].endswith("110101199003071234")
