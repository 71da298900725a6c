"""The durable queue of everything the platform must receive exactly once.

An item is committed (WAL, synchronous=FULL: the WAL is fsynced at every commit) before
`enqueue` returns, so a receipt is printed only for an application that survives a crash or a
power cut. Each item carries an idempotency key the platform deduplicates on, so resending
after a crash between "sent" and "marked delivered" files nothing twice.

How long the citizen's data stays: the payload (sealed JSON of the exact request body) is kept
only while the outbox needs it. It is wiped in the same transaction that marks the item
delivered or discarded; `secure_delete` overwrites the freed bytes and a WAL checkpoint
(TRUNCATE) then drops the old frames, so the ciphertext leaves the files as well as the table.
A refused item keeps its payload until a staff member requeues it (after the cause is fixed)
or discards it: refusing must never silently lose an application. What stays after that is
metadata without personal data (kind, local reference, times, error kinds, the platform's
receipt number) until `prune` removes it.

Concurrency: one connection behind a lock. The UI thread enqueues and the sender thread marks
items; SQLite serialises writers anyway, every operation is a few milliseconds, and no HTTP
call ever happens under the lock. One connection keeps the transactions explicit and the
pragmas in one place. Other processes (the `kiosk outbox` CLI) open their own connection;
WAL lets them read while the kiosk writes, and busy_timeout makes writers wait their turn.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.faults import crash_point
from kiosk.logs import mask_text
from kiosk.outbox.errors import (DiskFull, DuplicateKey, InvalidTransition, ItemNotFound,
                                 OutboxError, PayloadGone, QueueFull, QueueRefused,
                                 StorageFailed, describe_error)
from kiosk.outbox import integrity
from kiosk.outbox.keyfile import OutboxKeyError
from kiosk.private_files import ensure_private_file, fsync_dir, make_private_dirs
from kiosk.outbox.sealing import Sealer, SealError, associated_data

log = logging.getLogger(__name__)

PENDING, DELIVERED, REFUSED, DISCARDED = "pending", "delivered", "refused", "discarded"
STATES = (PENDING, DELIVERED, REFUSED, DISCARDED)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 5000
MAX_BODY_BYTES = 64 * 1024 * 1024
MAX_RESULT_BYTES = 2048
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9-]{16,64}$")  # the contract's Idempotency-Key
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: read aloud at a counter
REFERENCE = re.compile(f"K[{_CROCKFORD}]{{8}}")  # what `_new_reference` makes
_KEY_CHECK = b"govkiosk outbox key check"

_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE items (
            id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: ids order the queue
            kind TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            reference TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'delivered', 'refused', 'discarded')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            last_attempt_at REAL,
            last_error_kind TEXT,
            last_error TEXT,
            result_json TEXT,
            payload BLOB,
            payload_bytes INTEGER NOT NULL,
            finished_at REAL,
            note TEXT,
            CHECK (payload IS NULL OR state IN ('pending', 'refused'))
        )""",
        "CREATE INDEX items_by_state ON items (state, id)",
        """CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
            at REAL NOT NULL,
            event TEXT NOT NULL,
            error_kind TEXT,
            detail TEXT
        )""",
        "CREATE INDEX history_by_item ON history (item_id)",
        "CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)",
    ),
}

_META_COLUMNS = ("id, kind, idempotency_key, reference, state, attempts, created_at, "
                 "next_attempt_at, last_attempt_at, last_error_kind, last_error, result_json, "
                 "payload_bytes, payload IS NOT NULL AS has_payload, finished_at, note")


@dataclass(frozen=True)
class QueuedItem:
    """What enqueue hands back once the item is durable: enough for the receipt."""

    id: int
    kind: str
    idempotency_key: str
    reference: str
    created_at: float


@dataclass(frozen=True)
class OutboxItem:
    """An item's metadata. The body is never part of it: `Outbox.open_body(item)` opens it."""

    id: int
    kind: str
    idempotency_key: str
    reference: str
    state: str
    attempts: int
    created_at: float
    next_attempt_at: float
    last_error_kind: str | None
    last_error: str | None
    result: dict[str, Any] | None
    payload_bytes: int = 0
    has_payload: bool = False
    last_attempt_at: float | None = None
    finished_at: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    refused: int
    delivered: int
    discarded: int
    oldest_pending_at: float | None
    next_attempt_at: float | None
    pending_payload_bytes: int
    last_error_kind: str | None
    last_error: str | None
    last_error_at: float | None
    last_error_item: int | None
    free_bytes: int


def _storage_errors(method: Callable[..., Any]) -> Callable[..., Any]:
    """Every SQLite error of a public method becomes the outbox's stable reason (DiskFull or
    StorageFailed): callers handle a fault of the disk or the file as a fault, with backoff,
    never as a raw sqlite3 exception that escapes them (issue 20 items 3 and 4)."""
    @functools.wraps(method)
    def wrapper(self: Outbox, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise _storage_error(exc, method.__name__) from None
    return wrapper


def _storage_error(exc: sqlite3.Error, operation: str) -> QueueRefused:
    outcome = "nothing was stored" if operation.startswith("enqueue") else \
        f"{operation}: nothing was changed"
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return DiskFull(f"the outbox database is full ({exc}); {outcome}")
    return StorageFailed(f"the outbox database failed ({type(exc).__name__}: {exc}); "
                         f"{outcome}")



class Outbox:
    def __init__(self, db_path: Path, key: bytes, *, max_items: int, min_free_mb: int,
                 clock: Callable[[], float] = time.time, max_db_bytes: int | None = None,
                 set_aside_damaged: bool = True, salvaging: bool = False) -> None:
        """`max_db_bytes`, if given, is a hard ceiling on the database file; reaching it is
        handled exactly like a full disk. A damaged file raises OutboxDamaged (kiosk/outbox/
        integrity.py), set aside unless `set_aside_damaged` is False (staff tools only look).
        `salvaging`: opened by staff to put back the items of a file set aside, which would
        otherwise keep this one closed (kiosk/outbox/salvage.py).
        `problem`: what opening found that staff must know (a WAL lost after a crash)."""
        self.db_path = Path(db_path)
        self.max_items = max_items
        self.min_free_bytes = min_free_mb * 1024 * 1024
        self._clock = clock
        self._sealer = Sealer(key)
        self._lock = threading.RLock()
        self._listeners: list[Callable[[], None]] = []
        integrity.check_file(self.db_path, set_aside=set_aside_damaged,
                             waiting_ok=salvaging)
        self._marker, self.problem = integrity.open_marker(self.db_path) \
            if self.db_path.parent.is_dir() else (None, None)
        try:
            self._conn = self._connect(max_db_bytes)
        except sqlite3.DatabaseError as exc:
            self._close_marker()
            integrity.refuse(self.db_path, f"does not open ({exc})",
                             set_aside=set_aside_damaged)
        try:
            integrity.check_integrity(self._conn, self.db_path, set_aside=set_aside_damaged)
            self._migrate()
            self._check_key()
        except BaseException:
            self._conn.close()
            self._close_marker()
            raise
        if self._marker is None:  # the directory was made by _connect
            self._marker, _ = integrity.open_marker(self.db_path)

    def _close_marker(self) -> None:
        if self._marker is not None:
            integrity.close_marker(self._marker)
            self._marker = None

    # -- opening -------------------------------------------------------------------------------

    def _connect(self, max_db_bytes: int | None) -> sqlite3.Connection:
        created = not self.db_path.exists()
        make_private_dirs(self.db_path.parent)
        ensure_private_file(self.db_path)
        for suffix in ("-wal", "-shm"):  # SQLite gives these the db file's mode when it makes them
            side = self.db_path.with_name(self.db_path.name + suffix)
            if side.exists():
                ensure_private_file(side)
        if created:
            fsync_dir(self.db_path.parent)
        conn = sqlite3.connect(self.db_path, isolation_level=None, check_same_thread=False,
                               timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA foreign_keys = ON")
            got = (mode, conn.execute("PRAGMA synchronous").fetchone()[0],
                   conn.execute("PRAGMA secure_delete").fetchone()[0],
                   conn.execute("PRAGMA foreign_keys").fetchone()[0])
            if got != ("wal", 2, 1, 1):
                raise OutboxError(f"{self.db_path}: SQLite refused the outbox settings "
                                  f"(journal_mode, synchronous, secure_delete, foreign_keys = {got})")
            if max_db_bytes is not None:
                page = conn.execute("PRAGMA page_size").fetchone()[0]
                conn.execute(f"PRAGMA max_page_count = {max(1, int(max_db_bytes) // page)}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _migrate(self) -> None:
        with self._write() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise OutboxError(f"{self.db_path} has outbox schema {version}, newer than this "
                                  f"software ({SCHEMA_VERSION}); refusing to touch it")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in _MIGRATIONS[step]:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {step}")

    def _check_key(self) -> None:
        """Refuse a key that did not seal this database's payloads (a regenerated key file).

        With no payload left there is nothing to lose, so the new key is simply adopted.
        """
        aad = b"meta:key_check"
        with self._write() as db:
            row = db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
            if row is not None:
                try:
                    if self._sealer.open(row["value"], aad) == _KEY_CHECK:
                        return
                except SealError:
                    pass
                held = db.execute("SELECT count(*) FROM items WHERE payload IS NOT NULL"
                                  ).fetchone()[0]
                if held:
                    raise OutboxKeyError(
                        f"the outbox key does not open {self.db_path}: {held} queued item(s) "
                        f"were sealed with another key. Restore the original key file, or "
                        f"move the database aside (its items cannot be sent)")
                log.warning("%s: outbox key changed while no payload was held; adopting it",
                            self.db_path)
            db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('key_check', ?)",
                       (self._sealer.seal(_KEY_CHECK, aad),))

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._close_marker()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def subscribe(self, callback: Callable[[], None]) -> None:
        """Call `callback` (no arguments, on the enqueuing thread) after each durable enqueue
        or requeue. Subscribing the same callback again is a no-op (a restarted Sender)."""
        if callback not in self._listeners:
            self._listeners.append(callback)

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def _write(self, step: str = "") -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: takes the write lock up front, so a reader never has to
        upgrade (an upgrade can fail with SQLITE_BUSY that busy_timeout does not retry).
        `step` names the crash points either side of the commit (kiosk.faults)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                if step:
                    crash_point(f"outbox.{step}.before_commit")
                self._conn.execute("COMMIT")
                if step:
                    crash_point(f"outbox.{step}.after_commit")
            except BaseException:
                if self._conn.in_transaction:
                    try:
                        self._conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        log.exception("%s: rollback failed", self.db_path)
                raise

    def _wipe_old_frames(self) -> None:
        """Checkpoint and truncate the WAL so wiped ciphertext does not linger in old frames.
        Best effort: with another process reading, the truncate waits for a later wipe.
        Under the lock: on the shared connection, a checkpoint started while another thread is
        inside a transaction fails (SQLITE_LOCKED) and the wipe would silently be skipped."""
        try:
            with self._lock:
                busy = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if busy:
                log.debug("%s: WAL checkpoint deferred (a reader is active)", self.db_path)
        except sqlite3.Error as exc:
            log.warning("%s: WAL checkpoint failed: %s", self.db_path, exc)

    # -- capacity and enqueue ------------------------------------------------------------------

    def free_bytes(self) -> int:
        st = os.statvfs(self.db_path.parent)
        return st.f_bavail * st.f_frsize

    @_storage_errors
    def check_capacity(self, expected_bytes: int = 0) -> None:
        """Raise QueueFull/DiskFull if a new item of about `expected_bytes` cannot be taken.
        Screens call this before the citizen starts, so nobody scans pages in vain."""
        with self._lock:
            depth = self.depth()
            if depth >= self.max_items:
                raise QueueFull(f"outbox holds {depth} pending items (limit {self.max_items})")
            free = self.free_bytes()
            if free - expected_bytes < self.min_free_bytes:
                raise DiskFull(f"{free // 2**20} MB free on the outbox disk, "
                               f"{(self.min_free_bytes + expected_bytes) // 2**20} MB needed")

    def enqueue(self, kind: str, body: Mapping[str, Any], *,
                idempotency_key: str | None = None) -> QueuedItem:
        """Store `body` (sealed) and return once the commit is durable."""
        key = str(uuid.uuid4()) if idempotency_key is None else idempotency_key
        return self.enqueue_sealed(kind, self.seal(kind, body, key), idempotency_key=key)

    def seal(self, kind: str, body: Mapping[str, Any], idempotency_key: str) -> bytes:
        """`body` sealed as the item (kind, idempotency_key) would hold it: for a record kept
        elsewhere until it is due (the print journal keeps a collection's, with the citizen's
        filing grant, until the certificate printed or a restart settles it)."""
        if not isinstance(kind, str) or not _KIND.match(kind):
            raise ValueError(f"outbox kind {kind!r} is not a short lowercase name")
        if not isinstance(body, Mapping):
            raise TypeError(f"outbox body must be a dict, got {type(body).__name__}")
        if not isinstance(idempotency_key, str) or not _IDEMPOTENCY_KEY.match(idempotency_key):
            raise ValueError("idempotency key must be 16-64 characters of [A-Za-z0-9-]")
        return self._sealer.seal(encode_body(body), associated_data(kind, idempotency_key))

    @_storage_errors
    def enqueue_sealed(self, kind: str, sealed: bytes, *, idempotency_key: str,
                       reference: str | None = None) -> QueuedItem:
        """Store a body `seal` made (it must open under this key, kind and idempotency key).
        `reference`: the one it was queued under before (an item salvaged from a damaged
        file keeps the reference on the citizen's receipt and sent to the platform)."""
        key = idempotency_key
        if reference is not None and not REFERENCE.fullmatch(reference):
            raise ValueError("not an outbox reference")
        if not isinstance(key, str) or not _IDEMPOTENCY_KEY.match(key):
            raise ValueError("idempotency key must be 16-64 characters of [A-Za-z0-9-]")
        plaintext = self._sealer.open(sealed, associated_data(kind, key))
        with self._lock:
            # Written to the WAL, then checkpointed into the database: about twice its size.
            self.check_capacity(expected_bytes=2 * len(sealed))
            now = self._clock()
            try:
                with self._write("enqueue") as db:
                    if db.execute("SELECT 1 FROM items WHERE idempotency_key = ?",
                                  (key,)).fetchone():
                        raise DuplicateKey("an outbox item with this idempotency key exists")
                    if reference is None or db.execute(
                            "SELECT 1 FROM items WHERE reference = ?", (reference,)).fetchone():
                        reference = self._new_reference(db)
                    item_id = db.execute(
                        "INSERT INTO items (kind, idempotency_key, reference, created_at, "
                        "next_attempt_at, payload, payload_bytes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (kind, key, reference, now, now, sealed, len(plaintext))).lastrowid
                    assert item_id is not None
                    self._history(db, item_id, now, "enqueued")
            except sqlite3.Error as exc:
                raise _storage_error(exc, "enqueue") from None
        log.info("outbox item %s (%s, %s) queued, %d bytes", item_id, reference, kind,
                 len(plaintext))
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:
                log.exception("outbox enqueue listener failed")
        return QueuedItem(item_id, kind, key, reference, now)

    @staticmethod
    def _new_reference(db: sqlite3.Connection) -> str:
        """"K" + 8 Crockford base32 characters (40 random bits): printed on the receipt before
        the platform's receipt number exists. Random rather than derived from the row id, so it
        stays unique when a database is recreated and tells nobody how busy the terminal is."""
        while True:
            n = secrets.randbits(40)
            reference = "K" + "".join(_CROCKFORD[(n >> s) & 31] for s in range(35, -1, -5))
            if not db.execute("SELECT 1 FROM items WHERE reference = ?", (reference,)).fetchone():
                return reference

    @staticmethod
    def _history(db: sqlite3.Connection, item_id: int, at: float, event: str,
                 error_kind: str | None = None, detail: str | None = None) -> None:
        db.execute("INSERT INTO history (item_id, at, event, error_kind, detail) "
                   "VALUES (?, ?, ?, ?, ?)", (item_id, at, event, error_kind, detail))

    # -- queries -------------------------------------------------------------------------------

    @_storage_errors
    def get(self, item_id: int) -> OutboxItem:
        with self._lock:
            row = self._conn.execute(f"SELECT {_META_COLUMNS} FROM items WHERE id = ?",
                                     (item_id,)).fetchone()
        if row is None:
            raise ItemNotFound(f"no outbox item {item_id}")
        return _item(row)

    @_storage_errors
    def find(self, reference: str) -> OutboxItem:
        """The item printed on a receipt as `reference` (staff look-up)."""
        with self._lock:
            row = self._conn.execute(f"SELECT {_META_COLUMNS} FROM items WHERE reference = ?",
                                     (reference.strip().upper(),)).fetchone()
        if row is None:
            raise ItemNotFound(f"no outbox item with reference {reference}")
        return _item(row)

    @_storage_errors
    def find_by_key(self, idempotency_key: str) -> OutboxItem:
        """The item queued under `idempotency_key` (a submit interrupted after its commit)."""
        with self._lock:
            row = self._conn.execute(f"SELECT {_META_COLUMNS} FROM items WHERE "
                                     f"idempotency_key = ?", (idempotency_key,)).fetchone()
        if row is None:
            raise ItemNotFound("no outbox item with this idempotency key")
        return _item(row)

    @_storage_errors
    def head(self) -> OutboxItem | None:
        """The oldest pending item, due or not: the queue's next item to send."""
        with self._lock:
            row = self._conn.execute(f"SELECT {_META_COLUMNS} FROM items WHERE state = ? "
                                     f"ORDER BY id LIMIT 1", (PENDING,)).fetchone()
        return None if row is None else _item(row)

    def next_due(self, now: float | None = None) -> OutboxItem | None:
        """The oldest pending item if it is due; None if the queue is empty or its head is
        backing off (later items wait behind it: order is kept).

        A clock set back after the last attempt makes the head due at once, so a wrong
        clock corrected backwards cannot park the queue for hours.
        """
        now = self._clock() if now is None else now
        item = self.head()
        return item if item is not None and is_due(item, now) else None

    @_storage_errors
    def pending(self) -> list[OutboxItem]:
        """Every pending item, oldest first (metadata only): what the sender's lanes choose
        from. Bounded by max_items, which check_capacity enforces before each enqueue."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {_META_COLUMNS} FROM items WHERE state = ? "
                                      f"ORDER BY id", (PENDING,)).fetchall()
        return [_item(r) for r in rows]

    @_storage_errors
    def stuck(self, queued_before: float) -> list[OutboxItem]:
        """Pending items queued before `queued_before` that were tried and failed: what staff
        must hear about (a head of line that keeps failing), oldest first."""
        with self._lock:
            rows = self._conn.execute(f"SELECT {_META_COLUMNS} FROM items WHERE state = ? "
                                      f"AND attempts > 0 AND created_at < ? ORDER BY id",
                                      (PENDING, queued_before)).fetchall()
        return [_item(r) for r in rows]

    @_storage_errors
    def application_with_receipt(self, receipt_no: str) -> str | None:
        """The reference of the delivered application the platform numbered `receipt_no`,
        if this outbox sent it (so later items about it keep its delivery order)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT reference FROM items WHERE kind = 'application' AND state = ? AND "
                "json_extract(result_json, '$.receipt_no') = ? ORDER BY id LIMIT 1",
                (DELIVERED, receipt_no)).fetchone()
        return None if row is None else row["reference"]

    @_storage_errors
    def items(self, states: Iterable[str] | None = None, limit: int = 100, *,
              newest_first: bool = False) -> list[OutboxItem]:
        """Metadata only, in queue order (or newest first)."""
        order = "DESC" if newest_first else "ASC"
        with self._lock:
            if states is None:
                rows = self._conn.execute(f"SELECT {_META_COLUMNS} FROM items ORDER BY id "
                                          f"{order} LIMIT ?", (limit,)).fetchall()
            else:
                wanted = tuple(states)
                unknown = set(wanted) - set(STATES)
                if unknown:
                    raise ValueError(f"unknown outbox state(s) {sorted(unknown)}")
                marks = ",".join("?" * len(wanted)) or "NULL"
                rows = self._conn.execute(f"SELECT {_META_COLUMNS} FROM items WHERE state IN "
                                          f"({marks}) ORDER BY id {order} LIMIT ?",
                                          (*wanted, limit)).fetchall()
        return [_item(r) for r in rows]

    @_storage_errors
    def depth(self) -> int:
        """Pending items: what max_items limits."""
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM items WHERE state = ?",
                                      (PENDING,)).fetchone()[0]

    @_storage_errors
    def stats(self) -> OutboxStats:
        with self._lock:
            counts = dict.fromkeys(STATES, 0)
            counts.update(self._conn.execute("SELECT state, count(*) FROM items GROUP BY state"
                                             ).fetchall())
            oldest, due, held = self._conn.execute(
                "SELECT min(created_at), (SELECT next_attempt_at FROM items WHERE state = ?1 "
                "ORDER BY id LIMIT 1), coalesce(sum(payload_bytes), 0) FROM items "
                "WHERE state = ?1", (PENDING,)).fetchone()
            last = self._conn.execute("SELECT item_id, at, error_kind, detail FROM history "
                                      "WHERE error_kind IS NOT NULL ORDER BY id DESC LIMIT 1"
                                      ).fetchone()
        return OutboxStats(
            pending=counts[PENDING], refused=counts[REFUSED], delivered=counts[DELIVERED],
            discarded=counts[DISCARDED], oldest_pending_at=oldest, next_attempt_at=due,
            pending_payload_bytes=held,
            last_error_kind=last["error_kind"] if last else None,
            last_error=last["detail"] if last else None,
            last_error_at=last["at"] if last else None,
            last_error_item=last["item_id"] if last else None,
            free_bytes=self.free_bytes())

    @_storage_errors
    def body_bytes(self, item: OutboxItem | int) -> bytes:
        """The exact JSON bytes enqueued (the same bytes at every attempt)."""
        item_id = item.id if isinstance(item, OutboxItem) else item
        with self._lock:
            row = self._conn.execute("SELECT kind, idempotency_key, payload FROM items "
                                     "WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise ItemNotFound(f"no outbox item {item_id}")
        if row["payload"] is None:
            raise PayloadGone(f"outbox item {item_id} no longer holds its payload")
        try:
            return self._sealer.open(row["payload"],
                                     associated_data(row["kind"], row["idempotency_key"]))
        except SealError as exc:
            raise SealError(f"outbox item {item_id}: {exc}") from None

    def open_body(self, item: OutboxItem | int) -> dict[str, Any]:
        return json.loads(self.body_bytes(item))

    # -- transitions ---------------------------------------------------------------------------

    def _state(self, db: sqlite3.Connection, item_id: int) -> str:
        row = db.execute("SELECT state FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise ItemNotFound(f"no outbox item {item_id}")
        return row["state"]

    @_storage_errors
    def mark_delivered(self, item_id: int, result: Mapping[str, Any]) -> None:
        """The platform took it: keep its small result, wipe the payload, same transaction.

        Accepted whatever the state (but delivered): if staff discarded the item while it was
        on the wire, the platform has it all the same, and the record must say so.
        """
        now = self._clock()
        with self._write("delivered") as db:
            state = self._state(db, item_id)
            if state == DELIVERED:
                return
            db.execute("UPDATE items SET state = ?, result_json = ?, payload = NULL, "
                       "attempts = attempts + 1, last_attempt_at = ?, finished_at = ? "
                       "WHERE id = ?", (DELIVERED, _result_json(result), now, now, item_id))
            self._history(db, item_id, now, "delivered",
                          detail=None if state == PENDING else f"was {state}")
        self._wipe_old_frames()

    @_storage_errors
    def mark_failed(self, item_id: int, error: BaseException, next_attempt_at: float) -> None:
        """A retryable failure: count the attempt, keep the payload, wait until next_attempt_at."""
        kind, detail = describe_error(error)
        now = self._clock()
        with self._write("failed") as db:
            state = self._state(db, item_id)
            if state != PENDING:
                raise InvalidTransition(f"outbox item {item_id} is {state}, not pending")
            db.execute("UPDATE items SET attempts = attempts + 1, last_attempt_at = ?, "
                       "next_attempt_at = ?, last_error_kind = ?, last_error = ? WHERE id = ?",
                       (now, next_attempt_at, kind, detail, item_id))
            self._history(db, item_id, now, "failed", kind, detail)

    @_storage_errors
    def mark_refused(self, item_id: int, error: BaseException) -> None:
        """The platform said no (or the payload cannot be opened): a person must look at it.
        The payload is kept so that a requeue after the fix sends the same request."""
        kind, detail = describe_error(error)
        now = self._clock()
        with self._write() as db:
            state = self._state(db, item_id)
            if state != PENDING:
                raise InvalidTransition(f"outbox item {item_id} is {state}, not pending")
            db.execute("UPDATE items SET state = ?, attempts = attempts + 1, "
                       "last_attempt_at = ?, last_error_kind = ?, last_error = ?, "
                       "finished_at = ? WHERE id = ?",
                       (REFUSED, now, kind, detail, now, item_id))
            self._history(db, item_id, now, "refused", kind, detail)

    @_storage_errors
    def requeue(self, item_id: int) -> OutboxItem:
        """Staff: send a refused item again (same idempotency key, attempts kept), or a
        pending item now rather than after its backoff."""
        now = self._clock()
        with self._write() as db:
            state = self._state(db, item_id)
            if state not in (PENDING, REFUSED):
                raise InvalidTransition(f"outbox item {item_id} is {state}: its payload is "
                                        f"gone, there is nothing to send")
            db.execute("UPDATE items SET state = ?, next_attempt_at = ?, finished_at = NULL "
                       "WHERE id = ?", (PENDING, now, item_id))
            self._history(db, item_id, now, "requeued", detail=f"was {state}")
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:
                log.exception("outbox enqueue listener failed")
        return self.get(item_id)

    @_storage_errors
    def discard(self, item_id: int, reason: str) -> OutboxItem:
        """Staff: give up on an item and wipe its payload. `reason` is kept (masked) for audit."""
        reason = mask_text(" ".join(str(reason).split()))[:200]
        if not reason:
            raise ValueError("a discard needs a reason")
        now = self._clock()
        with self._write() as db:
            state = self._state(db, item_id)
            if state not in (PENDING, REFUSED):
                raise InvalidTransition(f"outbox item {item_id} is already {state}")
            db.execute("UPDATE items SET state = ?, payload = NULL, finished_at = ?, note = ? "
                       "WHERE id = ?", (DISCARDED, now, reason, item_id))
            self._history(db, item_id, now, "discarded", detail=reason)
        self._wipe_old_frames()
        return self.get(item_id)

    @_storage_errors
    def prune(self, before: float) -> int:
        """Forget delivered and discarded items finished before `before` (with their history)."""
        with self._write() as db:
            count = db.execute("DELETE FROM items WHERE state IN (?, ?) AND finished_at < ?",
                               (DELIVERED, DISCARDED, before)).rowcount
        return count

    @_storage_errors
    def history(self, item_id: int) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute("SELECT at, event, error_kind, detail FROM history "
                                      "WHERE item_id = ? ORDER BY id", (item_id,)).fetchall()
        return [dict(r) for r in rows]


def is_due(item: OutboxItem, now: float) -> bool:
    """Due when its backoff is over, or at once when the clock was set back after its last
    attempt (a wrong clock corrected backwards must not park an item for hours)."""
    return item.next_attempt_at <= now or (item.last_attempt_at is not None
                                           and now < item.last_attempt_at)


def encode_body(body: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON, strict (no NaN): these exact bytes are what every attempt sends."""
    try:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise TypeError(f"outbox body is not plain JSON: {exc}") from None
    if len(data) > MAX_BODY_BYTES:
        raise ValueError(f"outbox body is {len(data)} bytes, more than {MAX_BODY_BYTES}")
    return data


def _result_json(result: Mapping[str, Any]) -> str | None:
    """Keep only short scalar fields (a receipt number, a status): a result that cannot be
    stored must never leave a delivered item pending, to be resent forever."""
    if not isinstance(result, Mapping):
        return None
    kept: dict[str, Any] = {}
    for name, value in result.items():
        if not isinstance(name, str) or len(name) > 64:
            continue
        if isinstance(value, str) and len(value) <= 200:
            kept[name] = value
        elif value is None or isinstance(value, (bool, int)) or (
                isinstance(value, float) and value == value and abs(value) != float("inf")):
            kept[name] = value
    text = json.dumps(kept, ensure_ascii=False)
    while len(text.encode()) > MAX_RESULT_BYTES and kept:
        kept.popitem()
        text = json.dumps(kept, ensure_ascii=False)
    return text


def _item(row: sqlite3.Row) -> OutboxItem:
    return OutboxItem(
        id=row["id"], kind=row["kind"], idempotency_key=row["idempotency_key"],
        reference=row["reference"], state=row["state"], attempts=row["attempts"],
        created_at=row["created_at"], next_attempt_at=row["next_attempt_at"],
        last_error_kind=row["last_error_kind"], last_error=row["last_error"],
        result=json.loads(row["result_json"]) if row["result_json"] else None,
        payload_bytes=row["payload_bytes"], has_payload=bool(row["has_payload"]),
        last_attempt_at=row["last_attempt_at"], finished_at=row["finished_at"],
        note=row["note"])
