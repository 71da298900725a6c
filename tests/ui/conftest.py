"""Fixtures of the UI tests: an X server, the simulated terminal and the app on it.

Starting the app costs seconds (more on a loaded machine) and a simulation about one more, so
the tests of one module share one of each: before every test the emulators are put back (no
card on a reader, no page under the camera, paper loaded, the platform restarted, which also
empties its rate-limit windows) and the app is reset through its UI driver (the session ended,
the attract loop, the configured defaults, dialogs closed). An app that a test stopped or that
died is started again. A module that needs its own per test sets `SHARE_APP = False`; tests
that change the configuration or kill the app start their own `KioskUi` as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from kiosk.sim import Simulation
from tests.ui.harness import KioskUi, Xvfb
from tests.ui.journey import AREAS as JOURNEY_AREAS, Since

# the defaults of an app on a site without a [ui] section (the simulation's and the shell's)
DEFAULTS = {"language": "zh-CN", "elder_mode": False, "high_contrast": False}
# emulator -> the control (and its arguments) that puts it back at rest: every control the UI
# tests use to change one has its counterpart here (the smart card: watched from this process
# by no PC/SC client of ours, see tests/ui/test_card_pin.py; the ID card: until the app's
# reader has seen the field empty, else the next test's card is the last one never lifted)
AT_REST = {"idcard": ("remove_card", {"settle_polls": 3}), "smartcard": ("remove_card", {"wait": 0}),
           "doc_camera": ("remove_page", {}), "printer": ("reload_paper", {})}


def _shared(request: pytest.FixtureRequest) -> bool:
    return getattr(request.module, "SHARE_APP", True)


def _simulated(request: pytest.FixtureRequest) -> dict:
    return {"areas": getattr(request.module, "AREAS", JOURNEY_AREAS),
            "platform": getattr(request.module, "PLATFORM", True)}


@pytest.fixture(scope="session")
def xvfb():
    server = Xvfb()
    yield server
    server.stop()


class Apps:
    """The module's running apps, one per site file (the shell's or a simulation's)."""

    live: list[Apps] = []  # of the module running now (module fixtures end before the next)

    def __init__(self, root: Path, xvfb: Xvfb) -> None:
        self.root, self.xvfb = root, xvfb
        self.running: dict[Path | None, KioskUi] = {}
        self.started = 0

    def ready(self, site_file: Path | None) -> KioskUi:
        for other in [site for site in self.running if site != site_file]:
            self.running.pop(other).stop()  # a test with a simulation of its own: one at a time
        app = self.running.get(site_file)
        if app is not None and app.alive:
            try:
                app.reset(DEFAULTS)
                return app
            except (AssertionError, requests.RequestException):  # left hung or half-way by
                pass  # a failed test: a fresh app, so that one failure stays one
        if app is not None:
            app.stop()
        self.started += 1
        app = KioskUi(self.root / f"app{self.started}", self.xvfb, site_file=site_file).start()
        self.running[site_file] = app
        return app

    def stop(self) -> None:
        for app in self.running.values():
            app.stop()
        self.running.clear()


@pytest.fixture(scope="module")
def module_apps(xvfb: Xvfb, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Apps]:
    apps = Apps(tmp_path_factory.mktemp("apps"), xvfb)
    Apps.live.append(apps)
    yield apps
    Apps.live.remove(apps)
    apps.stop()


@pytest.fixture(scope="module")
def module_sim(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulation]:
    with Simulation(tmp_path_factory.mktemp("sim"), **_simulated(request)) as s:
        yield s


@pytest.fixture(autouse=True)
def alone(request: pytest.FixtureRequest) -> None:
    """A test that starts an app of its own runs it alone: the module's shared app would
    share the emulators with it, and the CPU (its attract loop draws under software GL)."""
    if not {"ui", "app"} & set(request.fixturenames):
        for apps in Apps.live:
            apps.stop()


def put_back(sim: Simulation) -> None:
    """Every emulator at rest, the platform restarted (same port) with fresh rate limits."""
    for name, (control, args) in AT_REST.items():
        if name in sim.emulators:
            sim.control(name, control, args)
    if "platform" in sim.emulators:
        sim.control("platform", "down", {})
        sim.control("platform", "up", {})


@pytest.fixture
def ui(request: pytest.FixtureRequest, xvfb: Xvfb, tmp_path: Path):
    """The app on a terminal without devices or platform."""
    if _shared(request):
        yield request.getfixturevalue("module_apps").ready(None)
        return
    app = KioskUi(tmp_path / "run", xvfb).start()
    yield app
    app.stop()


@pytest.fixture
def sim(request: pytest.FixtureRequest, tmp_path: Path):
    """The simulated terminal: the platform (unless the module sets `PLATFORM = False`) and
    the emulators of the module's `AREAS` (by default the apply journey's)."""
    if _shared(request):
        s = request.getfixturevalue("module_sim")
        put_back(s)
        yield s
        return
    with Simulation(tmp_path / "sim", **_simulated(request)) as s:
        yield s


@pytest.fixture
def since(sim: Simulation) -> Since:
    """What the (shared) simulation held when the test began."""
    return Since(sim)


@pytest.fixture
def app(request: pytest.FixtureRequest, sim: Simulation, xvfb: Xvfb, tmp_path: Path):
    """The app on the simulated terminal."""
    if _shared(request):
        app = request.getfixturevalue("module_apps").ready(sim.site_config_path)
        if "printer" in sim.emulators:
            # paper put back (put_back) is seen at the app's next look at the printer: a test
            # after one that ran it out touched a tile still off ("out of paper")
            app.wait_for(lambda s: not any(why.startswith("printer_")
                                           for why in s["unavailable"].values()), 15)
        yield app
        return
    ui = KioskUi(tmp_path / "ui", xvfb, site_file=sim.site_config_path).start()
    yield ui
    ui.stop()
