"""Wiring of the QR camera (devices.qr_camera), the serial QR scanner (devices.qr_serial) and
their emulators."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.device import Device
from drivers.qr.camera_scanner import QrCameraScanner
from drivers.qr.serial_scanner import QrSerialScanner
from kiosk.config import KioskConfig
from kiosk.config.schema import QrCameraConfig, QrSerialConfig

if TYPE_CHECKING:  # the emulators are the sim's: a terminal never loads them
    from drivers.emulation.base import Emulator


def build_camera_scanner(cfg: QrCameraConfig, name: str = "qr_camera", **extra: Any
                         ) -> QrCameraScanner:
    return QrCameraScanner(
        name,
        source=cfg.source,
        width=cfg.width,
        height=cfg.height,
        decoder=cfg.decoder,
        formats=cfg.formats,
        poll_interval=cfg.poll_interval_s,
        repeat_suppress_s=cfg.repeat_suppress_s,
        missed_polls_to_offline=cfg.missed_polls_to_offline,
        **extra,
    )


def build_serial_scanner(cfg: QrSerialConfig, name: str = "qr_serial", **extra: Any
                         ) -> QrSerialScanner:
    return QrSerialScanner(
        name,
        port=cfg.port,
        baudrate=cfg.baudrate,
        aim_ids=cfg.aim_ids,
        no_terminator=cfg.no_terminator,
        poll_interval=cfg.poll_interval_s,
        repeat_suppress_s=cfg.repeat_suppress_s,
        missed_polls_to_offline=cfg.missed_polls_to_offline,
        **extra,
    )


def build_devices(config: KioskConfig) -> list[Device]:
    devices: list[Device] = []
    if config.devices.qr_camera.enabled:
        devices.append(build_camera_scanner(config.devices.qr_camera))
    if config.devices.qr_serial.enabled:
        devices.append(build_serial_scanner(config.devices.qr_serial))
    return devices


def start_emulators(run_dir: Path) -> tuple[list[Emulator], dict[str, Any]]:
    from drivers.qr.camera_emulator import QrCameraEmulator
    from drivers.qr.serial_emulator import QrSerialEmulator

    run_dir = Path(run_dir)
    camera = QrCameraEmulator(run_dir)
    camera.start()
    serial = QrSerialEmulator(run_dir, baudrate=9600)
    try:
        serial.start()
    except BaseException:
        camera.stop()
        raise
    width, height = camera.size
    fragment = {"devices": {
        "qr_camera": {"source": camera.url, "width": width, "height": height},
        "qr_serial": {"port": serial.port, "baudrate": serial.baudrate},
    }}
    return [camera, serial], fragment
