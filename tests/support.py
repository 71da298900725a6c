"""What tests share: recording a driver's events, waiting with a deadline (not a sleep), a
process's state, the simulated terminal's platform in a citizen's verified session, and a raw
HTTP server on loopback for what a well-behaved server never does."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

from drivers.device import DeviceEvent, EventKind


def wait_until(predicate: Callable[[], object], timeout: float = 3.0,
               interval: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


class RawHttpServer:
    """HTTP/1.1 by hand on 127.0.0.1, one thread per connection: a subclass's `serve(conn,
    n)` answers the n-th connection as it likes (keeps it alive, drops a request unanswered).
    `close()` stops accepting."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.sock.close()

    def serve(self, conn: socket.socket, n: int) -> None:
        raise NotImplementedError

    def _accept(self) -> None:
        n = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            n += 1
            threading.Thread(target=self._serve, args=(conn, n), daemon=True).start()

    def _serve(self, conn: socket.socket, n: int) -> None:
        with conn:
            self.serve(conn, n)

    @staticmethod
    def read_request(conn: socket.socket) -> bytes | None:
        """The next request's head (its body, by Content-Length, read and dropped); None when
        the client closed the connection."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            body += chunk
        return head


def process_state(pid: int) -> str:
    """The process's state letter from /proc (T: stopped, Z: a zombie); the name before it,
    in parentheses, may hold spaces."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


class EventRecorder:
    """Subscribe it to a device (`device.subscribe(recorder)`); events arrive on its thread."""

    def __init__(self) -> None:
        self.items: list[DeviceEvent] = []
        self._lock = threading.Lock()
        self._cursor = 0  # for next(): events before it have been consumed

    def __call__(self, event: DeviceEvent) -> None:
        with self._lock:
            self.items.append(event)

    def of(self, kind: EventKind | str) -> list[DeviceEvent]:
        with self._lock:
            return [e for e in self.items if e.kind == kind]

    def kinds(self, action_id: str | None = None) -> list[str]:
        with self._lock:
            return [str(e.kind) for e in self.items
                    if action_id is None or e.action_id == action_id]

    def wait(self, kind: EventKind | str, count: int = 1,
             timeout: float = 3.0) -> list[DeviceEvent]:
        """All events of `kind` once there are at least `count` of them, else fail the test."""
        if wait_until(lambda: len(self.of(kind)) >= count, timeout):
            return self.of(kind)
        raise AssertionError(f"expected {count} {kind} event(s) within {timeout} s, "
                             f"got {self.kinds()}")

    def next(self, kind: EventKind | str, timeout: float = 3.0) -> DeviceEvent:
        """The first not yet consumed event of `kind`; events passed over are consumed too."""
        found: list[DeviceEvent] = []

        def scan() -> bool:
            with self._lock:
                for i in range(self._cursor, len(self.items)):
                    if self.items[i].kind == kind:
                        self._cursor = i + 1
                        found.append(self.items[i])
                        return True
                self._cursor = len(self.items)
                return False

        if wait_until(scan, timeout):
            return found[0]
        raise AssertionError(f"no {kind} event within {timeout} s; got {self.kinds()}")

    def drain(self) -> None:
        """Consume everything recorded so far (next() then only sees newer events)."""
        with self._lock:
            self._cursor = len(self.items)


def sim_citizen_client(sim, id_number: str):  # type: ignore[no-untyped-def]
    """The simulated terminal's platform client in a verified citizen session of `id_number`
    (the code texted to their mobile read off the SMS gateway emulator), for tests that check
    what the platform holds for the citizen. Close it when done."""
    from kiosk.client import PlatformClient
    from kiosk.config import load_config

    client = PlatformClient.from_config(load_config(sim.site_config_path), retries=0)
    opened = client.open_citizen_session(id_number, "id_card")
    citizen = client.for_citizen(opened.token)
    citizen.send_holder_code()
    verified = citizen.verify_holder(sim.control("platform", "last_code", {}))
    citizen.filing_grant = verified.filing_grant  # type: ignore[attr-defined]
    return citizen


def texted_code(store, mobile: str) -> str:  # type: ignore[no-untyped-def]
    """The newest code the reference platform texted to `mobile`, read off its SMS gateway
    emulator (what the citizen reads on their phone)."""
    from kiosk.refplatform import citizen_sessions

    with store.read() as conn:
        body = citizen_sessions.sms_sent_to(conn, mobile)[-1]["body"]
    found = re.search(r"\d{6}", body)
    assert found, "the text carries a 6-digit code"
    return found.group()


def enrolled_terminal_config(tmp_path, platform_url: str, store,  # type: ignore[no-untyped-def]
                             kiosk_id: str):
    """A terminal's configuration, enrolled at the platform of `store` (served at
    `platform_url`), its data and sessions under `tmp_path`."""
    from kiosk.config import KioskConfig
    from kiosk.config.schema import PlatformConfig, SessionConfig, TerminalConfig
    from kiosk.refplatform.auth import enrol

    credential = tmp_path / "platform.credential"
    credential.write_text(enrol(store, kiosk_id))
    credential.chmod(0o600)
    return KioskConfig(
        terminal=TerminalConfig(id=kiosk_id, data_dir=str(tmp_path / "data"),
                                run_dir=str(tmp_path / "run")),
        platform=PlatformConfig(base_url=platform_url, kiosk_id=kiosk_id,
                                credential_file=str(credential), timeout_s=5.0, retries=0),
        session=SessionConfig(directory=str(tmp_path / "sessions")))


def png_bomb(width: int = 32_768, height: int = 30_000) -> bytes:
    """A real, valid PNG of `width` x `height` black pixels at 1 bit per pixel: its zeros
    deflate about 1000:1, so ~120 KB declare ~1 G pixels (1 GB as 8-bit grey, 3 GB as BGR)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = bytes(1 + (width + 7) // 8)  # filter byte 0, then the row's bits
    packer = zlib.compressobj(9)
    rows_per_block = max(1, (8 << 20) // len(row))
    parts, left = [], height
    while left:
        n = min(left, rows_per_block)
        parts.append(packer.compress(row * n))
        left -= n
    parts.append(packer.flush())
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"".join(parts))
            + chunk(b"IEND", b""))
