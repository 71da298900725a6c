"""kiosk/devices/qr.py wiring and the `kiosk qr` commands, against the emulators."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import tomli_w
from click.testing import CliRunner

from drivers.device import DeviceState, EventKind
from drivers.qr import synth
from drivers.qr.camera_scanner import QrCameraScanner
from drivers.qr.serial_scanner import QrSerialScanner
from kiosk.cli import main
from kiosk.cli.qr import qr_group
from kiosk.config import check_file, load_config
from kiosk.devices import qr as area

main.add_command(qr_group)


def write_site(tmp_path: Path, fragment: dict) -> Path:
    site = tmp_path / "site.toml"
    site.write_text(tomli_w.dumps(fragment))
    check_file(site)
    return site


def test_emulator_fragment_validates_and_drives_both_built_scanners(tmp_path: Path) -> None:
    emulators, fragment = area.start_emulators(tmp_path)
    try:
        config = load_config(write_site(tmp_path, fragment))
        devices = area.build_devices(config)
        assert [d.name for d in devices] == ["qr_camera", "qr_serial"]
        camera, serial = devices
        assert isinstance(camera, QrCameraScanner) and isinstance(serial, QrSerialScanner)
        assert camera.poll_interval == config.devices.qr_camera.poll_interval_s
        assert serial.port == fragment["devices"]["qr_serial"]["port"]
        controls = {e.name: e.controls() for e in emulators}
        seen = []
        for device in devices:
            device.subscribe(seen.append)
            device.start()
        try:
            assert camera.wait_for(lambda s: s.state == DeviceState.ONLINE, 5)
            assert serial.wait_for(lambda s: s.state == DeviceState.ONLINE, 5)
            controls["qr_camera"]["show_code"](text="CAM-1")
            controls["qr_serial"]["scan"](text="SER-1")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and len(
                    [e for e in seen if e.kind == EventKind.CODE_SCANNED]) < 2:
                time.sleep(0.05)
            got = {(e.device, e.data["text"]) for e in seen if e.kind == EventKind.CODE_SCANNED}
            assert got == {("qr_camera", "CAM-1"), ("qr_serial", "SER-1")}
        finally:
            for device in devices:
                device.stop()
    finally:
        for emulator in emulators:
            emulator.stop()


def test_disabled_scanners_build_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text("[devices.qr_camera]\nenabled = false\n[devices.qr_serial]\nenabled = false\n")
    assert area.build_devices(load_config(site)) == []


def test_decode_prints_each_code_with_its_position_and_masks_id_numbers(tmp_path: Path) -> None:
    image = tmp_path / "code.png"
    rng = np.random.default_rng(0)
    frame = synth.place(synth.code_image("身份证:110101199003071234".encode()), 5,
                        synth.scene(rng, (640, 480)), rng=rng)
    cv2.imwrite(str(image), frame)
    result = CliRunner().invoke(main, ["qr", "decode", str(image)])
    assert result.exit_code == 0, result.output
    assert "QRCode at (" in result.output and "110101********1234" in result.output
    assert "199003071234" not in result.output
    site = tmp_path / "site.toml"
    site.write_text(f'[terminal]\ndata_dir = "{tmp_path / "data"}"\n')
    unmasked = ["--json", "--config", str(site), "qr", "decode", "--unmasked", str(image)]
    refused = CliRunner().invoke(main, unmasked)
    assert refused.exit_code != 0 and "199003071234" not in refused.output
    result = CliRunner().invoke(main, [*unmasked, "--staff", "S0001", "--reason", "support"])
    data = json.loads(result.output)
    (code,) = data["results"][0]["codes"]
    assert code["text"] == "身份证:110101199003071234" and len(code["corners"]) == 4
    assert abs(code["center"][0] - 320) < 6 and abs(code["center"][1] - 240) < 6


def test_decode_says_which_files_are_unreadable_and_fails(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), np.full((100, 100, 3), 200, np.uint8))
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not a jpeg")
    result = CliRunner().invoke(main, ["qr", "decode", str(empty), str(junk),
                                       str(tmp_path / "missing.png")])
    assert result.exit_code == 1
    assert f"{empty}: no code found" in result.output
    assert f"{junk}: error: {junk}: not a readable image" in result.output
    assert "missing.png: No such file or directory" in result.output
    assert "Traceback" not in result.output


def test_decode_with_pyzbar_and_an_explicit_format(tmp_path: Path) -> None:
    image = tmp_path / "slip.png"
    rng = np.random.default_rng(0)
    cv2.imwrite(str(image), synth.place(synth.code_image(b"SLIP-77", "Code128"), 3,
                                        synth.scene(rng, (640, 480)), rng=rng))
    for decoder in ("zxing", "pyzbar"):
        result = CliRunner().invoke(main, ["--json", "qr", "decode", "--decoder", decoder,
                                           "--format", "Code128", str(image)])
        assert result.exit_code == 0, result.output
        codes = json.loads(result.output)["results"][0]["codes"]
        assert [(c["format"], c["text"]) for c in codes] == [("Code128", "SLIP-77")]


def test_watch_prints_what_the_serial_scanner_reads(tmp_path: Path) -> None:
    emulators, fragment = area.start_emulators(tmp_path)
    try:
        site = write_site(tmp_path, fragment)
        serial = next(e for e in emulators if e.name == "qr_serial")
        timer = threading.Timer(1.0, lambda: serial.scan("WATCHED-1"))
        timer.start()
        result = CliRunner().invoke(main, ["--config", str(site), "--json", "qr", "watch",
                                           "--device", "serial", "--timeout", "8"])
        timer.cancel()
        assert result.exit_code == 0, result.output
        codes = json.loads(result.output[result.output.index("{"):])["codes"]
        assert [c["text"] for c in codes] == ["WATCHED-1"]
    finally:
        for emulator in emulators:
            emulator.stop()


def test_watch_prints_what_the_camera_sees(tmp_path: Path) -> None:
    emulators, fragment = area.start_emulators(tmp_path)
    try:
        site = write_site(tmp_path, fragment)
        camera = next(e for e in emulators if e.name == "qr_camera")
        timer = threading.Timer(1.0, lambda: camera.show_code("CAM-WATCH"))
        timer.start()
        result = CliRunner().invoke(main, ["--config", str(site), "qr", "watch",
                                           "--timeout", "8"])
        timer.cancel()
        assert result.exit_code == 0, result.output
        assert "QRCode: CAM-WATCH" in result.output
    finally:
        for emulator in emulators:
            emulator.stop()


def test_watch_reports_a_camera_that_is_not_there(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"devices": {"qr_camera": {
        "source": "http://127.0.0.1:9/stream.mjpg"}}})
    result = CliRunner().invoke(main, ["--config", str(site), "qr", "watch", "--timeout", "5"])
    assert result.exit_code == 1
    assert "qr_camera not usable: no_device" in result.output
