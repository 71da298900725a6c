"""Wiring of document capture (devices.doc_camera, devices.scanner) and their emulators."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.device import Device
from drivers.document.doc_camera import DocumentCamera
from drivers.document.scanner import SaneScanner
from kiosk.config import KioskConfig
from kiosk.config.schema import DocCameraConfig, ScannerConfig

if TYPE_CHECKING:  # the emulators are the sim's: a terminal never loads them
    from drivers.emulation.base import Emulator

EMULATED_CAMERA_SIZE = (1920, 1080)  # what the emulator streams; a real 高拍仪 gives 5-12 MP


def build_doc_camera(cfg: DocCameraConfig, name: str = "doc_camera", **extra: Any
                     ) -> DocumentCamera:
    options: dict[str, Any] = dict(
        source=cfg.source, width=cfg.width, height=cfg.height,
        poll_interval=cfg.poll_interval_s, missed_polls_to_offline=cfg.missed_polls_to_offline,
        auto_capture=cfg.auto_capture, stable_frames=cfg.stable_frames)
    options.update(extra)  # a caller (the scan command) may decide for itself
    return DocumentCamera(name, **options)


def build_scanner(cfg: ScannerConfig, name: str = "scanner") -> SaneScanner:
    return SaneScanner(
        name,
        device=cfg.device,
        sane_config_dir=cfg.sane_config_dir,
        dpi=cfg.dpi,
        mode=cfg.mode,
        poll_interval=cfg.poll_interval_s,
        missed_polls_to_offline=cfg.missed_polls_to_offline,
    )


def build_devices(config: KioskConfig) -> list[Device]:
    devices: list[Device] = []
    if config.devices.doc_camera.enabled:
        devices.append(build_doc_camera(config.devices.doc_camera))
    if config.devices.scanner.enabled:
        devices.append(build_scanner(config.devices.scanner))
    return devices


def start_emulators(run_dir: Path) -> tuple[list[Emulator], dict[str, Any]]:
    from drivers.document.emulator import DocumentEmulator, ScannerEmulator

    run_dir = Path(run_dir)
    camera = DocumentEmulator(run_dir, size=EMULATED_CAMERA_SIZE)
    camera.start()
    scanner = ScannerEmulator(run_dir)
    try:
        scanner.start()
    except BaseException:
        camera.stop()
        raise
    width, height = EMULATED_CAMERA_SIZE
    fragment = {"devices": {
        "doc_camera": {"source": camera.camera.url, "width": width, "height": height},
        "scanner": {"device": ScannerEmulator.DEVICE,
                    "sane_config_dir": str(scanner.config_dir)},
    }}
    return [camera, scanner], fragment
