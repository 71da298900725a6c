"""A fleet manager publishes; the terminal verifies, validates and applies between sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.loader import load_layers
from kiosk.fleet.repository import FleetRepository
from kiosk.fleet.scopes import parse_scope
from kiosk.fleet.records import heartbeat_versions
from kiosk.fleet.updater import Outcome
from tests.fleet.conftest import StaticServer, Terminal, make_terminal

CANARY = parse_scope("ring:canary")
SHORT = b"[session]\nidle_timeout_s = 60.0\n"


def test_a_ring_publish_is_applied_and_the_loader_reads_it(repo: FleetRepository,
                                                            terminal: Terminal) -> None:
    updater = terminal.updater()
    assert updater.poll_once().outcome is Outcome.UNCHANGED  # nothing published yet
    assert terminal.applied_bytes() is None

    repo.publish(CANARY, SHORT)
    result = updater.poll_once()
    assert (result.outcome, result.version) == (Outcome.APPLIED, 1)
    loaded = load_layers(terminal.site)
    assert loaded.config.session.idle_timeout_s == 60.0
    assert loaded.source_of("session.idle_timeout_s") == str(terminal.applied)
    assert heartbeat_versions(terminal.settings.fleet_dir) == {"config": "1"}


def test_an_unchanged_poll_is_answered_304(repo: FleetRepository, terminal: Terminal,
                                           server: StaticServer) -> None:
    repo.publish(CANARY, SHORT)
    updater = terminal.updater()
    assert updater.poll_once().outcome is Outcome.APPLIED
    server.log.clear()
    before = updater.fetcher.stats.not_modified
    assert updater.poll_once().outcome is Outcome.UNCHANGED
    # TUF probes for a next root (404) and asks for timestamp.json (304): nothing else.
    assert server.log == ["/metadata/2.root.json", "/metadata/timestamp.json"]
    assert updater.fetcher.stats.not_modified == before + 1


def test_layers_merge_all_then_ring_then_terminal(tmp_path: Path, repo: FleetRepository,
                                                  server: StaticServer) -> None:
    repo.publish(parse_scope("all"), b"[session]\nidle_timeout_s = 120.0\n"
                                     b"[receipts]\nhotline = \"12345-1\"\n")
    repo.publish(CANARY, b"[session]\nidle_timeout_s = 60.0\n")
    repo.publish(parse_scope("terminal:T-2"), b"[receipts]\nhotline = \"12345-2\"\n")
    one = make_terminal(tmp_path, repo, server.url, terminal_id="T-1", ring="canary")
    two = make_terminal(tmp_path, repo, server.url, terminal_id="T-2", ring="district")
    assert one.updater().poll_once().version == 2
    assert two.updater().poll_once().version == 3
    c1, c2 = load_layers(one.site).config, load_layers(two.site).config
    assert (c1.session.idle_timeout_s, c1.receipts.hotline) == (60.0, "12345-1")
    assert (c2.session.idle_timeout_s, c2.receipts.hotline) == (120.0, "12345-2")


def test_a_failed_health_check_puts_the_last_good_layer_back(
        repo: FleetRepository, terminal: Terminal, caplog: pytest.LogCaptureFixture) -> None:
    repo.publish(CANARY, SHORT)
    updater = terminal.updater()
    updater.poll_once()
    good = terminal.applied_bytes()
    repo.publish(CANARY, b"[session]\nidle_timeout_s = 45.0\n")
    terminal.healthy[0] = False
    result = updater.poll_once()
    assert result.outcome is Outcome.ROLLED_BACK and result.version == 1
    assert "event=config_rolled_back version=1 reason=" in caplog.text
    assert terminal.applied_bytes() == good
    # the console's rollouts hear which version this terminal took back
    assert heartbeat_versions(terminal.settings.fleet_dir) == {"config": "1",
                                                                "config_rolled_back": "2"}
    terminal.healthy[0] = True
    again = updater.poll_once()  # the same bad bundle is not tried again...
    assert again.outcome is Outcome.REFUSED and "failed before" in again.reason
    repo.publish(CANARY, b"[session]\nidle_timeout_s = 50.0\n")  # ...a newer one is
    assert updater.poll_once().outcome is Outcome.APPLIED
    assert load_layers(terminal.site).config.session.idle_timeout_s == 50.0


def test_rollback_is_a_newer_version_with_the_old_content(repo: FleetRepository,
                                                          terminal: Terminal) -> None:
    repo.publish(CANARY, SHORT)
    repo.publish(CANARY, b"[session]\nidle_timeout_s = 45.0\n")
    updater = terminal.updater()
    assert updater.poll_once().version == 2
    record = repo.rollback(CANARY, 1)
    assert record.version == 3
    assert updater.poll_once().version == 3
    assert load_layers(terminal.site).config.session.idle_timeout_s == 60.0


def test_promote_copies_the_canary_bundle_to_another_ring(tmp_path: Path, repo: FleetRepository,
                                                          server: StaticServer) -> None:
    repo.publish(CANARY, SHORT)
    district = make_terminal(tmp_path, repo, server.url, terminal_id="T-9", ring="district")
    updater = district.updater()
    assert updater.poll_once().outcome is Outcome.UNCHANGED
    repo.promote(CANARY, parse_scope("ring:district"))
    assert updater.poll_once().outcome is Outcome.APPLIED
    assert load_layers(district.site).config.session.idle_timeout_s == 60.0


def test_a_newer_app_version_is_waited_for(repo: FleetRepository, terminal: Terminal) -> None:
    repo.publish(CANARY, SHORT, min_app_version="99.0")
    result = terminal.updater(app_version="0.1.0").poll_once()
    assert result.outcome is Outcome.REFUSED and "needs app 99.0" in result.reason
    assert terminal.applied_bytes() is None
    assert terminal.updater(app_version="99.0.1").poll_once().outcome is Outcome.APPLIED
