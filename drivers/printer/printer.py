"""ThermalPrinter: an ESC/POS receipt printer as a Device, with real status handling.

Every job: fresh DLE EOT status first (refused with the reason when the paper is out, the cover
open or the printer in error), the bytes, then a GS ( H process-ID request (Epson "transaction
number"): the printer answers `37 22 d1 d2 d3 d4 00` only once everything before it has been
printed, which is the real "job done" signal. While waiting, DLE EOT 2/4 are asked (they are
real-time and answered even mid-job), so paper running out mid-job fails the job at once; a
job is never reported done without that answer. Printers that do not know GS ( H can be driven
with `confirm="status"`: then the job is done only if the status after it is still printable.

Status replies (bit0 = 0) and responses (header 0x37, bit0 = 1) are told apart on the wire.
"""

from __future__ import annotations

import itertools
import logging
import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Literal

from drivers.device import (Device, DeviceError, DeviceState, DeviceStatus, DeviceUnavailable,
                            EventKind, OutcomeUnknown)
from drivers.printer import status as st
from drivers.printer.document import Document, paper_for, render_escpos
from drivers.printer.transport import Transport, TransportError

log = logging.getLogger(__name__)

RESPONSE_HEADER = 0x37
PROCESS_ID = 0x22
OS_BUFFER_BYTES = 4096  # what a tty may still hold after write() returned
CLEAR_BUFFERS = b"\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"  # DLE DC4 fn=8


@dataclass(frozen=True, slots=True)
class JobResult:
    action_id: str | None
    bytes_sent: int
    seconds: float
    confirmed_by: Literal["process_id", "status"]
    paper: str  # the printer's condition right after the job: ok, paper_near_end, paper_out...


def process_id_request(number: int) -> tuple[bytes, bytes]:
    """GS ( H fn=48: (the request, the 4 ASCII digits the answer will carry)."""
    digits = f"{number % 10000:04d}".encode("ascii")
    return b"\x1d(H\x06\x00\x30\x30" + digits, digits


def device_status(ps: st.PrinterStatus) -> DeviceStatus:
    """The shared device vocabulary for a printer condition."""
    if isinstance(ps, st.Ok):
        return DeviceStatus(DeviceState.ONLINE)
    if isinstance(ps, st.PaperNearEnd):
        return DeviceStatus(DeviceState.ONLINE, "paper_near_end", "paper roll nearly empty")
    if isinstance(ps, st.PaperOut):
        return DeviceStatus(DeviceState.USER_ERROR, "paper_out", "paper roll empty")
    if isinstance(ps, st.CoverOpen):
        return DeviceStatus(DeviceState.USER_ERROR, "cover_open", "printer cover open")
    if isinstance(ps, st.Offline):
        return DeviceStatus(DeviceState.USER_ERROR, "offline", "printer paused (offline)")
    return DeviceStatus(DeviceState.HARDWARE_ERROR, f"error_{ps.error}",
                        f"printer error: {ps.error}")


class ThermalPrinter(Device):
    kind = "printer"

    def __init__(self, name: str, transport: Transport, *, paper_width_mm: int = 80,
                 dots_per_line: int | None = None, status_timeout_s: float = 0.5,
                 poll_interval_s: float = 2.0, missed_polls_to_offline: int = 3,
                 reopen_interval_s: float = 1.0, confirm: Literal["process_id", "status"]
                 = "process_id", job_timeout_s: float = 30.0, check_interval_s: float = 0.25):
        super().__init__(name, poll_interval=poll_interval_s,
                         missed_polls_to_offline=missed_polls_to_offline,
                         reopen_interval=reopen_interval_s)
        self.transport = transport
        self.paper = paper_for(paper_width_mm, dots_per_line)
        self.status_timeout = status_timeout_s
        self.confirm = confirm
        self.job_timeout = job_timeout_s
        self.check_interval = check_interval_s
        self._last: st.PrinterStatus | None = None
        self._responses: list[bytes] = []
        self._numbers = itertools.count(1)

    @property
    def capabilities(self) -> dict[str, Any]:
        return {"transport": self.transport.description, "paper_width_mm": self.paper.width_mm,
                "dots_per_line": self.paper.dots, "columns": self.paper.columns,
                "chinese": "gb18030", "qr": "native", "job_confirmation": self.confirm}

    # ---- public ----------------------------------------------------------------------------

    def print(self, document: Document, action_id: str | None = None) -> Future[JobResult]:
        """Print `document`; the future fails with DeviceError(reason) if it did not print.

        The same `action_id` again returns the first attempt's future (printed once)."""
        return self._submit(lambda: self._job(document, action_id), action_id)

    # ---- Device hooks ----------------------------------------------------------------------

    def _open(self) -> None:
        self._responses.clear()
        self.transport.open()

    def _close(self) -> None:
        self.transport.close()

    def _poll(self) -> DeviceStatus:
        return device_status(self._observe(self._fresh_status()))

    def _fresh_status(self) -> st.PrinterStatus:
        """All four DLE EOT replies; a network printer that dropped the connection (they do,
        when idle) is reconnected once before this counts as a miss."""
        try:
            return self._read_status()
        except TransportError:
            if not self.transport.reconnect_on_error:
                raise
            self.transport.close()
            self.transport.open()
            return self._read_status()

    # ---- wire ------------------------------------------------------------------------------

    def _read_reply(self, timeout: float) -> tuple[str, bytes]:
        """One status byte ("status", b) or one 0x37 response ("response", bytes) or ("", b"")."""
        first = self.transport.read(1, timeout)
        if not first:
            return "", b""
        if first[0] != RESPONSE_HEADER:
            return "status", first
        body = bytearray(first)
        deadline = time.monotonic() + timeout
        while body[-1] != 0 and len(body) < 16:
            more = self.transport.read(1, max(0.01, deadline - time.monotonic()))
            if not more:
                break
            body += more
        return "response", bytes(body)

    def _status_byte(self, n: int) -> bytes:
        self.transport.write(st.query_bytes(n), self.status_timeout)
        deadline = time.monotonic() + self.status_timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return b""
            kind, data = self._read_reply(left)
            if kind == "response":
                self._responses.append(data)
                continue
            return data

    def _read_status(self, queries: tuple[int, ...] = st.QUERIES) -> st.PrinterStatus:
        """Ask DLE EOT for each query; raises NoAnswer / BadStatusByte / TransportError."""
        replies = {n: st.parse_reply(n, self._status_byte(n)) for n in queries}
        if queries == st.QUERIES:
            return st.combine(*(replies[n] for n in st.QUERIES))  # type: ignore[arg-type]
        off = replies.get(st.OFFLINE_CAUSE)
        paper = replies.get(st.PAPER_SENSOR)
        assert isinstance(off, st.OfflineCause) and isinstance(paper, st.PaperSensor)
        return st.combine(st.PrinterByte(False, False), off,
                          st.ErrorCause(False, False, False, False), paper)

    def _observe(self, ps: st.PrinterStatus) -> st.PrinterStatus:
        """Emit PAPER_LOW / PAPER_OUT on the transition into that condition."""
        previous, self._last = self._last, ps
        if isinstance(ps, st.PaperNearEnd) and not isinstance(previous, st.PaperNearEnd):
            self._emit(EventKind.PAPER_LOW, {"status": ps.kind})
        if isinstance(ps, st.PaperOut) and not isinstance(previous, st.PaperOut):
            self._emit(EventKind.PAPER_OUT, {"status": ps.kind})
        return ps

    # ---- a job, on the driver thread ------------------------------------------------------

    def _fail(self, action_id: str | None, reason: str, message: str,
              unavailable: bool = False, unknown: bool = False) -> DeviceError:
        """`unknown`: bytes went out and we cannot tell whether the job printed whole; the
        action id then stays spent so a retry never prints a second copy."""
        self._emit(EventKind.JOB_FAILED, {"reason": reason, "detail": message,
                                          "outcome_unknown": unknown}, action_id)
        log.warning("%s: job failed: %s (%s)", self.name, reason, message)
        cls = DeviceUnavailable if unavailable else OutcomeUnknown if unknown else DeviceError
        return cls(reason, f"{self.name}: {message}")

    def _job(self, document: Document, action_id: str | None) -> JobResult:
        started = time.monotonic()
        if not self._is_open:
            raise self._fail(action_id, self.status.reason or "offline",
                             f"printer is {self.status.state}", unavailable=True)
        try:
            data = render_escpos(document, self.paper)
        except Exception as exc:
            raise self._fail(action_id, "bad_document", str(exc)) from exc
        try:
            before = self._observe(self._fresh_status())
        except (st.StatusError, OSError) as exc:
            self._note_failure(exc)
            raise self._fail(action_id, "no_answer", f"no status before printing: {exc}",
                             unavailable=True) from exc
        self._note_success()
        self._set_status(device_status(before))
        if not st.can_print(before):
            raise self._fail(action_id, before.kind if not isinstance(before, st.Error)
                             else f"error_{before.error}", "not printed: " + before.kind,
                             unavailable=True)
        self._set_status(DeviceStatus(DeviceState.BUSY, "printing"))
        try:
            return self._send_and_confirm(data, action_id, started)
        finally:
            if self.status.state == DeviceState.BUSY:
                self._set_status(device_status(self._last or st.Ok()))

    def _send_and_confirm(self, data: bytes, action_id: str | None, started: float) -> JobResult:
        request, digits = process_id_request(next(self._numbers))
        payload = data + request if self.confirm == "process_id" else data
        budget = self.job_timeout + 2 * self.transport.wire_seconds(len(payload))
        deadline = started + budget
        self._responses.clear()
        try:
            self.transport.discard_input()
            self.transport.write(payload, max(1.0, budget))
        except OSError as exc:
            # a printer that stopped mid-job (paper out) stops taking bytes: say why if it can
            reason = "write_failed"
            try:
                now = self._observe(self._read_status())
                if not st.can_print(now):
                    self._set_status(device_status(now))
                    reason = now.kind if not isinstance(now, st.Error) else f"error_{now.error}"
                    self._abandon()
            except (st.StatusError, OSError):
                self._note_failure(exc)
            raise self._fail(action_id, reason, f"sending the job failed: {exc}",
                             unknown=reason == "write_failed") from exc
        expected = bytes([RESPONSE_HEADER, PROCESS_ID]) + digits + b"\x00"
        # On a slow line the job's bytes are still on their way: a status query would wait
        # behind them, so none is asked (and no silence counted) until they can have arrived.
        line_clear = max(started + self.transport.wire_seconds(len(payload)),
                         time.monotonic() + self.transport.wire_seconds(
                             min(len(payload), OS_BUFFER_BYTES))) + self.check_interval
        silent_checks = 0
        while True:
            if self.confirm == "process_id" and expected in self._responses:
                break
            if time.monotonic() >= deadline:
                self._abandon()
                raise self._fail(action_id, "unconfirmed",
                                 f"no job-done answer within {budget:.1f} s", unknown=True)
            kind, reply = self._read_reply(min(self.check_interval,
                                               max(0.01, deadline - time.monotonic())))
            if kind == "response":
                self._responses.append(reply)
                continue
            if kind == "status":
                continue  # a late answer to an earlier query
            if time.monotonic() < line_clear:
                continue
            # quiet for a moment: is the paper still there?
            try:
                now = self._observe(self._read_status((st.OFFLINE_CAUSE, st.PAPER_SENSOR)))
                silent_checks = 0
            except (st.StatusError, OSError) as exc:
                silent_checks += 1
                if silent_checks >= self.missed_polls_to_offline:
                    self._note_failure(exc)
                    raise self._fail(action_id, "no_answer",
                                     f"printer stopped answering mid-job: {exc}",
                                     unknown=True) from exc
                continue
            if not st.can_print(now):
                self._set_status(device_status(now))
                self._abandon()
                raise self._fail(action_id, now.kind if not isinstance(now, st.Error)
                                 else f"error_{now.error}", f"job cut short: {now.kind}")
            if self.confirm == "status" and time.monotonic() >= started + \
                    self.transport.wire_seconds(len(payload)) + self.check_interval * 2:
                break
        try:
            after = self._observe(self._read_status())
        except (st.StatusError, OSError) as exc:
            raise self._fail(action_id, "no_answer", f"no status after printing: {exc}",
                             unknown=True) from exc
        self._set_status(device_status(after))
        if self.confirm == "status" and not st.can_print(after):
            raise self._fail(action_id, after.kind if not isinstance(after, st.Error)
                             else f"error_{after.error}", f"job not confirmed: {after.kind}")
        result = JobResult(action_id, len(payload), round(time.monotonic() - started, 4),
                           "process_id" if self.confirm == "process_id" else "status",
                           after.kind)
        self._emit(EventKind.JOB_DONE, {"bytes": result.bytes_sent, "seconds": result.seconds,
                                        "confirmed_by": result.confirmed_by,
                                        "paper": after.kind}, action_id)
        return result

    def _abandon(self) -> None:
        """Clear what the printer still holds of a failed job, so a reload does not print
        the rest of it after the citizen has gone."""
        try:
            self.transport.write(CLEAR_BUFFERS, self.status_timeout)
            time.sleep(0.05)
            self.transport.discard_input()
        except OSError:
            pass
