"""Serving the reference platform with werkzeug's threaded server, in the foreground or a thread.

Good for the demo and the tests (one thread per request, TLS from PEM files); a real platform
sits behind a production server. `start_in_thread` binds before it returns, so `.url` is
ready to use; port 0 picks a free port.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from kiosk.refplatform.app import BASE, create_app


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
          tls_key: str | Path | None, app_options: dict[str, Any]) -> BaseWSGIServer:
    app = create_app(db_path, **app_options)
    return make_server(host, port, app, threaded=True,
                       ssl_context=_ssl_context(tls_cert, tls_key))


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8443,
          tls_cert: str | Path | None = None, tls_key: str | Path | None = None,
          **app_options: Any) -> None:
    """Serve until interrupted."""
    server = _make(db_path, host, port, tls_cert, tls_key, app_options)
    try:
        server.serve_forever()
    finally:
        server.server_close()


@dataclass
class ServerHandle:
    server: BaseWSGIServer
    thread: threading.Thread
    scheme: str
    host: str

    @property
    def port(self) -> int:
        return self.server.server_port

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL, e.g. `http://127.0.0.1:41234/api/v1`."""
        return self.origin + BASE

    @property
    def app(self) -> Any:
        return self.server.app

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def start_in_thread(db_path: str | Path, host: str = "127.0.0.1", port: int = 0,
                    tls_cert: str | Path | None = None, tls_key: str | Path | None = None,
                    **app_options: Any) -> ServerHandle:
    """Serve on a daemon thread; call `.stop()` when done. `app_options` go to create_app."""
    server = _make(db_path, host, port, tls_cert, tls_key, app_options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="refplatform", daemon=True)
    thread.start()
    return ServerHandle(server, thread, "https" if tls_cert else "http", host)
