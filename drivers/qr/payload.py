"""What a scanned code carries, made safe before anything else sees it (pure).

A code is written by whoever holds the phone: it may be huge, in an unexpected encoding, or
carry terminal escapes and bidi overrides meant to mislead a screen or a log. This module caps
the size, turns bytes into text (UTF-8, else GB18030 as older Chinese generators write, else a
clear error), and refuses control characters other than tab and newline. It does not interpret
business meaning. Error messages and reprs never quote the content: a code may carry an ID
number or a name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

MAX_PAYLOAD_BYTES = 4096  # a version-40 QR holds 2953 bytes; PDF417 about 1850
_ALLOWED_CONTROLS = {"\t", "\n"}
# bidi embeddings/overrides/isolates reorder what the screen shows (Trojan-Source style)
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class PayloadError(ValueError):
    """A code's content was refused; `reason` is machine-readable, the message has no content."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ScannedCode:
    """A code's content as safe text, with where it came from."""

    text: str = field(repr=False)
    format: str  # "QRCode", "Code128", ... or "unknown" (a serial scanner does not always say)
    source: str  # the device name that read it, e.g. "qr_camera", "qr_serial"
    encoding: str  # "utf-8" or "gb18030": how the bytes were read

    def masked(self) -> str:
        """For logs: the length and the first characters at most, never the whole content."""
        head = self.text[:3] if len(self.text) > 8 else ""
        return f"{head}…({len(self.text)} chars)"

    def __repr__(self) -> str:
        return (f"ScannedCode(format={self.format!r}, source={self.source!r}, "
                f"encoding={self.encoding!r}, text={self.masked()!r})")

    def as_event(self) -> dict[str, Any]:
        return {"text": self.text, "format": self.format, "source": self.source,
                "encoding": self.encoding}


def bytes_to_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a leading BOM dropped), else GB18030; PayloadError otherwise.

    UTF-8 wins whenever the bytes are valid UTF-8, even though a very short GBK text can also
    be (住 is D7 A1 in GBK and Hebrew ס in UTF-8): preferring GBK on a guess would misread
    UTF-8 Uyghur, Tibetan or accented Latin names, which a government code must carry right.
    A GBK text of a few characters or more is almost never valid UTF-8.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise PayloadError("bad_encoding",
                           f"code content is neither UTF-8 nor GB18030 (bad byte at {exc.start})"
                           ) from None


def check_text(text: str) -> str:
    """Line endings normalised to \\n; PayloadError on any other control or bidi character."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for i, ch in enumerate(text):
        if ch in _ALLOWED_CONTROLS:
            continue
        if ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc":
            raise PayloadError("control_character",
                               f"code content has control character U+{ord(ch):04X} at {i}")
    if not text.strip():
        raise PayloadError("empty", "code content is empty")
    return text


def scanned_code(raw: bytes, fmt: str, source: str,
                 max_bytes: int = MAX_PAYLOAD_BYTES) -> ScannedCode:
    """The one way from a decoder's bytes to a ScannedCode; PayloadError when refused."""
    if not isinstance(raw, (bytes, bytearray, memoryview)):
        raise PayloadError("not_bytes", f"code content must be bytes, not {type(raw).__name__}")
    raw = bytes(raw)
    if not raw:
        raise PayloadError("empty", "code content is empty")
    if len(raw) > max_bytes:
        raise PayloadError("too_long", f"code content of {len(raw)} bytes exceeds {max_bytes}")
    text, encoding = bytes_to_text(raw)
    return ScannedCode(check_text(text), fmt, source, encoding)
