"""`kiosk print` and the wiring: what a technician sees at the command line."""

from __future__ import annotations

import json

import tomli_w
from click.testing import CliRunner

from drivers.printer.printer import ThermalPrinter
from kiosk.cli import main
from kiosk.cli.print_cmd import print_group
from kiosk.config import check_file, load_layers
from kiosk.devices.printer import build_devices, start_emulators

if "print" not in main.commands:
    main.add_command(print_group)


def site(tmp_path, fragment) -> str:
    path = tmp_path / "site.toml"
    path.write_text(tomli_w.dumps(fragment), encoding="utf-8")
    return str(path)


def test_emulator_fragment_validates_and_builds_the_printer(tmp_path):
    emulators, fragment = start_emulators(tmp_path)
    try:
        path = site(tmp_path, fragment)
        check_file(path)
        devices = build_devices(load_layers(path).config)
        assert [d.name for d in devices] == ["printer"]
        assert isinstance(devices[0], ThermalPrinter)
        assert emulators[0].endpoints()["tcp_port"] > 0
    finally:
        for e in emulators:
            e.stop()


def test_disabled_printer_is_not_built(tmp_path):
    path = site(tmp_path, {"devices": {"printer": {"enabled": False}}})
    assert build_devices(load_layers(path).config) == []


def test_print_receipt_and_test_page(tmp_path):
    emulators, fragment = start_emulators(tmp_path)
    try:
        path = site(tmp_path, fragment)
        runner = CliRunner()
        out = runner.invoke(main, ["--config", path, "--json", "print", "receipt",
                                   "--width", "58"])
        assert out.exit_code == 0, out.output
        data = json.loads(out.output)
        assert data["printed"] and data["confirmed_by"] == "process_id"
        out = runner.invoke(main, ["--config", path, "print", "test"])
        assert out.exit_code == 0, out.output
        assert "printed test page" in out.output
        log = emulators[0].job_log()
        assert len(log) == 2
        assert any("受理回执" in line for line in log[0]["lines"])
        assert log[1]["qr_codes"] == ["https://zwfw.example.gov.cn/test"]
        assert log[1]["rasters"]
    finally:
        for e in emulators:
            e.stop()


def test_print_fails_loudly_when_it_did_not_print(tmp_path):
    emulators, fragment = start_emulators(tmp_path)
    try:
        path = site(tmp_path, fragment)
        emulators[0].paper_out()
        out = CliRunner().invoke(main, ["--config", path, "print", "receipt"])
        assert out.exit_code != 0
        assert "did not print" in out.output and "paper_out" in out.output
        assert emulators[0].jobs() == []
    finally:
        for e in emulators:
            e.stop()


def test_print_to_a_missing_printer_says_so(tmp_path):
    path = site(tmp_path, {"devices": {"printer": {"port": str(tmp_path / "nothing.tty"),
                                                   "status_timeout_s": 0.1}}})
    out = CliRunner().invoke(main, ["--config", path, "print", "test"])
    assert out.exit_code != 0 and "does not answer" in out.output


def test_unknown_device_name(tmp_path):
    out = CliRunner().invoke(main, ["--config", site(tmp_path, {}), "print", "test",
                                    "--device", "scanner"])
    assert out.exit_code != 0 and "no printer named 'scanner'" in out.output
