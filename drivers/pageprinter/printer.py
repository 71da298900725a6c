"""PagePrinter: an A4 printer reached over IPP (a CUPS queue or an IPP Everywhere printer).

The same device model as the thermal printer: cached status from `printer-state` and
`printer-state-reasons`, actions that return futures, action ids, debounced presence.

A job counts as printed only when the printer says `completed` AND
`job-impressions-completed` reached the document's page count: a job cut short (paper out,
jam, door open mid-job) is cancelled at once, so nothing more comes out after the citizen is
told, and fails with the reason and the pages that did come out (`DeviceError`, a retry under
the same action id then prints a whole copy). The job is named after its action id: a retry
(in this process or after a restart) first asks the printer for a job of that name and, if
one is still running or completed whole, waits for it or returns it instead of sending the
document again. A printer that stops answering mid-job leaves the outcome unknown
(`OutcomeUnknown`): the id stays spent.
"""

from __future__ import annotations

import logging
import re
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.device import (Device, DeviceError, DeviceState, DeviceStatus, DeviceUnavailable,
                            EventKind, OutcomeUnknown)
from drivers.pageprinter.ipp import TERMINAL_JOB_STATES, IppClient, IppError, as_list, job_state

log = logging.getLogger(__name__)

PRINTER_ATTRS = ("printer-state", "printer-state-reasons", "printer-make-and-model",
                 "media-ready")
JOB_ATTRS = ("job-id", "job-name", "job-state", "job-state-reasons", "job-impressions",
             "job-impressions-completed")

# printer-state-reasons keyword (suffix stripped) -> (state, our reason). ippeveprinter puts
# the suffix by the printer's state (idle: -report), not by severity, so any suffix counts.
USER_ERRORS = {"media-empty": "paper_out", "media-needed": "paper_out",
               "media-jam": "paper_jam", "door-open": "cover_open",
               "cover-open": "cover_open", "toner-empty": "toner_out",
               "marker-supply-empty": "toner_out", "input-tray-missing": "tray_missing",
               "paused": "offline", "offline": "offline"}
WARNINGS = {"media-low": "paper_near_end", "toner-low": "toner_low",
            "marker-supply-low": "toner_low"}


def _keyword(reason: str) -> str:
    return re.sub(r"-(report|warning|error)$", "", reason)


def device_status(attrs: dict[str, Any]) -> DeviceStatus:
    """The shared device vocabulary for a printer's IPP state."""
    reasons = [_keyword(r) for r in as_list(attrs.get("printer-state-reasons")) if r != "none"]
    for keyword in reasons:
        if keyword in USER_ERRORS:
            return DeviceStatus(DeviceState.USER_ERROR, USER_ERRORS[keyword], keyword)
    if attrs.get("printer-state") == "stopped":
        return DeviceStatus(DeviceState.HARDWARE_ERROR, "stopped",
                            ",".join(reasons) or "printer stopped")
    for keyword in reasons:
        if keyword in WARNINGS:
            return DeviceStatus(DeviceState.ONLINE, WARNINGS[keyword], keyword)
    return DeviceStatus(DeviceState.ONLINE)


def _running(job: dict[str, Any]) -> bool:
    """Still going and not on its way to a cancel."""
    return job_state(job) not in TERMINAL_JOB_STATES and "processing-to-stop-point" not in \
        as_list(job.get("job-state-reasons"))


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF (page objects counted: the kiosk's PDFs have no object streams)."""
    return max(1, len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)))


@dataclass(frozen=True, slots=True)
class PageJobResult:
    action_id: str | None
    job_id: int
    pages: int  # job-impressions-completed: all of the document's pages
    seconds: float
    resumed: bool  # an earlier attempt's job was found at the printer and not sent again


class PagePrinter(Device):
    kind = "page_printer"

    def __init__(self, name: str, uri: str, *, poll_interval_s: float = 2.0,
                 missed_polls_to_offline: int = 3, reopen_interval_s: float = 1.0,
                 request_timeout_s: float = 5.0, job_timeout_s: float = 120.0,
                 check_interval_s: float = 0.1):
        super().__init__(name, poll_interval=poll_interval_s,
                         missed_polls_to_offline=missed_polls_to_offline,
                         reopen_interval=reopen_interval_s)
        self.client = IppClient(uri, timeout_s=request_timeout_s)
        self.job_timeout = job_timeout_s
        self.check_interval = check_interval_s
        self._model = ""
        self._last_reason: str | None = None

    @property
    def capabilities(self) -> dict[str, Any]:
        return {"uri": self.client.uri, "paper": "A4", "model": self._model,
                "document_format": "application/pdf", "job_confirmation": "impressions"}

    # ---- public ----------------------------------------------------------------------------

    def print_pdf(self, pdf: Path | bytes, action_id: str | None = None
                  ) -> Future[PageJobResult]:
        """Print a PDF; the future fails with DeviceError(reason) if it did not print whole.
        The same `action_id` again returns the first attempt's future (printed once)."""
        data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
        return self._submit(lambda: self._job(data, action_id), action_id)

    def find_job(self, action_id: str) -> Future[dict[str, Any] | None]:
        """The printer's newest job named `action_id` (its IPP attributes), or None."""
        return self._submit(lambda: self._find(action_id))

    def completed_whole(self, action_id: str, timeout_s: float = 2.0) -> bool:
        """Whether the printer holds a job named `action_id` that completed with all its pages
        (`job-impressions-completed` reached the printer's own `job-impressions`). Blocking, a
        request or two of its own (not the driver thread): for the start-up check of prints a
        killed process left, before any citizen. Raises OSError/IppError when it cannot tell."""
        client = IppClient(self.client.uri, timeout_s=timeout_s, user=self.client.user)
        jobs = [j for j in client.jobs(JOB_ATTRS) if j.get("job-name") == action_id]
        for job in jobs:
            done = int(job.get("job-impressions-completed") or 0)
            total = int(job.get("job-impressions") or 0)
            if job_state(job) == "completed" and done >= max(1, total):
                return True
        return False

    # ---- Device hooks ----------------------------------------------------------------------

    def _open(self) -> None:
        attrs = self.client.printer_attributes(PRINTER_ATTRS)
        self._model = str(attrs.get("printer-make-and-model") or "")

    def _close(self) -> None:
        pass

    def _poll(self) -> DeviceStatus:
        return self._observe(self.client.printer_attributes(PRINTER_ATTRS))

    def _observe(self, attrs: dict[str, Any]) -> DeviceStatus:
        """Emit PAPER_LOW / PAPER_OUT on the transition into that condition."""
        status = device_status(attrs)
        if status.reason != self._last_reason:
            if status.reason == "paper_out":
                self._emit(EventKind.PAPER_OUT, {"status": status.reason})
            elif status.reason == "paper_near_end":
                self._emit(EventKind.PAPER_LOW, {"status": status.reason})
        self._last_reason = status.reason
        return status

    # ---- a job, on the driver thread ------------------------------------------------------

    def _fail(self, action_id: str | None, reason: str, message: str, *, pages: int = 0,
              unavailable: bool = False, unknown: bool = False) -> DeviceError:
        self._emit(EventKind.JOB_FAILED, {"reason": reason, "detail": message,
                                          "pages_out": pages, "outcome_unknown": unknown},
                   action_id)
        log.warning("%s: job failed: %s (%s)", self.name, reason, message)
        cls = DeviceUnavailable if unavailable else OutcomeUnknown if unknown else DeviceError
        return cls(reason, f"{self.name}: {message}")

    def _find(self, action_id: str) -> dict[str, Any] | None:
        jobs = [j for j in self.client.jobs(JOB_ATTRS) if j.get("job-name") == action_id]
        return max(jobs, key=lambda j: int(j.get("job-id") or 0), default=None)

    def _job(self, pdf: bytes, action_id: str | None) -> PageJobResult:
        started = time.monotonic()
        if not self._is_open:
            raise self._fail(action_id, self.status.reason or "offline",
                             f"printer is {self.status.state}", unavailable=True)
        pages = pdf_pages(pdf)
        try:
            earlier = self._find(action_id) if action_id else None
            now = self._poll()
        except (OSError, IppError) as exc:
            self._note_failure(exc)
            raise self._fail(action_id, "no_answer", f"no status before printing: {exc}",
                             unavailable=True) from exc
        self._note_success()
        self._set_status(now)
        if earlier is not None and (_running(earlier) or (
                job_state(earlier) == "completed"
                and int(earlier.get("job-impressions-completed") or 0) >= pages)):
            log.info("%s: job %s of %s found at the printer: not sent again", self.name,
                     earlier.get("job-id"), action_id)
            return self._follow(int(earlier["job-id"]), pages, action_id, started, True)
        if not now.usable:
            raise self._fail(action_id, now.reason or str(now.state),
                             f"not printed: {now.reason}", unavailable=True)
        self._set_status(DeviceStatus(DeviceState.BUSY, "printing"))
        try:
            try:
                job = self.client.print_job(pdf, action_id or "kiosk", "application/pdf",
                                            timeout_s=max(self.client.timeout, 30.0))
            except IppError as exc:  # refused: nothing was queued
                raise self._fail(action_id, "refused", str(exc)) from exc
            except OSError as exc:  # sent, maybe queued: look for it by name before anything
                job = self._find(action_id) if action_id else None
                if job is None:
                    raise self._fail(action_id, "no_answer", f"sending failed: {exc}",
                                     unknown=True) from exc
            return self._follow(int(job["job-id"]), pages, action_id, started, False)
        finally:
            if self.status.state == DeviceState.BUSY:
                try:
                    self._set_status(self._poll())
                except (OSError, IppError):
                    pass

    def _follow(self, job_id: int, pages: int, action_id: str | None, started: float,
                resumed: bool) -> PageJobResult:
        """Watch a job to its end; cancel it at the first fault, so it never finishes later."""
        deadline = started + self.job_timeout
        silent = 0
        while True:
            try:
                job = self.client.job_attributes(job_id, JOB_ATTRS)
                printer = self.client.printer_attributes(PRINTER_ATTRS)
                silent = 0
            except (OSError, IppError) as exc:
                silent += 1
                if silent >= self.missed_polls_to_offline:
                    self._note_failure(exc)
                    raise self._fail(action_id, "no_answer",
                                     f"printer stopped answering mid-job: {exc}",
                                     unknown=True) from exc
                time.sleep(self.check_interval)
                continue
            state = job_state(job)
            done = int(job.get("job-impressions-completed") or 0)
            if state == "completed":
                if done < pages:
                    raise self._fail(action_id, "incomplete",
                                     f"job {job_id} completed with {done} of {pages} pages",
                                     pages=done)
                seconds = round(time.monotonic() - started, 4)
                self._emit(EventKind.JOB_DONE, {"job_id": job_id, "pages": done,
                                                "seconds": seconds, "resumed": resumed},
                           action_id)
                return PageJobResult(action_id, job_id, done, seconds, resumed)
            if state in ("canceled", "aborted"):
                raise self._fail(action_id, f"job_{state}",
                                 f"job {job_id} {state} after {done} of {pages} pages",
                                 pages=done)
            status = self._observe(printer)
            if status.state in (DeviceState.USER_ERROR, DeviceState.HARDWARE_ERROR):
                self._set_status(status)
                done = self._cancel(job_id)
                raise self._fail(action_id, status.reason or "error",
                                 f"job {job_id} stopped: {status.reason} after {done} of "
                                 f"{pages} pages", pages=done)
            if time.monotonic() >= deadline:
                done = self._cancel(job_id)
                raise self._fail(action_id, "timeout", f"job {job_id} not completed within "
                                 f"{self.job_timeout:.0f} s ({done} of {pages} pages)",
                                 pages=done, unknown=done == -1)
            time.sleep(self.check_interval)

    def _cancel(self, job_id: int, wait_s: float = 3.0) -> int:
        """Cancel a job and wait (briefly) until it is over: the pages that came out, or -1
        when the printer cannot tell."""
        try:
            self.client.cancel_job(job_id)
        except IppError:
            pass  # already over
        except OSError:
            return -1
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            try:
                job = self.client.job_attributes(job_id, JOB_ATTRS)
            except (OSError, IppError):
                return -1
            if job_state(job) in TERMINAL_JOB_STATES:
                return int(job.get("job-impressions-completed") or 0)
            time.sleep(self.check_interval)
        return int(job.get("job-impressions-completed") or 0)
