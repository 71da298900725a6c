"""Replacing a signing key: terminals follow the new root by themselves and from then on refuse
what the old key signs; a lost root key can be replaced with the other two; a rotation cut
short is finished (or forgotten) by the next command."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.cli.fleet_cmd import fleet_group
from kiosk.fleet import keys
from kiosk.fleet.repository import FleetError, FleetRepository
from kiosk.fleet.scopes import parse_scope
from kiosk.fleet.updater import FleetUpdater, Outcome
from tests.fleet.conftest import Terminal

main.add_command(fleet_group)
CANARY = parse_scope("ring:canary")


def layer(seconds: int) -> bytes:
    return f"[session]\nidle_timeout_s = {seconds}.0\n".encode()


def applied(updater: FleetUpdater, version: int) -> None:
    result = updater.poll_once()
    assert (result.outcome, result.version) == (Outcome.APPLIED, version), result


def root_keyids(repo: FleetRepository, role: str) -> set[str]:
    return set(repo.root().roles[role].keyids)


def test_a_timestamp_key_rotation_is_followed_and_the_old_key_is_refused(
        tmp_path: Path, repo: FleetRepository, terminal: Terminal) -> None:
    repo.publish(CANARY, layer(60))
    updater = terminal.updater()
    applied(updater, 1)
    leaked = keys.load(repo.dir / "keys" / "timestamp.pem")

    done = repo.rotate_key("timestamp")
    assert done["root_version"] == 2 and done["revoked_keyids"] == [leaked.public_key.keyid]
    assert root_keyids(repo, "timestamp") == {done["new_keyid"]}
    assert keys.load(repo.dir / "keys" / "timestamp.pem").public_key.keyid == done["new_keyid"]
    assert len(list((repo.dir / "keys" / "retired").glob("timestamp.*.pem"))) == 1
    repo.publish(CANARY, layer(50))
    applied(updater, 2)  # the terminal took root 2 on its way

    # Whoever holds the old timestamp key signs a timestamp: refused, version 2 stays.
    before = terminal.applied.read_bytes()
    repo._signers["timestamp"] = [leaked]
    repo.publish(CANARY, layer(40))
    result = updater.poll_once()
    assert result.outcome is Outcome.REFUSED and "timestamp" in result.reason, result
    assert result.version == 2 and terminal.applied.read_bytes() == before


def test_a_lost_root_key_is_replaced_with_the_other_two(tmp_path: Path, repo: FleetRepository,
                                                        terminal: Terminal) -> None:
    repo.publish(CANARY, layer(60))
    updater = terminal.updater()
    applied(updater, 1)
    offline = tmp_path / "offline"
    lost = keys.load(offline / "root-3.pem").public_key.keyid
    (offline / "root-3.pem").unlink()

    done = repo.rotate_key("root", root_key=3)
    assert done["revoked_keyids"] == [lost] and lost not in root_keyids(repo, "root")
    assert done["new_keyid"] in root_keyids(repo, "root") and len(root_keyids(repo, "root")) == 3
    assert keys.load(offline / "root-3.pem").public_key.keyid == done["new_keyid"]
    repo.publish(CANARY, layer(50))
    applied(updater, 2)

    # The next root change is signed by the new key and one old one only: still accepted.
    (offline / "root-1.pem").rename(tmp_path / "root-1.away")
    manager = FleetRepository(repo.dir, root_keys_dir=offline)  # a command of its own
    assert manager.rotate_key("snapshot")["root_version"] == 3
    manager.publish(CANARY, layer(40))
    applied(updater, 3)


def test_a_root_rotation_refuses_without_a_threshold_of_current_keys(
        tmp_path: Path, repo: FleetRepository) -> None:
    offline = tmp_path / "offline"
    (offline / "root-2.pem").unlink()
    (offline / "root-3.pem").unlink()
    with pytest.raises(FleetError, match="not 2 of the current root's"):
        repo.rotate_key("root", root_key=3)
    with pytest.raises(FleetError, match="--root-key 1..3"):
        repo.rotate_key("root")
    with pytest.raises(FleetError, match="needs the offline root keys"):
        FleetRepository(repo.dir).rotate_key("targets")
    assert repo.root().version == 1 and not list(offline.glob("*.new"))


def test_a_rotation_cut_before_root_was_signed_is_forgotten(tmp_path: Path,
                                                            repo: FleetRepository) -> None:
    keys.generate(repo.dir / "keys" / "targets.pem.new")  # generated, then the power went
    old = keys.load(repo.dir / "keys" / "targets.pem").public_key.keyid
    repo.publish(CANARY, layer(60))
    assert not (repo.dir / "keys" / "targets.pem.new").exists()
    assert keys.load(repo.dir / "keys" / "targets.pem").public_key.keyid == old


def test_a_rotation_cut_after_root_was_signed_is_finished(tmp_path: Path, repo: FleetRepository,
                                                          terminal: Terminal) -> None:
    updater = terminal.updater()
    new = keys.generate(repo.dir / "keys" / "targets.pem.new")
    with repo.edit_root() as root:  # root 2 lists the new key; then the power went
        for keyid in list(root.roles["targets"].keyids):
            root.revoke_key(keyid, "targets")
        root.add_key(new.public_key, "targets")
    repo.publish(CANARY, layer(60))  # the next command settles the key files first
    assert keys.load(repo.dir / "keys" / "targets.pem").public_key.keyid == \
        new.public_key.keyid
    assert list((repo.dir / "keys" / "retired").glob("targets.*.pem"))
    applied(updater, 1)


def test_cli_rotate_key_renew_root_and_the_expiry_warning(tmp_path: Path,
                                                          repo: FleetRepository) -> None:
    env = {"KIOSK_FLEET_REPO": str(repo.dir)}
    runner = CliRunner()
    result = runner.invoke(main, ["--json", "fleet", "rotate-key", "--root-keys",
                                  str(tmp_path / "offline"), "timestamp"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["root_version"] == 2
    result = runner.invoke(main, ["fleet", "rotate-key", "--root-keys",
                                  str(tmp_path / "offline"), "root"], env=env)
    assert result.exit_code == 1 and "--root-key 1..3" in result.output

    soon = FleetRepository(repo.dir, root_keys_dir=tmp_path / "offline",
                           expiry={"root": dt.timedelta(days=20)})
    soon.renew_root()
    result = runner.invoke(main, ["fleet", "refresh"], env=env)
    assert result.exit_code == 0 and "WARNING: root expires" in result.output, result.output
    result = runner.invoke(main, ["--json", "fleet", "renew-root", "--root-keys",
                                  str(tmp_path / "offline")], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["root_version"] == 4
    result = runner.invoke(main, ["fleet", "refresh"], env=env)
    assert "WARNING" not in result.output
