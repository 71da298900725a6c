"""A tiny scripted platform on 127.0.0.1: each test queues the replies, the server records requests.

It speaks real HTTP/1.1 over a real socket (optionally TLS), so the client's timeouts, pooling,
truncation and size handling meet the same bytes they would meet in the field.
"""

from __future__ import annotations

import json
import ssl
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    """One reply. `delay_s` before the status line; `trickle_s` between body pieces of
    `piece_bytes`; `cut_after` sends only that many body bytes and hangs up (with the full
    Content-Length, or mid-chunk when `chunked`); `content_length` overrides the header."""

    status: int = 200
    body: Any = b""  # bytes, or anything else sent as JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    trickle_s: float = 0.0
    piece_bytes: int = 1
    cut_after: int | None = None
    chunked: bool = False
    content_length: int | None = None
    hang_up: bool = False  # close without any answer

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_port: int

    def json(self) -> Any:
        return json.loads(self.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client hanging up is expected
            super().handle_error(request, client_address)


class FakePlatform:
    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.scripts: deque[Script] = deque()
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.tls = tls
        self._server = _Server(("127.0.0.1", 0), self._handler())
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}/api/v1"

    def reply(self, *scripts: Script) -> None:
        with self.lock:
            self.scripts.extend(scripts)

    def json(self, body: Any, status: int = 200, **kwargs: Any) -> None:
        headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
        self.reply(Script(status=status, body=body, headers=headers, **kwargs))

    def problem(self, status: int, code: str, detail: str = "", **kwargs: Any) -> None:
        doc = {"type": "about:blank", "title": code, "status": status, "code": code}
        if detail:
            doc["detail"] = detail
        headers = {"Content-Type": "application/problem+json", **kwargs.pop("headers", {})}
        self.reply(Script(status=status, body=doc, headers=headers, **kwargs))

    def count(self, path_suffix: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path.split("?")[0].endswith(path_suffix))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> Script:
        with self.lock:
            if self.scripts:
                return self.scripts.popleft()
        return Script(status=599, body=b"unscripted request", headers={"Content-Type": "text/plain"})

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake.lock:
                    fake.requests.append(Seen(self.command, self.path, dict(self.headers), body,
                                              self.client_address[1]))
                script = fake._next()
                try:
                    self._answer(script)
                except OSError:  # the client gave up first: that is what many tests want
                    self.close_connection = True

            def _answer(self, s: Script) -> None:
                if s.delay_s:
                    time.sleep(s.delay_s)
                if s.hang_up:
                    self.close_connection = True
                    return
                payload = s.payload()
                self.send_response(s.status)
                for k, v in s.headers.items():
                    self.send_header(k, v)
                if s.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                else:
                    length = len(payload) if s.content_length is None else s.content_length
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                send = payload if s.cut_after is None else payload[: s.cut_after]
                step = max(1, s.piece_bytes) if s.trickle_s else max(1, len(send))
                for i in range(0, len(send), step):
                    piece = send[i:i + step]
                    if s.chunked:
                        piece = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
                    self.wfile.write(piece)
                    self.wfile.flush()
                    if s.trickle_s:
                        time.sleep(s.trickle_s)
                if s.cut_after is not None:
                    if s.chunked:  # announce a chunk that never comes
                        self.wfile.write(b"100\r\nabc")
                        self.wfile.flush()
                    self.close_connection = True
                    return
                if s.chunked:
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()

            do_GET = do_POST = do_DELETE = _handle

        return Handler
