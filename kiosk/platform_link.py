"""The terminal's line to the platform: one client for the screens' questions, the outbox and
its sender for everything that must arrive. Opened once at start; a terminal without a usable
credential still serves what needs no platform, and says why the rest is unavailable."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.client.credentials import CredentialError
from kiosk.client.platform import PlatformClient
from kiosk.config import KioskConfig
from kiosk.delivery import start_sender
from kiosk.outbox import Outbox
from kiosk.outbox.errors import OutboxDamaged, OutboxError
from kiosk.outbox.keyfile import OutboxKeyError
from kiosk.outbox.from_config import open_outbox
from kiosk.outbox.sender import Sender

log = logging.getLogger(__name__)


class LinkUnavailable(Exception):
    """The credential or the outbox cannot be opened; `reason` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class PlatformLink:
    client: PlatformClient  # retries per [platform]: for questions a citizen waits on
    outbox: Outbox
    sender: Sender

    @classmethod
    def open(cls, config: KioskConfig) -> PlatformLink:
        try:
            client = PlatformClient.from_config(config)
        except CredentialError as exc:
            raise LinkUnavailable("platform_credential", str(exc)) from None
        try:
            outbox = open_outbox(config)
        except OutboxDamaged as exc:  # set aside for staff: the terminal runs without the link
            client.close()
            raise LinkUnavailable(exc.reason, str(exc)) from None
        except (OutboxError, OutboxKeyError, OSError) as exc:
            client.close()
            raise LinkUnavailable("outbox_unavailable", str(exc)) from None
        return cls(client, outbox, start_sender(config, outbox))

    def close(self) -> None:
        self.sender.stop()
        self.client.close()
        self.outbox.close()
