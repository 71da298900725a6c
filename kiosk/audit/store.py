"""The audit trail (全程留痕) in SQLite: append-only, hash-chained, HMAC-keyed.

Why SQLite rather than a JSONL file: an append is one transaction (WAL, synchronous=FULL), so a
power cut never leaves half a line; BEGIN IMMEDIATE serialises the UI and a staff command
appending at the same moment (each reads the tail hash and writes the next entry atomically);
and the columns can be queried by actor or action. Triggers refuse UPDATE and DELETE, which
stops the kiosk's own code, not an attacker with the file: the hash chain is what makes such a
change visible, and `export()` writes the same entries as JSONL that `verify_jsonl` checks
without this module's database.

The key is mandatory for writing: a trail opened without one can be read and its hashes
checked, never appended to. The path must be a regular file (or none yet) in a real directory:
`/dev/null`, a symlink or a directory is refused, since a trail there would keep nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from kiosk.audit.chain import VerifyResult, verify_entries
from kiosk.audit.entry import GENESIS, AuditEntry, AuditError, make_entry

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq        INTEGER PRIMARY KEY,
    time       TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    action     TEXT NOT NULL,
    details    TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL,
    mac        TEXT
);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
_COLUMNS = "seq, time, actor_kind, actor_id, action, details, prev_hash, hash, mac"


def _set_wal(db: sqlite3.Connection, wait_s: float = 10.0) -> None:
    """Switch to WAL. Two processes opening a new trail at once: the switch answers "locked"
    at once instead of waiting for the busy timeout, so it is tried again for a while."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _row_entry(row: tuple) -> AuditEntry:
    seq, when, kind, actor, action, details, prev, digest, mac = row
    try:
        parsed = json.loads(details)
    except ValueError:
        parsed = details  # a damaged row: verify reports it as edited
    return AuditEntry(seq, when, kind, actor, action, parsed, prev, digest, mac)


def check_place(path: Path) -> None:
    """AuditError unless `path` is a regular file, or nothing yet, in a real directory."""
    parent = path.parent
    if parent.is_symlink() or (parent.exists() and not parent.is_dir()):
        raise AuditError(f"the audit trail's directory {parent} is not a real directory")
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise AuditError(f"cannot look at the audit trail {path}: {exc.strerror}") from exc
    if not stat.S_ISREG(mode):
        raise AuditError(f"the audit trail {path} is not a regular file: it would keep nothing")


class AuditTrail:
    """Open (creating it) the trail at `path`. `key` (32+ bytes) is needed to append: every
    entry carries its MAC. Without it the trail is read-only (verify checks hashes only)."""

    def __init__(self, path: str | Path, *, key: bytes | None = None,
                 clock: Callable[[], float] = time.time, create: bool = True) -> None:
        self.path = Path(path)
        check_place(self.path)
        if not create and not self.path.exists():
            raise AuditError(f"no audit trail at {self.path}")
        if key is not None and len(key) < 32:
            raise AuditError("the audit HMAC key must have at least 32 bytes")
        self._key, self._clock, self._lock = key, clock, threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        try:
            self._db = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                       check_same_thread=False)
            _set_wal(self._db)
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise AuditError(f"cannot open the audit trail {self.path}: {exc}") from exc
        if new:  # staff may read the trail as another user: only its creator sets the mode
            os.chmod(self.path, 0o640)

    @property
    def keyed(self) -> bool:
        return self._key is not None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "AuditTrail":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def append(self, actor_kind: str, actor_id: str, action: str,
               details: dict[str, Any] | None = None) -> AuditEntry:
        """Record who did what. ValueError for personal data or a malformed actor/action;
        AuditError when the disk refuses or there is no key (the caller decides what then)."""
        if self._key is None:
            raise AuditError("the audit trail is keyed: opened without its key, it is read-only")
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    tail = self._db.execute(
                        "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                    seq, prev = (tail[0] + 1, tail[1]) if tail else (1, GENESIS)
                    entry = make_entry(seq, self._clock(), actor_kind, actor_id, action, details,
                                       prev, self._key)
                    self._db.execute(
                        f"INSERT INTO audit ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",
                        (entry.seq, entry.time, entry.actor_kind, entry.actor_id, entry.action,
                         json.dumps(entry.details, ensure_ascii=False, sort_keys=True),
                         entry.prev_hash, entry.hash, entry.mac))
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise AuditError(f"cannot append to the audit trail: {exc}") from exc
        return entry

    def entries(self, since_seq: int = 1) -> Iterator[AuditEntry]:
        """Entries in storage order (rowid), which is what verify must look at."""
        cursor = self._db.execute(f"SELECT {_COLUMNS} FROM audit WHERE seq >= ? ORDER BY rowid",
                                  (since_seq,))
        for row in cursor:
            yield _row_entry(row)

    def head(self) -> tuple[int, str] | None:
        """(seq, hash) of the last entry: the anchor to keep elsewhere (heartbeat, staff note)."""
        row = self._db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

    def verify(self, *, anchor: tuple[int, str] | None = None) -> VerifyResult:
        return verify_entries(self.entries(), key=self._key, anchor=anchor)

    def export(self, out: IO[str], since_seq: int = 1) -> int:
        """Write entries as JSONL (one canonical JSON object a line); return how many."""
        count = 0
        for entry in self.entries(since_seq):
            out.write(entry.to_json() + "\n")
            count += 1
        out.flush()
        return count


def read_jsonl(lines: IO[str]) -> Iterator[AuditEntry]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield AuditEntry.from_dict(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise AuditError(f"line {number} is not an audit entry: {exc}") from exc


def verify_jsonl(path: str | Path, *, key: bytes | None = None,
                 anchor: tuple[int, str] | None = None, partial: bool = False) -> VerifyResult:
    """Check an export on its own (no database needed: any auditor's copy)."""
    with open(path, encoding="utf-8") as lines:
        return verify_entries(read_jsonl(lines), key=key, anchor=anchor, partial=partial)
