"""The print journal: a print that was started is on disk before its first byte.

Why: the "print in progress" state used to live only in the citizen's session, so a kiosk
killed mid-certificate forgot it; after the restart the platform (told only after the printer
confirmed) still listed the certificate as not collected and it printed again as a first copy.

Each print is one row keyed by its printer action id, committed (WAL, synchronous=FULL) before
the job is handed to the printer:

    started ─► confirmed ─► recorded | queued        (the printer said "job done")
        │  └─► failed                                 (nothing or a cut-short piece: may retry)
        └────► outcome_unknown ─► queued              (killed, or the printer could not tell;
                                                       flagged `unknown` for staff for good)

A first print of a subject (certificate id) that is anything but `failed` blocks another first
print of it: a later copy is a reprint with its reason. Rows hold ids and states, no personal
data. `unresolved()` after a restart names what a killed process left behind.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk.private_files import ensure_private_file, make_private_dirs

STARTED, CONFIRMED, FAILED, UNKNOWN, QUEUED, RECORDED = (
    "started", "confirmed", "failed", "outcome_unknown", "queued", "recorded")
STATES = (STARTED, CONFIRMED, FAILED, UNKNOWN, QUEUED, RECORDED)

_SCHEMA = """CREATE TABLE IF NOT EXISTS prints (
    action_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    reprint_reason TEXT,
    state TEXT NOT NULL,
    started_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    unknown INTEGER NOT NULL DEFAULT 0,  -- the outcome was never known (kept once queued)
    detail TEXT,
    record BLOB  -- the platform record, sealed by the outbox; wiped once settled
);
CREATE INDEX IF NOT EXISTS prints_by_subject ON prints (kind, subject);
"""


class PrintJournalError(Exception):
    """The journal could not be written: nothing may be printed that must print once."""


@dataclass(frozen=True)
class PrintEntry:
    action_id: str
    kind: str
    subject: str
    idempotency_key: str
    reprint_reason: str | None
    state: str
    started_at: float
    updated_at: float
    unknown: int
    detail: str | None
    record: bytes | None  # sealed (kiosk.outbox.Outbox.seal): the citizen's filing grant

    @property
    def first_copy(self) -> bool:
        return self.reprint_reason is None


class PrintJournal:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.Lock()
        make_private_dirs(self.path.parent)
        ensure_private_file(self.path)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None,
                                         check_same_thread=False, timeout=5.0)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA secure_delete = ON")
            self._conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise PrintJournalError(f"print journal {self.path}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    yield self._conn
                    self._conn.execute("COMMIT")
                except BaseException:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                raise PrintJournalError(f"print journal {self.path}: {exc}") from None

    def begin(self, kind: str, subject: str, idempotency_key: str, action_id: str,
              reprint_reason: str | None, record: bytes | None = None) -> None:
        """Durably note that `action_id` is about to print (again, after a `failed` try);
        `record`: what to tell the platform if this process dies (sealed by the outbox)."""
        now = self._clock()
        with self._write() as db:
            db.execute("INSERT INTO prints (action_id, kind, subject, idempotency_key, "
                       "reprint_reason, state, started_at, updated_at, record) VALUES "
                       "(?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (action_id) DO UPDATE SET "
                       "state = excluded.state, updated_at = excluded.updated_at, detail = NULL, "
                       "unknown = 0, record = excluded.record",
                       (action_id, kind, subject, idempotency_key, reprint_reason, STARTED,
                        now, now, record))

    def mark(self, action_id: str, state: str, detail: str | None = None) -> None:
        """Move a print on; once `outcome_unknown`, it stays flagged so for staff."""
        if state not in STATES:
            raise ValueError(f"unknown print state {state!r}")
        with self._write() as db:
            db.execute("UPDATE prints SET state = ?, updated_at = ?, detail = ?, "
                       "unknown = CASE WHEN ? = ? THEN 1 ELSE unknown END, "
                       "record = CASE WHEN ? IN (?, ?, ?) THEN record END "
                       "WHERE action_id = ?", (state, self._clock(), detail, state, UNKNOWN,
                                               state, STARTED, CONFIRMED, UNKNOWN, action_id))

    def outcome_unknown(self, limit: int = 20) -> list[PrintEntry]:
        """Prints whose outcome nobody could tell (killed mid-job, printer silent), newest
        first: treated as printed, shown to staff."""
        return self._select("unknown = 1", (), limit)

    def get(self, action_id: str) -> PrintEntry | None:
        return next(iter(self._select("action_id = ?", (action_id,))), None)

    def first_print(self, kind: str, subject: str) -> PrintEntry | None:
        """The first copy of `subject` that may have come out (any state but `failed`)."""
        found = self._select("kind = ? AND subject = ? AND reprint_reason IS NULL AND "
                             "state != ?", (kind, subject, FAILED))
        return found[0] if found else None

    def unresolved(self) -> list[PrintEntry]:
        """Prints whose outcome was not yet settled with the platform: after a restart, what
        a killed process left (started or confirmed) and unknown outcomes not yet queued."""
        return self._select("state IN (?, ?, ?)", (STARTED, CONFIRMED, UNKNOWN))

    def entries(self, states: tuple[str, ...] = STATES, limit: int = 50) -> list[PrintEntry]:
        marks = ",".join("?" * len(states))
        return self._select(f"state IN ({marks})", states, limit)

    def _select(self, where: str, args: tuple[object, ...],
                limit: int = 1000) -> list[PrintEntry]:
        with self._lock:
            try:
                rows = self._conn.execute(
                    f"SELECT * FROM prints WHERE {where} ORDER BY started_at DESC LIMIT ?",
                    (*args, limit)).fetchall()
            except sqlite3.Error as exc:
                raise PrintJournalError(f"print journal {self.path}: {exc}") from None
        return [PrintEntry(**dict(r)) for r in rows]
