"""Wiring of the ID card module (devices.idcard) and its emulator."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.device import Device
from drivers.idcard.reader import IdCardReader
from kiosk.config import KioskConfig
from kiosk.config.schema import IdCardConfig

if TYPE_CHECKING:  # the emulators are the sim's: a terminal never loads them
    from drivers.emulation.base import Emulator


def build_reader(cfg: IdCardConfig, name: str = "idcard") -> IdCardReader:
    return IdCardReader(
        name,
        port=cfg.port,
        baudrate=cfg.baudrate,
        poll_interval=cfg.poll_interval_s,
        missed_polls_to_offline=cfg.missed_polls_to_offline,
        read_timeout=cfg.read_timeout_s,
        wlt_library=cfg.wlt_library,
    )


def build_devices(config: KioskConfig) -> list[Device]:
    cfg = config.devices.idcard
    return [build_reader(cfg)] if cfg.enabled else []


def start_emulators(run_dir: Path) -> tuple[list[Emulator], dict[str, Any]]:
    from drivers.idcard.emulator import IdCardEmulator

    emulator = IdCardEmulator(Path(run_dir), baudrate=115200)
    emulator.start()
    fragment = {"devices": {"idcard": {"port": str(emulator.link.link_path),
                                       "baudrate": 115200}}}
    return [emulator], fragment
