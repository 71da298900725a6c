"""TUF's downloads with conditional requests, so that an unchanged poll costs almost nothing.

python-tuf's own fetcher sends plain GETs: every poll downloads the whole `timestamp.json`.
This one remembers the ETag / Last-Modified of `timestamp.json` and asks again with
If-None-Match / If-Modified-Since; a 304 hands TUF the bytes it already has, which it verifies
exactly as if they had been downloaded (so a lying 304 gains an attacker nothing). Only
`timestamp.json` is conditional: every other file has a version or a hash in its name and
never changes. Counts requests and body bytes for the bench.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import urllib3
from tuf.api import exceptions
from tuf.ngclient.fetcher import FetcherInterface

from kiosk.fleet.versions import app_version

CONDITIONAL = ("/timestamp.json",)


@dataclass
class FetchStats:
    requests: int = 0
    not_modified: int = 0
    body_bytes: int = 0


class ConditionalFetcher(FetcherInterface):
    def __init__(self, *, timeout_s: float = 10.0, ca_bundle: str = "",
                 pool: urllib3.PoolManager | None = None):
        self.timeout = urllib3.Timeout(connect=timeout_s, read=timeout_s)
        self._pool = pool or urllib3.PoolManager(
            maxsize=2, ca_certs=ca_bundle or None, retries=False,
            headers={"User-Agent": f"govkiosk/{app_version()}"})
        self._validators: dict[str, tuple[dict[str, str], bytes]] = {}
        self._lock = threading.Lock()
        self.stats = FetchStats()

    def _fetch(self, url: str) -> Iterator[bytes]:
        conditional = url.endswith(CONDITIONAL)
        headers: dict[str, str] = {}
        cached = self._validators.get(url) if conditional else None
        if cached:
            headers = dict(cached[0])
        response = self._get(url, headers)
        with self._lock:
            self.stats.requests += 1
        if response.status == 304 and cached:
            response.release_conn()
            with self._lock:
                self.stats.not_modified += 1
            return iter([cached[1]])
        if response.status != 200:
            response.release_conn()
            raise exceptions.DownloadHTTPError(f"{url}: HTTP {response.status}", response.status)
        return self._chunks(url, response, conditional)

    def _get(self, url: str, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
        """One GET; once more on a new connection when the one it went on was dropped before
        any answer: a kept-alive connection the server had just closed (its idle timeout, a
        restart) looks like that, and a GET is safe to repeat. A timeout is not repeated."""
        def request() -> urllib3.BaseHTTPResponse:
            return self._pool.request("GET", url, headers=headers, preload_content=False,
                                      timeout=self.timeout, retries=False, redirect=False)
        try:
            try:
                return request()
            except urllib3.exceptions.ProtocolError:
                return request()
        except urllib3.exceptions.TimeoutError as exc:
            raise exceptions.SlowRetrievalError(f"{url}: no answer in time") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise exceptions.DownloadError(f"{url}: {type(exc).__name__}") from exc

    def _chunks(self, url: str, response: urllib3.BaseHTTPResponse,
                remember: bool) -> Iterator[bytes]:
        body = bytearray()
        try:
            for chunk in response.stream(64 * 1024):
                with self._lock:
                    self.stats.body_bytes += len(chunk)
                if remember:
                    body += chunk
                yield chunk
        except urllib3.exceptions.TimeoutError as exc:
            raise exceptions.SlowRetrievalError(f"{url}: stalled mid-download") from exc
        except urllib3.exceptions.HTTPError as exc:
            raise exceptions.DownloadError(f"{url}: cut off mid-download "
                                           f"({type(exc).__name__})") from exc
        finally:
            response.release_conn()
        if remember:
            validators = {}
            if response.headers.get("ETag"):
                validators["If-None-Match"] = response.headers["ETag"]
            if response.headers.get("Last-Modified"):
                validators["If-Modified-Since"] = response.headers["Last-Modified"]
            if validators:
                self._validators[url] = (validators, bytes(body))
