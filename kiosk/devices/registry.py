"""The one place that knows which device areas exist and builds them from configuration."""

from __future__ import annotations

import importlib
from functools import reduce
import logging
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from drivers.device import Device
from kiosk.config import KioskConfig
from kiosk.config.loader import merge

if TYPE_CHECKING:  # the emulators are the sim's: a terminal never loads them
    from drivers.emulation.base import Emulator

log = logging.getLogger(__name__)

AREAS = ("idcard", "smartcard", "qr", "document", "printer", "page_printer")
AREA_DEVICES: dict[str, tuple[str, ...]] = {  # area -> its sections under [devices]
    "idcard": ("idcard",),
    "smartcard": ("smartcard",),
    "qr": ("qr_camera", "qr_serial"),
    "document": ("doc_camera", "scanner"),
    "printer": ("printer",),
    "page_printer": ("page_printer",),
}


def _area(name: str) -> ModuleType:
    return importlib.import_module(f"kiosk.devices.{name}")


def build_devices(config: KioskConfig) -> list[Device]:
    devices: list[Device] = []
    for area in AREAS:
        devices.extend(_area(area).build_devices(config))
    return devices


def merge_fragments(fragments: list[dict[str, Any]]) -> dict[str, Any]:
    return reduce(merge, fragments, {})


def start_emulators(run_dir: Path, areas: tuple[str, ...] = AREAS
                    ) -> tuple[list[Emulator], dict[str, Any]]:
    """Start every area's emulators; on any failure stop what was started and re-raise."""
    started: list[Emulator] = []
    fragments: list[dict[str, Any]] = []
    try:
        for area in areas:
            emulators, fragment = _area(area).start_emulators(run_dir)
            started.extend(emulators)
            fragments.append(fragment)
    except BaseException:
        stop_emulators(started)
        raise
    return started, merge_fragments(fragments)


def stop_emulators(emulators: list[Emulator]) -> None:
    for emulator in reversed(emulators):
        try:
            emulator.stop()
        except Exception:
            log.exception("stopping emulator %s failed", getattr(emulator, "name", emulator))
