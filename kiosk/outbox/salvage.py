"""Putting back what can be read of an outbox file set aside as damaged (`kiosk outbox salvage`).

Why: a damaged outbox is refused and renamed `<name>.damaged-<time>` rather than opened as an
empty queue (integrity.py), and the terminal sends nothing until staff deal with it. The
applications in it are citizens' filings: whatever rows still read are put back in the live
queue, each under its own idempotency key and receipt reference, so one the platform already
filed is answered as a replay, never filed twice, and one already back in the queue is left
alone.

How it reads: on a private copy (the set-aside file stays as it was, evidence for staff), cut
to whole pages if the file was cut short, the whole table first; if that fails, row by row by
id, so a damaged page costs the rows on it and not the rest. A row counts only if its payload opens under this terminal's key, bound to
its kind and idempotency key: a row whose bytes were damaged cannot smuggle in another body.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.outbox.errors import DuplicateKey
from kiosk.outbox.integrity import HEADER
from kiosk.outbox.sealing import SealError
from kiosk.outbox.store import REFERENCE, Outbox

log = logging.getLogger(__name__)

_COLUMNS = "id, kind, idempotency_key, reference, state, payload"
MAX_ROW_SCAN = 200_000  # ids tried one by one when the table's size cannot be read


@dataclass(frozen=True)
class FoundItem:
    id: int
    kind: str
    idempotency_key: str
    reference: str
    state: str
    payload: bytes


@dataclass
class Reading:
    items: list[FoundItem] = field(default_factory=list)  # sendable rows, in queue order
    finished: int = 0  # delivered or discarded rows: nothing left to send
    bad_rows: int = 0  # rows that did not read
    readable: bool = True  # False: not even the schema reads (empty, header gone)


@dataclass
class SalvageReport:
    queued: list[str] = field(default_factory=list)  # references put back in the queue
    present: list[str] = field(default_factory=list)  # already queued (same idempotency key)
    unopened: list[str] = field(default_factory=list)  # payload did not open: damaged bytes
    finished: int = 0
    bad_rows: int = 0
    readable: bool = True


def read_damaged(path: Path) -> Reading:
    """Every row of `path` that reads, from a private copy (with its -wal, if kept)."""
    with tempfile.TemporaryDirectory(prefix="outbox-salvage-") as tmp:
        copy = Path(tmp) / "outbox.sqlite3"
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        _whole_pages(copy)
        conn = sqlite3.connect(copy)
        try:
            return _read(conn)
        finally:
            conn.close()


def _whole_pages(copy: Path) -> None:
    """A file cut short mid-page (a truncated copy, a disk that lost its tail) does not open at
    all: SQLite calls it malformed before reading a row. Cut the copy to its whole pages and
    say so in the header's page count; the pages that are left then read."""
    data = bytearray(copy.read_bytes())
    if len(data) < 100 or not data.startswith(HEADER):
        return
    page = int.from_bytes(data[16:18], "big")
    page = 65536 if page == 1 else page
    if page < 512 or page & (page - 1):
        return
    pages = len(data) // page
    if pages * page == len(data) and int.from_bytes(data[28:32], "big") <= pages:
        return
    del data[pages * page:]
    data[28:32] = pages.to_bytes(4, "big")
    copy.write_bytes(bytes(data))


def _read(conn: sqlite3.Connection) -> Reading:
    reading = Reading()
    try:
        table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                             "name = 'items'").fetchone()
    except sqlite3.DatabaseError as exc:
        table, why = None, str(exc)
    else:
        why = "no outbox table in it (empty, or its first page is gone)"
    if table is None:
        log.warning("salvage: the file does not read as an outbox: %s", why)
        reading.readable = False
        return reading
    try:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM items ORDER BY id").fetchall()
    except sqlite3.DatabaseError as exc:
        log.warning("salvage: the table does not read whole (%s); reading row by row", exc)
        rows = _row_by_row(conn, reading)
    for row in rows:
        _take(row, reading)
    return reading


def _row_by_row(conn: sqlite3.Connection, reading: Reading) -> list[tuple]:
    """Each id on its own (the table's b-tree by rowid; a damaged index does not matter)."""
    last = _last_id(conn)
    rows, misses = [], 0
    for item_id in range(1, (last or MAX_ROW_SCAN) + 1):
        try:
            row = conn.execute(f"SELECT {_COLUMNS} FROM items WHERE id = ?",
                               (item_id,)).fetchone()
        except sqlite3.DatabaseError:
            reading.bad_rows += 1
            continue
        if row is not None:
            rows.append(row)
            misses = 0
        elif last is None:
            misses += 1
            if misses > 10_000 and rows:  # far past the last row that read
                break
    return rows


def _last_id(conn: sqlite3.Connection) -> int | None:
    for query in ("SELECT seq FROM sqlite_sequence WHERE name = 'items'",
                  "SELECT max(id) FROM items"):
        try:
            row = conn.execute(query).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None and isinstance(row[0], int):
            return row[0]
    return None


def _take(row: tuple, reading: Reading) -> None:
    item_id, kind, key, reference, state, payload = row
    if payload is None:  # delivered or discarded (only pending and refused rows hold one)
        reading.finished += 1
        return
    if not (isinstance(kind, str) and isinstance(key, str) and isinstance(payload, bytes)):
        reading.bad_rows += 1
        return
    reading.items.append(FoundItem(item_id, kind, key,
                                   reference if isinstance(reference, str) else "",
                                   state, payload))


def put_back(outbox: Outbox, reading: Reading) -> SalvageReport:
    """Queue every item read (pending, in their old order) that the live outbox lacks."""
    report = SalvageReport(finished=reading.finished, bad_rows=reading.bad_rows,
                           readable=reading.readable)
    for item in reading.items:
        reference = item.reference if REFERENCE.fullmatch(item.reference) else None
        try:
            queued = outbox.enqueue_sealed(item.kind, item.payload,
                                           idempotency_key=item.idempotency_key,
                                           reference=reference)
        except DuplicateKey:
            report.present.append(item.reference)
        except (SealError, ValueError):
            report.unopened.append(item.reference or f"#{item.id}")
        else:
            report.queued.append(queued.reference)
    return report


def set_aside_as_salvaged(path: Path) -> Path:
    """Rename the damaged file (and its -wal/-shm) out of the way: the kiosk opens its outbox
    again. Kept, not deleted: staff remove it when they are sure."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    base = path.name.split(".damaged-")[0]
    target = path.with_name(f"{base}.salvaged-{stamp}")
    for suffix in ("-wal", "-shm", ""):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.replace(target.with_name(target.name + suffix))
    return target
