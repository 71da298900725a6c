"""The console's board at fleet scale: the `/` page rendered through the real console app
for N terminals' latest heartbeats, on SQLite and on PostgreSQL.

    .venv/bin/python bench/console_board_bench.py [--terminals 10000] [--renders 30]
                                                  [--rate N/60] [--engines sqlite,postgresql]

The store is filled as ingest leaves it (one `terminals` row per terminal with its latest
heartbeat; the board reads no history): 40 halls, three rings, most terminals fine and a
realistic tail of problems (offline, out of service, paper low/out, a device in error or
needing staff, outbox stuck, prints of unknown outcome). The page is then fetched through
Flask's test client (login, hall scope, queries, Jinja, the whole response) `--renders`
times each as the fleet manager (all terminals; first page, a problem filter, a later page)
and as one hall's staff. The help queue is the reference platform's (a real platform store
with a few live calls).

While it renders, a thread of the same process ingests heartbeats at `--rate` per second
(default N/60: every terminal once a minute, as `kiosk platform serve --console-url` does
in one process), so the page competes with the fleet's writes for the store and the GIL; the
rate reached is reported.

Beside each figure, the floors of the same run, as SQLAlchemy hands the rows back: the bare
SELECT of every terminal's row with its heartbeat document (what the board read before it
paged in SQL), of one page's rows in board order, and of one hall's rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.console import db, ingest, staff  # noqa: E402
from kiosk.console.app import create_console  # noqa: E402
from kiosk.console.config import ConsoleConfig  # noqa: E402
from kiosk.console.helpdesk import PlatformHelpDesk  # noqa: E402
from kiosk.refplatform.store import Store  # noqa: E402
from tests.console import pg  # noqa: E402

HALLS = 40
RINGS = ("canary", "early", "broad")
CONFIG = ConsoleConfig()


def kiosk(i: int) -> str:
    return f"K{i:05d}"


def hall(i: int) -> str:
    return f"hall-{i % HALLS:02d}"


def ring(i: int) -> str:
    return RINGS[0] if i % 100 == 0 else RINGS[1] if i % 10 == 0 else RINGS[2]


def heartbeat_doc(i: int) -> dict:
    """Most terminals fine; ~1 in 12 amber, ~1 in 25 red (offline is set by last_seen)."""
    devices = {"printer": "online", "idcard": "online", "camera": "online",
               "scanner": "online", "qr": "online"}
    doc: dict = {"health": "ok", "versions": {"app": "1.4.0", "base": "2026.12.1"},
                 "outbox_depth": 0, "paper": "ok", "devices": devices, "uptime_s": 86400,
                 "prints_unknown": 0, "site": {"hall": hall(i), "ring": ring(i)}}
    if i % 31 == 0:
        doc["paper"] = "low"
    if i % 89 == 0:
        doc["paper"] = "out"
        devices["printer"] = "userError"
    if i % 53 == 0:
        devices["scanner"] = "hardwareError"
        doc["health"] = "degraded"
    if i % 67 == 0:
        doc["health"] = "out_of_service"
    if i % 101 == 0:
        doc["outbox_depth"] = 12
        doc["outbox_stuck"] = {"count": 3, "oldest_age_s": 5400}
    if i % 113 == 0:
        doc["prints_unknown"] = 1
    if i % 41 == 0:
        devices["idcard"] = "starting"
    return doc


def fill(engine: sa.Engine, n: int, now: dt.datetime) -> None:
    """Every terminal's latest heartbeat, through ingest; 1 in 50 last seen an hour ago."""
    for i in range(n):
        seen = now - dt.timedelta(hours=1) if i % 50 == 7 else \
            now - dt.timedelta(seconds=i % CONFIG.heartbeat_interval_s)
        ingest.heartbeat(engine, kiosk(i), heartbeat_doc(i), seen)
    with engine.begin() as conn:
        conn.execute(db.heartbeats.delete())  # the board reads none; keep the store lean
        conn.exec_driver_sql("ANALYZE")


def help_desk(work: Path, n: int) -> PlatformHelpDesk:
    from kiosk.refplatform import help_requests
    store = Store(work / f"platform-{time.monotonic_ns()}.db")
    now = dt.datetime.now(dt.timezone.utc)
    with store.write() as conn:
        for i in range(0, n, max(n // 8, 1)):
            help_requests.raise_request(conn, kiosk(i), {"screen": "home",
                                                         "raised_at": now.isoformat()}, now)
    return PlatformHelpDesk(store)


class Heartbeating(threading.Thread):
    """Every terminal's heartbeat through ingest, round after round, at `rate` per second."""

    def __init__(self, engine: sa.Engine, n: int, rate: float) -> None:
        super().__init__(daemon=True)
        self.engine, self.n, self.rate = engine, n, rate
        self.stopping = threading.Event()
        self.sent = 0
        self.seconds = 0.0

    def run(self) -> None:
        started = time.perf_counter()
        while not self.stopping.is_set():
            i = self.sent % self.n
            if i % 50 != 7:  # the offline ones stay silent
                ingest.heartbeat(self.engine, kiosk(i), heartbeat_doc(i),
                                 dt.datetime.now(dt.timezone.utc))
            self.sent += 1
            delay = started + self.sent / self.rate - time.perf_counter()
            if delay > 0:
                self.stopping.wait(delay)
        self.seconds = time.perf_counter() - started

    def stop(self) -> float:
        """Stop; answer the rate reached."""
        self.stopping.set()
        self.join()
        return self.sent / self.seconds if self.seconds else 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: Callable[[], object], times: int) -> dict[str, float]:
    fn()  # warm: the first call compiles templates and statements
    ms = []
    for _ in range(times):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": round(pct(ms, 0.5), 1), "p95_ms": round(pct(ms, 0.95), 1)}


def run(engine_name: str, url: str, args: argparse.Namespace, work: Path) -> dict:
    engine = db.connect(url)
    db.migrate(engine)
    now = dt.datetime.now(dt.timezone.utc)
    t0 = time.perf_counter()
    fill(engine, args.terminals, now)
    fill_s = time.perf_counter() - t0
    staff.add(engine, "boss", "a long bench password", "fleet_manager", "", now)
    staff.add(engine, "hall", "a long bench password", "hall_staff", hall(3), now)
    app = create_console(engine, CONFIG, help_desk=help_desk(work, args.terminals))

    def client(who: str):  # type: ignore[no-untyped-def]
        c = app.test_client()
        with c.session_transaction() as session:
            stamp = time.time()
            session.update(staff=who, login_at=stamp, seen_at=stamp)
        return c

    boss, hall_staff = client("boss"), client("hall")

    def page(c, path: str) -> Callable[[], object]:  # type: ignore[no-untyped-def]
        def get() -> object:
            response = c.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response.data
        return get

    def select(where: sa.ColumnElement[bool] | None, limit: int | None = None
               ) -> Callable[[], object]:
        def get() -> object:
            query = sa.select(db.terminals)
            if where is not None:
                query = query.where(where)
            if limit is not None:
                query = query.order_by(db.terminals.c.standing, db.terminals.c.hall,
                                       db.terminals.c.kiosk_id).limit(limit)
            with engine.connect() as conn:
                return conn.execute(query).all()
        return get

    body = page(boss, "/")()
    assert b"row-" in body
    load = Heartbeating(engine, args.terminals, args.rate or args.terminals / 60)
    load.start()
    result = {
        "engine": engine_name, "terminals": args.terminals, "renders": args.renders,
        "fill_s": round(fill_s, 1), "page_bytes": len(body),
        "floor_select_all_rows": timed(select(None), args.renders),
        "floor_select_one_page": timed(select(None, CONFIG.board_page_size), args.renders),
        "board_fleet_manager": timed(page(boss, "/"), args.renders),
        "board_fleet_manager_problem_paper_low": timed(page(boss, "/?problem=paper_low"),
                                                       args.renders),
        "board_fleet_manager_page_20": timed(page(boss, "/?page=20"), args.renders),
        "floor_select_one_hall": timed(select(db.terminals.c.hall == hall(3)), args.renders),
        "board_hall_staff": timed(page(hall_staff, "/"), args.renders),
    }
    result["heartbeats_per_s_during"] = round(load.stop(), 1)
    engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--terminals", type=int, default=10000)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="heartbeats ingested per second while rendering (0: N/60)")
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="console-board-bench-") as tmp:
        work = Path(tmp)
        for name in args.engines.split(","):
            if name == "postgresql":
                with pg.server() as url:
                    print(json.dumps(run(name, pg.fresh_database(url), args, work)))
            else:
                print(json.dumps(run(name, f"sqlite:///{work / 'console.sqlite3'}", args,
                                     work)))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
