"""An item is on disk when enqueue returns: another connection, another process, and a process
killed right after enqueue all see it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kiosk.outbox import Outbox

from tests.outbox.conftest import ID_NUMBER, citizen_body

ROOT = Path(__file__).resolve().parents[2]

_CHILD = """
import os, signal, sys
from pathlib import Path
from kiosk.outbox import Outbox
db, key_hex, how = sys.argv[1], sys.stdin.readline().strip(), sys.argv[2]
outbox = Outbox(Path(db), bytes.fromhex(key_hex), max_items=10, min_free_mb=1)
item = outbox.enqueue("apply", {"applicant": {"id_number": sys.argv[3]}, "n": 1})
print(item.reference, flush=True)
if how == "kill":
    os.kill(os.getpid(), signal.SIGKILL)
os._exit(0)  # no close(), no atexit, no Python cleanup
"""


def test_a_second_connection_sees_the_item_as_soon_as_enqueue_returns(make_outbox) -> None:
    kiosk = make_outbox()
    staff = make_outbox()  # the CLI's own connection to the same file
    item = kiosk.enqueue("apply", citizen_body())
    seen = staff.get(item.id)
    assert (seen.reference, seen.state, seen.has_payload) == (item.reference, "pending", True)
    assert staff.open_body(item.id) == citizen_body()


@pytest.mark.parametrize("how", ["exit", "kill"])
def test_item_survives_the_process_dying_right_after_enqueue(db_path: Path, key: bytes,
                                                             make_outbox, how: str) -> None:
    result = subprocess.run([sys.executable, "-c", _CHILD, str(db_path), how, ID_NUMBER],
                            input=key.hex() + "\n", capture_output=True, text=True, cwd=ROOT,
                            timeout=60)
    expected_rc = -signal.SIGKILL if how == "kill" else 0
    assert result.returncode == expected_rc, result.stderr
    reference = result.stdout.strip()
    assert reference.startswith("K"), result.stdout + result.stderr

    reopened = make_outbox()
    item = reopened.find(reference)
    assert item.state == "pending" and item.has_payload
    assert reopened.open_body(item) == {"applicant": {"id_number": ID_NUMBER}, "n": 1}


def test_same_bytes_at_every_attempt(outbox: Outbox) -> None:
    item = outbox.enqueue("apply", citizen_body())
    first = outbox.body_bytes(item.id)
    assert json.loads(first) == citizen_body()
    assert outbox.body_bytes(item.id) == first


def test_threads_enqueue_while_another_marks_delivered(make_outbox) -> None:
    """The UI thread enqueues while the sender thread writes: one connection, one lock."""
    outbox = make_outbox(max_items=1000)
    errors: list[BaseException] = []
    done = threading.Event()

    def enqueuer(n: int) -> None:
        try:
            for i in range(25):
                outbox.enqueue("apply", {"thread": n, "i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def marker() -> None:
        try:
            while not done.is_set() or outbox.head() is not None:
                head = outbox.head()
                if head is not None:
                    outbox.mark_delivered(head.id, {"receipt_no": str(head.id)})
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    sender = threading.Thread(target=marker)
    sender.start()
    threads = [threading.Thread(target=enqueuer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done.set()
    sender.join(60)
    assert not errors
    stats = outbox.stats()
    assert (stats.pending, stats.delivered) == (0, 100)
    assert len({i.reference for i in outbox.items(limit=1000)}) == 100
