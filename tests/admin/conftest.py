"""A whole terminal on the bench for the admin service: the emulators and the reference
platform of `kiosk sim`, a real kiosk.terminal.Terminal over them. Staff sign in with a staff
card of the simulation's staff issuer (areas with "smartcard"; see tests/admin/test_admin_ui.py
and tests/smartcard/test_staff_card.py)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from kiosk.config.loader import LoadedConfig, load_layers
from kiosk.sim import Simulation
from kiosk.terminal import Terminal

AREAS = ("idcard", "qr", "document", "printer")


def admin_site(sim: Simulation, path: Path, **admin: Any) -> Path:
    """The simulation's site file with an [admin] section (and quick device polling)."""
    site = tomllib.loads(sim.site_config_path.read_text(encoding="utf-8"))
    site["admin"] = {**site.get("admin", {}), **admin}
    site.setdefault("devices", {}).setdefault("printer", {})["poll_interval_s"] = 0.5
    path.write_text(tomli_w.dumps(site), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulation]:
    with Simulation(tmp_path_factory.mktemp("admin-sim"), areas=AREAS) as s:
        yield s


@pytest.fixture(scope="module")
def loaded(sim: Simulation, tmp_path_factory: pytest.TempPathFactory) -> LoadedConfig:
    return load_layers(admin_site(sim, tmp_path_factory.mktemp("site") / "site.toml"))


@pytest.fixture(scope="module")
def terminal(loaded: LoadedConfig) -> Iterator[Terminal]:
    t = Terminal(loaded.config)
    t.start()
    for device in t.devices:
        device.wait_for(lambda s: s.usable, 15)
    yield t
    t.stop()


@pytest.fixture(scope="session")
def xvfb():
    from kiosk.demo.xvfb import Xvfb

    server = Xvfb()
    yield server
    server.stop()
