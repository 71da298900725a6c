"""Usage events leave the terminal: a logging handler on `kiosk.events` that batches the events
the operations console counts (sessions, journeys, prints, payments, ratings) into the outbox as
`kiosk_events` items, which the sender posts to the platform (postEvents; it deduplicates on
each event's id).

Only the ids in FORWARDED go, with their declared fields already masked by `emit` — the same
check as in the log, so nothing undeclared leaves. A batch is queued every `flush_s` seconds or at
`max_batch` events, whichever first: a crash loses at most those seconds of counts, and the
outbox is not written once per event. Turned on by `[platform] post_events`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any, Protocol

from kiosk.events.posted import as_posted

FORWARDED = frozenset({"session_started", "session_ended", "journey_init", "journey_complete",
                       "print_job_complete", "payment_complete", "rating_given"})
KIOSK_EVENTS = "kiosk_events"  # kiosk.delivery's kind (not imported: the delivery imports the outbox)

log = logging.getLogger(__name__)


class Queue(Protocol):
    def enqueue(self, kind: str, body: dict[str, Any]) -> Any: ...


class EventForwarder(logging.Handler):
    """`EventForwarder(outbox).install()`; `.close()` flushes what is left and detaches."""

    def __init__(self, outbox: Queue, flush_s: float = 30.0, max_batch: int = 200) -> None:
        super().__init__(logging.INFO)
        self.outbox, self.flush_s, self.max_batch = outbox, flush_s, max_batch
        self._pending: list[dict[str, Any]] = []
        self._pending_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="event-forwarder", daemon=True)

    def install(self) -> "EventForwarder":
        """Attach to `kiosk.events` (which must pass INFO records for the counts to be seen)."""
        logger = logging.getLogger("kiosk.events")
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        logger.addHandler(self)
        self._thread.start()
        return self

    def emit(self, record: logging.LogRecord) -> None:
        event_id = getattr(record, "event_id", None)
        if event_id not in FORWARDED:
            return
        try:
            item = as_posted(event_id, dt.datetime.fromtimestamp(record.created, dt.UTC),
                             getattr(record, "disposition", None),
                             **getattr(record, "event_fields", {}))
        except Exception:  # a malformed record must never break the caller's logging
            self.handleError(record)
            return
        with self._pending_lock:
            self._pending.append(item)
            full = len(self._pending) >= self.max_batch
        if full:
            self._wake.set()  # the outbox write happens on the forwarder's thread, not the caller's

    def flush(self) -> None:
        with self._pending_lock:
            batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            self.outbox.enqueue(KIOSK_EVENTS, {"events": batch})
        except Exception as exc:  # outbox full or disk full: counts are lost, citizens are not
            log.warning("usage events not queued (%d dropped): %s", len(batch),
                        type(exc).__name__)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        logging.getLogger("kiosk.events").removeHandler(self)
        if self._thread.is_alive():
            self._thread.join(5)
        self.flush()
        super().close()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.flush_s)
            self._wake.clear()
            self.flush()
