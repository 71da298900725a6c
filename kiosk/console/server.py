"""Serving the console beside the reference platform: its own werkzeug server (own port) in a
thread, or in the foreground; both read and write the store at `url`."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass
class ConsoleHandle:
    server: BaseWSGIServer
    thread: threading.Thread
    host: str

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_port}"

    @property
    def app(self) -> Any:
        return self.server.app

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def start_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0) -> ConsoleHandle:
    """Serve on a daemon thread (bound before this returns; port 0 picks a free one)."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="console", daemon=True)
    thread.start()
    return ConsoleHandle(server, thread, host)


def serve(app: Flask, host: str = "127.0.0.1", port: int = 8600) -> None:
    server = make_server(host, port, app, threaded=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
