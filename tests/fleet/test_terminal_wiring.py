"""Fleet updates reach a running terminal: `kiosk sim`'s platform serves the fleet repository,
the terminal's FleetService applies a ring's layer between citizen sessions, restarts to take it
and keeps it only when the restarted terminal is healthy; the heartbeat says which version.

A "process start" here is what `python -m screens` does: `prepare_boot(site)`, then the
configuration is loaded and a Terminal built and started. The restart the service asks for is
played by the test thread (stop everything, start again), as the supervisor would.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.fleet.scopes import parse_scope
from kiosk.fleet.service import FleetService, prepare_boot
from kiosk.fleet.updater import FleetSettings, Outcome, PollResult
from kiosk.refplatform.terminals import latest_heartbeats
from kiosk.session import EndReason, SessionManager
from kiosk.sim import Simulation
from kiosk.terminal import Terminal
from tests.support import wait_until

GOOD = b"[session]\nidle_timeout_s = 75.0\n"


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulation]:
    with Simulation(tmp_path / "sim", areas=("printer",)) as s:
        yield s


def publish(sim: Simulation, layer: bytes, ring: str = "demo") -> int:
    return sim.emulators["platform"].fleet.publish(parse_scope(f"ring:{ring}"), layer).version


@dataclass
class Boot:
    """One life of the kiosk process: its terminal, its fleet service, what it was told."""

    terminal: Terminal
    service: FleetService
    results: list[PollResult] = field(default_factory=list)
    restart: threading.Event = field(default_factory=threading.Event)

    def outcomes(self) -> list[str]:
        return [str(r.outcome) for r in self.results]

    def stop(self) -> None:
        self.terminal.stop()  # stops its fleet service (this test's) first


def settings(config, **overrides) -> FleetSettings:  # type: ignore[no-untyped-def]
    return FleetSettings.from_config(config, poll_interval_s=0.2, jitter_s=0.0, **overrides)


def boot(site: Path, health_timeout_s: float = 4.0) -> Boot:
    prepare_boot(site)
    config = load_config(site)
    terminal = Terminal(config)
    results: list[PollResult] = []
    restart = threading.Event()
    service = FleetService(config, terminal.sessions, terminal.devices, site=site,
                           on_result=results.append, restart=restart.set,
                           health_timeout_s=health_timeout_s, settings=settings(config))
    terminal.fleet = service  # this test's own, observable service instead of the default one
    terminal.start()
    return Boot(terminal, service, results, restart)


def fleet_dir(sim: Simulation) -> Path:
    return sim.run_dir / "data" / "fleet"


def heard_version(sim: Simulation, terminal: Terminal) -> str | None:
    assert terminal.heartbeat is not None and terminal.heartbeat.beat()
    with sim.emulators["platform"].store.read() as conn:
        [beat] = latest_heartbeats(conn)
    return beat["versions"].get("config")


def test_published_to_the_ring_applied_between_sessions_and_kept(sim: Simulation) -> None:
    site = sim.site_config_path
    first = boot(site)
    try:
        assert first.terminal.printer is not None
        assert first.terminal.printer.wait_for(lambda s: s.usable, 10)
        first.terminal.sessions.start()  # a citizen at the screen
        assert publish(sim, GOOD) == 1
        assert wait_until(lambda: "deferred_session_active" in first.outcomes(), timeout=15)
        assert not (fleet_dir(sim) / "applied.toml").exists()
        assert not first.restart.is_set()

        first.terminal.sessions.end(EndReason.EXIT)  # the citizen leaves: applied at once
        assert first.restart.wait(10), first.outcomes()
        assert first.outcomes()[-1] == "applied"
        assert b"idle_timeout_s = 75.0" in (fleet_dir(sim) / "applied.toml").read_bytes()
        assert (fleet_dir(sim) / "trial.json").exists()  # kept only if the restart is healthy
    finally:
        first.stop()

    second = boot(site)
    try:
        assert second.terminal.config.session.idle_timeout_s == 75.0
        assert wait_until(lambda: second.outcomes() == ["applied"], timeout=15)
        assert second.results[0].reason == "healthy after the restart"
        assert not (fleet_dir(sim) / "trial.json").exists()
        assert not second.restart.is_set()
        assert second.service.version() == 1
        assert heard_version(sim, second.terminal) == "1"
    finally:
        second.stop()


def test_a_layer_that_breaks_a_device_is_rolled_back_after_the_restart(
        sim: Simulation, caplog: pytest.LogCaptureFixture) -> None:
    site = sim.site_config_path
    config = load_config(site)
    # Version 1 was applied earlier and is the last good configuration.
    publish(sim, GOOD)
    earlier = FleetService(config, SessionManager(config), site=site, settings=settings(config))
    assert earlier.updater.poll_once().outcome == Outcome.APPLIED
    (fleet_dir(sim) / "trial.json").unlink()  # ... and was confirmed after its restart
    good_layer = (fleet_dir(sim) / "applied.toml").read_bytes()

    bad = f'[devices.printer]\nport = "{sim.run_dir}/no-such-printer"\n'.encode()
    first = boot(site)
    try:
        assert first.terminal.printer is not None
        assert first.terminal.printer.wait_for(lambda s: s.usable, 10)
        assert publish(sim, bad) == 2
        assert first.restart.wait(15), first.outcomes()
    finally:
        first.stop()

    second = boot(site, health_timeout_s=3.0)
    try:
        assert second.terminal.config.devices.printer.port.endswith("no-such-printer")
        assert second.restart.wait(15), "the old layer must be put back by a restart"
        [result] = second.results
        assert result.outcome == Outcome.ROLLED_BACK and result.version == 1
        assert "printer worked before" in result.reason
        assert "event=config_rolled_back version=1 reason=" in caplog.text
        assert (fleet_dir(sim) / "applied.toml").read_bytes() == good_layer
        state = json.loads((fleet_dir(sim) / "state.json").read_text())
        assert state["applied"]["version"] == 1 and "printer" in state["last_failure"]["reason"]
    finally:
        second.stop()

    third = boot(site)
    try:
        assert not third.terminal.config.devices.printer.port.endswith("no-such-printer")
        assert third.terminal.config.session.idle_timeout_s == 75.0  # version 1 in force
        assert third.terminal.printer is not None
        assert third.terminal.printer.wait_for(lambda s: s.usable, 10)
        assert heard_version(sim, third.terminal) == "1"
        assert wait_until(lambda: third.results, timeout=10)
        assert third.results[0].outcome == Outcome.REFUSED  # not tried again
        assert "failed before" in third.results[0].reason
        assert not third.restart.is_set()
    finally:
        third.stop()


def test_a_layer_that_kills_the_app_at_start_is_taken_back_before_the_config_is_read(
        sim: Simulation) -> None:
    site = sim.site_config_path
    config = load_config(site)
    publish(sim, GOOD)
    service = FleetService(config, SessionManager(config), site=site, settings=settings(config))
    assert service.updater.poll_once().outcome == Outcome.APPLIED
    assert prepare_boot(site) == "" and prepare_boot(site) == ""  # two starts, both died
    assert (fleet_dir(sim) / "applied.toml").exists()
    reason = prepare_boot(site)
    assert "started 2 times without coming up healthy" in reason
    assert not (fleet_dir(sim) / "applied.toml").exists()  # there was no layer before
    assert load_config(site).session.idle_timeout_s != 75.0
    assert service.updater.applied_version() == 0
    assert service.updater.poll_once().outcome == Outcome.REFUSED  # marked bad


@pytest.mark.parametrize("ui_up", [True, False])
def test_the_screens_must_come_up(sim: Simulation, ui_up: bool) -> None:
    site = sim.site_config_path
    config = load_config(site)
    publish(sim, GOOD)
    before = FleetService(config, SessionManager(config), site=site, settings=settings(config))
    assert before.updater.poll_once().outcome == Outcome.APPLIED

    prepare_boot(site)
    config = load_config(site)
    results: list[PollResult] = []
    restarted = threading.Event()
    after = FleetService(config, SessionManager(config), site=site, on_result=results.append,
                         health_timeout_s=1.0, settings=settings(config))
    after.attach_ui(restart=restarted.set)
    if ui_up:
        after.confirm_healthy()  # the app's first frame
    after.start()
    try:
        assert wait_until(lambda: results, timeout=5)
        if ui_up:
            assert results[0].outcome == Outcome.APPLIED and not restarted.is_set()
        else:
            assert results[0].outcome == Outcome.ROLLED_BACK
            assert "screens did not come up" in results[0].reason
            assert restarted.wait(2)
    finally:
        after.stop()


def test_no_trusted_root_means_no_updates_not_no_terminal(sim: Simulation) -> None:
    config = load_config(sim.site_config_path)
    sessions = SessionManager(config)
    assert FleetService.for_terminal(config, sessions, [], sim.site_config_path) is not None
    Path(config.fleet.trusted_root_file).unlink()
    assert FleetService.for_terminal(config, sessions, [], sim.site_config_path) is None
    off = config.model_copy(update={"fleet": config.fleet.model_copy(update={"enabled": False})})
    assert FleetService.for_terminal(off, sessions, [], sim.site_config_path) is None


def test_the_health_timeout_after_the_restart_is_a_setting(sim: Simulation) -> None:
    config = load_config(sim.site_config_path)
    assert FleetService(config, SessionManager(config), site=sim.site_config_path,
                        settings=settings(config)).health_timeout_s == 60.0
    slow = config.model_copy(update={"fleet": config.fleet.model_copy(
        update={"health_timeout_s": 180.0})})
    assert FleetService(slow, SessionManager(slow), site=sim.site_config_path,
                        settings=settings(slow)).health_timeout_s == 180.0
