"""The audit signer: the one process that holds the trail's key and writes the trail.

Why a process of its own (`kiosk audit serve`, user kiosk-audit, systemd/kiosk-audit.service):
an escaped UI that held the key could rewrite the trail and re-MAC every entry. Here the UI and
staff commands only ask: they send (actor, action, details) over a unix socket and get back the
entry's seq and hash; the signer numbers, hashes, MACs and commits it. The UI can neither read
the key nor write the database (both in the signer's private state directory).

Protocol: one JSON object a line each way. Requests: {"op": "append", "actor_kind",
"actor_id", "action", "details"}, {"op": "head"}, {"op": "entries", "since": n} (a page of at
most PAGE), {"op": "verify"}. Answers: {"ok": true, ...} or {"ok": false, "error": "invalid"
(personal data, malformed actor: ValueError) | "refused" (the trail failed: AuditError),
"message"}.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import stat
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, NamedTuple

from kiosk.audit.chain import VerifyResult
from kiosk.audit.entry import AuditEntry, AuditError
from kiosk.audit.store import AuditTrail

log = logging.getLogger(__name__)
MAX_LINE = 64 * 1024
PAGE = 1000
TIMEOUT_S = 2.0


def _answer(trail: AuditTrail, request: dict[str, Any]) -> dict[str, Any]:
    op = request.get("op")
    try:
        if op == "append":
            details = request.get("details")
            if details is not None and not isinstance(details, dict):
                raise ValueError("details must be an object")
            entry = trail.append(str(request["actor_kind"]), str(request["actor_id"]),
                                 str(request["action"]), details)
            return {"ok": True, "seq": entry.seq, "hash": entry.hash}
        if op == "head":
            return {"ok": True, "head": trail.head()}
        if op == "entries":
            since = max(1, int(request.get("since", 1)))
            page = [json.loads(e.to_json()) for e, _ in zip(trail.entries(since), range(PAGE))]
            return {"ok": True, "entries": page}
        if op == "verify":
            return {"ok": True, "result": asdict(trail.verify())}
        return {"ok": False, "error": "invalid", "message": f"unknown op {op!r}"}
    except (ValueError, KeyError, TypeError) as exc:
        return {"ok": False, "error": "invalid", "message": str(exc)[:300]}
    except AuditError as exc:
        log.error("audit signer: %s", exc)
        return {"ok": False, "error": "refused", "message": str(exc)[:300]}


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        trail: AuditTrail = self.server.trail  # type: ignore[attr-defined]
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            if not line:
                return
            if len(line) > MAX_LINE or not line.endswith(b"\n"):
                self._send({"ok": False, "error": "invalid", "message": "line too long"})
                return
            try:
                request = json.loads(line)
            except ValueError:
                self._send({"ok": False, "error": "invalid", "message": "not JSON"})
                return
            self._send(_answer(trail, request) if isinstance(request, dict)
                       else {"ok": False, "error": "invalid", "message": "not an object"})

    def _send(self, answer: dict[str, Any]) -> None:
        self.wfile.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")


class SignerServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, socket_path: str | Path, trail: AuditTrail) -> None:
        path = Path(socket_path)
        try:
            if stat.S_ISSOCK(path.lstat().st_mode):
                path.unlink()  # a stale socket of a signer that died
        except FileNotFoundError:
            pass
        self.trail = trail
        old = os.umask(0o117)  # the socket is born 0660: the signer's user and group only
        try:
            super().__init__(str(path), _Handler)
        finally:
            os.umask(old)


class Appended(NamedTuple):
    """What an append through the signer gives back (an AuditEntry has the same two fields)."""

    seq: int
    hash: str


class SignerClient:
    """The trail as the UI and staff commands see it: append and read through the signer.
    Thread-safe; one connection, made again once if the signer restarted."""

    keyed = True

    def __init__(self, socket_path: str | Path, timeout_s: float = TIMEOUT_S) -> None:
        self.path = Path(socket_path)
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._file: Any = None
        self._call({"op": "head"})  # fails now, not at the first citizen, if nobody answers

    def _connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.settimeout(self.timeout_s)
        try:
            sock.connect(str(self.path))
        except OSError:
            sock.close()
            raise
        self._sock, self._file = sock, sock.makefile("rwb")

    def _drop(self) -> None:
        for closable in (self._file, self._sock):
            if closable is not None:
                try:
                    closable.close()
                except OSError:
                    pass
        self._sock = self._file = None

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        data = json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n"
        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._sock is None:
                        self._connect()
                    self._file.write(data)
                    self._file.flush()
                    line = self._file.readline(MAX_LINE * 64)
                    if not line:
                        raise ConnectionResetError("the signer closed the connection")
                    answer = json.loads(line)
                    break
                except (OSError, ValueError) as exc:
                    self._drop()
                    if attempt == 2 or request["op"] == "append" and not isinstance(
                            exc, (BrokenPipeError, ConnectionResetError)):
                        raise AuditError(f"the audit signer at {self.path} does not answer: "
                                         f"{type(exc).__name__}") from exc
        if answer.get("ok"):
            return answer
        if answer.get("error") == "invalid":
            raise ValueError(answer.get("message", "refused by the audit signer"))
        raise AuditError(answer.get("message", "refused by the audit signer"))

    def append(self, actor_kind: str, actor_id: str, action: str,
               details: dict[str, Any] | None = None) -> Appended:
        """Seq and hash of the entry the signer wrote."""
        answer = self._call({"op": "append", "actor_kind": actor_kind, "actor_id": actor_id,
                             "action": action, "details": details})
        return Appended(answer["seq"], answer["hash"])

    def head(self) -> tuple[int, str] | None:
        head = self._call({"op": "head"})["head"]
        return (head[0], head[1]) if head else None

    def entries(self, since_seq: int = 1) -> Iterator[AuditEntry]:
        while True:
            page = self._call({"op": "entries", "since": since_seq})["entries"]
            for data in page:
                yield AuditEntry.from_dict(data)
            if len(page) < PAGE:
                return
            since_seq = page[-1]["seq"] + 1

    def verify(self) -> VerifyResult:
        return VerifyResult(**self._call({"op": "verify"})["result"])

    def close(self) -> None:
        with self._lock:
            self._drop()

    def __enter__(self) -> "SignerClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
