"""A serial QR/barcode scanner module (see serial_framing for the protocol): CODE_SCANNED per code.

A module in serial-output mode is passive: it sends codes and answers nothing, so presence is
the serial line itself. The device node (a udev symlink such as /dev/kiosk/qr) must exist, point
where it pointed when opened, and reads must not fail; unplugging a USB-serial adapter fails all
three, and the device model reopens the port when the symlink comes back.

Garbage (undecodable bytes, control characters, oversize codes) is refused with a
CODE_SCANNED {"text": None, "refused": reason} event and never reaches the text consumers.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import serial

from drivers.device import Device, DeviceState, DeviceStatus, EventKind
from drivers.qr.payload import MAX_PAYLOAD_BYTES, PayloadError, scanned_code
from drivers.qr.recent import RecentCodes
from drivers.qr.serial_framing import Frame, LineFramer

log = logging.getLogger(__name__)


class SerialPortGone(OSError):
    """The configured port vanished or now names another device node (a replug)."""


class QrSerialScanner(Device):
    kind = "qr_serial"

    def __init__(self, name: str = "qr_serial", *, port: str, baudrate: int = 9600,
                 repeat_suppress_s: float = 3.0, poll_interval: float = 0.5,
                 missed_polls_to_offline: int = 3, reopen_interval: float = 1.0,
                 aim_ids: bool = False, no_terminator: bool = False, idle_s: float = 0.5,
                 max_payload_bytes: int = MAX_PAYLOAD_BYTES):
        # The port is read continuously: a read waits at most `read_wait` for bytes, and the
        # device loop comes back at once. `poll_interval` only bounds that wait.
        super().__init__(name, poll_interval=0.02, missed_polls_to_offline=missed_polls_to_offline,
                         reopen_interval=reopen_interval)
        self.port = port
        self.baudrate = baudrate
        self.read_wait = min(poll_interval, 0.1)
        self.max_payload_bytes = max_payload_bytes
        self._framer = LineFramer(max_payload_bytes, idle_s, aim_ids, no_terminator)
        self._recent = RecentCodes(repeat_suppress_s)
        self._serial: serial.Serial | None = None
        self._opened_node: str | None = None

    @property
    def capabilities(self) -> dict[str, Any]:
        return {"port": self.port, "baudrate": self.baudrate, "aim_ids": self._framer.aim_ids,
                "no_terminator": self._framer.no_terminator}

    def clear_recent(self) -> None:
        self._recent.clear()

    # ---- Device -------------------------------------------------------------------------

    def _open(self) -> None:
        node = os.path.realpath(self.port)
        self._serial = serial.Serial(self.port, self.baudrate, timeout=self.read_wait,
                                     exclusive=True)
        self._opened_node = node
        self._framer.reset()

    def _close(self) -> None:
        ser, self._serial = self._serial, None
        self._framer.reset()
        if ser is not None:
            try:
                ser.close()
            except Exception:  # noqa: BLE001, S110 (closing a vanished port must not raise)
                pass

    def _poll(self) -> DeviceStatus:
        ser = self._serial
        if ser is None:
            raise SerialPortGone("port is not open")
        if not os.path.exists(self.port):
            raise SerialPortGone(f"{self.port} is gone")
        if os.path.realpath(self.port) != self._opened_node:
            raise SerialPortGone(f"{self.port} now names another device")
        deadline = time.monotonic() + 1.0  # bounded, so that a reset() never waits long
        while True:
            data = ser.read(max(1, ser.in_waiting))  # waits up to read_wait for a byte
            now = time.monotonic()
            frames = self._framer.feed(data, now) if data else self._framer.flush_if_idle(now)
            for frame in frames:
                self._handle(frame)
            # the rest of a code that has started is read in this poll, not the next
            if not (data and self._framer.partial and now < deadline):
                break
        return DeviceStatus(DeviceState.ONLINE)

    def _handle(self, frame: Frame) -> None:
        if frame.refused is not None:
            self._refuse(frame.refused, frame.format)
            return
        if not self._recent.should_report((frame.format, frame.raw)):
            return
        try:
            scanned = scanned_code(frame.raw, frame.format, self.name, self.max_payload_bytes)
        except PayloadError as exc:
            self._refuse(exc.reason, frame.format)
            return
        log.info("%s: code read: %s", self.name, scanned.masked())
        self._emit(EventKind.CODE_SCANNED, scanned.as_event())

    def _refuse(self, reason: str, fmt: str) -> None:
        log.warning("%s: code refused (%s)", self.name, reason)
        self._emit(EventKind.CODE_SCANNED, {"text": None, "refused": reason, "format": fmt,
                                            "source": self.name})
