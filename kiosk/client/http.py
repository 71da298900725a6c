"""One HTTP exchange with the platform, turned into a complete reply or one of four errors.

Every call is bounded three ways: a connect timeout, a read timeout on every socket read, and a
deadline for the whole reply (a platform or proxy that trickles one byte a second never trips
a read timeout, but it would hold a citizen at the screen for minutes). Bodies are read in
chunks and dropped at `max_response_bytes`, so a broken proxy cannot fill the terminal's memory.

How failures are classified (errors.py has the four kinds):

- no status line yet (refused, DNS, TLS, timeout, connection dropped) -> PlatformUnreachable;
- any timeout, also in the middle of a body, including the deadline -> PlatformUnreachable;
- a body cut short (fewer bytes than Content-Length, a broken chunked stream, a reset after the
  status line) -> ResponseMalformed code "truncated". Decided so because the platform did answer:
  it received and processed the request, so "nothing happened" (what Unreachable suggests to a
  reader) would be wrong; the request may well have taken effect. Both kinds are retryable and
  the client repeats only operations that are safe to repeat, so neither files anything twice;
- bigger than the cap -> ResponseMalformed "oversized"; 2xx that is not a JSON object ->
  ResponseMalformed "not_json"/"not_object"; 1xx/3xx -> ResponseMalformed "unexpected_status"
  (redirects are not followed: an ID number is never re-sent to another address);
- 4xx with the platform's own problem+json (type, title, the same status, a `code`) ->
  RequestRefused with that code; any other 4xx (a gateway's 401/404/408, an HTML page) ->
  ServerFault "gateway_<status>", retried like 5xx and 429 -> ServerFault with `Retry-After`.

Messages name the operation, never a URL with its values, a request body or a reply body; the
problem's detail is kept masked in `detail`. Exceptions are raised without chaining to the
library's, whose attributes hold the prepared request (and so the body).
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import requests
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import SSLError as TlsError

import kiosk
from kiosk.client.deadline import DeadlineAdapter, Exchange
from kiosk.client.errors import (PlatformError, PlatformUnreachable, RequestRefused,
                                 ResponseMalformed, ServerFault)
from kiosk.config.schema import PlatformConfig
from kiosk.logs import mask_text

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
ERROR_BODY_BYTES = 64 * 1024  # enough for any problem document; the rest is not read
MAX_RETRY_AFTER_S = 86_400.0
JSON = "application/json, application/problem+json"


@dataclass(frozen=True)
class Reply:
    """A complete 2xx reply: status, headers (case-insensitive) and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def json_object(self, op: str) -> dict[str, Any]:
        """The body as a JSON object; anything else breaks the contract."""
        error = ""
        try:
            value = json.loads(self.body)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            error = "not_json"
        if error:  # raised outside `except`: the decoder's error carries the whole body
            raise ResponseMalformed(f"{op}: reply is not JSON", status=self.status, code=error)
        if not isinstance(value, dict):
            raise ResponseMalformed(f"{op}: reply is JSON but not an object",
                                    status=self.status, code="not_object")
        return value


class HttpTransport:
    """A pooled, authenticated session to the platform's base URL (thread-safe for our use:
    no cookies are kept, every per-call setting is passed per call)."""

    def __init__(self, base_url: str, *, kiosk_id: str, credential: str | None,
                 ca_bundle: str = "", connect_timeout_s: float = 3.0, timeout_s: float = 10.0,
                 deadline_s: float | None = None, max_response_bytes: int = 16_000_000,
                 pool_size: int = 4, reuse_idle_s: float | None = None) -> None:
        if ca_bundle and not Path(ca_bundle).is_file():
            raise ValueError(f"platform CA bundle {ca_bundle} is not a file")
        self.base_url = base_url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.connect_timeout_s = connect_timeout_s
        self.timeout_s = timeout_s
        # The whole reply, from sending the request to its last byte.
        self.deadline_s = deadline_s if deadline_s is not None else connect_timeout_s + timeout_s
        self.max_response_bytes = max_response_bytes
        self.session = requests.Session()
        adapter = DeadlineAdapter(pool_connections=1, pool_maxsize=pool_size, max_retries=0,
                                  reuse_idle_s=reuse_idle_s)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # Passed on every call too: a session-level path loses to $REQUESTS_CA_BUNDLE.
        self.verify: bool | str = ca_bundle or True
        self.session.verify = self.verify
        self.session.auth = (kiosk_id, credential) if credential is not None else None
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.session.headers["User-Agent"] = f"govkiosk/{kiosk.__version__} ({kiosk_id})"

    @classmethod
    def from_config(cls, platform: PlatformConfig, *, kiosk_id: str,
                    credential: str | None) -> HttpTransport:
        return cls(platform.base_url, kiosk_id=kiosk_id, credential=credential,
                   ca_bundle=platform.ca_bundle, connect_timeout_s=platform.connect_timeout_s,
                   timeout_s=platform.timeout_s, max_response_bytes=platform.max_response_bytes,
                   reuse_idle_s=platform.reuse_idle_s)

    def close(self) -> None:
        self.session.close()

    # -- one exchange --------------------------------------------------------------------------

    def request(self, op: str, method: str, path: str, *, params: Mapping[str, str] | None = None,
                json_body: Any = None, headers: Mapping[str, str] | None = None,
                accept: str = JSON) -> Reply:
        """Send once and return the complete 2xx reply, or raise a PlatformError."""
        deadline = time.monotonic() + self.deadline_s
        all_headers = {"Accept": accept, **(headers or {})}
        data = None
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, allow_nan=False).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        with Exchange(self.deadline_s) as exchange:
            try:
                return self._exchange(op, method, path, params, data, all_headers, deadline)
            except PlatformError as exc:
                if not exchange.expired or exc.code == "deadline":
                    raise
                failure = exc
        raise PlatformUnreachable(f"{op}: no complete reply within {self.deadline_s:g} s "
                                  f"(connect, headers and body)", status=failure.status,
                                  code="deadline")

    def _exchange(self, op: str, method: str, path: str, params: Mapping[str, str] | None,
                  data: bytes | None, all_headers: dict[str, str], deadline: float) -> Reply:
        failure: PlatformError | None = None
        try:
            response = self.session.request(
                method, self.base_url + path, params=params, data=data, headers=all_headers,
                timeout=(self.connect_timeout_s, self.timeout_s), verify=self.verify,
                stream=True, allow_redirects=False)
        except requests.Timeout as exc:
            failure = PlatformUnreachable(f"{op}: no answer in time ({_reason(exc)})",
                                          code="timeout")
        except requests.RequestException as exc:
            failure = PlatformUnreachable(f"{op}: platform unreachable ({_reason(exc)})",
                                          code="unreachable")
        if failure is not None:
            raise failure
        try:
            status = response.status_code
            if 200 <= status < 300:
                body = self._read_body(op, response, deadline, self.max_response_bytes)
                log.debug("%s: HTTP %d, %d bytes", op, status, len(body))
                return Reply(status, response.headers, body)
            if 400 <= status < 600:
                raise self._failure(op, response, deadline)
            raise ResponseMalformed(f"{op}: unexpected HTTP {status}", status=status,
                                    code="unexpected_status")
        finally:
            response.close()

    def _read_body(self, op: str, response: requests.Response, deadline: float,
                   cap: int) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared is not None:
            if not declared.strip().isdigit():
                raise ResponseMalformed(f"{op}: reply has a bad Content-Length",
                                        status=response.status_code, code="bad_length")
            if int(declared) > cap:
                raise _oversized(op, response.status_code, cap)
        raw = response.raw
        # read1 (urllib3 >= 2.3) returns after one socket read; read(n) waits for n bytes.
        read = getattr(raw, "read1", None) or raw.read
        body = bytearray()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._too_slow(op, response.status_code, len(body))
            _narrow_socket_timeout(raw, min(self.timeout_s, remaining))
            kind = ""
            try:
                chunk = read(CHUNK_BYTES, decode_content=True)
            except ReadTimeoutError:
                kind = "timeout"
            except (ProtocolError, TlsError, OSError):
                kind = "truncated"
            except DecodeError:
                kind = "undecodable"
            if kind == "timeout":
                if time.monotonic() >= deadline - 0.001:
                    raise self._too_slow(op, response.status_code, len(body))
                raise PlatformUnreachable(
                    f"{op}: reply stalled for {self.timeout_s:g} s after {len(body)} bytes",
                    status=response.status_code, code="timeout")
            if kind == "truncated":
                raise ResponseMalformed(f"{op}: reply cut off after {len(body)} bytes",
                                        status=response.status_code, code="truncated")
            if kind:
                raise ResponseMalformed(f"{op}: reply content encoding does not decode",
                                        status=response.status_code, code=kind)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > cap:
                raise _oversized(op, response.status_code, cap)

    def _too_slow(self, op: str, status: int, got: int) -> PlatformUnreachable:
        return PlatformUnreachable(
            f"{op}: reply not complete within {self.deadline_s:g} s ({got} bytes so far)",
            status=status, code="deadline")

    def _failure(self, op: str, response: requests.Response, deadline: float) -> PlatformError:
        """The error for a 4xx/5xx; its body is read best-effort (it may be HTML, or cut off)."""
        status = response.status_code
        try:
            body = self._read_body(op, response, deadline, ERROR_BODY_BYTES)
        except PlatformError:
            body = b""
        code, detail, tries_left = _problem(body)
        platform_said = bool(code) and _platform_problem(response, body, status)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if status == 429 or status >= 500:
            code = code or f"http_{status}"
            return ServerFault(f"{op}: platform failed with HTTP {status} {code}",
                               status=status, code=code, detail=detail,
                               retry_after_s=retry_after)
        if not platform_said:
            # A 401/404/408... from a gateway, proxy or captive portal is not the platform
            # refusing this request: try again later, like a 5xx.
            return ServerFault(f"{op}: HTTP {status} from something other than the platform",
                               status=status, code=f"gateway_{status}", detail=detail,
                               retry_after_s=retry_after)
        return RequestRefused(f"{op}: platform refused with HTTP {status} {code}",
                              status=status, code=code, detail=detail, tries_left=tries_left)


def _platform_problem(response: requests.Response, body: bytes, status: int) -> bool:
    """Whether the platform itself said this: its problem document (contract: type, title, the
    same status, a stable code; served as problem+json, or plain JSON by older platforms).
    Gateways answer in HTML, plain text or a JSON of their own without those members."""
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if media not in ("application/problem+json", "application/json"):
        return False
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return False
    return isinstance(doc, dict) and doc.get("status") == status \
        and isinstance(doc.get("title"), str) and isinstance(doc.get("type"), str)


def _problem(body: bytes) -> tuple[str, str, int | None]:
    """(code, masked detail, tries left) of a problem document; ("", "", None) for anything
    else."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return "", "", None
    if not isinstance(doc, dict):
        return "", "", None
    tries = doc.get("tries_left")
    tries_left = tries if isinstance(tries, int) and not isinstance(tries, bool) \
        and 0 <= tries <= 100 else None
    code = doc.get("code")
    code = code if isinstance(code, str) and code.isidentifier() and len(code) <= 64 else ""
    parts = [str(doc.get("detail") or doc.get("title") or "")]
    errors = doc.get("errors")
    if isinstance(errors, list):
        parts += [f"{e.get('path', '')}: {e.get('message', '')}" for e in errors[:20]
                  if isinstance(e, dict)]
    return code, mask_text("; ".join(p for p in parts if p))[:500], tries_left


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent
    or unreadable. Clamped to [0, one day]: a clock-skewed date must not park a terminal."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _oversized(op: str, status: int, cap: int) -> ResponseMalformed:
    return ResponseMalformed(f"{op}: reply is larger than {cap} bytes (oversized)",
                             status=status, code="oversized")


def _narrow_socket_timeout(raw: Any, seconds: float) -> None:
    """Make the next socket read give up at the deadline, not a whole read timeout after it.

    urllib3 sets the socket's timeout again on the connection's next request, so this does not
    leak into the next call. Without a socket at hand the deadline is checked between reads."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.001))
        except OSError:
            pass


def _reason(exc: BaseException) -> str:
    """A short, technician-readable cause (e.g. 'ConnectTimeout: ... timed out'), masked."""
    inner: BaseException = exc
    for _ in range(6):
        reason = getattr(inner, "reason", None)
        nxt = reason if isinstance(reason, BaseException) else None
        if nxt is None and inner.args and isinstance(inner.args[0], BaseException):
            nxt = inner.args[0]
        if nxt is None:
            break
        inner = nxt
    text = str(inner) if inner is not exc else ""
    label = type(exc).__name__ + (f": {text}" if text else "")
    return mask_text(label)[:300]
