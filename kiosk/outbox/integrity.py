"""Whether an outbox file may be opened at all, and what an unclean stop left.

Why: SQLite opens a 0-byte file as an empty database, so a queue emptied by a fault used to
start again as an empty queue with no word to anyone; a truncated or damaged file raised raw
errors (or, in a damaged index, reported too few items). Here a file that is empty, not a
database, or fails `PRAGMA integrity_check` (a truncated one does) is refused and
renamed aside (`<name>.damaged-<time>`, with its -wal and -shm) for staff; while such a file
is there, no fresh outbox starts beside it (staff decide: recover it, then remove it).

An unclean stop is seen by a marker file per process (`<name>.open-<pid>`) removed on close:
a marker of a dead process with no -wal file beside the database means the WAL, which holds
the newest commits after a crash, was lost; that is reported (the database itself is
consistent, only older).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path

from kiosk.outbox.errors import OutboxDamaged
from kiosk.private_files import fsync_dir

log = logging.getLogger(__name__)

HEADER = b"SQLite format 3\x00"
SIDE = ("-wal", "-shm")


def set_aside_files(db_path: Path) -> list[Path]:
    return sorted(db_path.parent.glob(db_path.name + ".damaged-*"))


def check_file(db_path: Path, *, set_aside: bool, waiting_ok: bool = False) -> None:
    """Raise OutboxDamaged if a set-aside file waits (unless `waiting_ok`: staff salvaging
    it), or the file is empty or not SQLite."""
    waiting = [p for p in set_aside_files(db_path) if not p.name.endswith(SIDE)]
    if waiting and not waiting_ok:
        raise OutboxDamaged(f"a damaged outbox waits for staff at {waiting[0]}: recover its "
                            f"items, then remove it", [str(p) for p in waiting])
    if not db_path.exists():
        return
    size = db_path.stat().st_size
    with open(db_path, "rb") as f:
        header = f.read(100)
    if size == 0:
        why = "is empty (0 bytes)"
    elif len(header) < 100 or not header.startswith(HEADER):
        why = "is not an SQLite database (truncated or overwritten header)"
    else:
        # A file shorter than its header says is left to integrity_check: read raw, the size
        # races a checkpoint of another process (page 1 is written before the file grows).
        why = ""
    if why:
        refuse(db_path, why, set_aside=set_aside)


def check_integrity(conn: sqlite3.Connection, db_path: Path, *, set_aside: bool) -> None:
    """PRAGMA integrity_check: anything but "ok" refuses the file (conn is closed)."""
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)").fetchall()]
    except sqlite3.DatabaseError as exc:
        rows = [f"{type(exc).__name__}: {exc}"]
    if rows != ["ok"]:
        conn.close()
        refuse(db_path, f"fails PRAGMA integrity_check ({'; '.join(map(str, rows))[:300]})",
               set_aside=set_aside)


def refuse(db_path: Path, why: str, *, set_aside: bool) -> None:
    """Log, set the file aside (the kiosk's own opening only), raise OutboxDamaged."""
    moved: list[str] = []
    if set_aside:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for suffix in ("", *SIDE):
            source = db_path.with_name(db_path.name + suffix)
            if source.exists():
                target = db_path.with_name(f"{db_path.name}.damaged-{stamp}{suffix}")
                os.replace(source, target)
                moved.append(str(target))
        fsync_dir(db_path.parent)
    where = f"; set aside for staff as {moved[0]}" if moved else ""
    log.error("outbox %s %s: refused, not opened as an empty queue%s", db_path, why, where)
    raise OutboxDamaged(f"the outbox {db_path} {why}{where}", moved)


def open_marker(db_path: Path) -> tuple[Path, str | None]:
    """Mark this process's use of the outbox; (marker, problem): a lost WAL after a dead
    process's unclean stop. Call before connecting (SQLite removes a WAL it recovered only at
    a clean close, so a dead process's WAL is still there unless something removed it)."""
    problem = None
    stale = [m for m in db_path.parent.glob(db_path.name + ".open-*")
             if not _alive(m.name.rsplit("-", 1)[-1])]
    wal = db_path.with_name(db_path.name + "-wal")
    if stale and db_path.exists() and not wal.exists():
        problem = ("the outbox's WAL file was missing after an unclean stop: what was "
                   "committed just before the stop may be lost")
        log.error("outbox %s: %s", db_path, problem)
    marker = db_path.with_name(f"{db_path.name}.open-{os.getpid()}")
    marker.touch(mode=0o600)
    _opened[marker] = _opened.get(marker, 0) + 1
    fsync_dir(db_path.parent)
    for m in stale:
        m.unlink(missing_ok=True)  # this open recovers (or reports) what that process left
    return marker, problem


def close_marker(marker: Path) -> None:
    """A clean close: the last outbox of this process on that file removes the marker."""
    _opened[marker] = _opened.get(marker, 1) - 1
    if _opened[marker] <= 0:
        _opened.pop(marker, None)
        marker.unlink(missing_ok=True)


_opened: dict[Path, int] = {}


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True  # another outbox of this process
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
