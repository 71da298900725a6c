"""A virtual card in vsmartcard's vpcd reader, speaking vpcd's wire protocol over TCP.

Wire protocol (vsmartcard's vpcd, the reader driver inside pcscd, is the TCP server):
each message is a 2-byte big-endian length and a payload. A 1-byte payload is a control:
0 power off, 1 power on, 2 reset, 4 "send your ATR" (answered with the ATR). A longer payload is
a command APDU, answered with a response APDU. Closing the connection = card removed.

While "inserted" the card keeps (re)connecting, as a card left in a reader is still there
after pcscd restarts. Muted, it holds APDUs unanswered (a dead card); unmuted, it answers the
held ones late, so the byte stream never goes out of step.
"""

from __future__ import annotations

import logging
import select
import socket
import struct
import threading

from drivers.smartcard.applet import CardApplet, CardProfile

log = logging.getLogger(__name__)

VPCD_DEFAULT_PORT = 35963
CTRL_POWER_OFF, CTRL_POWER_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


class VpcdProtocolError(ConnectionError):
    """vpcd sent something that is not a framed message."""


def encode_frame(payload: bytes) -> bytes:
    """One vpcd message: 2-byte big-endian length, then the payload (1..65535 bytes)."""
    if not 1 <= len(payload) <= 0xFFFF:
        raise VpcdProtocolError(f"a vpcd message carries 1..65535 bytes, not {len(payload)}")
    return struct.pack(">H", len(payload)) + payload


def decode_frames(buffer: bytes) -> tuple[list[bytes], bytes]:
    """Split a byte stream into complete messages and the incomplete rest (pure, for tests
    and for anyone reading vpcd traffic)."""
    messages: list[bytes] = []
    i = 0
    while len(buffer) - i >= 2:
        (length,) = struct.unpack_from(">H", buffer, i)
        if length == 0:
            raise VpcdProtocolError(f"zero-length message at offset {i}")
        if len(buffer) - i - 2 < length:
            break
        messages.append(bytes(buffer[i + 2:i + 2 + length]))
        i += 2 + length
    return messages, bytes(buffer[i:])


class VirtualCard:
    """One card placed into the vpcd slot listening on `host:port`; runs on its own thread."""

    def __init__(self, profile: CardProfile, host: str = "127.0.0.1",
                 port: int = VPCD_DEFAULT_PORT, reconnect_interval: float = 0.1):
        self.profile = profile
        self.applet = CardApplet(profile)
        self.host, self.port = host, port
        self.reconnect_interval = reconnect_interval
        self._stop = threading.Event()
        self._muted = threading.Event()
        self._unmuted = threading.Condition()
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.connected = threading.Event()
        self.apdus_answered = 0

    # ---- steering ------------------------------------------------------------------------

    def insert(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"vpcd-card-{self.port}",
                                        daemon=True)
        self._thread.start()

    def remove(self, timeout: float = 2.0) -> None:
        self._stop.set()
        with self._unmuted:
            self._unmuted.notify_all()
        sock = self._sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.connected.clear()

    def mute(self, enabled: bool = True) -> None:
        if enabled:
            self._muted.set()
        else:
            self._muted.clear()
            with self._unmuted:
                self._unmuted.notify_all()

    @property
    def muted(self) -> bool:
        return self._muted.is_set()

    # ---- the connection thread -----------------------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError:
                self._stop.wait(self.reconnect_interval)
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            self.applet.reset()
            self.connected.set()
            try:
                self._serve(sock)
            except (OSError, VpcdProtocolError) as exc:
                log.debug("vpcd card on port %d: connection ended: %s", self.port, exc)
            finally:
                self.connected.clear()
                self._sock = None
                sock.close()
            self._stop.wait(self.reconnect_interval)

    def _serve(self, sock: socket.socket) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([sock], [], [], 0.2)
            if not ready:
                continue
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionResetError("connection closed")
            # vpcd writes the length and the body in two small sends; with Nagle on its side
            # and delayed ACKs on ours every APDU waited ~40 ms. Linux clears QUICKACK after use.
            if hasattr(socket, "TCP_QUICKACK"):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            messages, buffer = decode_frames(buffer + chunk)
            for payload in messages:
                if len(payload) == 1:
                    self._control(sock, payload[0])
                    continue
                self._wait_unmuted()
                if self._stop.is_set():
                    return
                answer = encode_frame(self.applet.process(payload))
                self.apdus_answered += 1  # before the answer leaves: whoever reads it may count
                sock.sendall(answer)

    def _control(self, sock: socket.socket, code: int) -> None:
        if code in (CTRL_POWER_OFF, CTRL_POWER_ON, CTRL_RESET):
            self.applet.reset()
        elif code == CTRL_ATR:
            atr = self.profile.atr
            sock.sendall(encode_frame(atr))
        else:
            log.warning("vpcd sent unknown control byte %02X; ignored", code)

    def _wait_unmuted(self) -> None:
        with self._unmuted:
            while self._muted.is_set() and not self._stop.is_set():
                self._unmuted.wait(0.2)
