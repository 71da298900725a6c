"""The fleet manager's tool refuses what a terminal would refuse, before anything is signed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kiosk.fleet.repository import FleetError, FleetRepository
from kiosk.fleet.scopes import parse_scope
from kiosk.fleet.status import by_version, stale
from kiosk.fleet.updater import Outcome
from tests.fleet.conftest import Terminal

CANARY = parse_scope("ring:canary")


def test_root_needs_two_of_three_offline_keys(tmp_path: Path, repo: FleetRepository) -> None:
    root = json.loads((repo.metadata_dir / "1.root.json").read_text())
    assert root["signed"]["roles"]["root"]["threshold"] == 2
    assert len(root["signed"]["roles"]["root"]["keyids"]) == 3
    assert sorted(p.name for p in (tmp_path / "offline").iterdir()) == \
        ["root-1.pem", "root-2.pem", "root-3.pem"]
    assert not any((repo.dir / "keys").glob("root*"))  # no root key beside the repository
    assert all(p.stat().st_mode & 0o077 == 0 for p in (repo.dir / "keys").iterdir())
    with pytest.raises(FleetError, match="already holds"):
        repo.init()


@pytest.mark.parametrize("layer, problem", [
    (b"[session]\nidle_timout_s = 60\n", "session.idle_timout_s: is not a known setting"),
    (b"[session]\nidle_timeout_s = 'soon'\n", "session.idle_timeout_s"),
    (b"[terminal]\nid = \"X\"\n", "may not set terminal.id"),
    (b"[session\n", "not valid TOML"),
])
def test_publish_refuses_a_layer_the_terminal_would_refuse(repo: FleetRepository, layer: bytes,
                                                           problem: str) -> None:
    with pytest.raises(FleetError, match=problem.replace(".", r"\.")):
        repo.publish(CANARY, layer)
    assert repo.history() == [] and repo.targets().version == 1  # nothing signed


def test_a_ring_layer_is_validated_on_top_of_the_published_all_layer(
        repo: FleetRepository) -> None:
    repo.publish(parse_scope("all"), b"[session]\nidle_timeout_s = 30.0\n")
    with pytest.raises(FleetError, match="warning_s must be shorter"):
        repo.publish(CANARY, b"[session]\nwarning_s = 40.0\n")


def test_rollback_to_an_unknown_version_and_promote_of_nothing(repo: FleetRepository) -> None:
    with pytest.raises(FleetError, match="no published version 4"):
        repo.rollback(CANARY, 4)
    with pytest.raises(FleetError, match="nothing is published for ring:lab"):
        repo.promote(parse_scope("ring:lab"), CANARY)


def test_two_publishes_in_one_second_are_both_seen(repo: FleetRepository,
                                                   terminal: Terminal) -> None:
    updater = terminal.updater()
    repo.publish(CANARY, b"[session]\nidle_timeout_s = 61.0\n")
    assert updater.poll_once().version == 1
    repo.publish(CANARY, b"[session]\nidle_timeout_s = 62.0\n")  # same size, same second
    assert updater.poll_once().version == 2


def test_withdrawing_a_terminal_layer_falls_back_to_the_ring(repo: FleetRepository,
                                                             terminal: Terminal) -> None:
    repo.publish(CANARY, b"[session]\nidle_timeout_s = 61.0\n")
    repo.publish(parse_scope("terminal:T-1"), b"[ui]\nelder_mode = true\n")
    updater = terminal.updater()
    assert updater.poll_once().version == 2
    repo.withdraw(parse_scope("terminal:T-1"))
    result = updater.poll_once()
    assert (result.outcome, result.version) == (Outcome.APPLIED, 1)
    assert b"elder_mode" not in terminal.applied.read_bytes()


def test_status_groups_terminals_by_config_version() -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    beats = [{"kiosk_id": "A", "received_at": "2025-01-01T00:00:00+00:00",
              "versions": {"app": "1", "config": "10"}},
             {"kiosk_id": "B", "received_at": "2024-12-31T00:00:00+00:00",
              "versions": {"app": "1", "config": "9"}},
             {"kiosk_id": "C", "received_at": "2025-01-01T00:00:00+00:00",
              "versions": {"app": "1"}}]
    assert by_version(beats) == {"9": ["B"], "10": ["A"], "none": ["C"]}
    assert stale(beats, now, dt.timedelta(hours=1)) == ["B"]
