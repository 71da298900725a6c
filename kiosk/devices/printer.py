"""Wiring of the thermal printer (config section `devices.printer`) and its emulator."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.device import Device
from drivers.printer.printer import ThermalPrinter
from drivers.printer.transport import NetworkTransport, SerialTransport, Transport, UsbTransport
from kiosk.config import KioskConfig
from kiosk.config.schema import PrinterConfig

if TYPE_CHECKING:  # the emulators are the sim's: a terminal never loads them
    from drivers.emulation.base import Emulator

NAME = "printer"


def transport_for(cfg: PrinterConfig) -> Transport:
    if cfg.transport == "serial":
        return SerialTransport(cfg.port, cfg.baudrate, rtscts=cfg.rtscts)
    if cfg.transport == "network":
        return NetworkTransport(cfg.host, cfg.tcp_port)
    return UsbTransport(cfg.usb_vendor, cfg.usb_product)


def build_printer(name: str, cfg: PrinterConfig) -> ThermalPrinter:
    # dots_per_line defaults to 576 (80 mm); a 58 mm roll with the default means 384.
    dots = cfg.dots_per_line
    if cfg.paper_width_mm == 58 and dots == 576:
        dots = 384
    return ThermalPrinter(name, transport_for(cfg), paper_width_mm=cfg.paper_width_mm,
                          dots_per_line=dots, status_timeout_s=cfg.status_timeout_s,
                          poll_interval_s=cfg.poll_interval_s,
                          missed_polls_to_offline=cfg.missed_polls_to_offline,
                          confirm=cfg.job_confirmation)


def build_devices(config: KioskConfig) -> list[Device]:
    cfg = config.devices.printer
    if not cfg.enabled:
        return []
    keep_escpos_database(Path(config.terminal.run_dir))
    return [build_printer(NAME, cfg)]


def keep_escpos_database(run_dir: Path) -> None:
    """python-escpos (its QR commands: drivers.printer.document) parses its printer database
    at import (0.4 s) and pickles it into a new temporary directory per process, left behind,
    unless told where: the run directory's, reused from one start to the next (the process's
    own, so nobody else writes the pickle it loads)."""
    cache = run_dir / "cache" / "escpos"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", str(cache))


def start_emulators(run_dir: Path) -> tuple[list[Emulator], dict[str, Any]]:
    from drivers.printer.emulator import PrinterEmulator

    emulator = PrinterEmulator(Path(run_dir), paper_width_mm=80)
    emulator.start()
    ends = emulator.endpoints()
    fragment = {"devices": {NAME: {"transport": "serial", "port": ends["pty"],
                                   "paper_width_mm": 80, "dots_per_line": ends["dots_per_line"]}}}
    return [emulator], fragment
