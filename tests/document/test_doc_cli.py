"""`kiosk scan`: what a technician sees at the terminal's command line."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
import tomli_w
from click.testing import CliRunner

from drivers.document import synthetic
from drivers.document.emulator import DocumentEmulator, ScannerEmulator
from kiosk.cli import main
from kiosk.cli.scan import scan_group
from kiosk.config import check_file
from kiosk.config.schema import KioskConfig
from kiosk.devices import document

if "scan" not in main.commands:
    main.add_command(scan_group)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def site(tmp_path: Path, doc_emulator: DocumentEmulator,
         scanner_emulator: ScannerEmulator) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(tomli_w.dumps({"devices": {
        "doc_camera": {"source": doc_emulator.camera.url, "width": 1280, "height": 720,
                       "poll_interval_s": 0.1},
        "scanner": {"device": ScannerEmulator.DEVICE, "dpi": 100, "poll_interval_s": 0.5,
                    "sane_config_dir": str(scanner_emulator.config_dir)}}}))
    return path


def test_process_prints_corners_and_writes_pages(tmp_path: Path) -> None:
    photo = synthetic.page_photo(3, (1280, 720))
    good = tmp_path / "good.jpg"
    cv2.imwrite(str(good), photo.image)
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"this is not a jpeg")
    desk = tmp_path / "desk.png"
    cv2.imwrite(str(desk), synthetic.empty_desk(1, (640, 360)))
    out = tmp_path / "out"
    code, stdout, _ = run("--json", "scan", "process", str(good), str(junk), str(desk),
                          str(tmp_path / "missing.jpg"), "--out", str(out))
    assert code == 1  # some files failed
    results = {Path(r["image"]).name: r for r in json.loads(stdout)["results"]}
    assert len(results["good.jpg"]["corners"]) == 4
    assert (out / "good.page.jpg").exists()
    assert results["junk.jpg"]["error"].startswith("unreadable")
    assert results["desk.png"]["error"].startswith("no_page")
    assert "cannot read" in results["missing.jpg"]["error"]


def test_process_in_text_form(tmp_path: Path) -> None:
    good = tmp_path / "p.png"
    cv2.imwrite(str(good), synthetic.page_photo(1, (1280, 720)).image)
    code, stdout, _ = run("scan", "process", str(good), "--out", str(tmp_path / "o"))
    assert code == 0 and "corners (" in stdout and "p.page.jpg" in stdout


def test_scan_from_the_camera_writes_jpeg_and_pdf(site: Path, tmp_path: Path,
                                                  doc_emulator: DocumentEmulator) -> None:
    doc_emulator.place_page(seed=2)
    out = tmp_path / "cam"
    code, stdout, stderr = run("--config", str(site), "--json", "scan", "--camera",
                               "--out", str(out), "--timeout", "10")
    assert code == 0, stderr
    data = json.loads(stdout)
    assert data["device"] == "doc_camera" and len(data["pages"]) == 1
    assert (out / "page-001.jpg").exists()
    assert (out / "document.pdf").read_bytes().startswith(b"%PDF")


def test_scan_from_the_feeder(site: Path, tmp_path: Path) -> None:
    code, stdout, stderr = run("--config", str(site), "scan", "--scanner", "--pages", "2",
                               "--out", str(tmp_path / "s"))
    assert code == 0, stderr
    assert "2 page(s) from scanner" in stdout
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "document.pdf", "page-001.jpg", "page-002.jpg"]


def test_a_jam_is_a_clear_error(site: Path, tmp_path: Path,
                                scanner_emulator: ScannerEmulator) -> None:
    scanner_emulator.jam()
    code, _, stderr = run("--config", str(site), "scan", "--scanner", "--out", str(tmp_path))
    assert code == 1 and "paper_jam" in stderr


def test_scan_needs_exactly_one_device(tmp_path: Path) -> None:
    code, _, stderr = run("scan", "--camera", "--scanner", "--out", str(tmp_path))
    assert code == 1 and "choose one" in stderr
    code, _, stderr = run("scan", "--camera")
    assert code == 1 and "--out" in stderr


def test_emulators_wire_into_a_valid_site_config(tmp_path: Path) -> None:
    emulators, fragment = document.start_emulators(tmp_path)
    try:
        path = tmp_path / "site.toml"
        path.write_text(tomli_w.dumps(fragment))
        config = check_file(path)
        assert config.devices.doc_camera.source.startswith("http://127.0.0.1:")
        assert Path(config.devices.scanner.sane_config_dir, "dll.conf").read_text() == "test\n"
        assert {e.name for e in emulators} == {"doc_camera", "scanner"}
        assert "place_page" in emulators[0].controls() and "jam" in emulators[1].controls()
        devices = document.build_devices(config)
        assert [d.name for d in devices] == ["doc_camera", "scanner"]
    finally:
        for e in emulators:
            e.stop()


def test_disabled_devices_are_not_built() -> None:
    config = KioskConfig.model_validate({"devices": {"doc_camera": {"enabled": False},
                                                     "scanner": {"enabled": False}}})
    assert document.build_devices(config) == []
