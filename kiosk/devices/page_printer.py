"""Wiring of the A4 page printer (config section `devices.page_printer`) and its emulator."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from drivers.device import Device
from drivers.pageprinter.printer import PagePrinter
from kiosk.config import KioskConfig
from kiosk.config.schema import PagePrinterConfig

if TYPE_CHECKING:  # the emulators are the sim's: a terminal never loads them
    from drivers.emulation.base import Emulator

NAME = "page_printer"


def build_page_printer(name: str, cfg: PagePrinterConfig) -> PagePrinter:
    return PagePrinter(name, cfg.uri, poll_interval_s=cfg.poll_interval_s,
                       missed_polls_to_offline=cfg.missed_polls_to_offline,
                       job_timeout_s=cfg.job_timeout_s)


def build_devices(config: KioskConfig) -> list[Device]:
    cfg = config.devices.page_printer
    return [build_page_printer(NAME, cfg)] if cfg.enabled else []


def start_emulators(run_dir: Path) -> tuple[list[Emulator], dict[str, Any]]:
    from drivers.pageprinter.emulator import PagePrinterEmulator

    emulator = PagePrinterEmulator(Path(run_dir))
    emulator.start()
    fragment = {"devices": {NAME: {"enabled": True, "uri": emulator.uri,
                                   "poll_interval_s": 0.5}}}
    return [emulator], fragment
