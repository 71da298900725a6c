"""A kiosk whose outbox files cannot grow while it records a delivery, as a process of its own.

    python -m tests.delivery.full_disk_worker SITE BODY_JSON --hold SECONDS

Queues one application, then caps the size any file of this process may reach (RLIMIT_FSIZE)
at the outbox's current sizes: the next commit (the sender's "delivered" mark, after the
platform took the application) fails in the kernel with EFBIG, as on a disk with no room left.
After SECONDS the cap goes, the outbox drains, and a JSON summary is printed.
"""

from __future__ import annotations

import argparse
import json
import resource
import signal
import sys
import time
from pathlib import Path

from kiosk.config import load_config
from kiosk.delivery import APPLICATION, start_sender
from kiosk.outbox import open_outbox


def main() -> int:
    args = argparse.ArgumentParser()
    args.add_argument("site")
    args.add_argument("body")
    args.add_argument("--hold", type=float, default=4.0)
    opts = args.parse_args()
    config = load_config(Path(opts.site))
    outbox = open_outbox(config)
    outbox.enqueue(APPLICATION, json.loads(Path(opts.body).read_text(encoding="utf-8")))
    files = [outbox.db_path, outbox.db_path.with_name(outbox.db_path.name + "-wal")]
    cap = max(f.stat().st_size for f in files if f.exists())
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the cap fails, EFBIG
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (cap, hard))
    sender = start_sender(config, outbox)
    print("started", flush=True)
    time.sleep(opts.hold)
    most = getattr(sender, "storage_failures", -1)
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    deadline = time.monotonic() + 30
    while outbox.depth() and time.monotonic() < deadline:
        time.sleep(0.05)
    sender.stop()
    item = outbox.items()[0]
    print(json.dumps({"state": item.state, "storage_failures": most,
                      "alive": True}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
