"""The device failure policy against a real printer emulator on a pty: a device that keeps
failing is reset after a grace period, with growing pauses, and given up on (no loop) until it
comes back; a device never seen working is left to staff."""

from __future__ import annotations

import logging

import pytest

from drivers.device import DeviceState
from drivers.printer.emulator import PrinterEmulator
from kiosk.health.supervisor import DeviceSupervisor
from tests.printer.conftest import make_printer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def emulator(tmp_path):
    emu = PrinterEmulator(tmp_path, paper_width_mm=80)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def printer(emulator):
    prn = make_printer(emulator, "pty")
    prn.start()
    assert prn.wait_for(lambda s: s.usable, 3.0), prn.status
    yield prn
    prn.stop()


def test_a_device_that_keeps_failing_is_reset_then_given_up_on(printer, emulator, caplog):
    clock = Clock()
    supervisor = DeviceSupervisor([printer], grace_s=10, bad_readings=2, max_resets=2,
                                  pause_s=60, clock=clock)
    assert supervisor.check() == []  # seen working
    emulator.unplug()
    assert printer.wait_for(lambda s: s.state == DeviceState.OFFLINE, 5), printer.status
    clock.now += 5
    assert [supervisor.check(), supervisor.check()] == [[], []]  # still in its grace period
    clock.now += 10
    assert supervisor.check() == ["printer"]  # two bad readings after the grace: reset 1
    assert supervisor.check() == supervisor.check() == []  # pausing 60 s before the next
    clock.now += 61
    assert supervisor.check() == ["printer"]  # reset 2, the pause doubles
    clock.now += 121
    with caplog.at_level(logging.ERROR):
        assert supervisor.check() == supervisor.check() == []  # given up: no loop
    assert "device_needs_staff" in caplog.text
    clock.now += 10_000
    assert supervisor.check() == []  # still given up
    emulator.replug()
    assert printer.wait_for(lambda s: s.usable, 10), printer.status
    assert supervisor.check() == []  # back by itself: the count starts again
    emulator.unplug()
    assert printer.wait_for(lambda s: s.state == DeviceState.OFFLINE, 5)
    assert [supervisor.check(), supervisor.check()] == [[], ["printer"]]


def test_a_device_never_seen_working_is_not_reset(emulator, tmp_path):
    emulator.unplug()
    prn = make_printer(emulator, "pty")
    prn.start()
    try:
        assert prn.wait_for(lambda s: not s.usable and s.state != DeviceState.STARTING, 5)
        clock = Clock()
        supervisor = DeviceSupervisor([prn], grace_s=0, bad_readings=1, clock=clock)
        for _ in range(5):
            clock.now += 1000
            assert supervisor.check() == []
    finally:
        prn.stop()
