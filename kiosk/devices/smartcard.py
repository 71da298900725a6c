"""Wiring of the PC/SC smart card reader and its emulator (pcscd + vpcd + the project's card)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.device import Device
from drivers.smartcard.reader import SmartCardReader
from kiosk.config import KioskConfig

if TYPE_CHECKING:  # the emulators are the sim's: a terminal never loads them
    from drivers.emulation.base import Emulator


def build_devices(config: KioskConfig) -> list[Device]:
    c = config.devices.smartcard
    if not c.enabled:
        return []
    return [SmartCardReader("smartcard", reader=c.reader, apdu_timeout=c.apdu_timeout_s,
                            poll_interval=c.poll_interval_s,
                            missed_polls_to_offline=c.missed_polls_to_offline,
                            pcscd_socket=c.pcscd_socket)]


def start_emulators(run_dir: Path) -> tuple[list[Emulator], dict[str, Any]]:
    """A pcscd of the simulation's own (the system's when that is impossible) with vpcd, and the
    sample card ready to insert; the emulator is also the simulation's staff issuer."""
    from drivers.smartcard.emulator import READER_NAME, SmartCardEmulator

    emulator = SmartCardEmulator(run_dir)
    emulator.start()
    section: dict[str, Any] = {"enabled": True, "reader": READER_NAME,
                               "issuer_root_file": str(emulator.issuer_root_file)}
    if emulator.daemon.private:
        section["pcscd_socket"] = str(emulator.daemon.socket_path)
    return [emulator], {"devices": {"smartcard": section},
                        "admin": {"staff_issuer_root_file": str(emulator.staff_issuer_root_file)}}
