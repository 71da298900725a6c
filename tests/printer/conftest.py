"""A printer emulator and a driver talking to it through the real OS interface (pty or TCP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import EventRecorder as Events

from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import ThermalPrinter
from drivers.printer.transport import NetworkTransport, SerialTransport





@pytest.fixture
def emulator(tmp_path) -> Iterator[PrinterEmulator]:
    emu = PrinterEmulator(tmp_path, paper_width_mm=80)
    emu.start()
    yield emu
    emu.stop()


def make_printer(emu: PrinterEmulator, link: str, **kw) -> ThermalPrinter:
    transport = (SerialTransport(emu.endpoints()["pty"]) if link == "pty"
                 else NetworkTransport("127.0.0.1", emu.endpoints()["tcp_port"]))
    options = dict(poll_interval_s=0.05, reopen_interval_s=0.05, status_timeout_s=0.15,
                   missed_polls_to_offline=3, job_timeout_s=3.0, check_interval_s=0.05)
    options.update(kw)
    return ThermalPrinter("printer", transport, **options)


@pytest.fixture(params=["pty", "tcp"])
def link(request) -> str:
    return request.param


@pytest.fixture
def printer(emulator, link) -> Iterator[tuple[ThermalPrinter, Events]]:
    prn = make_printer(emulator, link)
    events = Events()
    prn.subscribe(events)
    prn.start()
    assert prn.wait_for(lambda s: s.usable, 3.0), prn.status
    yield prn, events
    prn.stop()
