"""Fleet updates at scale: N simulated terminals polling a TUF repository served by nginx.

    .venv/bin/python bench/fleet_bench.py [--terminals 1000] [--workers 32]

Measures, from nginx's own access log (bytes on the wire, headers included):
  - requests and bytes per unchanged poll (the cost paid every poll interval, fleet-wide);
  - the time for every terminal to apply a newly published version when all poll at once
    (the throughput floor: in service the time is poll_interval + jitter + this);
  - the same for the first poll of a fresh fleet (every file downloaded once).
Needs nginx (Debian package `nginx-light` or `nginx`); runs it on loopback as a child process.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.config.loader import Layer, read_layer, DEFAULT_FILE  # noqa: E402
from kiosk.fleet.repository import FleetRepository  # noqa: E402
from kiosk.fleet.scopes import parse_scope  # noqa: E402
from kiosk.fleet.updater import FleetSettings, FleetUpdater, Outcome  # noqa: E402

NGINX_CONF = """
daemon off;
master_process on;
worker_processes 2;
user {user};
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format fleet '$request_uri $status $bytes_sent $request_length';
    access_log {work}/access.log fleet;
    types {{ application/json json; application/toml toml; }}
    default_type application/octet-stream;
    etag on;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port};
        root {public};
        location / {{ }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(work: Path, public: Path) -> tuple[subprocess.Popen[bytes], str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    conf = work / "nginx.conf"
    user = "root" if hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0 \
        else "nobody"
    conf.write_text(NGINX_CONF.format(work=work, port=port, public=public, user=user))
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("nginx did not start; see " + str(work / "error.log"))


def read_log(path: Path) -> list[tuple[str, int, int, int]]:
    rows = []
    for line in path.read_text().splitlines():
        uri, status, sent, received = line.split()
        rows.append((uri, int(status), int(sent), int(received)))
    return rows


def poll_all(updaters: list[FleetUpdater], workers: int) -> tuple[float, Counter[str], list[float]]:
    def one(u: FleetUpdater) -> tuple[str, float]:
        start = time.perf_counter()
        outcome = u.poll_once().outcome
        return str(outcome), time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, updaters))
    return (time.perf_counter() - start, Counter(o for o, _ in results),
            [t for _, t in results])


def log_summary(log: Path, n: int) -> str:
    rows = read_log(log)
    by_status = Counter(status for _, status, _, _ in rows)
    sent = sum(r[2] for r in rows)
    received = sum(r[3] for r in rows)
    return (f"{len(rows) / n:.2f} requests/terminal {dict(by_status)}, "
            f"{sent / n:.0f} B down + {received / n:.0f} B up per terminal")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=32)
    args = parser.parse_args()
    n = args.terminals

    work = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    try:
        repo = FleetRepository(work / "repo", root_keys_dir=work / "offline")
        repo.init()
        repo.publish(parse_scope("all"), b"[ui]\nelder_mode = false\n")
        repo.publish(parse_scope("ring:district"), b"[session]\nidle_timeout_s = 60.0\n")
        proc, url = start_nginx(work, repo.public)
        try:
            default = read_layer("default", DEFAULT_FILE)
            trusted = work / "root.json"
            trusted.write_bytes((repo.metadata_dir / "1.root.json").read_bytes())
            updaters = []
            for i in range(n):
                data_dir = work / "terminals" / f"T-{i:05d}"
                site = Layer("site", Path(f"site-{i}.toml"),
                             {"terminal": {"id": f"T-{i:05d}", "data_dir": str(data_dir)}})
                settings = FleetSettings(repository_url=url, trusted_root_file=trusted,
                                         data_dir=data_dir, terminal_id=f"T-{i:05d}",
                                         ring="district", timeout_s=30)
                updaters.append(FleetUpdater(settings, layers=lambda s=site: [default, s]))
            access = work / "access.log"

            def phase(name: str) -> None:
                access.write_text("")
                subprocess.run(["kill", "-USR1", str(proc.pid)], check=True)  # reopen log
                time.sleep(0.2)
                took, outcomes, each = poll_all(updaters, args.workers)
                time.sleep(0.3)  # nginx writes its log lines after the response
                print(f"{name}: {n} terminals in {took:.2f} s ({n / took:.0f} polls/s), "
                      f"{dict(outcomes)}; per poll median {statistics.median(each) * 1000:.0f} "
                      f"ms, p95 {sorted(each)[int(0.95 * n) - 1] * 1000:.0f} ms")
                print(f"    on the wire: {log_summary(access, n)}")

            phase("first poll (fresh fleet)")
            phase("unchanged poll")
            repo.publish(parse_scope("ring:district"), b"[session]\nidle_timeout_s = 45.0\n")
            phase("new version published")
            applied = sum(u.applied_version() == 3 for u in updaters)
            print(f"terminals on version 3: {applied}/{n}")
            assert applied == n and all(u.poll_once().outcome is Outcome.UNCHANGED
                                        for u in updaters[:5])
        finally:
            proc.terminate()
            proc.wait(10)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
