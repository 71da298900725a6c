"""Cutting a serial scanner's byte stream into codes (pure).

Protocol (the common default of serial QR/barcode modules such as Grow GM65/GM805, Newland
and Honeywell in "serial output" mode): each decoded code is sent as its bytes followed by a
terminator, CR by default, CR LF or LF when so configured. A partial code followed by `idle_s`
of silence (at 9600 baud a byte takes ~1 ms) is refused as "incomplete", so that it cannot
glue onto the next code. A module configured without any terminator (`no_terminator=True`)
sends one burst per code, and then that silence ends the code instead.

Optionally (`aim_ids=True`) each code starts with its AIM symbology identifier
(ISO/IEC 15424, "]Q1" for QR, "]C0" for Code 128...), which gives the format.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.qr.payload import MAX_PAYLOAD_BYTES

# AIM symbology identifier letter -> zxing-cpp format name
AIM_FORMATS = {
    "Q": "QRCode", "C": "Code128", "A": "Code39", "G": "Code93", "E": "EAN13", "F": "Codabar",
    "I": "ITF", "L": "PDF417", "d": "DataMatrix", "e": "DataBar", "z": "Aztec", "X": "unknown",
}


@dataclass(frozen=True, slots=True)
class Frame:
    """One code's bytes, or the reason a chunk of the stream was refused (`raw` then b"")."""

    raw: bytes
    format: str = "unknown"
    refused: str | None = None


class LineFramer:
    def __init__(self, max_bytes: int = MAX_PAYLOAD_BYTES, idle_s: float = 0.5,
                 aim_ids: bool = False, no_terminator: bool = False):
        self.max_bytes = max_bytes
        self.idle_s = idle_s
        self.no_terminator = no_terminator
        self.aim_ids = aim_ids
        self._buf = bytearray()
        self._overflow = False  # dropping bytes of an oversize code until its terminator
        self._last_byte_at: float | None = None
        self._after_cr = False

    def feed(self, data: bytes, now: float) -> list[Frame]:
        """Frames completed by `data` (which arrived at time `now`)."""
        frames: list[Frame] = []
        if not data:
            return frames
        for byte in data:
            if byte == 0x0A and self._after_cr:  # LF of a CR LF pair: already ended
                self._after_cr = False
                continue
            self._after_cr = byte == 0x0D
            if byte in (0x0D, 0x0A):
                frame = self._end()
                if frame is not None:
                    frames.append(frame)
                continue
            if self._overflow:
                continue
            self._buf.append(byte)
            if len(self._buf) > self.max_bytes:
                self._buf.clear()
                self._overflow = True
        self._last_byte_at = now
        return frames

    def flush_if_idle(self, now: float) -> list[Frame]:
        """After `idle_s` of silence a partial code ends (no_terminator) or is refused."""
        if self._last_byte_at is None or now - self._last_byte_at < self.idle_s:
            return []
        self._last_byte_at = None
        self._after_cr = False
        if not self.no_terminator and (self._buf or self._overflow):
            self.reset()
            return [Frame(b"", refused="incomplete")]
        frame = self._end()
        return [frame] if frame is not None else []

    @property
    def partial(self) -> bool:
        """A code has started and its terminator has not come yet."""
        return bool(self._buf) or self._overflow

    def reset(self) -> None:
        """Forget a partial code (the port was closed: its rest will never come)."""
        self._buf.clear()
        self._overflow = False
        self._last_byte_at = None
        self._after_cr = False

    def _end(self) -> Frame | None:
        if self._overflow:
            self._overflow = False
            return Frame(b"", refused="too_long")
        if not self._buf:
            return None  # blank line: nothing was scanned
        raw = bytes(self._buf)
        self._buf.clear()
        return self._split_aim(raw)

    def _split_aim(self, raw: bytes) -> Frame:
        if not self.aim_ids:
            return Frame(raw)
        if len(raw) >= 3 and raw[0:1] == b"]" and chr(raw[1]).isalpha() and chr(raw[2]).isalnum():
            fmt = AIM_FORMATS.get(chr(raw[1]), "unknown")
            return Frame(raw[3:], fmt) if raw[3:] else Frame(b"", fmt, refused="empty")
        return Frame(b"", refused="no_aim_id")
