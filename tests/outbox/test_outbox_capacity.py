"""A full queue or a full disk turns the citizen away before anything is stored, with a
reason code the screen translates."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kiosk.outbox import (DiskFull, Outbox, QueueFull, QueueRefused, StorageFailed)
from kiosk.outbox import store

from tests.outbox.conftest import citizen_body


def stored_rows(db_path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(db_path)
    try:
        return (conn.execute("SELECT count(*) FROM items").fetchone()[0],
                conn.execute("SELECT count(*) FROM history").fetchone()[0])
    finally:
        conn.close()


def test_reason_codes_are_stable() -> None:
    """Screens key their translations on these: changing one is a contract change."""
    assert (QueueRefused.reason, QueueFull.reason, DiskFull.reason, StorageFailed.reason) == (
        "refused", "queue_full", "disk_full", "storage_failed")
    for cls in (QueueFull, DiskFull, StorageFailed):
        assert issubclass(cls, QueueRefused)


def test_queue_full_at_max_items(db_path: Path, make_outbox) -> None:
    outbox = make_outbox(max_items=3)
    ids = [outbox.enqueue("apply", {"n": i}).id for i in range(3)]
    before = stored_rows(db_path)
    with pytest.raises(QueueFull) as info:
        outbox.enqueue("apply", citizen_body())
    assert info.value.reason == "queue_full" and "limit 3" in info.value.message
    with pytest.raises(QueueFull):
        outbox.check_capacity()  # what a screen asks before the citizen starts
    assert stored_rows(db_path) == before
    outbox.mark_delivered(ids[0], {})  # only pending items count
    outbox.enqueue("apply", {"n": 3})
    with pytest.raises(QueueFull):
        outbox.enqueue("apply", {"n": 4})


def test_disk_full_when_free_space_is_below_the_floor(db_path: Path, make_outbox) -> None:
    outbox = make_outbox()
    outbox.enqueue("apply", {"n": 0})
    before = stored_rows(db_path)
    free_mb = outbox.free_bytes() // 2**20
    tight = make_outbox(min_free_mb=free_mb + 1024)
    with pytest.raises(DiskFull) as info:
        tight.enqueue("apply", citizen_body())
    assert info.value.reason == "disk_full" and "MB free" in info.value.message
    with pytest.raises(DiskFull):
        tight.check_capacity()
    assert stored_rows(db_path) == before


def test_disk_full_counts_the_item_itself(db_path: Path, make_outbox) -> None:
    probe = make_outbox()
    free_mb = probe.free_bytes() // 2**20
    outbox = make_outbox(min_free_mb=max(1, free_mb - 200))  # about 200 MB of headroom left
    outbox.check_capacity()
    with pytest.raises(DiskFull):
        outbox.check_capacity(expected_bytes=1024 * 2**20)


def test_disk_full_when_the_database_reaches_its_ceiling(db_path: Path, make_outbox) -> None:
    outbox = make_outbox(max_db_bytes=200_000)
    small = outbox.enqueue("apply", {"n": 1})
    before = stored_rows(db_path)
    with pytest.raises(DiskFull) as info:
        outbox.enqueue("apply", citizen_body(pages=2))  # ~300 KB sealed
    assert info.value.reason == "disk_full" and "nothing was stored" in info.value.message
    assert stored_rows(db_path) == before
    assert outbox.depth() == 1 and outbox.open_body(small.id) == {"n": 1}
    outbox.enqueue("apply", {"n": 2})  # the connection is still usable after SQLITE_FULL


def test_storage_failure_is_a_refusal_that_stores_nothing(db_path: Path, make_outbox,
                                                         monkeypatch) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 200)  # do not wait 5 s for the lock
    outbox = make_outbox()
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(StorageFailed) as info:
            outbox.enqueue("apply", citizen_body())
        assert info.value.reason == "storage_failed" and "locked" in info.value.message
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert stored_rows(db_path) == (0, 0)
    outbox.enqueue("apply", {"n": 1})
    assert outbox.depth() == 1


def test_refusal_messages_never_quote_the_body(make_outbox) -> None:
    outbox = make_outbox(max_items=1)
    outbox.enqueue("apply", {"n": 0})
    body = citizen_body()
    with pytest.raises(QueueRefused) as info:
        outbox.enqueue("apply", body)
    assert body["applicant"]["id_number"] not in str(info.value)


def test_files_are_private(db_path: Path, outbox: Outbox) -> None:
    outbox.enqueue("apply", {"n": 1})
    assert (db_path.parent.stat().st_mode & 0o777) == 0o700
    for suffix in ("", "-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            assert (side.stat().st_mode & 0o077) == 0, side
