"""The one place that knows which device areas exist and builds them from configuration."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from types import ModuleType
from typing import Any

from drivers.device import Device
from drivers.emulation.base import Emulator
from kiosk.config import KioskConfig

log = logging.getLogger(__name__)

AREAS = ("idcard", "smartcard", "qr", "document", "printer")
AREA_DEVICES: dict[str, tuple[str, ...]] = {  # area -> its sections under [devices]
    "idcard": ("idcard",),
    "smartcard": ("smartcard",),
    "qr": ("qr_camera", "qr_serial"),
    "document": ("doc_camera", "scanner"),
    "printer": ("printer",),
}


def _area(name: str) -> ModuleType:
    return importlib.import_module(f"kiosk.devices.{name}")


def build_devices(config: KioskConfig) -> list[Device]:
    devices: list[Device] = []
    for area in AREAS:
        devices.extend(_area(area).build_devices(config))
    return devices


def merge_fragments(fragments: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for fragment in fragments:
        _deep_update(merged, fragment)
    return merged


def _deep_update(base: dict[str, Any], top: dict[str, Any]) -> None:
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_update(base[key], value)
        else:
            base[key] = value


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
