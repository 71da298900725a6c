"""A serial QR scanner module on a pseudo-terminal: scans come out as bytes + CR (paced by baud)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from drivers.emulation.base import Emulator
from drivers.emulation.pty_link import PtyLink

SUFFIXES = {"CR": b"\r", "CRLF": b"\r\n", "LF": b"\n", "NONE": b""}


class QrSerialEmulator(Emulator):
    def __init__(self, run_dir: Path, name: str = "qr_serial", baudrate: int = 9600,
                 suffix: str = "CR", aim_ids: bool = False):
        if suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)}")
        self.run_dir = Path(run_dir)
        self.name = name
        self.baudrate = baudrate
        self.suffix = suffix
        self.aim_ids = aim_ids
        self.link = PtyLink(self.run_dir / f"{name}.tty", baudrate)
        self._silent = False
        self.sent = 0

    @property
    def port(self) -> str:
        return str(self.link.link_path)

    def start(self) -> None:
        self.link.open()

    def stop(self) -> None:
        self.link.close()

    def endpoints(self) -> dict[str, Any]:
        return {"port": self.port, "baudrate": self.baudrate, "suffix": self.suffix,
                "plugged": self.link.is_open}

    def controls(self) -> dict[str, Callable[..., Any]]:
        return {"scan": self.scan, "send_raw": self.send_raw, "silent": self.silent,
                "unplug": self.unplug, "replug": self.replug}

    def scan(self, text: str, encoding: str = "utf-8", format: str = "QRCode",
             ) -> dict[str, Any]:
        """A code read by the module: its bytes, the AIM id if enabled, then the suffix."""
        prefix = _aim_prefix(format) if self.aim_ids else b""
        data = prefix + text.encode(encoding) + SUFFIXES[self.suffix]
        return self._send(data)

    def send_raw(self, hex: str) -> dict[str, Any]:
        """Arbitrary bytes (line noise, a misconfigured module), given as hex."""
        return self._send(bytes.fromhex(hex))

    def silent(self, enabled: bool = True) -> dict[str, Any]:
        """The module stops sending (a hung decoder): scans are dropped."""
        self._silent = bool(enabled)
        return {"silent": self._silent}

    def unplug(self) -> dict[str, Any]:
        self.link.close()
        return {"plugged": False}

    def replug(self) -> dict[str, Any]:
        self.link.open()
        return {"plugged": True, "port": self.port}

    def _send(self, data: bytes) -> dict[str, Any]:
        if self._silent or not self.link.is_open:
            return {"sent": 0}
        self.link.write(data)
        self.sent += 1
        return {"sent": len(data)}


def _aim_prefix(fmt: str) -> bytes:
    letters = {"QRCode": b"]Q1", "Code128": b"]C0", "EAN13": b"]E0", "PDF417": b"]L0",
               "DataMatrix": b"]d1", "Code39": b"]A0"}
    return letters.get(fmt, b"]X0")
