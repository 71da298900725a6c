"""Fixtures for the ID card area: an emulator on a pty and a reader with short intervals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import EventRecorder as Events

from drivers.idcard.emulator import IdCardEmulator
from drivers.idcard.reader import IdCardReader

TODAY = dt.date(2026, 11, 22)





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
