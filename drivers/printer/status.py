"""DLE EOT real-time status replies of an ESC/POS printer, as a small closed union.

Pure: no I/O. The driver sends `DLE EOT n` (n = 1 printer, 2 offline cause, 3 error cause,
4 paper roll sensor) and hands each single reply byte here. Every reply byte has fixed bits
(bit0 = 0, bit1 = 1, bit4 = 1, bit7 = 0); a byte that breaks them is garbage and is refused,
and a missing reply is `NoAnswer`, never "paper OK" (python-escpos's `paper_status()` reports
2 = OK when the printer says nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DLE_EOT = b"\x10\x04"
PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR = 1, 2, 3, 4
QUERIES = (PRINTER, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR)

_FIXED_MASK = 0b1001_0011  # bits 7, 4, 1, 0
_FIXED_VALUE = 0b0001_0010  # bit4 = 1, bit1 = 1, bit0 = 0, bit7 = 0


class StatusError(Exception):
    """The printer's status could not be read."""


class NoAnswer(StatusError):
    """The printer did not answer a status request in time."""


class BadStatusByte(StatusError):
    """A reply byte that is not a DLE EOT status (line noise, a wrong device, a wrong baud rate)."""

    def __init__(self, query: int, value: int):
        super().__init__(f"DLE EOT {query} reply 0x{value:02X} breaks the fixed bits "
                         f"(expected bit4=1 bit1=1 bit0=0 bit7=0)")
        self.query = query
        self.value = value


def query_bytes(n: int) -> bytes:
    if n not in QUERIES:
        raise ValueError(f"DLE EOT n must be one of {QUERIES}, not {n}")
    return DLE_EOT + bytes([n])


def is_status_byte(value: int) -> bool:
    return (value & _FIXED_MASK) == _FIXED_VALUE


@dataclass(frozen=True, slots=True)
class PrinterByte:
    """DLE EOT 1."""
    offline: bool  # bit3
    drawer_pin_high: bool  # bit2


@dataclass(frozen=True, slots=True)
class OfflineCause:
    """DLE EOT 2."""
    cover_open: bool  # bit2
    feed_button: bool  # bit3
    paper_end_stop: bool  # bit5: printing stopped because the paper ran out
    error: bool  # bit6


@dataclass(frozen=True, slots=True)
class ErrorCause:
    """DLE EOT 3."""
    recoverable: bool  # bit2 (mechanical error on older models)
    autocutter: bool  # bit3
    unrecoverable: bool  # bit5
    auto_recoverable: bool  # bit6 (head too hot, voltage)


@dataclass(frozen=True, slots=True)
class PaperSensor:
    """DLE EOT 4. Each sensor is reported on two bits; either bit set counts."""
    near_end: bool  # bits 2,3
    paper_out: bool  # bits 5,6


Reply = PrinterByte | OfflineCause | ErrorCause | PaperSensor


def parse_reply(query: int, data: bytes) -> Reply:
    """Decode the one reply byte to `DLE EOT query`; raise NoAnswer / BadStatusByte."""
    if query not in QUERIES:
        raise ValueError(f"DLE EOT n must be one of {QUERIES}, not {query}")
    if not data:
        raise NoAnswer(f"no reply to DLE EOT {query}")
    if len(data) != 1:
        raise BadStatusByte(query, data[0]) if not is_status_byte(data[0]) else StatusError(
            f"DLE EOT {query}: expected one reply byte, got {len(data)}")
    b = data[0]
    if not is_status_byte(b):
        raise BadStatusByte(query, b)

    def bit(n: int) -> bool:
        return bool(b >> n & 1)

    if query == PRINTER:
        return PrinterByte(offline=bit(3), drawer_pin_high=bit(2))
    if query == OFFLINE_CAUSE:
        return OfflineCause(cover_open=bit(2), feed_button=bit(3), paper_end_stop=bit(5),
                            error=bit(6))
    if query == ERROR_CAUSE:
        return ErrorCause(recoverable=bit(2), autocutter=bit(3), unrecoverable=bit(5),
                          auto_recoverable=bit(6))
    return PaperSensor(near_end=bit(2) or bit(3), paper_out=bit(5) or bit(6))


# ---- the closed union the rest of the system sees ------------------------------------------

ErrorKind = Literal["autocutter", "unrecoverable", "auto_recoverable", "recoverable", "unknown"]


@dataclass(frozen=True, slots=True)
class Ok:
    kind: Literal["ok"] = "ok"


@dataclass(frozen=True, slots=True)
class PaperNearEnd:
    kind: Literal["paper_near_end"] = "paper_near_end"


@dataclass(frozen=True, slots=True)
class PaperOut:
    kind: Literal["paper_out"] = "paper_out"


@dataclass(frozen=True, slots=True)
class CoverOpen:
    kind: Literal["cover_open"] = "cover_open"


@dataclass(frozen=True, slots=True)
class Offline:
    """Offline with no cause the printer names (feed button held, waiting to recover)."""
    kind: Literal["offline"] = "offline"


@dataclass(frozen=True, slots=True)
class Error:
    error: ErrorKind = "unknown"
    kind: Literal["error"] = "error"


PrinterStatus = Ok | PaperNearEnd | PaperOut | CoverOpen | Offline | Error


def can_print(status: PrinterStatus) -> bool:
    return isinstance(status, (Ok, PaperNearEnd))


def combine(printer: PrinterByte, offline: OfflineCause, error: ErrorCause,
            paper: PaperSensor) -> PrinterStatus:
    """One verdict from the four replies; the cause a person must fix first wins."""
    if offline.cover_open:
        return CoverOpen()
    if paper.paper_out or offline.paper_end_stop:
        return PaperOut()
    if error.unrecoverable:
        return Error("unrecoverable")
    if error.autocutter:
        return Error("autocutter")
    if error.auto_recoverable:
        return Error("auto_recoverable")
    if error.recoverable:
        return Error("recoverable")
    if offline.error:
        return Error("unknown")
    if printer.offline:
        return Offline()
    if paper.near_end:
        return PaperNearEnd()
    return Ok()


def parse_all(replies: dict[int, bytes]) -> PrinterStatus:
    """Decode the replies to DLE EOT 1..4 (a missing one raises NoAnswer)."""
    parsed = [parse_reply(n, replies.get(n, b"")) for n in QUERIES]
    return combine(*parsed)  # type: ignore[arg-type]


# ---- encoding, for the emulator ----------------------------------------------------------

def encode_replies(*, cover_open: bool = False, paper_out: bool = False,
                   near_end: bool = False, error: ErrorKind | None = None,
                   feed_button: bool = False) -> dict[int, int]:
    """The four reply bytes a printer in this condition sends (what the emulator answers)."""
    offline = cover_open or paper_out or error is not None or feed_button
    base = _FIXED_VALUE
    printer = base | (0x08 if offline else 0)
    off = base | (0x04 if cover_open else 0) | (0x08 if feed_button else 0) \
        | (0x20 if paper_out else 0) | (0x40 if error is not None else 0)
    err = base
    if error == "recoverable":
        err |= 0x04
    elif error == "autocutter":
        err |= 0x08
    elif error == "unrecoverable":
        err |= 0x20
    elif error == "auto_recoverable":
        err |= 0x40
    paper = base | (0x0C if near_end else 0) | (0x60 if paper_out else 0)
    return {PRINTER: printer, OFFLINE_CAUSE: off, ERROR_CAUSE: err, PAPER_SENSOR: paper}
