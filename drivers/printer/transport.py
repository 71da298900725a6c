"""Byte pipes to a printer: serial (pyserial), network (TCP 9100) and USB (pyusb via python-escpos).

Each transport reads exactly what it is asked for with its own timeout: python-escpos's status
calls read 16 bytes and so wait out the whole timeout on every query.
"""

from __future__ import annotations

import socket
import time
from typing import Protocol

import serial


class TransportError(OSError):
    """The link to the printer failed (unplugged, connection refused or closed)."""


class Transport(Protocol):
    description: str
    reconnect_on_error: bool

    def open(self) -> None: ...

    def close(self) -> None: ...

    def write(self, data: bytes, timeout: float) -> None: ...

    def read(self, size: int, timeout: float) -> bytes:
        """Up to `size` bytes; fewer (maybe none) when `timeout` runs out."""
        ...

    def discard_input(self) -> None: ...

    def wire_seconds(self, nbytes: int) -> float:
        """How long `nbytes` take on the wire (0 where the link is not the bottleneck)."""
        ...


class SerialTransport:
    reconnect_on_error = False  # a serial port that failed is gone until replugged

    def __init__(self, port: str, baudrate: int = 115200, rtscts: bool = False):
        """`rtscts`: hardware flow control, which many serial printers need for big rasters."""
        self.port = port
        self.baudrate = baudrate
        self.rtscts = rtscts
        self.description = f"serial {port} @ {baudrate}"
        self._serial: serial.Serial | None = None

    def open(self) -> None:
        try:
            self._serial = serial.Serial(self.port, self.baudrate, timeout=0.5, write_timeout=2.0,
                                         exclusive=True, rtscts=self.rtscts)
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"cannot open {self.port}: {exc}") from exc

    def close(self) -> None:
        if self._serial is not None:
            try:
                self._serial.close()
            except Exception:
                pass
            self._serial = None

    def _port(self) -> serial.Serial:
        if self._serial is None:
            raise TransportError(f"{self.port} is not open")
        return self._serial

    def write(self, data: bytes, timeout: float) -> None:
        port = self._port()
        try:
            port.write_timeout = timeout
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"write to {self.port} failed: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        port = self._port()
        try:
            port.timeout = timeout
            return bytes(port.read(size))
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"read from {self.port} failed: {exc}") from exc

    def discard_input(self) -> None:
        port = self._port()
        try:
            port.reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise TransportError(f"{self.port}: {exc}") from exc

    def wire_seconds(self, nbytes: int) -> float:
        return nbytes * 10 / self.baudrate  # 8N1


class NetworkTransport:
    """A raw TCP connection (port 9100); reconnects on `open` after the printer dropped it."""

    reconnect_on_error = True  # printers drop idle connections; one reconnect is normal

    def __init__(self, host: str, port: int = 9100, connect_timeout: float = 2.0):
        self.host = host
        self.port = port
        self.connect_timeout = connect_timeout
        self.description = f"tcp {host}:{port}"
        self._sock: socket.socket | None = None

    def open(self) -> None:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise TransportError(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        self._sock = sock

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise TransportError(f"{self.description} is not connected")
        return self._sock

    def write(self, data: bytes, timeout: float) -> None:
        sock = self._socket()
        try:
            sock.settimeout(timeout)
            sock.sendall(data)
        except OSError as exc:
            raise TransportError(f"send to {self.description} failed: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        sock = self._socket()
        deadline = time.monotonic() + timeout
        out = bytearray()
        while len(out) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                sock.settimeout(left)
                chunk = sock.recv(size - len(out))
            except (TimeoutError, socket.timeout):
                break
            except OSError as exc:
                raise TransportError(f"receive from {self.description} failed: {exc}") from exc
            if not chunk:
                raise TransportError(f"{self.description} closed the connection")
            out += chunk
        return bytes(out)

    def discard_input(self) -> None:
        sock = self._socket()
        try:
            sock.setblocking(False)
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    raise TransportError(f"{self.description} closed the connection")
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            if isinstance(exc, TransportError):
                raise
            raise TransportError(f"{self.description}: {exc}") from exc
        finally:
            try:
                sock.setblocking(True)
            except OSError:
                pass

    def wire_seconds(self, nbytes: int) -> float:
        return 0.0


class UsbTransport:
    """USB printer class device through python-escpos's `Usb` (pyusb).

    Thin and UNTESTED here: there is no USB printer on the build machine. It reads with the
    endpoint's own timeout and never trusts a missing answer as "OK".
    """

    reconnect_on_error = False

    def __init__(self, vendor: int, product: int):
        self.vendor = vendor
        self.product = product
        self.description = f"usb {vendor:04x}:{product:04x}"
        self._printer = None
        self._pending = bytearray()

    def open(self) -> None:
        try:
            from escpos.printer import Usb

            printer = Usb(self.vendor, self.product, timeout=500)
            printer.open()
        except Exception as exc:
            raise TransportError(f"cannot open {self.description}: {exc}") from exc
        self._printer = printer

    def close(self) -> None:
        if self._printer is not None:
            try:
                self._printer.close()
            except Exception:
                pass
            self._printer = None
        self._pending.clear()

    def write(self, data: bytes, timeout: float) -> None:
        if self._printer is None:
            raise TransportError(f"{self.description} is not open")
        try:
            self._printer.device.write(self._printer.out_ep, data, int(timeout * 1000))
        except Exception as exc:
            raise TransportError(f"write to {self.description} failed: {exc}") from exc

    def read(self, size: int, timeout: float) -> bytes:
        if self._printer is None:
            raise TransportError(f"{self.description} is not open")
        if not self._pending:
            try:
                packet = self._printer.device.read(self._printer.in_ep, 64,
                                                   max(1, int(timeout * 1000)))
                self._pending += bytes(packet)
            except Exception as exc:
                if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
                    return b""
                raise TransportError(f"read from {self.description} failed: {exc}") from exc
        out = bytes(self._pending[:size])
        del self._pending[:size]
        return out

    def discard_input(self) -> None:
        self._pending.clear()

    def wire_seconds(self, nbytes: int) -> float:
        return 0.0
