"""Staff and the platform see the A4 page printer like the others: its row and test page on
the admin screen, its sheets counted, its paper in the heartbeat (emulated by ippeveprinter)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drivers.pageprinter.emulator import tools_present
from kiosk.admin.service import AdminService
from kiosk.config.loader import LoadedConfig, load_layers
from kiosk.health.heartbeat import heartbeat_body
from kiosk.sim import Simulation
from kiosk.terminal import Terminal
from tests.admin.conftest import admin_site

pytestmark = pytest.mark.skipif(not tools_present(), reason="cups-ipp-utils not installed")


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulation]:
    with Simulation(tmp_path_factory.mktemp("a4-admin"),
                    areas=("printer", "page_printer")) as s:
        yield s


@pytest.fixture(scope="module")
def loaded(sim: Simulation, tmp_path_factory: pytest.TempPathFactory) -> LoadedConfig:
    return load_layers(admin_site(sim, tmp_path_factory.mktemp("site") / "site.toml",
                                  a4_tray_sheets=2))


@pytest.fixture(scope="module")
def terminal(loaded: LoadedConfig) -> Iterator[Terminal]:
    t = Terminal(loaded.config)
    t.start()
    for device in t.devices:
        device.wait_for(lambda s: s.usable, 15)
    yield t
    t.stop()


@pytest.fixture
def admin(terminal: Terminal, loaded: LoadedConfig) -> Iterator[AdminService]:
    service = AdminService(terminal, loaded, restart_command=(), reboot_command=())
    service.staff = "S0001"  # what a staff card and its PIN leave behind
    yield service
    service.logout()
    service.close()


def test_the_page_printer_has_its_row_its_test_page_and_its_sheet_count(admin, terminal, sim):
    assert terminal.page_printer is not None
    rows = {r.name: r for r in admin.device_rows()}
    assert rows["page_printer"].state == "online" and rows["page_printer"].testable
    before = len(sim.emulators["page_printer"].printed())
    sheets = admin.a4_paper_use().jobs
    result = admin.run_test("page_printer")
    assert result.ok, result
    assert result.facts["pages"] == 1 and result.facts["confirmed_by"] == "impressions"
    (job,) = sim.emulators["page_printer"].printed()[before:]
    assert job["outcome"] == "completed" and job["printed_pages"] == 1
    assert admin.a4_paper_use().jobs == sheets + 1  # the counter heard the page
    assert admin.paper_use().jobs == 0  # ... and the receipt roll did not
    admin.run_test("page_printer")
    assert admin.a4_paper_use().low  # 2 sheets in this tray
    assert admin.a4_paper_loaded().jobs == 0
    last = list(terminal.audit.trail.entries())[-1]
    assert (last.action, last.details["printer"]) == ("admin.paper_replaced", "page_printer")


def test_paper_out_in_the_a4_tray_shows_in_the_test_and_the_heartbeat(admin, terminal, sim):
    a4 = terminal.page_printer
    body = heartbeat_body(terminal.devices, outbox_depth=0, versions={}, uptime_s=1,
                          last_error=None, out_of_service=False)
    assert body["devices"]["page_printer"] == "online" and body["paper"] == "ok"
    sim.control("page_printer", "paper_out", {})
    try:
        assert a4.wait_for(lambda s: s.reason == "paper_out", 5), a4.status
        body = heartbeat_body(terminal.devices, outbox_depth=0, versions={}, uptime_s=1,
                              last_error=None, out_of_service=False)
        assert body["devices"]["page_printer"] == "userError" and body["paper"] == "out"
        assert body["health"] == "degraded"
        result = admin.run_test("page_printer")
        assert not result.ok and result.reason == "paper_out"
    finally:
        sim.control("page_printer", "fix", {})
    assert a4.wait_for(lambda s: s.usable, 5)
