"""GA/T 467 frame codec: build commands and replies, decode a byte stream incrementally.

Frame: preamble `AA AA AA 96 69`, LEN (2 bytes big-endian, counts everything after itself
including CHK), body, CHK = XOR of the two LEN bytes and the body. A command body is
CMD PARA [DATA]; a reply body is SW1 SW2 SW3 [DATA]. Pure logic: no I/O here, so the driver,
the emulator, the CLI and the fuzz tests share one implementation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import reduce

from drivers.idcard.errors import (
    ChecksumError,
    FrameError,
    LengthError,
    MalformedFrame,
    ModuleRejectedFrame,
    ModuleStatusError,
    NoCard,
    ReadFailed,
    SamError,
    SelectFailed,
)

PREAMBLE = b"\xAA\xAA\xAA\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
# The largest real reply is "read base info + fingerprint" (3 + 6 + 256 + 1024 + 1024 + 1 bytes
# after LEN); anything longer is garbage, so the decoder never buffers more than this.
MAX_LEN = 4096
MIN_LEN = 3  # a command: CMD PARA CHK (a reply needs 4: SW1 SW2 SW3 CHK)


class Command(tuple[int, int], enum.Enum):
    """(CMD, PARA) pairs of the terminal interface (业务终端接口)."""

    RESET_SAM = (0x10, 0xFF)
    SAM_STATUS = (0x11, 0xFF)
    SAM_ID = (0x12, 0xFF)  # "SAM 管理信息": the 16-byte SAM serial
    FIND_CARD = (0x20, 0x01)
    SELECT_CARD = (0x20, 0x02)
    READ_BASE = (0x30, 0x01)  # text (256) + WLT photo (1024)
    READ_NEW_ADDRESS = (0x30, 0x03)  # 最新追加住址
    READ_BASE_FP = (0x30, 0x10)  # text + photo + fingerprint (1024)


class Status(enum.IntEnum):
    """SW3, the module's own status byte."""

    OK = 0x90
    NO_CONTENT = 0x91  # e.g. no appended address
    FOUND = 0x9F  # find card succeeded
    BAD_CHECKSUM = 0x10  # the module received a frame with a wrong checksum
    BAD_LENGTH = 0x11
    BAD_COMMAND = 0x21
    UNAUTHORISED = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    VERIFY_FAILED = 0x33
    WRONG_CARD = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SELF_TEST_FAILED = 0x60
    NOT_AUTHORISED = 0x66
    NO_CARD = 0x80
    SELECT_FAILED = 0x81


_STATUS_ERRORS: dict[int, tuple[type[ModuleStatusError], str, str]] = {
    0x10: (ModuleRejectedFrame, "module_checksum", "the module received a frame with a bad checksum"),
    0x11: (ModuleRejectedFrame, "module_length", "the module received a frame with a bad length"),
    0x21: (ModuleRejectedFrame, "bad_command", "the module rejected the command"),
    0x23: (ModuleRejectedFrame, "unauthorised", "operation not allowed by the module"),
    0x24: (ModuleStatusError, "module_error", "the module reported an unidentified error"),
    0x31: (SamError, "card_auth_failed", "the card did not authenticate the SAM"),
    0x32: (SamError, "sam_auth_failed", "the SAM did not authenticate the card"),
    0x33: (ModuleStatusError, "verify_failed", "card data failed verification"),
    0x40: (ModuleStatusError, "wrong_card", "not a supported card"),
    0x41: (ReadFailed, "read_failed", "the card could not be read"),
    0x47: (ModuleStatusError, "random_failed", "the card gave no random number"),
    0x60: (SamError, "self_test_failed", "the SAM failed its self-test"),
    0x66: (SamError, "not_authorised", "the SAM is not authorised"),
    0x80: (NoCard, "no_card", "no card in the field"),
    0x81: (SelectFailed, "select_failed", "the card could not be selected"),
    0x91: (ModuleStatusError, "no_content", "the card holds no such content"),
}


def status_error(sw3: int) -> ModuleStatusError:
    """The exception for a non-success SW3 (unknown codes get a generic, still clear, error)."""
    cls, reason, message = _STATUS_ERRORS.get(
        sw3, (ModuleStatusError, "unknown_status", "the module answered an unknown status"))
    return cls(sw3, reason, message)


def checksum(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def encode(body: bytes) -> bytes:
    """Wrap `body` in preamble, length and checksum."""
    length = len(body) + 1
    if length > MAX_LEN:
        raise LengthError(f"body of {len(body)} bytes exceeds the protocol maximum")
    head = length.to_bytes(2, "big")
    return PREAMBLE + head + body + bytes([checksum(head + body)])


def build_command(command: Command, data: bytes = b"") -> bytes:
    cmd, para = command.value
    return encode(bytes([cmd, para]) + data)


def build_reply(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    return encode(bytes([sw1, sw2, sw3]) + data)


@dataclass(frozen=True, slots=True)
class CommandFrame:
    cmd: int
    para: int
    data: bytes = b""

    @property
    def command(self) -> Command | None:
        try:
            return Command((self.cmd, self.para))
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Reply:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.sw3 in (Status.OK, Status.FOUND)

    def raise_for_status(self) -> "Reply":
        if not self.ok:
            raise status_error(self.sw3)
        return self

    def __repr__(self) -> str:  # data may be a whole card: never print it
        return f"Reply(sw=0x{self.sw1:02X}{self.sw2:02X}{self.sw3:02X}, {len(self.data)} data bytes)"


def parse_command_body(body: bytes) -> CommandFrame:
    if len(body) < 2:
        raise MalformedFrame(f"command body of {len(body)} bytes (needs CMD and PARA)")
    return CommandFrame(body[0], body[1], bytes(body[2:]))


def parse_reply_body(body: bytes) -> Reply:
    if len(body) < 3:
        raise MalformedFrame(f"reply body of {len(body)} bytes (needs SW1 SW2 SW3)")
    return Reply(body[0], body[1], body[2], bytes(body[3:]))


def decode_one(frame: bytes) -> bytes:
    """Strictly decode exactly one frame (no leading garbage, nothing after) into its body."""
    frame = bytes(frame)
    if not frame.startswith(PREAMBLE):
        raise MalformedFrame("does not start with the preamble AA AA AA 96 69")
    if len(frame) < HEADER_LEN:
        raise LengthError(f"frame of {len(frame)} bytes is shorter than its header")
    length = int.from_bytes(frame[5:7], "big")
    if not MIN_LEN <= length <= MAX_LEN:
        raise LengthError(f"LEN {length} outside {MIN_LEN}..{MAX_LEN}")
    if len(frame) != HEADER_LEN + length:
        raise LengthError(f"LEN says {HEADER_LEN + length} bytes, got {len(frame)}")
    body, chk = frame[HEADER_LEN:-1], frame[-1]
    if checksum(frame[5:7] + body) != chk:
        raise ChecksumError()
    return body


class FrameDecoder:
    """Incremental decoder: feed it whatever the line delivered, get whole frame bodies out.

    Garbage before a preamble is skipped and counted; an impossible LEN makes it resynchronise
    one byte further on; a checksum mismatch is reported as a `ChecksumError` item (the frame is
    dropped, decoding continues). The buffer never exceeds one maximal frame plus one read.
    """

    def __init__(self, max_len: int = MAX_LEN):
        self.max_len = max_len
        self._buf = bytearray()
        self.skipped = 0  # garbage bytes dropped while hunting for a preamble

    def reset(self) -> None:
        self._buf.clear()

    @property
    def pending(self) -> int:
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        """Append `data`; return complete frame bodies and frame errors, in stream order."""
        self._buf += data
        out: list[bytes | FrameError] = []
        buf = self._buf
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                # keep a tail that might be the beginning of a preamble split across reads
                keep = 0
                for k in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
                    if buf.endswith(PREAMBLE[:k]):
                        keep = k
                        break
                self.skipped += len(buf) - keep
                del buf[:len(buf) - keep]
                break
            if start:
                self.skipped += start
                del buf[:start]
            if len(buf) < HEADER_LEN:
                break
            length = int.from_bytes(buf[5:7], "big")
            if not MIN_LEN <= length <= self.max_len:
                out.append(LengthError(f"LEN {length} outside {MIN_LEN}..{self.max_len}"))
                self.skipped += 1
                del buf[:1]  # resynchronise on the next preamble
                continue
            end = HEADER_LEN + length
            if len(buf) < end:
                break
            body = bytes(buf[HEADER_LEN:end - 1])
            if checksum(bytes(buf[5:7]) + body) != buf[end - 1]:
                out.append(ChecksumError())
                # the LEN may itself be corrupt: resynchronise just past this preamble rather
                # than trusting it to skip a whole (possibly good) following frame
                self.skipped += 1
                del buf[:1]
                continue
            out.append(body)
            del buf[:end]
        return out
