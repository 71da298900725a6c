"""The staff PIN: argon2id in the configuration, lockout with growing delays that survives a
restart (and a kill in the middle of a check)."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kiosk.admin.pin import PinError, PinGate, hash_pin
from kiosk.cli.admin_cmd import admin_group

from tests.maintenance.cli_support import ROOT, invoke, kiosk, write_site
from tests.support import wait_until

PIN = "482916"
# Verifying reads the cost from the hash, so a cheap hash keeps the lockout tests fast while
# going through argon2 for real; hash_pin's own cost is checked once below.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PIN)


class WallClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> WallClock:
    return WallClock()


def gate(tmp_path: Path, clock: WallClock) -> PinGate:
    return PinGate(CHEAP, tmp_path / "pin-state.json", clock=clock)


def test_hash_pin_is_argon2id_and_never_the_pin() -> None:
    hashed = hash_pin(PIN)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PIN not in hashed
    assert hash_pin(PIN) != hashed  # salted
    assert PasswordHasher().verify(hashed, PIN)
    for weak in ("12345", "1234567890123", "48291a", "111111", "123456", "987654", "４８２９１６"):
        with pytest.raises(PinError):
            hash_pin(weak)


def test_the_right_pin_opens(tmp_path: Path, clock: WallClock) -> None:
    result = gate(tmp_path, clock).attempt(PIN)
    assert result.ok and not result.locked and result.failures == 0


def test_five_wrong_pins_lock_with_growing_delays(tmp_path: Path, clock: WallClock,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.events")
    g = gate(tmp_path, clock)
    for n in range(1, 5):
        r = g.attempt("000000")
        assert (r.ok, r.locked, r.failures, r.tries_before_lockout) == (False, False, n, 5 - n)
    r = g.attempt("000000")
    assert (r.locked, r.failures, r.retry_after_s) == (True, 5, 30)
    # Locked: even the right PIN is not heard.
    assert not g.attempt(PIN).ok and g.attempt(PIN).locked
    clock.now += 29
    assert g.status().retry_after_s == 1 and not g.attempt(PIN).ok
    delays = []
    for _ in range(6):
        clock.now += g.status().retry_after_s
        delays.append(g.attempt("999999").retry_after_s)
    assert delays == [60, 120, 240, 480, 960, 1920]
    for _ in range(3):
        clock.now += g.status().retry_after_s
        delays.append(g.attempt("999999").retry_after_s)
    assert delays[-3:] == [3600, 3600, 3600]  # capped
    clock.now += 3600
    assert g.attempt(PIN).ok and g.status().failures == 0  # the right PIN clears the count
    assert "event=admin_login_failed failures=5 locked_for_s=30" in caplog.text
    assert "event=admin_locked_out" in caplog.text
    assert PIN not in caplog.text and "000000" not in caplog.text


def test_the_lockout_survives_a_new_gate(tmp_path: Path, clock: WallClock) -> None:
    first = gate(tmp_path, clock)
    for _ in range(5):
        first.attempt("000000")
    second = gate(tmp_path, clock)  # the kiosk restarted
    assert second.status().locked and second.status().failures == 5
    assert not second.attempt(PIN).ok


def test_a_damaged_state_file_locks_rather_than_resets(tmp_path: Path, clock: WallClock) -> None:
    (tmp_path / "pin-state.json").write_text("{not json", encoding="utf-8")
    state = gate(tmp_path, clock).status()
    assert state.locked and state.failures == 5


def test_a_clock_set_back_cannot_lock_for_ever(tmp_path: Path, clock: WallClock) -> None:
    g = gate(tmp_path, clock)
    for _ in range(5):
        g.attempt("000000")
    clock.now -= 10 * 365 * 86400
    assert 0 < g.status().retry_after_s <= 3600


def test_no_pin_configured_opens_nothing(tmp_path: Path, clock: WallClock) -> None:
    g = PinGate("", tmp_path / "s.json", clock=clock)
    assert not g.configured and not g.attempt("").ok and not g.attempt(PIN).ok
    with pytest.raises(PinError):
        PinGate("$2b$12$bcrypthash", tmp_path / "s.json")


def test_killed_during_the_check_the_try_still_counts(tmp_path: Path) -> None:
    """Counted before checking: pulling the plug mid-check gives a guesser no free try."""
    # The cost is read from the hash: the same cheap hash, claiming a cost of many seconds.
    slow = CHEAP.replace("m=1024,t=1,p=1", "m=65536,t=300,p=1")
    state = tmp_path / "pin-state.json"
    code = ("import sys\nfrom kiosk.admin.pin import PinGate\n"
            "PinGate(sys.argv[1], sys.argv[2]).attempt('000000')\n")
    proc = subprocess.Popen([sys.executable, "-c", code, slow, str(state)], cwd=ROOT)
    try:
        assert wait_until(state.exists, timeout=30)
        time.sleep(0.2)
        assert proc.poll() is None, "the check should still be running"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert PinGate(slow, state).status().failures == 1


def test_hash_pin_command_reads_stdin_and_prints_config(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    result = kiosk(site, "admin", "hash-pin", stdin=PIN + "\n")  # a real pipe, not a tty
    assert result.returncode == 0, result.stderr
    assert PIN not in result.stdout + result.stderr
    pin_hash = tomllib.loads(result.stdout)["pin_hash"]
    assert pin_hash.startswith("$argon2id$") and PasswordHasher().verify(pin_hash, PIN)

    on_argv = invoke(site, admin_group, "hash-pin", PIN)
    assert on_argv.exit_code == 2 and "unexpected extra argument" in on_argv.output.lower()
    weak = invoke(site, admin_group, "hash-pin", stdin="111111\n")
    assert weak.exit_code == 1 and "too easy" in weak.output


def test_status_and_unlock_commands(tmp_path: Path) -> None:
    site = write_site(tmp_path)
    g = PinGate(CHEAP, tmp_path / "data" / "admin-pin-state.json")
    for _ in range(5):
        g.attempt("000000")
    status = invoke(site, admin_group, "status", as_json=True)
    assert status.exit_code == 0, status.output
    assert '"locked": true' in status.stdout and '"configured": false' in status.stdout
    unlocked = invoke(site, admin_group, "unlock", "--staff", "staff-007")
    assert unlocked.exit_code == 0, unlocked.output
    assert not g.status().locked
    from kiosk.audit import AuditTrail
    with AuditTrail(tmp_path / "data" / "audit.sqlite3") as trail:
        [entry] = list(trail.entries())
        assert (entry.actor_kind, entry.actor_id, entry.action) == ("staff", "staff-007",
                                                                   "admin.unlock_pin")
