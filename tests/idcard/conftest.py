"""Fixtures for the ID card area: an emulator on a pty and a reader with short intervals."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.device import DeviceEvent, EventKind
from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.reader import IdCardReader

TODAY = dt.date(2026, 11, 22)


class Events:
    """Collects a device's events; `wait` polls with a deadline instead of sleeping."""

    def __init__(self) -> None:
        self.items: list[DeviceEvent] = []
        self._lock = threading.Lock()

    def __call__(self, event: DeviceEvent) -> None:
        with self._lock:
            self.items.append(event)

    def of(self, kind: EventKind) -> list[DeviceEvent]:
        with self._lock:
            return [e for e in self.items if e.kind is kind]

    def wait(self, kind: EventKind, count: int = 1, timeout: float = 3.0) -> list[DeviceEvent]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(kind)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise AssertionError(f"expected {count} {kind} event(s) within {timeout} s, "
                             f"got {[e.kind.value for e in self.items]}")


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[IdCardEmulator]:
    emu = IdCardEmulator(tmp_path, baudrate=115200)
    emu.start()
    yield emu
    emu.stop()


@pytest.fixture
def make_reader(emulator: IdCardEmulator) -> Iterator[Callable[..., tuple[IdCardReader, Events]]]:
    readers: list[IdCardReader] = []

    def make(**kw: object) -> tuple[IdCardReader, Events]:
        options: dict[str, object] = dict(
            port=str(emulator.link.link_path), poll_interval=0.03, read_timeout=0.25,
            reopen_interval=0.05, missed_polls_to_offline=3, today=lambda: TODAY)
        options.update(kw)
        reader = IdCardReader(**options)  # type: ignore[arg-type]
        events = Events()
        reader.subscribe(events)
        reader.start()
        readers.append(reader)
        assert reader.wait_for(lambda s: s.usable, 3), reader.status
        return reader, events

    yield make
    for reader in readers:
        reader.stop()
