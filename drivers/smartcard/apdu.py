"""ISO 7816-4 command/response APDUs: parsing, building and status words, without I/O.

Only short APDUs (Lc, Le <= 256) are handled: the project's applet and the readers it targets
need no more, and a parser that refuses extended length clearly beats one that half-supports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SW_OK = 0x9000
SW_END_OF_FILE = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_AUTH_BLOCKED = 0x6983
SW_NO_CURRENT_EF = 0x6986
SW_WRONG_DATA = 0x6A80
SW_FUNC_NOT_SUPPORTED = 0x6A81
SW_FILE_NOT_FOUND = 0x6A82
SW_INCORRECT_P1P2 = 0x6A86
SW_WRONG_P1P2 = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00

_SW_TEXT = {
    0x9000: "ok",
    0x6282: "end of file reached before Le bytes",
    0x6700: "wrong length",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6986: "command not allowed (no current EF)",
    0x6A80: "incorrect data",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A86: "incorrect P1-P2",
    0x6B00: "wrong parameters P1-P2 (offset outside the file)",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
}


class ApduError(ValueError):
    """Bytes that are not a well-formed APDU of the kind expected."""


def sw_text(sw: int) -> str:
    """A short English reading of a status word, for logs and error messages."""
    if sw in _SW_TEXT:
        return _SW_TEXT[sw]
    sw1, sw2 = sw >> 8, sw & 0xFF
    if sw1 == 0x61:
        return f"{sw2 or 256} response bytes still available"
    if sw1 == 0x6C:
        return f"wrong Le, exact length is {sw2 or 256}"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"verification failed, {sw2 & 0x0F} tries left"
    return "unknown status"


@dataclass(frozen=True, slots=True)
class CommandApdu:
    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None  # None = no Le field; 256 for Le byte 00

    @classmethod
    def parse(cls, raw: bytes) -> CommandApdu:
        """Parse a short command APDU (cases 1-4); raise ApduError on any length mismatch."""
        n = len(raw)
        if n < 4:
            raise ApduError(f"command APDU too short ({n} bytes, need at least 4)")
        cla, ins, p1, p2 = raw[0], raw[1], raw[2], raw[3]
        if n == 4:
            return cls(cla, ins, p1, p2)
        if n == 5:
            return cls(cla, ins, p1, p2, b"", raw[4] or 256)
        lc = raw[4]
        if lc == 0:
            raise ApduError("extended-length APDUs are not supported")
        if n == 5 + lc:
            return cls(cla, ins, p1, p2, bytes(raw[5:5 + lc]))
        if n == 6 + lc:
            return cls(cla, ins, p1, p2, bytes(raw[5:5 + lc]), raw[5 + lc] or 256)
        raise ApduError(f"Lc={lc} does not match the {n - 5} bytes after the header")

    def to_bytes(self) -> bytes:
        if not all(0 <= b <= 0xFF for b in (self.cla, self.ins, self.p1, self.p2)):
            raise ApduError("header bytes must be 0..255")
        if len(self.data) > 255:
            raise ApduError("short APDU data is at most 255 bytes")
        if self.le is not None and not 1 <= self.le <= 256:
            raise ApduError("Le must be 1..256")
        out = bytearray((self.cla, self.ins, self.p1, self.p2))
        if self.data:
            out.append(len(self.data))
            out += self.data
        if self.le is not None:
            out.append(self.le & 0xFF)
        return bytes(out)


@dataclass(frozen=True, slots=True)
class ResponseApdu:
    data: bytes
    sw: int

    @classmethod
    def parse(cls, raw: bytes | list[int]) -> ResponseApdu:
        raw = bytes(raw)
        if len(raw) < 2:
            raise ApduError(f"response APDU too short ({len(raw)} bytes, need SW1 SW2)")
        return cls(raw[:-2], (raw[-2] << 8) | raw[-1])

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    def to_bytes(self) -> bytes:
        return self.data + self.sw.to_bytes(2, "big")

    def __repr__(self) -> str:  # data may be personal: show its size, never its bytes
        return f"ResponseApdu({len(self.data)} bytes, SW={self.sw:04X} {sw_text(self.sw)})"


def select_aid(aid: bytes) -> bytes:
    return CommandApdu(0x00, 0xA4, 0x04, 0x00, aid, 256).to_bytes()


def select_ef(fid: int) -> bytes:
    return CommandApdu(0x00, 0xA4, 0x02, 0x0C, fid.to_bytes(2, "big")).to_bytes()


def read_binary(offset: int, le: int = 256) -> bytes:
    if not 0 <= offset <= 0x7FFF:
        raise ApduError("READ BINARY offset must be 0..32767")
    return CommandApdu(0x00, 0xB0, offset >> 8, offset & 0xFF, b"", le).to_bytes()


def internal_authenticate(challenge: bytes, *, holder: bool = False) -> bytes:
    """P2=00 card authentication; P2=01 the holder proof (the card signs only after VERIFY)."""
    return CommandApdu(0x00, 0x88, 0x00, 0x01 if holder else 0x00, challenge, 256).to_bytes()


def verify_pin(pin: bytes, ref: int = 0x01) -> bytes:
    return CommandApdu(0x00, 0x20, 0x00, ref, pin).to_bytes()


def transmit_with_fixups(send: Callable[[bytes], bytes], apdu: bytes,
                         max_rounds: int = 32) -> bytes:
    """Send `apdu`, following T=0 conventions: 6Cxx -> resend with Le=xx, 61xx -> GET RESPONSE.

    A T=1 card answers in one go and never triggers either; a T=0 card relies on them.
    """
    response = bytes(send(apdu))
    rounds = 0
    if len(response) == 2 and response[0] == 0x6C:
        command = CommandApdu.parse(apdu)
        if command.le is not None:
            fixed = CommandApdu(command.cla, command.ins, command.p1, command.p2, command.data,
                                response[1] or 256)
            response = bytes(send(fixed.to_bytes()))
    collected = bytearray()
    while len(response) >= 2 and response[-2] == 0x61:
        rounds += 1
        if rounds > max_rounds:
            raise ApduError("card kept answering 61xx: GET RESPONSE loop aborted")
        collected += response[:-2]
        cla = apdu[0] if apdu else 0
        response = bytes(send(bytes((cla, 0xC0, 0x00, 0x00, response[-1]))))
    return bytes(collected) + response
