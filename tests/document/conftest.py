"""Shared emulators for document-capture tests.

libsane reads SANE_CONFIG_DIR once per process, so every SANE test in this pytest process uses
one session-wide ScannerEmulator (its condition is put back to "ok" after each test).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.document import synthetic
from drivers.document.emulator import DocumentEmulator, ScannerEmulator


@pytest.fixture(scope="session")
def scanner_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScannerEmulator]:
    emulator = ScannerEmulator(tmp_path_factory.mktemp("sane-run"))
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def scanner_emulator(scanner_session: ScannerEmulator) -> Iterator[ScannerEmulator]:
    scanner_session.clear()
    yield scanner_session
    scanner_session.clear()


@pytest.fixture
def doc_emulator(tmp_path: Path) -> Iterator[DocumentEmulator]:
    emulator = DocumentEmulator(tmp_path, fps=15, size=(1280, 720))
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def photos() -> list[synthetic.SyntheticPhoto]:
    """A few synthetic desk photos with known corners (1280x720 keeps the suite fast)."""
    return [synthetic.page_photo(seed, (1280, 720)) for seed in range(8)]
