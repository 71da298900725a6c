"""What the outbox refuses, with stable reason codes that screens translate for the citizen,
and how a delivery failure is recorded without a word of the citizen's data."""

from __future__ import annotations

import re

from kiosk.client.errors import PlatformError, ServerFault

_CODE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


class OutboxError(Exception):
    """Base of the outbox's own failures."""


class QueueRefused(OutboxError):
    """The outbox cannot take a new item now; nothing was stored.

    `reason` is a stable code for the screen to translate; `message` is short English for logs
    and staff.
    """

    reason = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QueueFull(QueueRefused):
    reason = "queue_full"


class DiskFull(QueueRefused):
    reason = "disk_full"


class StorageFailed(QueueRefused):
    """SQLite failed for another reason (I/O error, corruption); the item was not stored."""

    reason = "storage_failed"


class OutboxDamaged(OutboxError):
    """The outbox file is empty, truncated, not a database or fails `PRAGMA integrity_check`:
    it was refused (and set aside for staff, `set_aside`) rather than opened as an empty queue.
    While a set-aside file waits for staff, no new outbox is started beside it."""

    reason = "outbox_damaged"

    def __init__(self, message: str, set_aside: list[str] | None = None) -> None:
        super().__init__(message)
        self.set_aside = set_aside or []


class DuplicateKey(OutboxError, ValueError):
    """An item with this idempotency key is already queued (or was already sent)."""


class ItemNotFound(OutboxError, LookupError):
    pass


class InvalidTransition(OutboxError):
    """The item is not in a state that allows this (e.g. requeueing a delivered item)."""


class PayloadGone(OutboxError):
    """The item's payload was wiped (delivered or discarded): there is nothing left to send."""


def describe_error(error: BaseException) -> tuple[str, str]:
    """(kind, PII-free description): the error class, HTTP status, platform code; never the
    exception message, which may quote the request or the platform's echo of it."""
    kind = type(error).__name__
    parts = [kind]
    if isinstance(error, PlatformError):
        if isinstance(error.status, int):
            parts.append(f"HTTP {error.status}")
        if isinstance(error.code, str) and _CODE.match(error.code):
            parts.append(f"code {error.code}")
        if isinstance(error, ServerFault) and isinstance(error.retry_after_s, (int, float)):
            parts.append(f"retry after {error.retry_after_s:g} s")
    return kind, " ".join(parts)
