"""A tiny platform on 127.0.0.1 with scripted replies, and a deliver function that reaches it
over real HTTP and turns the reply into the kiosk.client.errors kinds.

kiosk.client (the real HTTP client) is written elsewhere; this stands in for it at the seam
the outbox has (a deliver callable), while the network and the server stay real.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kiosk.client.errors import (PlatformUnreachable, RequestRefused, ResponseMalformed,
                                 ServerFault)
from kiosk.outbox import OutboxItem


@dataclass
class Reply:
    status: int = 201
    body: Any = None  # JSON value; None: {"receipt_no": ...}; bytes: sent as is
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False  # wait for PlatformStub.release before answering


@dataclass
class Received:
    at: float
    idempotency_key: str
    kind: str
    body: bytes


class PlatformStub:
    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.received: list[Received] = []
        self.in_flight = threading.Event()  # a held request has arrived
        self.release = threading.Event()
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with stub._lock:
                    stub.received.append(Received(time.monotonic(),
                                                  self.headers.get("Idempotency-Key", ""),
                                                  self.headers.get("X-Outbox-Kind", ""), data))
                    n = len(stub.received)
                    reply = stub.script.popleft() if stub.script else Reply()
                if reply.hold:
                    stub.in_flight.set()
                    stub.release.wait(10)
                body = reply.body if reply.body is not None else {"receipt_no": f"R{n:06d}"}
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,),
                                        daemon=True)

    def start(self) -> PlatformStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def keys(self) -> list[str]:
        with self._lock:
            return [r.idempotency_key for r in self.received]


def closed_port_url() -> str:
    """A URL nothing listens on: connection refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # ignore http_proxy


def http_deliver(url: Callable[[], str]) -> Callable[[OutboxItem, dict[str, Any]], dict[str, Any]]:
    """POST the body under the item's idempotency key. Exception messages deliberately quote
    the reply, as a careless client would: the outbox must never log or store them."""

    def deliver(item: OutboxItem, body: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        request = urllib.request.Request(
            url() + "/applications", data=data, method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": item.idempotency_key,
                     "X-Outbox-Kind": item.kind})
        try:
            with _OPENER.open(request, timeout=5) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                problem = json.loads(raw)
            except ValueError:
                problem = {}
            if exc.code == 429 or exc.code >= 500:
                after = exc.headers.get("Retry-After")
                raise ServerFault(f"platform failed: {raw!r}", status=exc.code,
                                  retry_after_s=float(after) if after else None) from None
            raise RequestRefused(f"platform refused: {problem.get('detail')}", status=exc.code,
                                 code=str(problem.get("code", "")),
                                 detail=str(problem.get("detail", ""))) from None
        except OSError as exc:  # URLError, connection refused, reset, timeout
            raise PlatformUnreachable(f"cannot reach the platform with {data[:200]!r}: {exc}"
                                      ) from None
        try:
            result = json.loads(raw)
        except ValueError:
            raise ResponseMalformed(f"not JSON: {raw[:100]!r}") from None
        if not isinstance(result, dict):
            raise ResponseMalformed("reply is not an object")
        return result

    return deliver
