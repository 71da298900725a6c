"""A pcscd of the tests' own (private socket and vpcd port when running as root) for the whole
session, the project's virtual card in its reader, and a started SmartCardReader per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.support import EventRecorder as Events

from drivers.smartcard.emulator import READER_NAME, SmartCardEmulator
from drivers.smartcard.card_auth import load_issuer_root
from drivers.smartcard.reader import SmartCardReader
from kiosk.services import IdentityService
from kiosk.session import SessionManager
from tests.services.conftest import Heard





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


@contextmanager
def identity_service(emu: SmartCardEmulator, sessions: SessionManager, *,
                     apdu_timeout: float = 0.5) -> Iterator[tuple[SmartCardReader, Heard]]:
    """A started reader and the identity service over it, trusting the simulation's card issuer
    (as the terminal's configuration would say), and the IdentityEvents it hears."""
    reader = SmartCardReader("smartcard", reader=READER_NAME, poll_interval=0.05,
                             missed_polls_to_offline=3, apdu_timeout=apdu_timeout)
    service = IdentityService([reader], sessions, None,
                              card_issuer_root=load_issuer_root(emu.issuer.root_pem))
    heard = Heard()
    service.subscribe(heard)
    reader.start()
    assert reader.wait_for(lambda s: s.usable, 5), reader.status
    try:
        yield reader, heard
    finally:
        service.close()
        reader.stop()
