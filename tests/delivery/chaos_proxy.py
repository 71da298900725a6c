"""An HTTP proxy on loopback that forwards to the reference platform and then misbehaves on cue.

Faults happen AFTER the platform has processed the request (except `drop_before`), which is the
hard case: the application is filed, but the kiosk never learns it. Only the idempotency key
keeps the retry from filing it twice.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

MODES = ("pass", "drop_before", "drop_after", "malformed", "wrong_shape", "truncated",
         "oversized", "slow", "error_502", "gateway_401", "gateway_404", "gateway_408",
         "gateway_json_404")


class ChaosProxy:
    def __init__(self, upstream_url: str, *, slow_s: float = 5.0) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.prefix = parts.path.rstrip("/")
        self.slow_s = slow_s
        self.plan: deque[str] = deque()
        # A request whose body holds one of these bytes is answered by the proxy, every time:
        # `poisoned` with a 500, `trickled` with headers one byte every half second, forever.
        self.poisoned: set[bytes] = set()
        self.trickled: set[bytes] = set()
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.prefix}"

    def misbehave(self, *modes: str) -> None:
        """Queue modes for the next requests to matching paths, in order; then `pass`."""
        for mode in modes:
            assert mode in MODES, mode
        with self.lock:
            self.plan.extend(modes)

    def _next_mode(self) -> str:
        with self.lock:
            return self.plan.popleft() if self.plan else "pass"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "content-length")}
                headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                conn.close()
                return response.status, response.getheaders(), data

            def _write(self, status: int, headers: list[tuple[str, str]], body: bytes,
                       content_length: int | None = None) -> None:
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in ("content-length", "connection", "transfer-encoding",
                                         "date", "server"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body) if content_length is None
                                                       else content_length))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if any(marker in body for marker in proxy.poisoned):
                    proxy.seen["poisoned"] += 1
                    self._write(500, [("Content-Type", "text/html")], b"<h1>500</h1>")
                    return
                if any(marker in body for marker in proxy.trickled):
                    proxy.seen["trickled"] += 1
                    self.close_connection = True
                    try:
                        for byte in b"HTTP/1.1 201 Created\r\nContent-Type: application/json" * 50:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.5)
                    except OSError:
                        pass
                    return
                mode = proxy._next_mode() if self.command == "POST" else "pass"
                proxy.seen[mode] += 1
                if mode == "drop_before":
                    self.close_connection = True
                    return
                if mode.startswith("gateway_"):  # the gateway answers; the platform never sees it
                    code = int(mode.rsplit("_", 1)[1])
                    if mode.startswith("gateway_json"):  # a gateway's own JSON, not the contract's
                        self._write(code, [("Content-Type", "application/json")],
                                    b'{"code": "not_found", "message": "no route"}')
                    else:
                        self._write(code, [("Content-Type", "text/html")],
                                    f"<html><body>{code} from the gateway</body></html>".encode())
                    return
                status, headers, data = self._forward(body)
                json_type = [("Content-Type", "application/json")]
                if mode == "pass":
                    self._write(status, headers, data)
                elif mode == "drop_after":
                    self.close_connection = True
                elif mode == "malformed":
                    self._write(status, json_type, b'{"receipt_no": "SL2026', )
                elif mode == "wrong_shape":
                    self._write(status, json_type, b'{"hello": "world"}')
                elif mode == "truncated":
                    self._write(status, headers, data[: len(data) // 2], content_length=len(data))
                    self.close_connection = True
                elif mode == "oversized":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(1 << 34))
                    self.end_headers()
                    try:
                        chunk = b" " * 65536
                        for _ in range(4096):  # 256 MB at most, the client must stop far earlier
                            self.wfile.write(chunk)
                    except OSError:
                        pass
                    self.close_connection = True
                elif mode == "slow":
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    try:
                        deadline = time.monotonic() + proxy.slow_s
                        for byte in data:
                            if time.monotonic() > deadline:
                                break
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(0.2)
                    except OSError:
                        pass
                    self.close_connection = True
                elif mode == "error_502":
                    self._write(502, [("Content-Type", "text/html")], b"<h1>502 Bad Gateway</h1>")

            do_GET = do_POST = _handle

        return Handler
