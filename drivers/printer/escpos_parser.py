"""An incremental ESC/POS stream parser: bytes in, commands out (what the emulator obeys).

Pure: no I/O. `feed()` may be called with any split of the stream; an incomplete command is
kept until the rest arrives. Bytes it does not know become `Unknown` commands (recorded, never
fatal). Text is decoded as GB18030 while Chinese-character mode (FS &) is on, else code page
437, with undecodable bytes shown as U+FFFD.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

ESC, GS, FS, DLE = 0x1B, 0x1D, 0x1C, 0x10
MAX_RASTER_BYTES = 2_000_000
_TEXT_FLUSH = 4096


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class LineFeed:
    pass


@dataclass(frozen=True, slots=True)
class Init:
    pass


@dataclass(frozen=True, slots=True)
class PrintMode:  # ESC ! n
    bold: bool
    double_height: bool
    double_width: bool


@dataclass(frozen=True, slots=True)
class CharSize:  # GS ! n
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Bold:  # ESC E n
    on: bool


@dataclass(frozen=True, slots=True)
class Align:  # ESC a n
    align: str


@dataclass(frozen=True, slots=True)
class FeedLines:  # ESC d n
    lines: int


@dataclass(frozen=True, slots=True)
class FeedDots:  # ESC J n
    dots: int


@dataclass(frozen=True, slots=True)
class ChineseMode:  # FS & / FS .
    on: bool


@dataclass(frozen=True, slots=True)
class QrModule:  # GS ( k fn 67
    size: int


@dataclass(frozen=True, slots=True)
class QrErrorCorrection:  # GS ( k fn 69
    level: str


@dataclass(frozen=True, slots=True)
class QrStore:  # GS ( k fn 80
    data: bytes


@dataclass(frozen=True, slots=True)
class QrPrint:  # GS ( k fn 81
    pass


@dataclass(frozen=True, slots=True)
class Raster:  # GS v 0
    width_bytes: int
    height: int
    data: bytes
    scale: int = 0


@dataclass(frozen=True, slots=True)
class Cut:  # GS V, ESC i, ESC m
    partial: bool


@dataclass(frozen=True, slots=True)
class StatusRequest:  # DLE EOT n (real time)
    n: int


@dataclass(frozen=True, slots=True)
class ProcessIdRequest:  # GS ( H fn 48: answer 37 22 d1..d4 00 once everything before it printed
    process_id: bytes


@dataclass(frozen=True, slots=True)
class ClearBuffers:  # DLE DC4 fn 8 (real time): drop what is buffered after an error
    pass


@dataclass(frozen=True, slots=True)
class Setting:
    """A known command that changes nothing the emulator draws (line spacing, code page...)."""
    raw: bytes


@dataclass(frozen=True, slots=True)
class Unknown:
    raw: bytes


Command = (Text | LineFeed | Init | PrintMode | CharSize | Bold | Align | FeedLines | FeedDots
           | ChineseMode | QrModule | QrErrorCorrection | QrStore | QrPrint | Raster | Cut
           | StatusRequest | ProcessIdRequest | ClearBuffers | Setting | Unknown)

REALTIME = (StatusRequest, ClearBuffers)

_ALIGNS = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
_QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
# ESC x with a fixed number of parameter bytes that the emulator does not draw.
_ESC_SETTINGS = {ord("2"): 0, ord("3"): 1, ord(" "): 1, ord("-"): 1, ord("G"): 1, ord("M"): 1,
                 ord("t"): 1, ord("R"): 1, ord("V"): 1, ord("{"): 1, ord("c"): 2,
                 ord("p"): 3, ord("U"): 1, ord("$"): 2, ord("\\"): 2, ord("D"): -1}
_GS_SETTINGS = {ord("B"): 1, ord("L"): 2, ord("W"): 2, ord("h"): 1, ord("w"): 1, ord("H"): 1,
                ord("f"): 1, ord("a"): 1, ord("r"): 1, ord("I"): 1, ord("P"): 2, ord("b"): 1}
_FS_SETTINGS = {ord("!"): 1, ord("-"): 1, ord("S"): 2, ord("W"): 1, ord("C"): 1}


class _Incomplete(Exception):
    """The buffer ends inside a command."""


class EscPosParser:
    def __init__(self) -> None:
        self._buf = bytearray()
        self._text = bytearray()
        self.chinese = False
        self.unknown_bytes = 0
        self._decoder = codecs.getincrementaldecoder("cp437")(errors="replace")
        self._decoder_chinese = False

    @property
    def pending(self) -> int:
        """Bytes held back because the command they start is not complete yet."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Command]:
        return [cmd for cmd, _ in self.feed_sized(data)]

    def feed_sized(self, data: bytes) -> list[tuple[Command, int]]:
        """Commands completed by `data`, each with the number of stream bytes it took."""
        self._buf += data
        out: list[tuple[Command, int]] = []
        pos = 0
        buf = self._buf
        n = len(buf)
        while pos < n:
            b = buf[pos]
            if b >= 0x20:
                start = pos
                while pos < n and buf[pos] >= 0x20:
                    pos += 1
                self._text += buf[start:pos]
                if len(self._text) >= _TEXT_FLUSH:  # a long run: decode what is complete
                    out.append(self._flush_text(final=False))
                continue
            if self._text:
                out.append(self._flush_text())
            try:
                cmd, size = self._control(buf, pos)
            except _Incomplete:
                break
            pos += size
            if isinstance(cmd, Unknown):
                self.unknown_bytes += len(cmd.raw)
            elif isinstance(cmd, ChineseMode):
                self.chinese = cmd.on
            out.append((cmd, size))
        del self._buf[:pos]
        return out

    def flush(self) -> list[Command]:
        """Text still pending at the end of the stream."""
        return [self._flush_text()[0]] if self._text else []

    def _flush_text(self, final: bool = True) -> tuple[Command, int]:
        """Decode pending text; `final` at a control byte, which never sits inside a
        GB18030 character, so a character split across feeds or long runs stays whole."""
        raw = bytes(self._text)
        self._text.clear()
        if self._decoder_chinese != self.chinese:
            self._decoder = codecs.getincrementaldecoder(
                "gb18030" if self.chinese else "cp437")(errors="replace")
            self._decoder_chinese = self.chinese
        return Text(self._decoder.decode(raw, final=final)), len(raw)

    # ---- one control sequence at buf[pos] ----------------------------------------------

    @staticmethod
    def _need(buf: bytearray, pos: int, count: int) -> bytes:
        if pos + count > len(buf):
            raise _Incomplete
        return bytes(buf[pos:pos + count])

    def _control(self, buf: bytearray, pos: int) -> tuple[Command, int]:
        b = buf[pos]
        if b == 0x0A:
            return LineFeed(), 1
        if b in (0x0D, 0x0C, 0x00):
            return Setting(bytes([b])), 1
        if b == DLE:
            return self._dle(buf, pos)
        if b == ESC:
            return self._esc(buf, pos)
        if b == GS:
            return self._gs(buf, pos)
        if b == FS:
            return self._fs(buf, pos)
        return Unknown(bytes([b])), 1

    def _dle(self, buf: bytearray, pos: int) -> tuple[Command, int]:
        head = self._need(buf, pos, 2)
        if head[1] == 0x04:
            raw = self._need(buf, pos, 3)
            if 1 <= raw[2] <= 4:
                return StatusRequest(raw[2]), 3
            return Unknown(raw), 3
        if head[1] == 0x05:
            return Setting(self._need(buf, pos, 3)), 3
        if head[1] == 0x14:
            fn = self._need(buf, pos, 3)[2]
            if fn == 8:
                raw = self._need(buf, pos, 10)
                return (ClearBuffers() if raw[3:] == b"\x01\x03\x14\x01\x06\x02\x08"
                        else Unknown(raw)), 10
            if fn == 1:
                return Setting(self._need(buf, pos, 5)), 5
            return Unknown(bytes(head)), 2
        return Unknown(bytes(head[:1])), 1

    def _esc(self, buf: bytearray, pos: int) -> tuple[Command, int]:
        c = self._need(buf, pos, 2)[1]
        if c == ord("@"):
            self.chinese = False
            return Init(), 2
        if c in (ord("i"), ord("m")):
            return Cut(partial=c == ord("m")), 2
        if c in (ord("!"), ord("E"), ord("a"), ord("d"), ord("J")):
            n = self._need(buf, pos, 3)[2]
            if c == ord("!"):
                return PrintMode(bool(n & 0x08), bool(n & 0x10), bool(n & 0x20)), 3
            if c == ord("E"):
                return Bold(bool(n & 1)), 3
            if c == ord("a"):
                return (Align(_ALIGNS[n]) if n in _ALIGNS else Unknown(bytes(buf[pos:pos + 3]))), 3
            if c == ord("d"):
                return FeedLines(n), 3
            return FeedDots(n), 3
        if c in _ESC_SETTINGS:
            count = _ESC_SETTINGS[c]
            if count < 0:  # ESC D n1..nk NUL: tab stops
                end = buf.find(0, pos + 2, pos + 2 + 33)
                if end < 0:
                    if len(buf) < pos + 2 + 33:
                        raise _Incomplete
                    return Unknown(self._need(buf, pos, 2)), 2
                return Setting(bytes(buf[pos:end + 1])), end + 1 - pos
            return Setting(self._need(buf, pos, 2 + count)), 2 + count
        return Unknown(self._need(buf, pos, 2)), 2

    def _gs(self, buf: bytearray, pos: int) -> tuple[Command, int]:
        c = self._need(buf, pos, 2)[1]
        if c == ord("!"):
            n = self._need(buf, pos, 3)[2]
            return CharSize((n >> 4 & 7) + 1, (n & 7) + 1), 3
        if c == ord("V"):
            m = self._need(buf, pos, 3)[2]
            if m in (0, 1, 48, 49):
                return Cut(partial=m in (1, 49)), 3
            if m in (65, 66, 97, 98, 103, 104):
                self._need(buf, pos, 4)
                return Cut(partial=m in (66, 98, 104)), 4
            return Unknown(self._need(buf, pos, 3)), 3
        if c == ord("v"):
            head = self._need(buf, pos, 8)
            if head[2] != ord("0"):
                return Unknown(head[:2]), 2
            width = head[4] | head[5] << 8
            height = head[6] | head[7] << 8
            size = width * height
            if size > MAX_RASTER_BYTES or width == 0 or height == 0:
                return Unknown(head), 8
            data = self._need(buf, pos, 8 + size)[8:]
            return Raster(width, height, data, head[3] & 3), 8 + size
        if c == ord("("):
            head = self._need(buf, pos, 5)
            length = head[3] | head[4] << 8
            raw = self._need(buf, pos, 5 + length)
            return self._gs_paren(chr(head[2]), raw[5:], raw), 5 + length
        if c == ord("k"):
            return self._barcode(buf, pos)
        if c in _GS_SETTINGS:
            return Setting(self._need(buf, pos, 2 + _GS_SETTINGS[c])), 2 + _GS_SETTINGS[c]
        return Unknown(self._need(buf, pos, 2)), 2

    @staticmethod
    def _gs_paren(kind: str, body: bytes, raw: bytes) -> Command:
        if kind == "k" and len(body) >= 2 and body[0] == 49:  # cn = 49: QR code
            fn = body[1]
            if fn == 67 and len(body) == 3:
                return QrModule(body[2])
            if fn == 69 and len(body) == 3 and body[2] in _QR_EC:
                return QrErrorCorrection(_QR_EC[body[2]])
            if fn == 80 and len(body) >= 3:
                return QrStore(body[3:])
            if fn == 81:
                return QrPrint()
            if fn == 65:  # model
                return Setting(raw)
        if kind == "H" and len(body) == 6 and body[0] == 48 and body[1] == 48:
            return ProcessIdRequest(body[2:6])
        return Unknown(raw)

    def _barcode(self, buf: bytearray, pos: int) -> tuple[Command, int]:
        m = self._need(buf, pos, 3)[2]
        if m <= 6:
            end = buf.find(0, pos + 3, pos + 3 + 256)
            if end < 0:
                if len(buf) < pos + 3 + 256:
                    raise _Incomplete
                return Unknown(self._need(buf, pos, 3)), 3
            return Setting(bytes(buf[pos:end + 1])), end + 1 - pos
        length = self._need(buf, pos, 4)[3]
        return Setting(self._need(buf, pos, 4 + length)), 4 + length

    def _fs(self, buf: bytearray, pos: int) -> tuple[Command, int]:
        c = self._need(buf, pos, 2)[1]
        if c == ord("&"):
            return ChineseMode(True), 2
        if c == ord("."):
            return ChineseMode(False), 2
        if c in _FS_SETTINGS:
            return Setting(self._need(buf, pos, 2 + _FS_SETTINGS[c])), 2 + _FS_SETTINGS[c]
        return Unknown(self._need(buf, pos, 2)), 2
