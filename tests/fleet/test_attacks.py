"""Every attack and fault of issue 7 is refused, and the configuration in force stays byte-equal.

Each test first lets the terminal apply version 1 honestly, then attacks, then checks the
outcome and that `applied.toml` has not changed by a byte.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner

from kiosk.fleet import keys
from kiosk.fleet.repository import FleetRepository, utcnow
from kiosk.fleet.scopes import parse_scope
from kiosk.fleet.updater import FleetUpdater, Outcome
from tests.fleet.conftest import CANARY, V1, StaticServer, Terminal, make_terminal

ROOT = Path(__file__).resolve().parents[2]
V2 = b"[session]\nidle_timeout_s = 30.0\n"


def refused(updater: FleetUpdater, terminal: Terminal, before: bytes, *words: str) -> None:
    result = updater.poll_once()
    assert result.outcome is Outcome.REFUSED, result
    assert result.version == 1
    for word in words:
        assert word in result.reason, result.reason
    assert terminal.applied.read_bytes() == before


def test_a_repository_signed_with_other_keys(tmp_path: Path, applied_v1, terminal: Terminal,
                                             server: StaticServer) -> None:
    updater, before = applied_v1
    evil = FleetRepository(tmp_path / "evil", root_keys_dir=tmp_path / "evil-offline")
    evil.init()
    evil.publish(CANARY, V2)
    server.directory = evil.public
    os.utime(evil.metadata_dir / "timestamp.json", (time.time() + 5, time.time() + 5))
    refused(updater, terminal, before, "UnsignedMetadataError")


def test_targets_signed_with_a_wrong_key_even_with_stolen_online_keys(
        applied_v1, repo: FleetRepository, terminal: Terminal) -> None:
    updater, before = applied_v1
    repo._signers["targets"] = [CryptoSigner.generate_ed25519()]  # snapshot, timestamp genuine
    repo.publish(CANARY, V2)
    refused(updater, terminal, before, "UnsignedMetadataError", "targets")


def test_a_root_rotation_with_too_few_signatures(tmp_path: Path, applied_v1,
                                                 repo: FleetRepository,
                                                 terminal: Terminal) -> None:
    updater, before = applied_v1
    # One stolen root key (threshold 2): try to hand the timestamp role to the attacker.
    repo._signers["root"] = [keys.load(tmp_path / "offline" / "root-1.pem")]
    attacker = CryptoSigner.generate_ed25519()
    with repo.edit_root() as root:
        for keyid in list(root.roles["timestamp"].keyids):
            root.revoke_key(keyid, "timestamp")
        root.add_key(attacker.public_key, "timestamp")
    assert (repo.metadata_dir / "2.root.json").exists()
    refused(updater, terminal, before, "UnsignedMetadataError", "root")


def test_expired_metadata_stops_updates_not_service(tmp_path: Path, applied_v1,
                                                    terminal: Terminal) -> None:
    updater, before = applied_v1
    weeks_ago = FleetRepository(tmp_path / "repo",
                                now=lambda: utcnow() - dt.timedelta(days=30))
    weeks_ago.publish(CANARY, V2)
    refused(updater, terminal, before, "ExpiredMetadataError")


def test_a_replayed_older_repository(tmp_path: Path, repo: FleetRepository,
                                     terminal: Terminal, server: StaticServer) -> None:
    repo.publish(CANARY, V1)
    old = tmp_path / "old-public"
    shutil.copytree(repo.public, old)
    repo.publish(CANARY, V2)
    updater = terminal.updater()
    assert updater.poll_once().version == 2
    before = terminal.applied.read_bytes()
    server.directory = old  # a mirror (or a man in the middle) serving yesterday's files
    future = time.time() + 5
    os.utime(old / "metadata" / "timestamp.json", (future, future))
    result = updater.poll_once()
    assert result.outcome is Outcome.REFUSED and "BadVersionNumberError" in result.reason
    assert result.version == 2 and terminal.applied.read_bytes() == before


def test_a_tampered_bundle(applied_v1, repo: FleetRepository, terminal: Terminal) -> None:
    updater, before = applied_v1
    record = repo.publish(CANARY, V2)
    stored = repo.targets_dir / "config" / "ring" / f"{record.sha256}.canary.toml"
    stored.write_bytes(b"[session]\nidle_timeout_s = 3600\n")
    refused(updater, terminal, before, "LengthOrHashMismatchError")


@pytest.mark.parametrize("role", ["snapshot", "targets"])
def test_mix_and_match_of_metadata(applied_v1, repo: FleetRepository, terminal: Terminal,
                                   role: str) -> None:
    updater, before = applied_v1
    repo.publish(CANARY, V2)
    newest = repo.open(role).signed.version
    older = (repo.metadata_dir / f"{newest - 1}.{role}.json").read_bytes()
    (repo.metadata_dir / f"{newest}.{role}.json").write_bytes(older)
    refused(updater, terminal, before, "LengthOrHashMismatchError")


def test_an_oversized_bundle_is_not_even_downloaded(tmp_path: Path, repo: FleetRepository,
                                                    server: StaticServer) -> None:
    repo.publish(CANARY, V1)
    small = make_terminal(tmp_path, repo, server.url, max_bundle_bytes=200)
    updater = small.updater()
    assert updater.poll_once().outcome is Outcome.APPLIED
    before = small.applied.read_bytes()
    repo.publish(CANARY, V2 + b"# padding\n" * 40)
    server.log.clear()
    refused(updater, small, before, "more than the 200 allowed")
    assert not any(path.endswith(".toml") for path in server.log)


def test_an_endless_timestamp_is_cut_at_its_limit(applied_v1, terminal: Terminal,
                                                  server: StaticServer) -> None:
    updater, before = applied_v1
    server.faults["/timestamp.json"] = "endless"
    refused(updater, terminal, before, "DownloadLengthMismatchError")


def test_a_bundle_that_breaks_the_schema(applied_v1, repo: FleetRepository,
                                         terminal: Terminal) -> None:
    updater, before = applied_v1
    repo.validate_layer = lambda *a, **k: None  # a manager's tool that skipped its check
    repo.publish(CANARY, b"[session]\nidle_timeout_s = 60.0\nwarning_s = 90.0\n")
    refused(updater, terminal, before, "breaks the schema", "warning_s")
    repo.publish(parse_scope("all"), b"[terminal]\ndata_dir = \"/tmp/elsewhere\"\n")
    refused(updater, terminal, before, "may not set terminal.data_dir")


@pytest.mark.parametrize("suffix", [".canary.toml", "/timestamp.json", ".snapshot.json"])
def test_a_repository_that_stops_answering_mid_download(applied_v1, repo: FleetRepository,
                                                        terminal: Terminal,
                                                        server: StaticServer,
                                                        suffix: str) -> None:
    updater, before = applied_v1
    repo.publish(CANARY, V2)
    server.faults[suffix] = "stall"
    started = time.monotonic()
    refused(updater, terminal, before)
    assert time.monotonic() - started < 3  # the 1 s timeout, not the server's silence
    server.faults.clear()
    assert updater.poll_once().outcome is Outcome.APPLIED


def test_an_unreachable_repository(applied_v1, terminal: Terminal, server: StaticServer) -> None:
    updater, before = applied_v1
    server.stop()
    refused(updater, terminal, before, "not reachable")


def _child(terminal: Terminal, crash_at: str | None) -> subprocess.CompletedProcess[str]:
    settings = {k: str(v) if isinstance(v, Path) else v
                for k, v in terminal.settings.__dict__.items()}
    path = terminal.site.with_suffix(".json")
    path.write_text(json.dumps({**settings, "site": str(terminal.site)}))
    env = {k: v for k, v in os.environ.items() if k != "KIOSK_CRASH_AT"}
    if crash_at:
        env["KIOSK_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "tests.fleet.child_poll", str(path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


def test_power_loss_before_the_rename(applied_v1, repo: FleetRepository,
                                      terminal: Terminal) -> None:
    _, before = applied_v1
    repo.publish(CANARY, V2)
    killed = _child(terminal, "fleet.apply.before_rename:1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert terminal.applied.read_bytes() == before
    assert (terminal.settings.fleet_dir / "applied.toml.tmp").exists()  # the half-done write
    after = _child(terminal, None)
    assert json.loads(after.stdout) == {"outcome": "applied", "version": 2, "reason": ""}
    assert not (terminal.settings.fleet_dir / "applied.toml.tmp").exists()


def test_power_loss_after_the_rename_before_the_health_check(applied_v1, repo: FleetRepository,
                                                             terminal: Terminal) -> None:
    _, before = applied_v1
    repo.publish(CANARY, V2)
    killed = _child(terminal, "fleet.apply.after_rename:1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert terminal.applied.read_bytes() != before  # the unchecked layer is on disk...
    restarted = json.loads(_child(terminal, None).stdout)
    assert restarted["outcome"] == "rolled_back" and restarted["version"] == 1
    assert terminal.applied.read_bytes() == before  # ...and the restart put the good one back
    assert json.loads(_child(terminal, None).stdout)["outcome"] == "applied"
