"""Sends the outbox to the platform, oldest first, on a thread that never dies.

Order is kept: when the head of the queue cannot be delivered for a reason that may pass
(network, 5xx, malformed reply), everything behind it waits too, because a supplement must not
reach the platform before the application it supplements. A refusal (4xx) will not pass by
waiting: that item is set aside for staff and the queue moves on.

A storage fault (full disk, I/O error, a damaged file: `QueueRefused` from the outbox) is a
fault like a platform outage: the whole sender backs off exponentially. A delivery the
platform took but the outbox could not record is remembered in memory and only recorded at
the next try, never sent again while this process lives (after a restart the idempotency key
makes the re-send a replay).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kiosk.client.errors import PlatformError, RequestRefused
from kiosk.outbox.backoff import Backoff
from kiosk.outbox.errors import OutboxError, QueueRefused, describe_error
from kiosk.outbox.sealing import SealError
from kiosk.outbox.store import Outbox, OutboxItem

log = logging.getLogger(__name__)

Deliver = Callable[[OutboxItem, dict[str, Any]], dict[str, Any]]


@dataclass
class DrainReport:
    delivered: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    next_attempt_at: float | None = None  # when the head is due again; None: queue empty


class Sender:
    def __init__(self, outbox: Outbox, deliver: Deliver, *, backoff: Backoff,
                 clock: Callable[[], float] = time.time, idle_poll_s: float = 30.0) -> None:
        """`idle_poll_s` bounds every sleep, so items put back by another process (the staff
        CLI) or a clock that jumped are seen without a notify()."""
        self.outbox = outbox
        self.deliver = deliver
        self.backoff = backoff
        self.clock = clock
        self.idle_poll_s = idle_poll_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.rounds = 0  # drain rounds completed by the thread (for health checks and tests)
        self._unrecorded: dict[int, dict[str, Any]] = {}  # delivered, not yet marked so
        self.storage_failures = 0  # in a row; 0 when the outbox's storage works
        self.storage_problem: str | None = None  # the last storage fault (staff, heartbeat)

    # -- one round -----------------------------------------------------------------------------

    def drain_once(self) -> DrainReport:
        """Send due items in order until the queue is empty or its head has to wait."""
        report = DrainReport()
        try:
            while not self._stopping.is_set():
                item = self.outbox.next_due(self.clock())
                if item is None:
                    break
                if not self._send(item, report):
                    break
            head = self.outbox.head()
        except QueueRefused as exc:  # the disk or the file failed: back off, all of us
            self.storage_failures += 1
            self.storage_problem = exc.reason
            wait = self.backoff.delay(self.storage_failures)
            log.warning("outbox storage failed (%s, %d in a row): %s; retry in %.1f s",
                        exc.reason, self.storage_failures, type(exc).__name__, wait)
            report.next_attempt_at = self.clock() + wait
            return report
        if self.storage_failures:
            log.info("outbox storage works again after %d failure(s)", self.storage_failures)
        self.storage_failures, self.storage_problem = 0, None
        report.next_attempt_at = None if head is None else head.next_attempt_at
        return report

    def _send(self, item: OutboxItem, report: DrainReport) -> bool:
        """Deliver one item; False when the queue has to wait (head of line backs off).
        Raises QueueRefused when the outbox's storage fails."""
        if item.id in self._unrecorded:  # the platform has it: only the record is missing
            return self._delivered(item, self._unrecorded[item.id], report)
        try:
            body = self.outbox.open_body(item)
        except SealError as exc:
            # Cannot open it now, cannot open it later: a person must look (and discard it).
            self.outbox.mark_refused(item.id, exc)
            self._log(logging.ERROR, item, "refused", exc, "payload does not open")
            report.refused.append(item.id)
            return True
        try:
            result = self.deliver(item, body)
        except RequestRefused as exc:
            self.outbox.mark_refused(item.id, exc)
            self._log(logging.WARNING, item, "refused", exc)
            report.refused.append(item.id)
            return True
        except PlatformError as exc:
            self._fail(item, exc, report, logging.INFO)
            return False
        except Exception as exc:  # a bug in deliver must not stop the queue for good
            self._fail(item, exc, report, logging.ERROR, _where(exc))
            return False
        return self._delivered(item, result if isinstance(result, dict) else {}, report)

    def _delivered(self, item: OutboxItem, result: dict[str, Any],
                   report: DrainReport) -> bool:
        self._unrecorded[item.id] = result
        try:
            self.outbox.mark_delivered(item.id, result)
        except QueueRefused:
            log.warning("outbox item %s (%s): delivered, not recorded yet (storage)", item.id,
                        item.reference)
            raise
        except OutboxError as exc:
            self._unrecorded.pop(item.id, None)
            log.warning("outbox item %s (%s): delivered but not recorded: %s", item.id,
                        item.reference, type(exc).__name__)
            return True
        self._unrecorded.pop(item.id, None)
        log.info("outbox item %s (%s, %s) delivered after %d attempt(s)", item.id,
                 item.reference, item.kind, item.attempts + 1)
        report.delivered.append(item.id)
        return True

    def _fail(self, item: OutboxItem, exc: BaseException, report: DrainReport, level: int,
              where: str = "") -> None:
        wait = self.backoff.delay(item.attempts + 1, exc)
        try:
            self.outbox.mark_failed(item.id, exc, self.clock() + wait)
        except QueueRefused:
            raise  # storage: the whole sender backs off
        except OutboxError as err:  # e.g. discarded by staff while it was on the wire
            log.warning("outbox item %s (%s): failure not recorded: %s", item.id,
                        item.reference, type(err).__name__)
            return
        self._log(level, item, "pending", exc, f"retry in {wait:.1f} s" + where)
        report.failed.append(item.id)

    @staticmethod
    def _log(level: int, item: OutboxItem, state: str, exc: BaseException,
             extra: str = "") -> None:
        # describe_error: the same PII-free words as the stored last_error (a dotted platform
        # code such as "form.invalid" included, which str.isidentifier() used to drop).
        log.log(level, "outbox item %s (%s, %s) %s: %s%s", item.id, item.reference,
                item.kind, state, describe_error(exc)[1], f"; {extra}" if extra else "")

    # -- the thread ----------------------------------------------------------------------------

    def notify(self) -> None:
        """Something was queued: look now rather than at the next due time."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self.outbox.subscribe(self.notify)
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop after the delivery in progress (a delivery is never cut off half way)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before the round: a notify() during it wakes the next wait
            next_at: float | None = None
            try:
                next_at = self.drain_once().next_attempt_at
            except Exception as exc:
                log.error("outbox sender round failed: %s%s", type(exc).__name__, _where(exc))
                next_at = self.clock() + self.backoff.initial_s
            self.rounds += 1
            wait = self.idle_poll_s
            if next_at is not None:
                wait = min(wait, max(0.0, next_at - self.clock()))
            self._wake.wait(wait)


def _where(exc: BaseException) -> str:
    """Where an exception came from (file:line function), without its message: the message
    of an arbitrary exception may quote the body."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return "".join(f" at {f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames)
