"""Serving the reference platform with cheroot, in the foreground or a thread.

cheroot, not werkzeug's development server: werkzeug closes the connection after every answer,
so each request of a terminal paid a new TCP and TLS handshake (a list of services through
the terminal's client 28 ms against 12 ms on a kept-alive connection). cheroot keeps connections
alive, sets TCP_NODELAY, and serves from a fixed pool of threads; idle kept-alive connections
wait in its selector, not in a thread. A real platform sits behind its own production server.
`start_in_thread` binds before it returns, so `.url` is ready to use; port 0 picks a free port.
"""

from __future__ import annotations

import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cheroot.ssl.builtin import BuiltinSSLAdapter
from cheroot.wsgi import Server

from kiosk.refplatform.app import BASE, create_app

# Requests served at once; more wait in cheroot's queue. The platform answers from SQLite in
# milliseconds and never holds a request, so this bounds threads, not throughput.
THREADS = 16
# A kept-alive connection that sends nothing more is closed after this.
IDLE_TIMEOUT_S = 10
# cheroot does the TLS handshake in its accept loop: a client that connects and stays silent
# holds every other new connection back until its handshake times out.
HANDSHAKE_TIMEOUT_S = 3


class _Tls(BuiltinSSLAdapter):
    """cheroot's adapter with our context and a handshake bounded apart from the idle time."""

    def __init__(self, tls_cert: str | Path, tls_key: str | Path, context: ssl.SSLContext) -> None:
        super().__init__(str(tls_cert), str(tls_key))
        self.context = context  # ours: TLS 1.2 at least, no client certificates asked

    def wrap(self, sock: Any) -> Any:
        sock.settimeout(HANDSHAKE_TIMEOUT_S)  # cheroot sets its own timeout again after
        return super().wrap(sock)


class _Server(Server):
    """cheroot's server, its listening socket reusable also when it took port 0: the sim
    starts the platform on port 0 and, after `down`, again on that port, which the old
    connections still held (cheroot sets SO_REUSEADDR only on a given port; werkzeug, like
    socketserver, on any)."""

    @classmethod
    def prepare_socket(cls, *args: Any, **kwargs: Any) -> Any:
        sock = super().prepare_socket(*args, **kwargs)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return sock


def _ssl_context(tls_cert: str | Path | None, tls_key: str | Path | None) -> ssl.SSLContext | None:
    if tls_cert is None and tls_key is None:
        return None
    if tls_cert is None or tls_key is None:
        raise ValueError("TLS needs both a certificate and its key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(tls_cert), str(tls_key))
    return context


def _make(db_path: str | Path, host: str, port: int, tls_cert: str | Path | None,
          tls_key: str | Path | None, app_options: dict[str, Any]) -> _Server:
    """A bound server (`prepare` done): its port is known before it serves."""
    context = _ssl_context(tls_cert, tls_key)
    server = _Server((host, port), create_app(db_path, **app_options), numthreads=THREADS,
                    timeout=IDLE_TIMEOUT_S, shutdown_timeout=2)
    if context is not None:
        assert tls_cert is not None and tls_key is not None  # _ssl_context checked both
        server.ssl_adapter = _Tls(tls_cert, tls_key, context)
    server.prepare()
    return server


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8443,
          tls_cert: str | Path | None = None, tls_key: str | Path | None = None,
          **app_options: Any) -> None:
    """Serve until interrupted."""
    server = _make(db_path, host, port, tls_cert, tls_key, app_options)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@dataclass
class ServerHandle:
    server: _Server
    thread: threading.Thread
    scheme: str
    host: str

    @property
    def port(self) -> int:
        return int(self.server.bind_addr[1])

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, e.g. `http://127.0.0.1:41234/api/v1`."""
        return self.origin + BASE

    @property
    def app(self) -> Any:
        return self.server.wsgi_app

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(timeout=10)


def start_in_thread(db_path: str | Path, host: str = "127.0.0.1", port: int = 0,
                    tls_cert: str | Path | None = None, tls_key: str | Path | None = None,
                    **app_options: Any) -> ServerHandle:
    """Serve on a daemon thread; call `.stop()` when done. `app_options` go to create_app."""
    server = _make(db_path, host, port, tls_cert, tls_key, app_options)
    thread = threading.Thread(target=server.serve, name="refplatform", daemon=True)
    thread.start()
    return ServerHandle(server, thread, "https" if tls_cert else "http", host)
