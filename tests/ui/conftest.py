from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi, Xvfb
from tests.ui.journey import AREAS as JOURNEY_AREAS


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


@pytest.fixture
def sim(request: pytest.FixtureRequest, tmp_path: Path):
    """The simulated terminal: the platform and the emulators of the test module's `AREAS`
    (by default those of the apply journey, tests.ui.journey.AREAS)."""
    areas = getattr(request.module, "AREAS", JOURNEY_AREAS)
    with Simulation(tmp_path / "sim", areas=areas) as s:
        yield s


@pytest.fixture
def app(sim: Simulation, xvfb: Xvfb, tmp_path: Path):
    """The app on the simulated terminal."""
    ui = KioskUi(tmp_path / "ui", xvfb, site_file=sim.site_config_path).start()
    yield ui
    ui.stop()
