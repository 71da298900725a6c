"""Issue 20 item 2: a platform or proxy that trickles its reply headers (one byte at a time,
each well inside the read timeout) cannot hold an exchange past its whole-reply deadline.
A real TCP server on loopback; the real client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from kiosk.client import PlatformClient, PlatformUnreachable

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: " + b"a" * 400


class Trickler:
    """Answers every connection with a status line, then a header one byte every 0.2 s."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stopping = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/v1"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for byte in HEAD:
                if self.stopping.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.2)

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    server = Trickler()
    yield server
    server.close()


def test_trickled_headers_cannot_hold_a_call_past_its_deadline(
        trickler: Trickler, make_client: Callable[..., PlatformClient]) -> None:
    client = make_client(trickler.url, timeout_s=1.0, connect_timeout_s=0.5, retries=0)
    outcome: list[BaseException | None] = []

    def call() -> None:
        try:
            client.health()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    started = time.monotonic()
    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(10)
    took = time.monotonic() - started
    assert not worker.is_alive(), "still waiting for trickled headers after 10 s"
    assert isinstance(outcome[0], PlatformUnreachable) and outcome[0].code == "deadline"
    assert took < 1.5 + 0.5, f"deadline 1.5 s, took {took:.2f} s"
