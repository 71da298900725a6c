"""The heartbeat as the reference platform receives it over HTTPS from a running terminal:
device states in XFS4IoT words, paper, outbox depth, versions, uptime; degraded when a device is
not usable; a platform outage costs one log line and the next beat goes through."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.refplatform.terminals import latest_heartbeats
from kiosk.sim import Simulation
from kiosk.terminal import Terminal
from tests.support import wait_until


@pytest.fixture
def sim(tmp_path: Path):
    with Simulation(tmp_path / "sim", areas=("printer",)) as s:
        yield s


@pytest.fixture
def terminal(sim: Simulation):
    term = Terminal(load_config(sim.site_config_path))
    term.start()
    yield term
    term.stop()


def _received(sim: Simulation) -> list[dict]:
    with sim.emulators["platform"].store.read() as conn:
        return latest_heartbeats(conn)


def test_the_platform_hears_how_the_terminal_is(sim, terminal, caplog) -> None:
    printer = terminal.printer
    assert printer is not None and printer.wait_for(lambda s: s.usable, 10)
    assert terminal.heartbeat is not None and terminal.heartbeat.beat()
    [beat] = _received(sim)
    assert beat["kiosk_id"] == "SIM-0001" and beat["health"] == "ok"
    assert beat["devices"] == {"printer": "online"} and beat["paper"] == "ok"
    assert beat["outbox_depth"] == 0 and beat["versions"]["app"]
    assert isinstance(beat["uptime_s"], int)
    # where it stands (contract 1.4), and the console beside the platform heard it too
    assert beat["site"] == {"hall": terminal.config.terminal.hall_name, "ring": "demo"}
    [row] = sim.control("platform", "console_board", {})
    assert (row["kiosk_id"], row["hall"], row["level"]) == (
        "SIM-0001", terminal.config.terminal.hall_name, "green")

    sim.control("printer", "paper_out", {})
    assert printer.wait_for(lambda s: not s.usable, 10)
    # the change itself sends a heartbeat (HeartbeatSender.nudge): no wait for the interval
    assert wait_until(lambda: _received(sim)[0]["paper"] == "out", timeout=8, interval=0.2)
    [beat] = _received(sim)
    assert (beat["health"], beat["paper"], beat["devices"]["printer"]) == (
        "degraded", "out", "userError")

    sim.control("platform", "down", {})
    with caplog.at_level(logging.WARNING):
        assert not terminal.heartbeat.beat() and not terminal.heartbeat.beat()
    assert caplog.text.count("heartbeat_failed") == 1  # once per outage
    sim.control("platform", "up", {})
    assert wait_until(terminal.heartbeat.beat, timeout=10, interval=0.5)


def test_a_nudge_beats_soon_and_a_storm_of_nudges_is_held_to_the_minimum_gap() -> None:
    import time

    from kiosk.health.heartbeat import HeartbeatSender

    posted: list[float] = []
    sender = HeartbeatSender(lambda: {}, lambda _body: posted.append(time.monotonic()),
                             interval_s=3600)
    sender.MIN_GAP_S = 0.5
    sender.start()
    try:
        assert wait_until(lambda: len(posted) == 1, timeout=5, interval=0.02)  # at start
        t0 = time.monotonic()
        for _ in range(50):
            sender.nudge()
        assert wait_until(lambda: len(posted) == 2, timeout=5, interval=0.02)
        assert posted[1] - t0 < 1.5  # not the hour's interval
        time.sleep(1.2)
        assert len(posted) == 2  # fifty nudges while one beat waited: one beat
        sender.nudge()
        assert wait_until(lambda: len(posted) == 3, timeout=5, interval=0.02)
        assert posted[2] - posted[1] >= 0.5
    finally:
        sender.stop()
