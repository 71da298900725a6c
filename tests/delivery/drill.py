"""One drill ground: a reference platform that can be taken down and brought back on the same
port, and a kiosk (tests/delivery/worker.py) run as a separate process that can be killed."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import random
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w
from limits import parse

from kiosk.config import load_config
from kiosk.outbox import open_outbox
from kiosk.session.platform_citizen import GRANT_FIELD
from kiosk.refplatform import citizen_sessions, operator
from kiosk.refplatform.app import default_seed
from kiosk.refplatform.auth import enrol
from kiosk.refplatform.ids import CST
from kiosk.refplatform.rate_limits import RULES, RateLimits
from kiosk.refplatform.server import start_in_thread
from kiosk.refplatform.store import Store

ROOT = Path(__file__).resolve().parents[2]
KIOSK_ID = "DRILL-0001"


def filing_grant(store: Store, id_number: str) -> tuple[str, str]:
    """The citizen session and filing grant of a visit in which `id_number`'s holder typed
    the texted code at this terminal, made by the platform's own session logic."""
    now = dt.datetime.now(CST)
    with store.write() as conn:
        token = citizen_sessions.open_session(
            conn, KIOSK_ID, {"id_number": id_number, "evidence": "id_card"}, now)["token"]
        sent = citizen_sessions.send_code(conn, KIOSK_ID, token, now)
        mobile = conn.execute("SELECT to_mobile FROM sms_messages ORDER BY id DESC").fetchone()[0]
        assert sent["to"].endswith(mobile[-4:])
        code = re.search(r"\d{6}", citizen_sessions.sms_sent_to(conn, mobile)[-1]["body"])
        assert code is not None
        verified = citizen_sessions.verify_holder(
            conn, KIOSK_ID, token, {"factor": "sms_code", "code": code.group()}, now)
    assert isinstance(verified, dict), verified
    return token, verified["filing_grant"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Run:
    rc: int
    out: str
    err: str

    @property
    def killed(self) -> bool:
        return self.rc == -signal.SIGKILL


@dataclass
class Drill:
    root: Path
    platform_db: Path
    body: dict[str, Any]
    port: int = field(default_factory=free_port)
    platform: Any = None

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        store = Store(self.platform_db)
        store.seed(*default_seed())  # as the platform would at its first start
        self.credential = enrol(store, KIOSK_ID)
        # The applicant proved themselves at this terminal (contract 1.1): what the outbox
        # files for them carries the filing grant that visit gave, as a real terminal's does.
        self.citizen_token, self.grant = filing_grant(store, self.body["applicant"]["id_number"])
        self.body = {**self.body, GRANT_FIELD: self.grant}
        self.body_path = self.root / "body.json"
        self.body_path.write_text(json.dumps(self.body, ensure_ascii=False), encoding="utf-8")

    # -- the platform ------------------------------------------------------------------------

    @property
    def platform_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v1"

    def platform_up(self) -> None:
        if self.platform is None:
            # a hundred filings of one citizen from one terminal in a minute: a drill, not a
            # visit (the limits and the grant's 20 filings are tested in tests/refplatform)
            roomy = RateLimits({rule: (parse("100000/minute"),) for rule in RULES})
            self.platform = start_in_thread(self.platform_db, port=self.port,
                                            rate_limits=roomy, filing_grant_uses=100_000)

    def platform_down(self) -> None:
        if self.platform is not None:
            self.platform.stop()
            self.platform = None

    def applications(self) -> list[dict[str, Any]]:
        return operator.list_applications(Store(self.platform_db))

    # -- a kiosk -----------------------------------------------------------------------------

    def kiosk(self, name: str, *, base_url: str | None = None, timeout_s: float = 2.0,
              outbox: dict[str, Any] | None = None) -> Path:
        """Write the site file of one kiosk (its own data dir and outbox) and return it;
        `outbox`: more `[outbox]` settings."""
        home = self.root / name
        secrets = home / "secrets"
        secrets.mkdir(parents=True, exist_ok=True)
        credential = secrets / "platform.credential"
        credential.write_text(self.credential)
        credential.chmod(0o600)
        site = {
            "terminal": {"id": KIOSK_ID, "data_dir": str(home / "data"),
                         "run_dir": str(home / "run")},
            "platform": {"base_url": base_url or self.platform_url, "kiosk_id": KIOSK_ID,
                         "credential_file": str(credential), "timeout_s": timeout_s,
                         "connect_timeout_s": 0.5, "retries": 1},
            "outbox": {"key_file": str(secrets / "outbox.key"), "min_free_mb": 1,
                       "backoff_initial_s": 0.05, "backoff_max_s": 0.3, **(outbox or {})},
        }
        path = home / "site.toml"
        path.write_text(tomli_w.dumps(site), encoding="utf-8")
        return path

    def start_worker(self, site: Path, count: int, prefix: str, *, crash_at: str = "",
                     wait: bool = True, timeout_s: float = 60.0) -> subprocess.Popen[str]:
        env = {**os.environ, "KIOSK_CRASH_AT": crash_at}
        args = [sys.executable, "-m", "tests.delivery.worker", str(site), str(self.body_path),
                "--count", str(count), "--prefix", prefix, "--timeout", str(timeout_s)]
        if not wait:
            args.append("--no-wait")
        return subprocess.Popen(args, cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def run_worker(self, site: Path, count: int, prefix: str, *, crash_at: str = "",
                   wait: bool = True, kill_after_s: float | None = None,
                   timeout_s: float = 60.0) -> Run:
        proc = self.start_worker(site, count, prefix, crash_at=crash_at, wait=wait,
                                 timeout_s=timeout_s)
        if kill_after_s is not None:
            assert proc.stdout is not None
            proc.stdout.readline()  # "started": imports done, outbox open, sender running
            try:
                proc.wait(kill_after_s)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=120)
        return Run(proc.returncode, out, err)

    def outbox_references(self, site: Path) -> dict[str, str]:
        """reference -> state of every item in that kiosk's outbox."""
        with open_outbox(load_config(site), create=False) as outbox:
            return {item.reference: item.state for item in outbox.items(limit=100_000)}

    def delivered_exactly_once(self, site: Path, count: int) -> None:
        """Every item of this kiosk's outbox delivered, and the platform holds each exactly once."""
        references = self.outbox_references(site)
        assert len(references) == count, f"outbox holds {len(references)} items, not {count}"
        assert set(references.values()) == {"delivered"}, references
        filed = [a["client_reference"] for a in self.applications()
                 if a["client_reference"] in references]
        assert len(filed) == len(set(filed)), "an application was filed twice"
        assert sorted(filed) == sorted(references), "an application never reached the platform"


def seeded_random(name: str) -> random.Random:
    return random.Random(f"drill:{name}")

