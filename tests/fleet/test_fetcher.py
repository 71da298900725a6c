"""The fleet fetcher on a kept-alive connection the server drops: the GET goes once more on a
new connection instead of refusing the update (CI: the reference platform on cheroot closed a
pooled connection as a poll went out, and a rollback test saw "repository not trusted or not
reachable: ProtocolError")."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from tuf.api import exceptions

from kiosk.fleet.fetcher import ConditionalFetcher
from tests.support import RawHttpServer

BODY = b'{"signed": {}}'
ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
          b"Content-Length: %d\r\n\r\n" % len(BODY)) + BODY


class DroppingServer(RawHttpServer):
    """Answers the first request of each connection and keeps it open; a second request on
    that connection is read and the connection closed with no answer. `drop_all`: every
    request is dropped."""

    def __init__(self, drop_all: bool = False) -> None:
        self.drop_all = drop_all
        self.requests: list[tuple[int, int]] = []  # (connection, request on it)
        super().__init__()

    def serve(self, conn: socket.socket, n: int) -> None:
        for i in (1, 2):
            if self.read_request(conn) is None:
                return
            self.requests.append((n, i))
            if i == 2 or self.drop_all:
                return  # closed with no answer
            conn.sendall(ANSWER)


@pytest.fixture
def server() -> Iterator[DroppingServer]:
    s = DroppingServer()
    yield s
    s.close()


def fetch(fetcher: ConditionalFetcher, url: str) -> bytes:
    return b"".join(fetcher.fetch(url))


def test_a_dropped_kept_alive_connection_is_asked_again_on_a_new_one(server) -> None:
    fetcher = ConditionalFetcher(timeout_s=5)
    url = f"http://127.0.0.1:{server.port}/fleet/metadata/1.root.json"
    assert fetch(fetcher, url) == BODY
    assert fetch(fetcher, url) == BODY  # its first connection is dropped under it
    assert server.requests == [(1, 1), (1, 2), (2, 1)]


def test_a_server_that_drops_every_request_is_a_download_error_after_two_tries() -> None:
    server = DroppingServer(drop_all=True)
    try:
        fetcher = ConditionalFetcher(timeout_s=5)
        with pytest.raises(exceptions.DownloadError, match="ProtocolError"):
            fetch(fetcher, f"http://127.0.0.1:{server.port}/fleet/metadata/timestamp.json")
        assert server.requests == [(1, 1), (2, 1)]
    finally:
        server.close()
