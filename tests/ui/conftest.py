from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.harness import KioskUi, Xvfb


@pytest.fixture(scope="session")
def xvfb():
    server = Xvfb()
    yield server
    server.stop()


@pytest.fixture
def ui(xvfb: Xvfb, tmp_path: Path):
    app = KioskUi(tmp_path / "run", xvfb).start()
    yield app
    app.stop()
