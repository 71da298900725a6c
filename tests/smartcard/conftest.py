"""A pcscd of the tests' own (private socket and vpcd port when running as root) for the whole
session, the project's virtual card in its reader, and a started SmartCardReader per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.support import EventRecorder as Events

from drivers.smartcard.emulator import READER_NAME, SmartCardEmulator
from drivers.smartcard.reader import SmartCardReader





@pytest.fixture(scope="session")
def sc_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmartCardEmulator]:
    emu = SmartCardEmulator(tmp_path_factory.mktemp("smartcard"), private=None)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def emu(sc_emulator: SmartCardEmulator) -> Iterator[SmartCardEmulator]:
    """The session emulator with no card in and a running pcscd, before and after each test."""
    sc_emulator.remove_card()
    if not sc_emulator.daemon.is_running():
        sc_emulator.start_pcscd()
    yield sc_emulator
    sc_emulator.remove_card()
    if not sc_emulator.daemon.is_running():
        sc_emulator.start_pcscd()


@pytest.fixture
def make_reader(emu: SmartCardEmulator) -> Iterator[Callable[..., tuple[SmartCardReader, Events]]]:
    started: list[SmartCardReader] = []

    def make(**kw: object) -> tuple[SmartCardReader, Events]:
        opts = {"reader": READER_NAME, "poll_interval": 0.05, "missed_polls_to_offline": 3,
                "apdu_timeout": 0.5, **kw}
        device = SmartCardReader("smartcard", **opts)  # type: ignore[arg-type]
        events = Events()
        device.subscribe(events)
        device.start()
        started.append(device)
        return device, events

    yield make
    for device in started:
        device.stop()
