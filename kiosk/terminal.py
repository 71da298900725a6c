"""The running terminal in one object: its devices, the citizen sessions, who is at the screen
and what can be offered. The app builds one; tests and the CLI can build one without Kivy."""

from __future__ import annotations

import logging

from drivers.device import Device
from kiosk.config import KioskConfig
from kiosk.devices.registry import build_devices
from kiosk.services.availability import Availability
from kiosk.services.identity import IdentityService, load_eid_public_key
from kiosk.session import SessionManager

log = logging.getLogger(__name__)


class Terminal:
    def __init__(self, config: KioskConfig) -> None:
        self.config = config
        self.devices: list[Device] = build_devices(config)
        self.sessions = SessionManager(config)
        key_file = config.session.eid_public_key_file
        # Built before the devices start, so a card already on the reader is seen.
        self.identity = IdentityService(self.devices, self.sessions,
                                        load_eid_public_key(key_file) if key_file else None)
        self.availability = Availability(self.devices, config)

    def start(self) -> None:
        for device in self.devices:
            device.start()
        log.info("terminal %s: %d devices started", self.config.terminal.id, len(self.devices))

    def stop(self) -> None:
        """Between citizens or at shutdown: whoever is at the screen is ended and wiped first."""
        self.sessions.close()
        self.identity.close()
        self.availability.close()
        for device in self.devices:
            device.stop()
