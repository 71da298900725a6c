"""A whole-exchange deadline that a slow peer cannot stretch: connect, headers and body.

Why: requests' timeouts are per socket operation, so a platform or proxy that trickles its
reply headers one byte at a time (each read well inside the read timeout) held a delivery for
40 s against a 7 s limit, and the outbox's one sender with it. Here every exchange arms a
timer; when it fires, the exchange's socket is shut down (the blocked read returns at once)
and the caller reports the deadline.

The socket is found through the connection classes of our own adapter: each connection notes
itself in the calling thread's current exchange when it connects or sends a request.

The adapter's pools also never hand out a kept-alive connection that has idled `reuse_idle_s`:
the platform closes one idle for its keep-alive timeout, and a request leaving on it just then
meets the close with no answer, which a request that may not be repeated cannot recover from.
"""

from __future__ import annotations

import socket
import threading
import time
from functools import partial
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class Exchange:
    """One request's deadline: `with Exchange(seconds) as x:`; `x.expired` afterwards."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._conn: Any = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Exchange:
        _current.exchange = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _current.exchange = None

    def note(self, conn: Any) -> None:
        with self._lock:
            self._conn = conn
            if self.expired:
                _shut(conn)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            _shut(self._conn)


def _shut(conn: Any) -> None:
    sock = getattr(conn, "sock", None)
    if sock is None:
        return
    try:  # the plain socket's shutdown: an SSLSocket's would tear its state from under a read
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


def _note(conn: Any) -> None:
    exchange = getattr(_current, "exchange", None)
    if exchange is not None:
        exchange.note(conn)


class _Noting:
    def connect(self) -> None:
        _note(self)
        super().connect()  # type: ignore[misc]
        _note(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _note(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _Http(_Noting, HTTPConnection):
    pass


class _Https(_Noting, HTTPSConnection):
    pass


class _Reusing:
    """A pool that closes a kept-alive connection idle for `reuse_idle_s` before handing it
    out (the request then connects afresh)."""

    def __init__(self, *args: Any, reuse_idle_s: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self.reuse_idle_s = reuse_idle_s

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        idle_since = getattr(conn, "idle_since", None)
        if (self.reuse_idle_s is not None and idle_since is not None
                and time.monotonic() - idle_since >= self.reuse_idle_s):
            conn.close()
        return conn

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            conn.idle_since = time.monotonic()
        super()._put_conn(conn)  # type: ignore[misc]


class _HttpPool(_Reusing, HTTPConnectionPool):
    ConnectionCls = _Http


class _HttpsPool(_Reusing, HTTPSConnectionPool):
    ConnectionCls = _Https


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections an Exchange can cut at its deadline, and whose pools
    do not reuse a connection idle for `reuse_idle_s` (None: as long as the server keeps it)."""

    def __init__(self, *, reuse_idle_s: float | None = None, **kwargs: Any) -> None:
        self.reuse_idle_s = reuse_idle_s  # before super().__init__, which makes the pools
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        limit = getattr(self, "reuse_idle_s", None)
        self.poolmanager.pool_classes_by_scheme = {
            "http": partial(_HttpPool, reuse_idle_s=limit),
            "https": partial(_HttpsPool, reuse_idle_s=limit)}
