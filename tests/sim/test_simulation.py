"""`kiosk sim` and `kiosk doctor`: what a developer or technician sees on the command line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from kiosk.config import load_layers
from kiosk.doctor import check_devices
from kiosk.sim import Simulation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sim(tmp_path: Path):
    with Simulation(tmp_path / "sim", areas=("idcard", "printer")) as s:
        yield s


def test_site_config_points_the_drivers_at_the_emulators(sim: Simulation) -> None:
    config = load_layers(sim.site_config_path).config
    reports = {r.name: r for r in check_devices(config, settle_s=5)}
    assert reports["idcard"].ok and reports["printer"].ok, reports


def test_control_endpoint_steers_and_refuses_clearly(sim: Simulation) -> None:
    url = sim.control_url
    listing = requests.get(url + "/", timeout=5).json()
    assert "place_card" in listing["emulators"]["idcard"]["controls"]
    ok = requests.post(f"{url}/printer/paper_out", json={}, timeout=5)
    assert ok.status_code == 200, ok.text
    config = load_layers(sim.site_config_path).config
    reports = {r.name: r for r in check_devices(config, settle_s=3)}
    assert reports["printer"].state == "user_error" and reports["printer"].reason == "paper_out"

    unknown = requests.post(f"{url}/toaster/burn", json={}, timeout=5)
    assert unknown.status_code == 404 and "no emulator 'toaster'" in unknown.json()["error"]
    bad_control = requests.post(f"{url}/printer/explode", json={}, timeout=5)
    assert bad_control.status_code == 404 and "paper_out" in bad_control.json()["error"]
    not_json = requests.post(f"{url}/printer/paper_out", data=b"\xff{", timeout=5)
    assert not_json.status_code == 400
    not_object = requests.post(f"{url}/printer/paper_out", json=[1, 2], timeout=5)
    assert not_object.status_code == 400 and "JSON object" in not_object.json()["error"]
    bad_args = requests.post(f"{url}/printer/paper_out", json={"nonsense": 1}, timeout=5)
    assert bad_args.status_code == 400 and "TypeError" in bad_args.json()["error"]
    # the endpoint still serves after all that
    assert requests.get(url + "/", timeout=5).status_code == 200


def test_sim_then_doctor_shows_every_device_online(tmp_path: Path) -> None:
    """The README's demo in one command: every emulator up, every device online."""
    env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG", "KIOSK_FLEET_LAYER")}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli.entry", "--json", "sim", "--run-dir",
         str(tmp_path / "sim"), "--doctor", "--once"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    decoder = json.JSONDecoder()
    text = result.stdout.strip()
    described, end = decoder.raw_decode(text)
    report, _ = decoder.raw_decode(text[end:].lstrip())
    names = {d["name"] for d in report["devices"]}
    assert {"idcard", "smartcard", "qr_camera", "qr_serial", "doc_camera", "scanner",
            "printer"} <= names, names
    assert report["all_devices_ok"], [d for d in report["devices"] if not d["ok"]]
    assert not (tmp_path / "sim" / "sim.json").exists()  # cleaned up on exit


def test_a_partial_simulation_switches_off_the_devices_it_does_not_emulate(sim: Simulation) -> None:
    devices = load_layers(sim.site_config_path).config.devices
    assert devices.idcard.enabled and devices.printer.enabled
    assert not any(d.enabled for d in (devices.smartcard, devices.qr_camera, devices.qr_serial,
                                       devices.doc_camera, devices.scanner))


def test_every_device_recovers_from_unplug_and_pcscd_stop_without_a_restart(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "tests.sim.recovery_drill",
                             str(tmp_path / "sim")], capture_output=True, text=True, cwd=ROOT,
                            timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["started"].values()) == {"online"}, report
    assert all(state in ("offline", "no_device") for state in report["unplugged"].values()), report
    assert set(report["replugged"].values()) == {"online"}, report
    assert report["cards_seen_after"] == ["idcard", "smartcard"], report
