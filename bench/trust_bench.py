"""What a stranger learns or reaches by trying: the reference platform on loopback.

1. Credential timing: median answer time of `GET /catalogue/services` with a known kiosk id and
   a wrong credential, against an unknown kiosk id (the floor is the known id with its right
   credential, whose check is cached). Before contract 1.1 an unknown id skipped the scrypt
   hash and answered ~3x faster, which told which ids exist.
2. A sweep: one terminal credential opens citizen sessions for ID numbers one after another
   (each needs the holder's texted code before it reaches anything); how many before 429.

Run by hand: .venv/bin/python bench/trust_bench.py [requests per kind, default 40]
"""

from __future__ import annotations

import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drivers.idcard.idnumber import check_digit  # noqa: E402
from kiosk.refplatform.auth import enrol  # noqa: E402
from kiosk.refplatform.server import start_in_thread  # noqa: E402
from kiosk.refplatform.store import Store  # noqa: E402


def timed(session: requests.Session, url: str, auth: tuple[str, str], n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        session.get(url, auth=auth, timeout=10)
        times.append((time.perf_counter() - t) * 1000)
    return times


def id_number(n: int) -> str:
    body = f"1101011990{1 + n // 900 % 12:02d}{1 + n // 30 % 28:02d}{n % 1000:03d}"
    return body + check_digit(body)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "platform.sqlite3")
        credential = enrol(store, "BENCH-0001")
        handle = start_in_thread(store.path)
        try:
            url = handle.url + "/catalogue/services"
            http = requests.Session()
            http.get(url, auth=("BENCH-0001", credential), timeout=10)  # warm: seed, caches
            right = timed(http, url, ("BENCH-0001", credential), n)
            wrong = timed(http, url, ("BENCH-0001", "a-wrong-credential"), n)
            unknown = timed(http, url, ("NO-SUCH-KIOSK", "a-wrong-credential"), n)
            rows = [("known id, right credential (floor)", right), ("known id, wrong credential",
                    wrong), ("unknown id", unknown)]
            floor = statistics.median(right)
            print(f"credential check, median of {n} requests each\n")
            print(f"{'':40} {'median':>9} {'ratio':>7}")
            for name, times in rows:
                median = statistics.median(times)
                print(f"{name:40} {median:8.1f}ms {median / floor:6.2f}x")
            print(f"unknown / known-wrong: "
                  f"{statistics.median(unknown) / statistics.median(wrong):.2f}\n")

            opened, t = 0, time.perf_counter()
            for i in range(1000):
                reply = http.post(handle.url + "/citizen-sessions",
                                  json={"id_number": id_number(i), "evidence": "id_card"},
                                  auth=("BENCH-0001", credential), timeout=10)
                if reply.status_code != 201:
                    print(f"sweep: {opened} sessions opened in {time.perf_counter() - t:.2f} s, "
                          f"then HTTP {reply.status_code} {reply.json().get('code')} "
                          f"(Retry-After {reply.headers.get('Retry-After')} s); none of them "
                          f"reaches anything without the holder's texted code")
                    break
                opened += 1
        finally:
            handle.stop()


if __name__ == "__main__":
    main()
