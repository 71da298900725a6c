"""Drain rate of the outbox to the local reference platform.

Run by hand: .venv/bin/python bench/outbox_drain_bench.py [N]

N applications are queued with the platform down, the platform comes up and the real sender
(sealed payloads opened, one HTTP POST each under its idempotency key, the delivered mark
committed with synchronous=FULL and the payload wiped) drains them. Side by side in the same
run: the same N bodies POSTed straight to the platform with requests (the floor: what the
platform and HTTP cost without any outbox), and N bare SQLite inserts of the same bytes.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import logging  # noqa: E402

import requests  # noqa: E402

from kiosk.config import load_config  # noqa: E402
from kiosk.delivery import APPLICATION, start_sender  # noqa: E402
from kiosk.outbox import open_outbox  # noqa: E402
from tests.delivery.bodies import sample_application  # noqa: E402
from tests.delivery.drill import KIOSK_ID, Drill  # noqa: E402


def bare_inserts(path: Path, blob: bytes, n: int) -> float:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT, v BLOB)")
    t = time.perf_counter()
    for _ in range(n):
        db.execute("INSERT INTO t (k, v) VALUES (?, ?)", (str(uuid.uuid4()), blob))
    elapsed = time.perf_counter() - t
    db.close()
    return elapsed


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    body = sample_application()
    with tempfile.TemporaryDirectory() as tmp:
        drill = Drill(Path(tmp) / "drill", Path(tmp) / "platform.sqlite3", body)
        site = drill.kiosk("bench")
        config = load_config(site)
        with open_outbox(config) as outbox:
            for i in range(n):
                # filed in a verified visit: the body carries its filing grant (contract 1.1)
                outbox.enqueue(APPLICATION, drill.body, idempotency_key=f"bench-drain-{i:06d}")
            drill.platform_up()
            t = time.perf_counter()
            sender = start_sender(config, outbox)
            while outbox.stats().pending:
                time.sleep(0.005)
            drain_s = time.perf_counter() - t
            sender.stop()
            assert outbox.stats().delivered == n

        session = requests.Session()
        session.auth = (KIOSK_ID, drill.credential)
        t = time.perf_counter()
        for i in range(n):
            reply = session.post(f"{drill.platform_url}/applications",
                                 json={**body, "client_reference": f"PLAIN{i:06d}"},
                                 headers={"Idempotency-Key": f"bench-plain-{i:06d}",
                                          "Filing-Grant": drill.grant}, timeout=10)
            assert reply.status_code == 201, reply.text[:200]
        plain_s = time.perf_counter() - t
        drill.platform_down()
        insert_s = bare_inserts(Path(tmp) / "bare.sqlite3",
                                json.dumps(body).encode(), n)

    size = len(json.dumps(body).encode())
    print(f"{n} applications of {size / 1024:.0f} KB each\n")
    print(f"{'path':46} {'per item':>10} {'items/s':>9} {'ratio':>7}")
    rows = [("outbox drain to the reference platform", drain_s),
            ("plain requests.post to the platform (floor)", plain_s),
            ("bare SQLite insert, WAL + synchronous=FULL", insert_s)]
    for name, seconds in rows:
        print(f"{name:46} {seconds / n * 1000:8.2f}ms {n / seconds:9.1f} "
              f"{seconds / plain_s:6.2f}x")


if __name__ == "__main__":
    main()
