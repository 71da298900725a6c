"""A kept-alive connection is not reused once it has idled as long as the platform keeps one.

A keep-alive server closes a connection idle for its timeout (cheroot 10 s, Apache, Node and
uvicorn 5 s). A request that leaves on it at that moment meets the close with no answer, and
the client cannot tell whether the platform acted on it: a request that may not be repeated
(opening a citizen's session, sending the texted code) then failed as "platform unreachable"
for the citizen at the screen. The client now opens a new connection instead of reusing one
idle for `platform.reuse_idle_s`, set below the platform's keep-alive timeout.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from kiosk.client import PlatformClient
from tests.client import samples
from tests.support import RawHttpServer

SERVER_IDLE_S = 2.0  # the platform's keep-alive timeout in this test
REUSE_IDLE_S = 1.0  # the client's limit, below it (a loaded CI box may pause a test 0.5 s)
BODY = json.dumps(samples.CITIZEN_SESSION).encode()
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n" % len(BODY)) + BODY


class IdleClosingServer(RawHttpServer):
    """Keeps each connection alive, and closes one idle for SERVER_IDLE_S just as the next
    request arrives on it, without an answer: the race a real keep-alive timeout leaves."""

    def __init__(self) -> None:
        self.served: list[tuple[int, int]] = []  # (connection, request on it) answered
        self.dropped: list[tuple[int, int]] = []
        super().__init__()

    def serve(self, conn: socket.socket, n: int) -> None:
        answered_at: float | None = None
        for i in range(1, 100):
            if self.read_request(conn) is None:
                return
            if answered_at is not None and time.monotonic() - answered_at >= SERVER_IDLE_S:
                self.dropped.append((n, i))
                return  # closed with no answer
            self.served.append((n, i))  # before the answer: the test reads it after
            conn.sendall(ANSWER)
            answered_at = time.monotonic()


@pytest.fixture
def server() -> Iterator[IdleClosingServer]:
    s = IdleClosingServer()
    yield s
    s.close()


def open_session(client: PlatformClient) -> None:
    client.open_citizen_session(samples.ID_NUMBER, "id_card")  # never repeated by the client


def test_a_connection_idle_past_the_limit_is_not_reused(
        server: IdleClosingServer, make_client: Callable[..., PlatformClient]) -> None:
    client = make_client(f"http://127.0.0.1:{server.port}/api/v1", reuse_idle_s=REUSE_IDLE_S)
    open_session(client)
    time.sleep(SERVER_IDLE_S + 0.2)  # the platform would close it now
    open_session(client)  # on a new connection: answered
    assert server.dropped == []
    assert server.served == [(1, 1), (2, 1)]


def test_a_connection_used_again_soon_is_kept_alive(
        server: IdleClosingServer, make_client: Callable[..., PlatformClient]) -> None:
    client = make_client(f"http://127.0.0.1:{server.port}/api/v1", reuse_idle_s=REUSE_IDLE_S)
    for _ in range(3):
        open_session(client)
        time.sleep(0.05)
    assert server.served == [(1, 1), (1, 2), (1, 3)]  # one handshake for the three
