"""The durable, encrypted outbox: applications committed locally before the citizen gets a
receipt, then sent to the platform in order under an idempotency key."""

from kiosk.outbox.backoff import Backoff
from kiosk.outbox.errors import (DiskFull, DuplicateKey, InvalidTransition, ItemNotFound,
                                 OutboxDamaged, OutboxError, PayloadGone, QueueFull, QueueRefused,
                                 StorageFailed)
from kiosk.outbox.from_config import backoff_from_config, database_path, open_outbox
from kiosk.outbox.keyfile import OutboxKeyError, load_or_create_key
from kiosk.outbox.sealing import SealError
from kiosk.outbox.sender import DrainReport, Sender
from kiosk.outbox.store import STATES, Outbox, OutboxItem, OutboxStats, QueuedItem

__all__ = [
    "STATES", "Backoff", "DiskFull", "DrainReport", "DuplicateKey", "InvalidTransition",
    "ItemNotFound", "Outbox", "OutboxDamaged", "OutboxError", "OutboxItem", "OutboxKeyError", "OutboxStats",
    "PayloadGone", "QueueFull", "QueueRefused", "QueuedItem", "SealError", "Sender",
    "StorageFailed", "backoff_from_config", "database_path", "load_or_create_key",
    "open_outbox",
]
