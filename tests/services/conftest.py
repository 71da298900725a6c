"""Real emulators on real OS interfaces (ptys), their drivers, a SessionManager under tmp_path,
and the identity service wired to them the way the app wires it."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from drivers.device import Device
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.reader import IdCardReader
from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import ThermalPrinter
from drivers.printer.transport import SerialTransport
from drivers.qr.serial_emulator import QrSerialEmulator
from drivers.qr.serial_scanner import QrSerialScanner
from kiosk.config import KioskConfig
from kiosk.config.schema import SessionConfig, TerminalConfig
from kiosk.services import IdentityEvent, IdentityService
from kiosk.session import SessionManager
from tests.support import wait_until

TODAY = dt.date(2026, 11, 22)
AUTHORITY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC_RAW = AUTHORITY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


GRACE_S = 1.5


class Heard:
    """IdentityEvents as the screens would receive them (on driver threads)."""

    def __init__(self) -> None:
        self.items: list[IdentityEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: IdentityEvent) -> None:
        with self._lock:
            self.items.append(event)

    def of(self, kind: str) -> list[IdentityEvent]:
        with self._lock:
            return [e for e in self.items if e.kind == kind]

    def wait(self, kind: str, count: int = 1, timeout: float = 4.0) -> list[IdentityEvent]:
        if wait_until(lambda: len(self.of(kind)) >= count, timeout):
            return self.of(kind)
        raise AssertionError(f"expected {count} {kind}, heard {[e.kind for e in self.items]}")


def make_config(tmp_path: Path) -> KioskConfig:
    return KioskConfig(terminal=TerminalConfig(run_dir=str(tmp_path / "run")),
                       session=SessionConfig(idle_timeout_s=60, warning_s=15))


@pytest.fixture
def config(tmp_path: Path) -> KioskConfig:
    return make_config(tmp_path)


@pytest.fixture
def sessions(config: KioskConfig) -> Iterator[SessionManager]:
    manager = SessionManager(config)
    yield manager
    manager.close()


@pytest.fixture
def id_emulator(tmp_path: Path) -> Iterator[IdCardEmulator]:
    emu = IdCardEmulator(tmp_path, baudrate=115200)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def qr_emulator(tmp_path: Path) -> Iterator[QrSerialEmulator]:
    emu = QrSerialEmulator(tmp_path, baudrate=115200)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def printer_emulator(tmp_path: Path) -> Iterator[PrinterEmulator]:
    emu = PrinterEmulator(tmp_path, paper_width_mm=80)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def started() -> Iterator[Callable[[Device], Device]]:
    """Start a device (after the services subscribed, as the app does); stop it at the end."""
    devices: list[Device] = []

    def start(device: Device) -> Device:
        device.start()
        devices.append(device)
        return device

    yield start
    for device in devices:
        device.stop()


@pytest.fixture
def id_reader(id_emulator: IdCardEmulator) -> IdCardReader:
    return IdCardReader(port=str(id_emulator.link.link_path), poll_interval=0.03,
                        read_timeout=0.25, reopen_interval=0.05, missed_polls_to_offline=3,
                        read_attempts=2, today=lambda: TODAY)


@pytest.fixture
def qr_scanner(qr_emulator: QrSerialEmulator) -> QrSerialScanner:
    return QrSerialScanner(port=qr_emulator.port, baudrate=qr_emulator.baudrate,
                           repeat_suppress_s=1.0, reopen_interval=0.1)


@pytest.fixture
def printer(printer_emulator: PrinterEmulator) -> ThermalPrinter:
    return ThermalPrinter("printer", SerialTransport(printer_emulator.endpoints()["pty"]),
                          poll_interval_s=0.05, reopen_interval_s=0.05, status_timeout_s=0.15,
                          missed_polls_to_offline=3, job_timeout_s=3.0, check_interval_s=0.05)


@pytest.fixture
def service(id_reader: IdCardReader, qr_scanner: QrSerialScanner, sessions: SessionManager,
            started: Callable[[Device], Device]
            ) -> Iterator[tuple[IdentityService, Heard]]:
    """The identity service on a running ID card reader and serial QR scanner (a lifted
    card's grace is GRACE_S here, not 10 s: the tests wait it out)."""
    svc = IdentityService([id_reader, qr_scanner], sessions, PUBLIC_RAW, card_grace_s=GRACE_S)
    heard = Heard()
    svc.subscribe(heard)
    for device in (id_reader, qr_scanner):
        started(device)
        assert device.wait_for(lambda s: s.usable, 3), device.status
    yield svc, heard
    svc.close()
