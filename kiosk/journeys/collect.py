"""The collect journey (证照打印) as a service the Kivy screens drive: every decision is here.

    LIST → (REASON, for a reprint) → PREVIEW → PRINTED (→ END)

A certificate prints once. Its first print is recorded at the platform as the collection;
any later print needs one of REPRINT_REASONS, which the platform records with it.

When the platform is told: only AFTER the printer confirmed the whole job (the contract says so
for collectCertificate). Telling it first would mark a certificate collected that a paper-out
left in the printer; telling it after means that, at worst, a printed certificate is not yet
recorded (the platform answered nothing): `CollectOutcome.recorded` is then False, the journey
keeps the key, and `print_certificate()` again only retries the record, never the print.

Paper out mid-certificate: the outcome is "paper_out", nothing is recorded, and the job is kept
(the certificate, its idempotency key and its printer action id stay in the session). The driver
clears what the printer held of the cut-short job, so after staff reload the paper, the retry
prints the whole certificate under the same action id; a job whose outcome the printer could
not tell keeps its id spent, so it never comes out twice.

Killed mid-print: the print is in the print journal (kiosk.prints) before its first byte, under
its printer action id. A first print there that did not fail counts as "printed before" even
while the platform does not know yet: choosing it again needs a reprint reason, so a crash never
gives a second first copy. `resolve_interrupted_prints` settles, at the next start, what a killed
process left: confirmed or "outcome unknown" (for staff), and recorded at the platform through
the outbox under the print's own key, so the platform hears "collected" once. An A4 page
printer is asked about the job named by the print's action id: one it completed whole is
confirmed rather than unknown.

Where: the A4 page printer (the platform's PDF) where the site has one, the receipt slip
otherwise (`collect_journey`); the preview tells the citizen which.

Usage (the console's report): choosing a certificate begins a "collect" journey (service
"collect": a certificate names no service); only a print the printer confirmed completes it
(recorded at the platform or not: the citizen holds the paper). A print that did not come out
leaves it open: abandoned at paper_out / failed if the citizen leaves then.

Threading: `certificates` and `print_certificate` block (platform, printer): call them from a
worker. Privacy: the list, the choice and the keys live in the Session's bag (wiped with it);
logs and the audit trail carry certificate ids and outcomes, never a name or an ID number.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.api import models as m
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.errors import PlatformError, RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.delivery import COLLECTION
from kiosk.i18n import translator
from kiosk.i18n.messages import N_
from kiosk.journeys.base import Journey, Words, both_languages, identified
from kiosk.journeys.problems import (JourneyProblem, WrongStep, platform_problem, printer_msgid)
from kiosk.journeys.receipt import Outcome
from kiosk.receipts.certificate import (CertificatePrinter, CertificateSheet,
                                        ThermalCertificatePrinter, verify_url)
from kiosk.receipts.a4_certificate import PageCertificatePrinter
from kiosk.outbox import DuplicateKey, Outbox, QueueRefused
from kiosk.outbox.sealing import SealError
from kiosk.prints import (CONFIRMED, FAILED, QUEUED, RECORDED, STARTED, UNKNOWN, PrintEntry,
                          PrintJournal, PrintJournalError)
from kiosk.session import Session
from kiosk.session.platform_citizen import with_filing_grant

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

log = logging.getLogger(__name__)

# Why a certificate is printed again: the code goes to the platform as `reprint_reason`
# (staff read it there), the words are what the citizen chooses from.
REPRINT_REASONS: dict[str, str] = {
    "lost": N_("The printed certificate was lost"),
    "damaged": N_("The printed certificate was damaged"),
    "extra_copy": N_("I need another copy"),
}
WORDS: dict[str, str] = {
    "journey.collect.reason_needed": N_("This certificate was printed before. Choose why you "
                                        "need it again."),
    "journey.collect.unknown": N_("This certificate is no longer in your list. Please start "
                                  "again."),
    "journey.collect.not_recorded": N_("Your certificate was printed, but the terminal could not "
                                       "record it yet. Touch Try again, or tell staff."),
}

JOURNAL_KIND = "certificate"  # the print journal's kind for certificates

_LIST, _CHOSEN, _KEYS, _DONE = "collect.list", "collect.chosen", "collect.keys", "collect.done"


class Step(enum.StrEnum):
    LIST = "list"
    PREVIEW = "preview"
    PRINTED = "printed"
    END = "end"



@dataclass(frozen=True)
class CertificateView:
    """One line of the citizen's list (their own results; the holder only as masked)."""

    certificate_id: str
    title: Words  # in both languages (contract 1.8), else only the Chinese the platform sent
    issuer: Words
    issued_at: dt.datetime
    receipt_no: str
    collected: bool
    print_count: int


@dataclass(frozen=True)
class Preview:
    certificate: CertificateView
    reprint_reason: str | None
    png: bytes  # what will come out of the printer
    paper: str = "slip"  # "a4" (the page printer) or "slip" (the receipt printer)


@dataclass(frozen=True)
class CollectOutcome:
    outcome: Outcome  # printed | paper_out | failed
    reason: str | None  # the printer's reason when not printed
    recorded: bool  # the platform recorded the collection (or the reprint)
    certificate: CertificateView
    action_id: str
    queued: bool = False  # not recorded yet, but in the outbox: the platform will be told

    @property
    def problem(self) -> JourneyProblem | None:
        """What to tell the citizen, or None when all is done."""
        if self.outcome != "printed":
            msgid = printer_msgid(self.outcome)
            return JourneyProblem(f"printer.{self.outcome}", msgid=msgid,
                                  detail=self.reason or "")
        if not self.recorded and not self.queued:
            return JourneyProblem("journey.collect.not_recorded",
                                  msgid=WORDS["journey.collect.not_recorded"])
        return None


def _view(c: m.Certificate) -> CertificateView:
    return CertificateView(c.certificate_id, both_languages(c.title_words, c.title),
                           both_languages(c.issuer_words, c.issuer), c.issued_at, c.receipt_no,
                           c.collected_at is not None, c.print_count)


class CollectJourney(Journey[Step]):
    """One citizen collecting (printing) their issued certificates."""

    name = "collect"

    def __init__(self, session: Session, client: PlatformClient, printer: CertificatePrinter,
                 platform_base_url: str, *, print_timeout_s: float = 60.0,
                 audit: AuditRecorder | None = None, outbox: Outbox | None = None,
                 journal: PrintJournal | None = None) -> None:
        super().__init__(session, Step.LIST)
        self._client = client
        self._printer = printer
        self._base_url = platform_base_url
        self._print_timeout_s = print_timeout_s
        self._audit = audit or AuditRecorder(None)
        self._outbox = outbox
        self._journal = journal
        self._not_printed: Outcome | None = None  # how the last print failed, if it did
        log.info("session %s: collect journey started", session.session_id)

    # ---- the list ------------------------------------------------------------------------

    def certificates(self) -> list[CertificateView]:
        """The citizen's issued certificates, newest first, collected or not. Blocking."""
        with self._lock:
            identity = identified(self._session)
            try:
                found = self._platform().query_certificates(identity.id_number)
            except PlatformError as exc:
                raise platform_problem(exc, "queryCertificates failed") from None
            self._session.put(_LIST, {c.certificate_id: c for c in found})
            self._session.pop(_CHOSEN)
            self._step = Step.LIST
            log.info("session %s: %d certificate(s) listed", self._session.session_id,
                     len(found))
            return [_view(c) for c in found]

    # ---- choosing and previewing ----------------------------------------------------------

    def choose(self, certificate_id: str, reprint_reason: str | None = None) -> Preview:
        """The certificate to print and its preview. One printed before needs a reason
        (JourneyProblem journey.collect.reason_needed without one). No I/O."""
        with self._lock:
            self._require(Step.LIST, Step.PREVIEW, Step.PRINTED)
            found: dict[str, m.Certificate] = self._session.get(_LIST) or {}
            certificate = found.get(certificate_id)
            if certificate is None:
                raise JourneyProblem("journey.collect.unknown",
                                     msgid=WORDS["journey.collect.unknown"],
                                     detail="certificate not in the listed ones")
            self._began(self.name)
            if reprint_reason is not None and reprint_reason not in REPRINT_REASONS:
                raise ValueError(f"unknown reprint reason {reprint_reason!r}")
            if not self._printed_before(certificate):
                reprint_reason = None  # a first print needs none and records none
            elif reprint_reason is None:
                raise JourneyProblem("journey.collect.reason_needed",
                                     msgid=WORDS["journey.collect.reason_needed"],
                                     detail="already collected")
            self._session.put(_CHOSEN, (certificate_id, reprint_reason))
            self._step = Step.PREVIEW
            self._not_printed = None
            png = self._printer.preview(self._sheet(certificate, reprint_reason))
            return Preview(_view(certificate), reprint_reason, png,
                           self._printer.paper)

    def _printed_before(self, c: m.Certificate) -> bool:
        """Collected at the platform, or a first copy in the journal that may have come out
        (the platform not told yet: killed mid-print, or its record still queued)."""
        if c.collected_at is not None:
            return True
        if self._journal is None:
            return False
        try:
            return self._journal.first_print(JOURNAL_KIND, c.certificate_id) is not None
        except PrintJournalError:
            return True  # cannot tell: never risk a second first copy

    def _sheet(self, c: m.Certificate, reprint_reason: str | None) -> CertificateSheet:
        pick = translator(self.language).pick
        return CertificateSheet(
            certificate_id=c.certificate_id, title=c.title,
            title_shown=pick(both_languages(c.title_words, c.title)),
            holder_masked=c.holder_masked, receipt_no=c.receipt_no,
            issuer=pick(both_languages(c.issuer_words, c.issuer)), issued_at=c.issued_at,
            verification_code=c.verification_code,
            verify_url=verify_url(self._base_url, c.verification_code),
            reprint=reprint_reason is not None, language=self.language)

    # ---- printing ------------------------------------------------------------------------

    def print_certificate(self) -> CollectOutcome:
        """Print the chosen certificate, then record it at the platform. Calling it again
        after paper out prints the whole certificate (once); after a print the platform did
        not record, it only records. Blocking (printer, platform): call from a worker."""
        with self._lock:
            self._require(Step.PREVIEW, Step.PRINTED)
            chosen = self._session.get(_CHOSEN)
            if chosen is None:
                raise WrongStep("no certificate chosen")
            certificate_id, reason = chosen
            certificate: m.Certificate = self._session.get(_LIST)[certificate_id]
            keys: dict[tuple[str, str | None], str] = self._session.get(_KEYS) or {}
            key = keys.setdefault((certificate_id, reason), str(uuid.uuid4()))
            self._session.put(_KEYS, keys)
            done: dict[str, CollectOutcome] = self._session.get(_DONE) or {}
            self._session.put(_DONE, done)
            action_id = f"certificate-{key}"
            last = done.get(key)
            if last is not None and last.outcome == "printed" and last.recorded:
                return last  # printed and recorded: never again under this choice
            view = _view(certificate)
            entry = self._journal_entry(action_id)
            if entry is not None and entry.unknown and last is not None:
                return last  # it may have printed: a person decides, never a second try
            if last is None or last.outcome != "printed":
                outcome, why = self._print(certificate, reason, action_id)
                if outcome != "printed":
                    result = CollectOutcome(outcome, why, False, view, action_id)
                    done[key] = result
                    self._step = Step.PRINTED
                    self._not_printed = outcome
                    return result
                self._not_printed = None
                self._step = Step.PRINTED
                self._completed()  # the printer confirmed it: the citizen holds the certificate
            recorded = None
            if not self._behind_queued_first(certificate_id, reason):
                recorded = self._record(certificate_id, key, reason)
            queued = False
            if recorded is not None:
                view = _view(recorded)
                self._session.get(_LIST)[certificate_id] = recorded
            elif last is None or not last.queued:
                queued = self._queue_record(certificate_id, key, reason)
            else:
                queued = True
            self._journal_mark(action_id, RECORDED if recorded is not None
                               else QUEUED if queued else CONFIRMED)
            result = CollectOutcome("printed", None, recorded is not None, view, action_id,
                                    queued)
            done[key] = result
            self._step = Step.PRINTED
            return result

    def _usage_step(self) -> str:
        return self._not_printed or str(self._step)  # "printed" only when it was

    def _print(self, certificate: m.Certificate, reason: str | None,
               action_id: str) -> tuple[Outcome, str | None]:
        pdf = None
        if self._printer.needs_pdf:
            try:
                data = self._platform().certificate_document(certificate.certificate_id)
            except PlatformError as exc:
                raise platform_problem(exc, "getCertificateDocument failed") from None
            pdf = self._session.workdir.write(data, ".pdf", stem="certificate")
        if self._journal is not None:
            try:  # on disk before the first byte: a crash from here on is never forgotten
                key = action_id.removeprefix("certificate-")
                self._journal.begin(JOURNAL_KIND, certificate.certificate_id, key, action_id,
                                    reason, self._sealed_record(certificate.certificate_id,
                                                                key, reason))
            except (PrintJournalError, ValueError, TypeError) as exc:
                log.error("session %s: certificate %s not printed: %s",
                          self._session.session_id, certificate.certificate_id, exc)
                return "failed", "storage_failed"
        outcome, why, unknown = self._printer.print_detail(
            self._sheet(certificate, reason), pdf, action_id, self._print_timeout_s)
        if outcome == "printed":
            self._journal_mark(action_id, CONFIRMED)
        elif not unknown:
            self._journal_mark(action_id, FAILED, why)
        elif self._journal is not None:
            entry = self._journal_entry(action_id)
            if entry is not None:  # may have printed: never again as a first copy
                settle_print(self._journal, self._outbox, entry, self._audit,
                             f"in session {self._session.session_id}")
        self._audit.citizen(self._session.session_id, "certificate.print", outcome=outcome,
                            reason=why, certificate=certificate.certificate_id,
                            reprint_reason=reason)
        log.info("session %s: certificate %s %s%s", self._session.session_id,
                 certificate.certificate_id, outcome, f" ({why})" if why else "")
        return outcome, why

    def _sealed_record(self, certificate_id: str, key: str, reason: str | None) -> bytes | None:
        """The collection record as the outbox would queue it, with this visit's filing
        grant: a restart after a crash sends it without the citizen."""
        if self._outbox is None:
            return None
        body = {"certificate_id": certificate_id, "reprint_reason": reason}
        return self._outbox.seal(COLLECTION, with_filing_grant(self._session, body), key)

    def _journal_entry(self, action_id: str) -> PrintEntry | None:
        if self._journal is None:
            return None
        try:
            return self._journal.get(action_id)
        except PrintJournalError:
            return None

    def _journal_mark(self, action_id: str, state: str, detail: str | None = None) -> None:
        if self._journal is None:
            return
        try:
            self._journal.mark(action_id, state, detail)
        except PrintJournalError as exc:  # the row stays "started": settled at the next start
            log.error("session %s: print journal: %s", self._session.session_id, exc)

    def _behind_queued_first(self, certificate_id: str, reason: str | None) -> bool:
        """A reprint whose first copy's record still waits in the outbox is recorded through
        the outbox too, behind it: sent first, it would make the first record a conflict."""
        if reason is None or self._journal is None or self._outbox is None:
            return False
        try:
            first = self._journal.first_print(JOURNAL_KIND, certificate_id)
        except PrintJournalError:
            return True
        return first is not None and first.state != RECORDED

    def _record(self, certificate_id: str, key: str,
                reason: str | None) -> m.Certificate | None:
        """collectCertificate under the choice's key (a retry is deduplicated); None when the
        platform could not be told."""
        try:
            recorded = self._platform().collect_certificate(certificate_id, key, reason)
        except RequestRefused as exc:
            log.warning("session %s: collection of %s refused (%s)", self._session.session_id,
                        certificate_id, exc.code or exc.status)
            self._audit.citizen(self._session.session_id, "certificate.collect",
                                certificate=certificate_id, recorded=False,
                                refused=exc.code or str(exc.status))
            return None
        except PlatformError as exc:
            log.warning("session %s: collection of %s not recorded: %s",
                        self._session.session_id, certificate_id, type(exc).__name__)
            return None
        self._audit.citizen(self._session.session_id, "certificate.collect",
                            certificate=certificate_id, recorded=True, reprint_reason=reason,
                            print_count=recorded.print_count)
        return recorded

    def _queue_record(self, certificate_id: str, key: str, reason: str | None) -> bool:
        """The platform did not answer after the certificate printed: the collection goes into
        the outbox under the same key, so it is recorded once even if the citizen leaves now.
        False when there is no outbox or it refuses (the citizen is then told)."""
        if self._outbox is None:
            return False
        body = {"certificate_id": certificate_id, "reprint_reason": reason}
        try:
            self._outbox.enqueue(COLLECTION, with_filing_grant(self._session, body),
                                 idempotency_key=key)
        except DuplicateKey:
            pass  # queued by an earlier try
        except QueueRefused as exc:
            log.warning("session %s: collection of %s not queued: %s",
                        self._session.session_id, certificate_id, exc.reason)
            return False
        self._audit.citizen(self._session.session_id, "certificate.collect",
                            certificate=certificate_id, recorded=False, queued=True)
        return True

    def finish(self) -> None:
        """The citizen is done: the list and choices leave the session now."""
        with self._lock:
            self._abandon()
            for key in (_LIST, _CHOSEN, _KEYS, _DONE):
                self._session.pop(key)
            self._step = Step.END


def collect_journey(terminal: Terminal, session: Session) -> CollectJourney:
    """A collect journey for `session`: on the A4 page printer where the site has one, on the
    receipt slip otherwise."""
    page_printer = getattr(terminal, "page_printer", None)
    if terminal.link is None or terminal.prints is None or (
            terminal.printer is None and page_printer is None):
        raise RuntimeError("collect needs the platform link, a printer and the print journal")
    config = terminal.config
    printer: CertificatePrinter
    if page_printer is not None:
        printer = PageCertificatePrinter(page_printer, centre_name=config.receipts.centre_name,
                                         centre_name_en=config.receipts.centre_name_en)
    else:
        printer = ThermalCertificatePrinter(terminal.printer,
                                            centre_name=config.receipts.centre_name,
                                            centre_name_en=config.receipts.centre_name_en)
    return CollectJourney(session, terminal.link.client, printer, config.platform.base_url,
                          audit=terminal.audit, outbox=terminal.link.outbox,
                          journal=terminal.prints)


def resolve_interrupted_prints(journal: PrintJournal, outbox: Outbox | None,
                               audit: AuditRecorder | None = None,
                               printed_whole: Callable[[str], bool] | None = None) -> list[str]:
    """At start, before any citizen: settle the certificate prints a killed process left.

    Confirmed ones stay confirmed; started ones become "outcome unknown" (the printer cannot be
    asked about a job of a dead process): both are treated as printed. A page printer can be
    asked (`printed_whole(action_id)`: its job of that name completed with all its pages): a
    started print it confirms is settled as confirmed, not unknown; anything it cannot confirm
    stays unknown, never "not printed". Each is recorded at the platform through the outbox
    under the key the journey used, so a record the dead process did make is replayed, not
    doubled. Returns the action ids settled. Never raises."""
    try:
        pending = [e for e in journal.unresolved() if e.kind == JOURNAL_KIND]
    except PrintJournalError as exc:
        log.error("print journal unreadable: %s", exc)
        return []
    settled = []
    for entry in reversed(pending):  # oldest first: a first copy's record before its reprints
        if entry.state == STARTED and printed_whole is not None:
            entry = _confirmed_by_printer(journal, entry, printed_whole)
        if settle_print(journal, outbox, entry, audit, "after a restart"):
            settled.append(entry.action_id)
    return settled


def _confirmed_by_printer(journal: PrintJournal, entry: PrintEntry,
                          printed_whole: Callable[[str], bool]) -> PrintEntry:
    try:
        whole = printed_whole(entry.action_id)
    except Exception as exc:  # the printer cannot tell: the entry stays as it is
        log.warning("print %s: printer not asked: %s", entry.action_id, type(exc).__name__)
        return entry
    if not whole:
        return entry
    try:
        journal.mark(entry.action_id, CONFIRMED, "the printer reports the job completed whole")
    except PrintJournalError as exc:
        log.error("print journal: %s", exc)
        return entry
    return journal.get(entry.action_id) or entry


def settle_print(journal: PrintJournal, outbox: Outbox | None, entry: PrintEntry,
                 audit: AuditRecorder | None, when: str) -> bool:
    """Treat `entry` as printed: flag an unconfirmed one "outcome unknown" and queue its
    record for the platform. False when it could not be queued (tried again at next start)."""
    unknown = entry.state != CONFIRMED
    if unknown and entry.state != UNKNOWN:
        try:
            journal.mark(entry.action_id, UNKNOWN, f"outcome unknown {when}")
        except PrintJournalError as exc:
            log.error("print journal: %s", exc)
            return False
    if outbox is None:
        return False
    body = {"certificate_id": entry.subject, "reprint_reason": entry.reprint_reason}
    try:
        if entry.record is not None:
            outbox.enqueue_sealed(COLLECTION, entry.record, idempotency_key=entry.idempotency_key)
        else:
            outbox.enqueue(COLLECTION, body, idempotency_key=entry.idempotency_key)
    except DuplicateKey:
        pass  # queued before
    except (QueueRefused, ValueError, SealError) as exc:
        log.warning("print %s: record not queued: %s", entry.action_id, exc)
        return False
    detail = (f"outcome unknown {when}, treated as printed" if unknown
              else f"confirmed, recorded {when}")
    try:
        journal.mark(entry.action_id, QUEUED, detail)
    except PrintJournalError as exc:
        log.error("print journal: %s", exc)
        return False
    (audit or AuditRecorder(None)).record(
        "system", "kiosk", "certificate.print_settled",
        {"certificate": entry.subject, "outcome": "unknown" if unknown else "confirmed",
         "action": entry.action_id, "when": when})
    log.warning("certificate %s: print %s settled %s: %s", entry.subject, entry.action_id,
                when, "outcome unknown, treated as printed" if unknown else "confirmed")
    return True
