"""The kiosk side of the kill -9 drills, as a process of its own: real outbox, real sender, real
platform client, configured from a site file exactly as the terminal is.

    python -m tests.delivery.worker SITE BODY_JSON --count N --prefix P [--no-wait]

Submits N applications (the body of BODY_JSON each time) under deterministic idempotency keys,
so a restarted worker knows which ones a previous life already committed (`DuplicateKey`: the
citizen holds a receipt for it) and which it must submit again (the crash came before the
commit: the citizen was never told "received"). Then, unless --no-wait, waits until the outbox
is empty and prints a JSON summary. A crash plan comes from $KIOSK_CRASH_AT (kiosk.faults).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from kiosk.config import load_config
from kiosk.delivery import APPLICATION, start_sender
from kiosk.outbox import DuplicateKey, open_outbox


def intent_key(prefix: str, i: int) -> str:
    return f"drill-{prefix}-{i:06d}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("site")
    parser.add_argument("body")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--no-wait", action="store_true")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)

    config = load_config(args.site)
    body = json.loads(Path(args.body).read_text(encoding="utf-8"))
    outbox = open_outbox(config)
    sender = start_sender(config, outbox)
    print("started", flush=True)  # the drill's outside kills are timed from here
    submitted = duplicates = 0
    for i in range(args.count):
        try:
            outbox.enqueue(APPLICATION, body, idempotency_key=intent_key(args.prefix, i))
            submitted += 1
        except DuplicateKey:
            duplicates += 1
    if args.no_wait:
        sender.stop()
        print(json.dumps({"submitted": submitted, "duplicates": duplicates}))
        return 0
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        stats = outbox.stats()
        if stats.pending == 0:
            break
        time.sleep(0.02)
    sender.stop()
    stats = outbox.stats()
    print(json.dumps({"submitted": submitted, "duplicates": duplicates,
                      "pending": stats.pending, "refused": stats.refused,
                      "delivered": stats.delivered}))
    return 0 if stats.pending == 0 and stats.refused == 0 else 3


if __name__ == "__main__":
    sys.exit(main())
