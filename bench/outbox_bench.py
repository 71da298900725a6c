"""Enqueue latency of the outbox, against a bare SQLite INSERT of the same bytes.

Run by hand: `.venv/bin/python bench/outbox_bench.py [-n 300] [--dir /var/lib/kiosk]`.
Every row stores a realistic application (~300 KB: a form and two JPEG-sized random pages,
base64) and returns only once it is committed; each row has its own database file in --dir
(put it on the disk the terminal will use: fsync cost is the disk's). Rows, interleaved one
operation at a time so that drift of a busy machine hits them all alike:
  outbox     Outbox.enqueue: JSON encode, AES-GCM seal, capacity check (statvfs + count),
             duplicate check, INSERT item + history, COMMIT (WAL, synchronous=FULL)
  bare FULL  sqlite3 INSERT of the same JSON bytes, autocommit, WAL + synchronous=FULL
             (the plain library doing the same durable write: the floor for our code)
  bare NORM  the same with synchronous=NORMAL (no fsync per commit: not durable on power loss)
  fsync      os.write of the same bytes to a fresh file + fsync (the disk's own floor)
  seal       JSON encode + AES-GCM seal alone (the CPU part of the outbox row)
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.outbox import Outbox  # noqa: E402
from kiosk.outbox.sealing import Sealer, associated_data  # noqa: E402
from kiosk.outbox.store import encode_body  # noqa: E402

WARMUP = 5


def application() -> dict:
    """What a screen queues: form values and two scanned pages (~110 KB JPEG each)."""
    return {
        "service": "household.registration",
        "applicant": {"id_number": "11010519491231002X", "name": "张三丰", "mobile": "13912345678"},
        "form": {"reason": "迁入", "address": "北京市西城区某街道1号", "members": 3},
        "attachments": [{"name": f"page{n}.jpg", "media_type": "image/jpeg",
                         "data": base64.b64encode(os.urandom(110_000)).decode()}
                        for n in (1, 2)],
    }


def bare_table(path: Path, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    assert conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
    return conn


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=300, help="enqueues per row")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where the database files go (default: a temporary directory)")
    args = parser.parse_args()

    body = application()
    data = encode_body(body)
    key = secrets.token_bytes(32)
    sealer = Sealer(key)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        root = Path(tmp)
        outbox = Outbox(root / "outbox.sqlite3", key, max_items=args.count + WARMUP + 10,
                        min_free_mb=1)
        full = bare_table(root / "bare_full.sqlite3", "FULL")
        normal = bare_table(root / "bare_normal.sqlite3", "NORMAL")
        fsync_dir = root / "fsync"
        fsync_dir.mkdir()
        counter = iter(range(10**9))

        def write_fsync() -> None:
            fd = os.open(fsync_dir / f"{next(counter)}.bin", os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)

        rows: dict[str, Callable[[], object]] = {
            "outbox enqueue (FULL)": lambda: outbox.enqueue("apply", body),
            "bare INSERT, FULL": lambda: full.execute("INSERT INTO items (body) VALUES (?)",
                                                      (data,)),
            "bare INSERT, NORMAL": lambda: normal.execute("INSERT INTO items (body) VALUES (?)",
                                                          (data,)),
            "write + fsync file": write_fsync,
            "encode + seal only": lambda: sealer.seal(encode_body(body),
                                                      associated_data("apply", "x" * 36)),
        }
        times: dict[str, list[float]] = {name: [] for name in rows}
        names = list(rows)
        for i in range(WARMUP + args.count):
            for name in names[i % len(names):] + names[:i % len(names)]:  # rotate the order
                t = time.perf_counter()
                rows[name]()
                elapsed = (time.perf_counter() - t) * 1000
                if i >= WARMUP:
                    times[name].append(elapsed)
        sizes = {p.name: p.stat().st_size for p in root.iterdir() if p.is_file()}
        outbox.close()
        full.close()
        normal.close()

    base = times["bare INSERT, FULL"]
    b50, b99 = statistics.median(base), pct(base, 0.99)
    print(f"Enqueue of a {len(data) / 1000:.0f} KB application (2 random 110 KB pages, base64), "
          f"{args.count} per row, interleaved; ms")
    print(f"database files in {args.dir or tempfile.gettempdir()}; ratios to the bare INSERT "
          f"with synchronous=FULL measured in the same run")
    print(f"{'row':<24} {'p50':>8} {'p99':>8} {'mean':>8} {'max':>8} {'x p50':>7} {'x p99':>7}")
    for name, values in times.items():
        p50, p99 = statistics.median(values), pct(values, 0.99)
        print(f"{name:<24} {p50:>8.2f} {p99:>8.2f} {statistics.fmean(values):>8.2f} "
              f"{max(values):>8.2f} {p50 / b50:>7.2f} {p99 / b99:>7.2f}")
    print("database sizes at the end: " + ", ".join(
        f"{name} {size / 2**20:.0f} MB" for name, size in sorted(sizes.items())
        if name.endswith(".sqlite3")))


if __name__ == "__main__":
    main()
