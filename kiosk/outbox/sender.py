"""Sends the outbox to the platform on lanes, oldest first, on a thread that never dies.

Order is kept where it matters and only there: items of one *order group* (an application and
the supplements, ratings and collections about it; see `Delivery.order_group`) go one at a
time, oldest first, so a supplement never reaches the platform before its application. Items
of different groups are independent: each group's oldest pending item is its head, and up to
`lanes` heads are on the wire at once. One item answered 500 forever, or held by a platform
that trickles its reply, backs off (or holds one lane) while the rest of the queue goes on
(issue 20 item 6). A deliver function without `order_group` puts every item in one group:
the whole queue in order, as before lanes.

When a head cannot be delivered for a reason that may pass (network, 5xx, malformed reply),
its group waits out its backoff. A refusal (4xx) will not pass by waiting: that item is set
aside for staff and its group moves on. A head still failing `stuck_after_s` after it was
queued is raised to staff: the catalogued event `outbox_item_stuck` once per item, and
`stuck_items()` for the admin screen and the heartbeat.

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from kiosk.client.errors import PlatformError, RequestRefused
from kiosk.events import emit
from kiosk.outbox.backoff import Backoff
from kiosk.outbox.errors import OutboxError, QueueRefused, describe_error
from kiosk.outbox.sealing import SealError
from kiosk.outbox.store import Outbox, OutboxItem, is_due

log = logging.getLogger(__name__)

Deliver = Callable[[OutboxItem, dict[str, Any]], dict[str, Any]]
OrderGroup = Callable[[OutboxItem], str]
STUCK_CHECK_S = 5.0  # how often the thread looks for items to raise to staff


@dataclass
class DrainReport:
    delivered: list[int] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    next_attempt_at: float | None = None  # when a waiting head is due again; None: queue empty


def _one_group(_item: OutboxItem) -> str:
    return ""


class Sender:
    def __init__(self, outbox: Outbox, deliver: Deliver, *, backoff: Backoff,
                 clock: Callable[[], float] = time.time, idle_poll_s: float = 30.0,
                 lanes: int = 1, order_group: OrderGroup | None = None,
                 stuck_after_s: float | None = None) -> None:
        """`idle_poll_s` bounds every sleep, so items put back by another process (the staff
        CLI) or a clock that jumped are seen without a notify(). `order_group` (default: the
        deliver function's own, else one group) names the items that must go in order;
        `lanes` how many groups are sent at once by the thread (`drain_once` sends one at a
        time). `stuck_after_s`: None, nobody is told about items that keep failing."""
        self.outbox = outbox
        self.deliver = deliver
        self.backoff = backoff
        self.clock = clock
        self.idle_poll_s = idle_poll_s
        self.lanes = max(1, int(lanes))
        self.order_group: OrderGroup = order_group or getattr(deliver, "order_group", None) \
            or _one_group
        self.stuck_after_s = stuck_after_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.rounds = 0  # dispatch rounds completed by the thread (for health checks and tests)
        self._unrecorded: dict[int, dict[str, Any]] = {}  # delivered, not yet marked so
        self._groups: dict[int, str] = {}  # item id -> its order group (fixed for its life)
        self._on_lane: dict[str, int] = {}  # order group -> the item of it on the wire
        self._storage_retry_at = 0.0
        self._stuck_said: set[int] = set()
        self._stuck_checked_at = float("-inf")
        self.storage_failures = 0  # in a row; 0 when the outbox's storage works
        self.storage_problem: str | None = None  # the last storage fault (staff, heartbeat)

    # -- order groups --------------------------------------------------------------------------

    def _group(self, item: OutboxItem) -> str:
        group = self._groups.get(item.id)
        if group is None:
            try:
                group = self.order_group(item)
            except QueueRefused:
                raise
            except Exception as exc:  # e.g. a body that does not open: sending will say so
                log.debug("outbox item %s: no order group (%s)", item.id, type(exc).__name__)
                group = f"item:{item.id}"
            self._groups[item.id] = group
        return group

    def _heads(self, now: float, skip: set[str]) -> tuple[list[OutboxItem], float | None]:
        """The due heads of the groups not in `skip`, oldest first, and when the first of the
        other heads is due (None: none waits)."""
        pending = self.outbox.pending()
        live = {item.id for item in pending}
        for gone in [i for i in self._groups if i not in live]:
            del self._groups[gone]
        seen: set[str] = set()
        due: list[OutboxItem] = []
        later: float | None = None
        for item in pending:
            group = self._group(item)
            if group in seen:
                continue
            seen.add(group)
            if group in skip:
                continue
            if is_due(item, now):
                due.append(item)
            elif later is None or item.next_attempt_at < later:
                later = item.next_attempt_at
        return due, later

    # -- one round -----------------------------------------------------------------------------

    def drain_once(self) -> DrainReport:
        """Send due heads one at a time in the calling thread, oldest first, until none is due:
        a group whose head has to wait is skipped, the others go on."""
        report = DrainReport()
        waiting: set[str] = set()
        tried: set[int] = set()
        try:
            while not self._stopping.is_set():
                due, _ = self._heads(self.clock(), waiting)
                if not due:
                    break
                item = due[0]
                if item.id in tried or not self._send(item, report):
                    waiting.add(self._group(item))  # its group waits; the rest goes on
                tried.add(item.id)
            _, report.next_attempt_at = self._heads(self.clock(), set())
        except QueueRefused as exc:  # the disk or the file failed: back off, all of us
            report.next_attempt_at = self._storage_fault(exc)
            return report
        self._storage_works()
        return report

    def _storage_fault(self, exc: QueueRefused) -> float:
        """Count a storage fault; return when the sender may touch the outbox again."""
        with self._lock:
            self.storage_failures += 1
            self.storage_problem = exc.reason
            wait = self.backoff.delay(self.storage_failures)
            self._storage_retry_at = self.clock() + wait
            log.warning("outbox storage failed (%s, %d in a row): %s; retry in %.1f s",
                        exc.reason, self.storage_failures, type(exc).__name__, wait)
            return self._storage_retry_at

    def _storage_works(self) -> None:
        with self._lock:
            if self.storage_failures:
                log.info("outbox storage works again after %d failure(s)",
                         self.storage_failures)
            self.storage_failures, self.storage_problem = 0, None
            self._storage_retry_at = 0.0

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
        """Stop after the deliveries in progress (a delivery is never cut off half way)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        with ThreadPoolExecutor(self.lanes, thread_name_prefix="outbox-lane") as lanes:
            while not self._stopping.is_set():
                self._wake.clear()  # before the round: a notify() during it wakes the next wait
                next_at: float | None = None
                try:
                    next_at = self._dispatch(lanes)
                except QueueRefused as exc:
                    next_at = self._storage_fault(exc)
                except Exception as exc:
                    log.error("outbox sender round failed: %s%s", type(exc).__name__,
                              _where(exc))
                    next_at = self.clock() + self.backoff.initial_s
                self._raise_stuck()
                self.rounds += 1
                wait = min(self.idle_poll_s, STUCK_CHECK_S) if self.stuck_after_s \
                    else self.idle_poll_s
                if next_at is not None:
                    wait = min(wait, max(0.0, next_at - self.clock()))
                self._wake.wait(wait)
            # leaving the `with` waits for the lanes' deliveries in progress

    def _dispatch(self, lanes: ThreadPoolExecutor) -> float | None:
        """Put due heads of idle groups on free lanes; return when to look again (a lane
        that finishes wakes the thread sooner)."""
        now = self.clock()
        if now < self._storage_retry_at:
            return self._storage_retry_at
        with self._lock:
            busy = set(self._on_lane)
        due, later = self._heads(now, busy)
        for item in due[:self.lanes - len(busy)]:
            group = self._group(item)
            with self._lock:
                self._on_lane[group] = item.id
            lanes.submit(self._lane, item, group)
        return later

    def _lane(self, item: OutboxItem, group: str) -> None:
        """One delivery on a lane thread."""
        try:
            self._send(item, DrainReport())
            self._storage_works()
        except QueueRefused as exc:
            self._storage_fault(exc)
        except Exception as exc:
            log.error("outbox sender round failed: %s%s (item %s)", type(exc).__name__,
                      _where(exc), item.id)
        finally:
            with self._lock:
                self._on_lane.pop(group, None)
            self._wake.set()

    # -- items that keep failing ---------------------------------------------------------------

    def stuck_items(self) -> list[OutboxItem]:
        """Pending items tried and still failing `stuck_after_s` after they were queued."""
        if self.stuck_after_s is None:
            return []
        return self.outbox.stuck(self.clock() - self.stuck_after_s)

    def _raise_stuck(self) -> None:
        """Tell staff once per item (catalogued event, no personal data: the item's number,
        its receipt reference, kind, attempts, how long, the kind of the last error)."""
        if self.stuck_after_s is None or time.monotonic() - self._stuck_checked_at < \
                STUCK_CHECK_S:
            return
        self._stuck_checked_at = time.monotonic()
        try:
            stuck = self.stuck_items()
        except OutboxError:
            return  # a storage fault: reported as one
        now = self.clock()
        for item in stuck:
            if item.id not in self._stuck_said:
                emit("outbox_item_stuck", item=item.id, reference=item.reference,
                     kind=item.kind, attempts=item.attempts,
                     minutes=int((now - item.created_at) // 60),
                     error=item.last_error_kind or "-")
        self._stuck_said = {item.id for item in stuck}


def _where(exc: BaseException) -> str:
    """Where an exception came from (file:line function), without its message: the message
    of an arbitrary exception may quote the body."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    return "".join(f" at {f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in frames)
