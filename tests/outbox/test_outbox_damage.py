"""Issue 20 item 4: a damaged outbox file is refused and reported, never opened as an empty
(or shrunken) queue; the terminal's platform link then says why instead of raising; a WAL lost
after a crash is reported. Real SQLite files, damaged the way disks and people damage them,
and a real SIGKILL of a real child process."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import KioskConfig
from kiosk.config.schema import OutboxConfig, PlatformConfig, TerminalConfig
from kiosk.outbox import Outbox, OutboxDamaged, OutboxKeyError, StorageFailed
from kiosk.platform_link import LinkUnavailable, PlatformLink
from tests.outbox.conftest import citizen_body

ITEMS = 20
ROOT = Path(__file__).resolve().parents[2]


def filled(db: Path, key: bytes) -> list[str]:
    """An outbox holding ITEMS pending applications, closed cleanly; their references."""
    with Outbox(db, key, max_items=1000, min_free_mb=1) as outbox:
        refs = [outbox.enqueue("application", citizen_body()).reference for _ in range(ITEMS)]
    assert not db.with_name(db.name + "-wal").exists()  # a clean close checkpoints it away
    return refs


def set_aside(db: Path) -> list[Path]:
    return sorted(db.parent.glob(db.name + ".damaged-*"))


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage_header"])
def test_a_damaged_file_is_refused_set_aside_and_not_emptied(tmp_path: Path, key: bytes,
                                                             damage: str) -> None:
    db = tmp_path / "outbox.sqlite3"
    filled(db, key)
    original = db.read_bytes()
    if damage == "empty":
        db.write_bytes(b"")
    elif damage == "truncated":
        db.write_bytes(original[: len(original) // 2])
    else:
        db.write_bytes(b"\0" * 100 + original[100:])
    damaged = db.read_bytes()
    with pytest.raises(OutboxDamaged) as refused:
        Outbox(db, key, max_items=1000, min_free_mb=1)
    (aside,) = set_aside(db)
    assert refused.value.set_aside == [str(aside)] and aside.read_bytes() == damaged
    assert not db.exists()
    # and no fresh, empty queue starts beside it until staff have dealt with it
    with pytest.raises(OutboxDamaged, match="waits for staff"):
        Outbox(db, key, max_items=1000, min_free_mb=1)
    assert not db.exists()


def test_random_bit_flips_never_open_as_a_shorter_queue(tmp_path: Path, key: bytes) -> None:
    pristine = tmp_path / "pristine.sqlite3"
    filled(pristine, key)
    data = pristine.read_bytes()
    rng = random.Random(20)
    refused = opened = 0
    for trial in range(300):
        where = tmp_path / f"t{trial}"
        where.mkdir()
        db = where / "outbox.sqlite3"
        flipped = bytearray(data)
        at = rng.randrange(len(flipped))
        flipped[at] ^= 1 << rng.randrange(8)
        db.write_bytes(bytes(flipped))
        try:
            outbox = Outbox(db, key, max_items=1000, min_free_mb=1)
        except (OutboxDamaged, OutboxKeyError):  # refused, with the reason (a flipped key check)
            refused += 1
            continue
        with outbox:
            try:
                seen = (outbox.depth(), len(outbox.items(["pending"], limit=1000)))
            except StorageFailed:
                refused += 1  # damage found on first use: the stable reason, not a raw error
                continue
            opened += 1
            assert seen == (ITEMS, ITEMS), f"trial {trial}: byte {at} flipped, {seen} pending"
        shutil.rmtree(where)
    print(f"300 bit flips: {refused} refused, {opened} opened whole")
    assert refused > 0


def test_the_terminal_starts_without_the_link_and_says_why(tmp_path: Path, key: bytes) -> None:
    data = tmp_path / "data"
    data.mkdir()
    key_file = tmp_path / "outbox.key"
    key_file.write_bytes(key)
    key_file.chmod(0o600)
    credential = tmp_path / "platform.credential"
    credential.write_text("T-1:secret-credential-0123456789")
    credential.chmod(0o600)
    filled(data / "outbox.sqlite3", key)
    (data / "outbox.sqlite3").write_bytes(b"")
    config = KioskConfig(
        terminal=TerminalConfig(id="T-1", data_dir=str(data)),
        platform=PlatformConfig(base_url="http://127.0.0.1:9/api/v1", kiosk_id="T-1",
                                credential_file=str(credential)),
        outbox=OutboxConfig(key_file=str(key_file), min_free_mb=1))
    with pytest.raises(LinkUnavailable) as no_link:
        PlatformLink.open(config)
    assert no_link.value.reason == "outbox_damaged"
    assert "empty" in str(no_link.value) and set_aside(data / "outbox.sqlite3")


CRASH = """
import os, signal, sys
from pathlib import Path
from kiosk.outbox import Outbox
from tests.outbox.conftest import citizen_body
outbox = Outbox(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]), max_items=1000, min_free_mb=1)
for _ in range(5):
    outbox.enqueue("application", citizen_body())
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("wal_removed", [False, True])
def test_a_wal_lost_after_a_crash_is_reported(tmp_path: Path, key: bytes,
                                              wal_removed: bool) -> None:
    db = tmp_path / "outbox.sqlite3"
    filled(db, key)
    run = subprocess.run([sys.executable, "-c", CRASH, str(db), key.hex()], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == -signal.SIGKILL, run.stderr
    wal = db.with_name(db.name + "-wal")
    assert wal.exists()
    if wal_removed:
        wal.unlink()
    with Outbox(db, key, max_items=1000, min_free_mb=1) as outbox:
        if wal_removed:
            assert outbox.problem and "WAL" in outbox.problem
            assert outbox.depth() == ITEMS  # what was checkpointed is still there
        else:
            assert outbox.problem is None and outbox.depth() == ITEMS + 5
