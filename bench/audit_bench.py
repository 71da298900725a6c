"""The cost of one audit append through the signer (unix socket, another process) against the
same append in-process.

Run by hand: `.venv/bin/python bench/audit_bench.py [-n 300] [--dir /var/lib/kiosk]`.
Both write a keyed entry (hash, MAC, INSERT, COMMIT with WAL + synchronous=FULL) to their own
trail in --dir (the disk the terminal will use: the fsync is most of the cost). Interleaved one
append at a time so that drift of a busy machine hits both alike:
  in-process  AuditTrail.append in this process (the key in this process: development only)
  signer      SignerClient.append to `kiosk audit serve` (the key in the signer's process)
  round trip  SignerClient.head (the socket and JSON alone, no write): the signer's own cost
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.audit import AuditTrail  # noqa: E402
from kiosk.audit.entry import AuditError  # noqa: E402
from kiosk.audit.signer import SignerClient  # noqa: E402

WARMUP = 5
DETAILS = {"receipt": "SL-20260301-000123", "service": "police.no-record", "pages": 3}


def timed(op: Callable[[], object]) -> float:
    start = time.perf_counter()
    op()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        base = Path(tmp)
        sock = base / "signer.sock"
        signer = subprocess.Popen(
            [sys.executable, "-c", "from kiosk.cli import main\nmain(prog_name='kiosk')",
             "audit", "serve", "--socket", str(sock), "--trail", str(base / "signer.sqlite3"),
             "--key-file", str(base / "signer.key")], cwd=ROOT, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client = SignerClient(sock)
                    break
                except AuditError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            local = AuditTrail(base / "local.sqlite3", key=bytes(range(32)))
            rows: dict[str, list[float]] = {"in-process": [], "signer": [], "round trip": []}
            ops: dict[str, Callable[[], object]] = {
                "in-process": lambda: local.append("citizen_session", "S-0001", "apply.queued",
                                                   DETAILS),
                "signer": lambda: client.append("citizen_session", "S-0001", "apply.queued",
                                                DETAILS),
                "round trip": client.head}
            for i in range(args.n + WARMUP):
                for name, op in ops.items():
                    took = timed(op)
                    if i >= WARMUP:
                        rows[name].append(took)
            client.close()
            local.close()
        finally:
            signer.terminate()
            signer.wait(10)
    base_median = statistics.median(rows["in-process"])
    print(f"{args.n} appends each, ms (median / p95), ratio of medians to in-process")
    for name, values in rows.items():
        p95 = statistics.quantiles(values, n=20)[-1]
        print(f"  {name:<11} {statistics.median(values):7.3f} / {p95:7.3f}   "
              f"x{statistics.median(values) / base_median:.2f}")


if __name__ == "__main__":
    main()
