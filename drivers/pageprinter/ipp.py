"""IPP/1.1–2.0 over HTTP (RFC 8010/8011), the little of it a page printer driver needs.

Why our own codec and not pycups or pyipp: pycups is a C extension over libcups (it needs
libcups2-dev to build, and its server address is process-global state, awkward with one
private cupsd per test); pyipp is asyncio-only and has no Print-Job. The encoding is a few
dozen lines of `struct`, pure and tested without a printer, and the transport is the standard
library's `http.client`, so the driver talks to a CUPS queue (`ipp://host:631/printers/NAME`)
and to an IPP Everywhere printer (`ipp://host/ipp/print`) alike, with no new dependency.
"""

from __future__ import annotations

import http.client
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

# operations
PRINT_JOB, CANCEL_JOB, GET_JOB_ATTRIBUTES, GET_JOBS, GET_PRINTER_ATTRIBUTES = (
    0x0002, 0x0008, 0x0009, 0x000A, 0x000B)
# delimiter tags
OPERATION, JOB, END, PRINTER, UNSUPPORTED = 0x01, 0x02, 0x03, 0x04, 0x05
# value tags
INTEGER, BOOLEAN, ENUM = 0x21, 0x22, 0x23
TEXT, NAME, KEYWORD, URI, CHARSET, LANGUAGE, MIME = 0x41, 0x42, 0x44, 0x45, 0x47, 0x48, 0x49
NO_VALUE, UNKNOWN = 0x13, 0x12

JOB_STATES = {3: "pending", 4: "pending-held", 5: "processing", 6: "processing-stopped",
              7: "canceled", 8: "aborted", 9: "completed"}
TERMINAL_JOB_STATES = frozenset({"canceled", "aborted", "completed"})
PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}
ENUM_NAMES = {"job-state": JOB_STATES, "printer-state": PRINTER_STATES}


class IppError(Exception):
    """The printer answered with an error status, or not in IPP."""

    def __init__(self, status: int, message: str = ""):
        super().__init__(message or f"IPP status 0x{status:04x}")
        self.status = status


@dataclass
class Response:
    status: int
    request_id: int
    groups: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def group(self, tag: int) -> dict[str, Any]:
        """The first group with `tag` (empty when none)."""
        return next((attrs for t, attrs in self.groups if t == tag), {})

    def all(self, tag: int) -> list[dict[str, Any]]:
        return [attrs for t, attrs in self.groups if t == tag]


def _value_bytes(tag: int, value: Any) -> bytes:
    if tag in (INTEGER, ENUM):
        return struct.pack(">i", int(value))
    if tag == BOOLEAN:
        return b"\x01" if value else b"\x00"
    if tag == NO_VALUE:
        return b""
    return str(value).encode("utf-8")


def _attribute(tag: int, name: str, values: Iterable[Any]) -> bytes:
    out = bytearray()
    for i, value in enumerate(values):
        data = _value_bytes(tag, value)
        key = name.encode("ascii") if i == 0 else b""
        out += struct.pack(">bh", tag, len(key)) + key + struct.pack(">h", len(data)) + data
    return bytes(out)


Attr = tuple[int, str, Any]  # (value tag, name, value or list of values)


def encode_request(operation: int, request_id: int, operation_attrs: Iterable[Attr],
                   job_attrs: Iterable[Attr] = (), version: tuple[int, int] = (2, 0)) -> bytes:
    """An IPP request (without its document): charset and language first, as RFC 8011 asks."""
    out = bytearray(struct.pack(">bbhi", version[0], version[1], operation, request_id))
    out.append(OPERATION)
    out += _attribute(CHARSET, "attributes-charset", ["utf-8"])
    out += _attribute(LANGUAGE, "attributes-natural-language", ["en"])
    for tag, name, value in operation_attrs:
        out += _attribute(tag, name, value if isinstance(value, list) else [value])
    job = list(job_attrs)
    if job:
        out.append(JOB)
        for tag, name, value in job:
            out += _attribute(tag, name, value if isinstance(value, list) else [value])
    out.append(END)
    return bytes(out)


def _decode_value(tag: int, name: str, data: bytes) -> Any:
    if tag in (INTEGER, ENUM) and len(data) == 4:
        number = struct.unpack(">i", data)[0]
        return ENUM_NAMES.get(name, {}).get(number, number) if tag == ENUM else number
    if tag == BOOLEAN and len(data) == 1:
        return data != b"\x00"
    if tag in (NO_VALUE, UNKNOWN, 0x10):
        return None
    if 0x40 <= tag <= 0x4F:
        return data.decode("utf-8", "replace")
    return data  # dates, resolutions, collections: kept raw, not needed here


def decode_response(data: bytes) -> Response:
    """Groups of attributes; an attribute with several values becomes a list."""
    if len(data) < 9:
        raise IppError(0x0500, "short IPP response")
    _major, _minor, status, request_id = struct.unpack(">bbhi", data[:8])
    response = Response(status, request_id)
    pos, current, name = 8, None, ""
    depth = 0  # inside a collection (begCollection … endCollection): skipped
    while pos < len(data):
        tag = data[pos]
        pos += 1
        if tag == END:
            break
        if tag < 0x10:  # a delimiter: a new group
            current = {}
            response.groups.append((tag, current))
            continue
        if pos + 2 > len(data):
            raise IppError(0x0500, "truncated IPP attribute")
        (name_len,) = struct.unpack(">h", data[pos:pos + 2])
        pos += 2
        key = data[pos:pos + name_len].decode("ascii", "replace")
        pos += name_len
        (value_len,) = struct.unpack(">h", data[pos:pos + 2])
        pos += 2
        raw = data[pos:pos + value_len]
        pos += value_len
        if tag == 0x34:  # begCollection
            depth += 1
            if depth == 1 and key:
                name = key
            continue
        if tag == 0x37:  # endCollection
            depth = max(0, depth - 1)
            continue
        if depth or current is None:
            continue
        if key:
            name = key
            current[name] = _decode_value(tag, name, raw)
        else:  # another value of the attribute before
            value = _decode_value(tag, name, raw)
            before = current.get(name)
            current[name] = (before if isinstance(before, list) else [before]) + [value]
    return response


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class IppClient:
    """Requests to one printer URI (`ipp://` or `http://`), one HTTP connection each.

    A fresh connection per request keeps a printer restart from leaving a dead socket behind;
    on localhost or a LAN it costs well under a millisecond."""

    def __init__(self, uri: str, timeout_s: float = 5.0, user: str = "kiosk"):
        parts = urlsplit(uri)
        if parts.scheme not in ("ipp", "http"):
            raise ValueError(f"unsupported printer URI scheme {parts.scheme!r} (ipp or http)")
        self.uri = uri if parts.scheme == "ipp" else uri.replace("http://", "ipp://", 1)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 631
        self.path = parts.path or "/"
        self.timeout = timeout_s
        self.user = user
        self._ids = 0

    def request(self, operation: int, attrs: Iterable[Attr] = (), job_attrs: Iterable[Attr] = (),
                document: bytes = b"", timeout_s: float | None = None) -> Response:
        """Send one operation; raises OSError (no answer) or IppError (refused)."""
        self._ids += 1
        body = encode_request(operation, self._ids,
                              [(URI, "printer-uri", self.uri),
                               (NAME, "requesting-user-name", self.user), *attrs], job_attrs)
        conn = http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout_s or self.timeout)
        try:
            conn.request("POST", self.path, body + document,
                         {"Content-Type": "application/ipp"})
            reply = conn.getresponse()
            data = reply.read()
        except http.client.HTTPException as exc:
            raise OSError(f"IPP over HTTP failed: {exc}") from exc
        finally:
            conn.close()
        if reply.status != 200:
            raise IppError(0x0500, f"HTTP {reply.status} from {self.host}:{self.port}")
        response = decode_response(data)
        if response.status >= 0x0100:  # client-error or server-error
            message = response.group(OPERATION).get("status-message") or ""
            raise IppError(response.status, f"IPP 0x{response.status:04x} {message}".strip())
        return response

    def printer_attributes(self, names: Iterable[str]) -> dict[str, Any]:
        return self.request(GET_PRINTER_ATTRIBUTES, [
            (KEYWORD, "requested-attributes", list(names))]).group(PRINTER)

    def print_job(self, document: bytes, job_name: str, document_format: str,
                  job_attrs: Iterable[Attr] = (), timeout_s: float | None = None
                  ) -> dict[str, Any]:
        return self.request(PRINT_JOB, [(NAME, "job-name", job_name),
                                        (MIME, "document-format", document_format)],
                            job_attrs, document, timeout_s).group(JOB)

    def job_attributes(self, job_id: int, names: Iterable[str]) -> dict[str, Any]:
        return self.request(GET_JOB_ATTRIBUTES, [
            (INTEGER, "job-id", job_id),
            (KEYWORD, "requested-attributes", list(names))]).group(JOB)

    def jobs(self, names: Iterable[str], which: str = "all") -> list[dict[str, Any]]:
        """Jobs of this printer (`which`: all, completed, not-completed), any user."""
        return self.request(GET_JOBS, [
            (KEYWORD, "which-jobs", which), (BOOLEAN, "my-jobs", False),
            (KEYWORD, "requested-attributes", list(names))]).all(JOB)

    def cancel_job(self, job_id: int) -> None:
        self.request(CANCEL_JOB, [(INTEGER, "job-id", job_id)])


def job_state(attrs: Mapping[str, Any]) -> str:
    state = attrs.get("job-state")
    return state if isinstance(state, str) else JOB_STATES.get(state or 0, "unknown")
