"""The end of the apply journey: what the receipt says, and printing it truthfully.

`ReceiptData` is everything the receipt screen shows whether or not paper comes out (the
reference above all). `print_document` reports "printed" only when the printer's JobResult
says the job completed; paper out is told as such; anything else is "failed" with a reason.
Blocking: it waits for the printer's future, so call it from a worker, never the UI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import Future, TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from drivers.device import DeviceError, OutcomeUnknown
from drivers.printer.document import Document
from drivers.printer.printer import JobResult
from kiosk.audit.recorder import AuditRecorder
from kiosk.events import emit
from kiosk.receipts import application_receipt, progress_qr

log = logging.getLogger(__name__)

Outcome = Literal["printed", "paper_out", "failed"]


class PrinterPort(Protocol):
    """What the journey needs of a printer (drivers.printer.ThermalPrinter is one)."""

    def print(self, document: Document, action_id: str | None = None) -> Future[JobResult]: ...


@dataclass(frozen=True)
class PromisedItem:
    material_id: str
    name: str
    promised_by: dt.date


@dataclass(frozen=True)
class ReceiptData:
    """What the receipt screen shows (and the printed slip says); no personal data."""

    outbox_reference: str  # the terminal's reference, always known once queued
    final: bool  # the platform filed it: `receipt_no` is known
    receipt_no: str | None
    reference: str  # what to show and print: receipt_no when final, else outbox_reference
    service_id: str
    service_name: str
    submitted_at: dt.datetime
    promised_date: dt.date | None  # the platform's due date (final only)
    promised_days: int  # promised working days (承诺办结时限)
    promised_materials: tuple[PromisedItem, ...]
    qr_text: str | None  # None: no fleet key; the slip prints without the QR
    language: str


@dataclass(frozen=True)
class PrintOutcome:
    outcome: Outcome
    reason: str | None  # the printer's reason when not printed (paper_out, cover_open, timeout…)
    msgid: str | None  # catalogue words for the citizen when not printed
    receipt: ReceiptData  # show `receipt.reference` on screen when not printed
    action_id: str


def qr_text_for(reference: str, kiosk_id: str, token: str | None) -> str | None:
    """The progress QR of a receipt; None (the slip prints without it, the reference is what
    the citizen quotes) when there is no token or the reference cannot be put in one."""
    if token is None:
        return None
    try:
        return progress_qr.make(reference, kiosk_id, token)
    except ValueError as exc:
        log.warning("receipt QR omitted: %s", exc)
        return None


def document_for(receipt: ReceiptData, *, next_steps: list[str], centre_name: str,
                 hotline: str, paper_width_mm: int) -> Document:
    """The slip; without a progress token it has no code, and the reference is what the
    citizen quotes."""
    return application_receipt(
        language=receipt.language, service_name=receipt.service_name,
        reference=receipt.reference, reference_is_final=receipt.final,
        submitted_at=receipt.submitted_at, promised_date=receipt.promised_date,
        promised_days=receipt.promised_days, qr_text=receipt.qr_text,
        next_steps=next_steps, centre_name=centre_name, hotline=hotline,
        paper_width_mm=paper_width_mm)


def print_document(printer: PrinterPort, document: Document, action_id: str,
                   timeout_s: float) -> tuple[Outcome, str | None]:
    """(outcome, reason). Blocking: call from a worker."""
    outcome, reason, _ = print_document_detail(printer, document, action_id, timeout_s)
    return outcome, reason


def print_document_detail(printer: PrinterPort, document: Document, action_id: str,
                          timeout_s: float) -> tuple[Outcome, str | None, bool]:
    """(outcome, reason, unknown): `unknown` when bytes may have reached paper and nobody can
    tell whether the job printed (a print journal must then treat it as possibly printed)."""
    return settle_print(lambda: printer.print(document, action_id), timeout_s, "receipt",
                        lambda result: isinstance(result, JobResult)
                        and result.confirmed_by in ("process_id", "status"), job=action_id)


def settle_print(start: Callable[[], Any], timeout_s: float, what: str,
                 confirmed: Callable[[Any], bool], job: str | None = None
                 ) -> tuple[Outcome, str | None, bool]:
    """How a print job (the future `start()` returns) ended, for every printer alike:
    (outcome, reason, unknown). A timeout, an unknown outcome or a printer failing its own
    way may have put bytes on paper: `unknown`; a device error is known not to have.
    Logged as `print_job_complete` (kind = `what`, `job` = the action id, so the console's usage
    counts a job settled twice, e.g. a second tap on print, once)."""
    outcome, reason, unknown = _settle(start, timeout_s, what, confirmed)
    emit("print_job_complete", "success" if outcome == "printed" else "failure",
         kind=what.replace(" ", "_").lower(), job=job, reason=reason)
    return outcome, reason, unknown


def _settle(start: Callable[[], Any], timeout_s: float, what: str,
            confirmed: Callable[[Any], bool]) -> tuple[Outcome, str | None, bool]:
    try:
        result: Any = start().result(timeout=timeout_s)
    except FutureTimeout:
        return "failed", "timeout", True
    except OutcomeUnknown as exc:
        return "failed", exc.reason, True
    except DeviceError as exc:
        return ("paper_out" if exc.reason == "paper_out" else "failed"), exc.reason, False
    except Exception as exc:  # a port failing its own way
        log.warning("%s print failed: %s", what, type(exc).__name__)
        return "failed", "error", True
    if confirmed(result):
        return "printed", None, False
    return "failed", "unconfirmed", True


def print_for_citizen(printer: PrinterPort | None, document: Document, action_id: str,
                      timeout_s: float, *, audit: AuditRecorder, session_id: str, action: str,
                      **refs: str) -> tuple[Outcome, str | None]:
    """`print_document` for a citizen's paper, and the trace every such print leaves: the audit
    entry `action` with the outcome, the reason and `refs` (references, never personal data),
    and a log line. No printer at all is a failure told like any other ("no_printer").
    Blocking: call from a worker."""
    if printer is None:
        outcome, reason = "failed", "no_printer"
    else:
        outcome, reason = print_document(printer, document, action_id, timeout_s)
    audit.citizen(session_id, action, outcome=outcome, reason=reason, **refs)
    log.info("session %s: %s %s: %s%s", session_id, action, " ".join(refs.values()), outcome,
             f" ({reason})" if reason else "")
    return outcome, reason
