"""The audit trail checked against the platform: a running terminal reports its trail's head in
every heartbeat to the reference platform (over HTTPS on loopback); then someone holding the
trail and its key cuts its last entries, or rewrites one and re-chains everything after it. The
local check still says "intact"; `kiosk audit verify --platform` (and the platform's own check
of an export) report both."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from kiosk.audit import AuditTrail, read_jsonl
from kiosk.audit.from_config import audit_key_file, audit_path
from kiosk.audit.keyfile import load_key
from kiosk.cli.audit_cmd import audit_group
from kiosk.config import load_config
from kiosk.refplatform import audit_heads
from kiosk.sim import Simulation
from kiosk.terminal import Terminal
from tests.maintenance.audit_support import raw, rehash, rows, write
from tests.maintenance.cli_support import invoke


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory):
    with Simulation(tmp_path_factory.mktemp("audit-platform") / "sim", areas=("printer",)) as s:
        yield s


@pytest.fixture
def terminal(sim: Simulation):
    """A terminal whose trail starts empty, with ten entries reported in three heartbeats."""
    config = load_config(sim.site_config_path)
    for stale in audit_path(config).parent.glob("audit.sqlite3*"):
        stale.unlink()
    with sim.emulators["platform"].store.write() as conn:
        conn.execute("DELETE FROM audit_heads")
        conn.execute("DELETE FROM audit_alerts")
    term = Terminal(config)
    term.start()
    assert term.heartbeat is not None
    term.heartbeat.stop()  # its thread's own first beat would race ours; beat() still works
    for n in range(10):
        term.audit.record("system", "kiosk", "test.step", {"n": n})
        if n in (2, 6, 9):
            assert term.heartbeat.beat()
    yield term
    term.stop()


def verify(sim: Simulation, *args: str):
    result = invoke(sim.site_config_path, audit_group, "verify", *args, as_json=True)
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else result.output


def alerts(sim: Simulation) -> list[dict]:
    with sim.emulators["platform"].store.read() as conn:
        return audit_heads.alerts(conn)


def test_an_untouched_trail_agrees_with_the_platform(sim, terminal) -> None:
    code, report = verify(sim, "--platform")
    assert code == 0, report
    assert report["ok"] and report["mac_checked"]
    assert report["platform"]["ok"] and report["platform"]["heads"] == 3
    assert report["platform"]["last_reported_seq"] == 10 == terminal.audit.head()[0]
    assert alerts(sim) == []


def test_a_trail_with_its_last_entries_removed_is_reported(sim, terminal) -> None:
    raw(terminal.audit.trail.path).execute("DELETE FROM audit WHERE seq >= 8")
    code, report = verify(sim)
    assert code == 0 and report["ok"]  # the chain alone: intact, 7 entries
    code, report = verify(sim, "--platform")
    assert code == 1 and report["ok"] and not report["platform"]["ok"]
    assert report["platform"]["first_bad_seq"] == 8 and "cut short" in report["platform"]["reason"]
    terminal.audit.record("system", "kiosk", "test.step", {"n": 99})  # written on from seq 8
    assert terminal.heartbeat.beat()
    assert [(a["kind"], a["reported_seq"], a["known_seq"]) for a in alerts(sim)] == [
        ("audit_head_backwards", 8, 10)]


def test_a_trail_rewritten_and_rechained_with_its_key_is_reported(sim, terminal) -> None:
    config = load_config(sim.site_config_path)
    key = load_key(audit_key_file(config))
    path = terminal.audit.trail.path
    db = raw(path)
    prev = rows(db)[3].hash
    for entry in rows(db)[4:]:  # entry 5 says something else; every later one re-chained
        changed = rehash(entry, prev, key, **({"details": {"n": 40}} if entry.seq == 5 else {}))
        write(db, changed)
        prev = changed.hash
    code, report = verify(sim)
    assert code == 0 and report["ok"] and report["mac_checked"]  # MACs and hashes all good
    code, report = verify(sim, "--platform")
    assert code == 1 and not report["platform"]["ok"]
    assert report["platform"]["first_bad_seq"] == 7  # the first reported head after the edit
    assert "rewritten" in report["platform"]["reason"]
    assert terminal.heartbeat.beat()  # the re-chained head 10 reaches the platform
    assert [(a["kind"], a["reported_seq"]) for a in alerts(sim)] == [("audit_head_rewritten", 10)]

    # The platform's own check, on an export staff brought it.
    export = io.StringIO()
    with AuditTrail(path) as trail:
        trail.export(export)
    export.seek(0)
    with sim.emulators["platform"].store.read() as conn:
        check = audit_heads.check_export(conn, config.platform.kiosk_id or config.terminal.id,
                                         read_jsonl(export))
    assert not check.ok and check.first_bad_seq == 7


def test_with_no_platform_to_ask_nothing_is_claimed(sim, terminal) -> None:
    sim.control("platform", "down", {})
    try:
        result = invoke(sim.site_config_path, audit_group, "verify", "--platform")
    finally:
        sim.control("platform", "up", {})
    assert result.exit_code == 2 and "platform could not" in result.output


def test_the_heartbeat_carries_the_head(sim, terminal) -> None:
    from kiosk.refplatform.terminals import latest_heartbeats

    with sim.emulators["platform"].store.read() as conn:
        [beat] = latest_heartbeats(conn)
    seq, digest = terminal.audit.head()
    assert beat["audit_head"] == {"seq": seq, "hash": digest}
    assert Path(audit_key_file(load_config(sim.site_config_path))).stat().st_mode & 0o777 == 0o600
