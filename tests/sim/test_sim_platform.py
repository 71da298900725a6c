"""The reference platform as part of `kiosk sim`: HTTPS with the sim's test CA, the terminal
enrolled, secrets outside the data directory, and an outage the terminal can see and survive."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk import doctor
from kiosk.config import load_config
from kiosk.delivery import APPLICATION, start_sender
from kiosk.outbox import open_outbox
from kiosk.session.platform_citizen import GRANT_FIELD
from kiosk.sim import Simulation
from tests.delivery.bodies import sample_application
from tests.support import sim_citizen_client, wait_until


@pytest.fixture
def sim(tmp_path: Path):
    with Simulation(tmp_path / "sim", areas=("printer",)) as s:
        yield s


def test_the_terminal_is_enrolled_over_https_with_secrets_outside_its_data(sim) -> None:
    config = load_config(sim.site_config_path)
    assert config.platform.base_url.startswith("https://")
    report = doctor.check_platform(config)
    assert report.authenticated, report.detail
    secrets = Path(config.platform.credential_file).parent
    data = Path(config.terminal.data_dir)
    assert not secrets.is_relative_to(data)
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700
    assert stat.S_IMODE(Path(config.platform.credential_file).stat().st_mode) == 0o600


def test_platform_down_then_up_the_application_arrives(sim) -> None:
    config = load_config(sim.site_config_path)
    with sim_citizen_client(sim, sample_application()["applicant"]["id_number"]) as citizen:
        grant = citizen.filing_grant  # the holder was verified; then the platform went away
    sim.control("platform", "down", {})
    assert not doctor.check_platform(config).reachable
    with open_outbox(config) as outbox:
        sender = start_sender(config, outbox)
        try:
            item = outbox.enqueue(APPLICATION, {**sample_application(), GRANT_FIELD: grant})
            assert wait_until(lambda: outbox.get(item.id).attempts >= 1, timeout=10)
            assert outbox.get(item.id).state == "pending"
            assert doctor.check_outbox(config).pending == 1
            sim.control("platform", "up", {})
            sender.notify()
            assert wait_until(lambda: outbox.get(item.id).state == "delivered", timeout=30)
        finally:
            sender.stop()
    filed = sim.control("platform", "applications", {})
    assert [a["client_reference"] for a in filed] == [item.reference]
    receipt_no = filed[0]["receipt_no"]
    assert sim.control("platform", "advance",
                       {"receipt_no": receipt_no, "action": "accept"})["status"] == "accepted"
