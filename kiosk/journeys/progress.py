"""The progress journey (进度查询) as a service the Kivy screens drive: every decision is here.

Two ways in:

- by ID card: all of the citizen's applications (queryApplications), newest first;
- by the QR code on a receipt, without a card: that one application, as the platform shows it
  (applicant masked). The code is checked against the fleet-shared key first, so a receipt
  printed by ANY terminal of the fleet is accepted and a code someone edited or invented is
  refused before anything is looked up. A receipt printed while its application still waited
  in an outbox names the outbox reference: this terminal looks its own up in its outbox; one
  printed elsewhere cannot be looked up by that reference (the contract finds applications by
  receipt number only), so the citizen is asked for their card.

A receipt number is not typed in: receipt numbers are sequential, and a typed one would show
a stranger's case.

For each application: the timeline of its steps with dates, and what the citizen must do now.
When materials are awaited (a correction request 补正, or materials promised at acceptance 容缺)
an identified citizen may hand them in here, page by page from the document camera; the
supplement goes through the outbox (kind "supplement"), once, under one idempotency key.

Usage (the console's report): the first look-up (by card or by a receipt code) begins a
"progress" journey (service "progress"), completed when the look-up answered; a look-up
that failed leaves it open, abandoned at "find" if the citizen gives up. Handing materials in
is a "supplement" journey for the application's service: begun when the citizen starts it,
completed once the supplement is durable in the outbox, abandoned at "supplement" otherwise.

Threading: `applications`, `by_receipt_code`, `start_supplement` and `submit_supplement` block
(platform, outbox): call them from a worker. Privacy: what the platform returned and the
scanned pages live in the Session (bag, private directory), so its wipe takes them; logs carry
the session id, receipt numbers and reason codes, never a name, an ID number or a note.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import logging
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.api import models as m
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.errors import PlatformError, RequestRefused
from kiosk.client.platform import PlatformClient
from kiosk.delivery import APPLICATION, SUPPLEMENT
from kiosk.i18n import translator
from kiosk.i18n.messages import N_
from kiosk.journeys import materials as mat
from kiosk.journeys.base import Journey, citizens_applications, identified, localized
from kiosk.journeys.problems import (JourneyProblem, outbox_problem,
                                     platform_problem, printer_msgid)
from kiosk.journeys.problems import words as _words
from kiosk.journeys.progress_notes import note_of
from kiosk.journeys.receipt import Outcome, PrinterPort, print_for_citizen
from kiosk.outbox import ItemNotFound, Outbox, QueueRefused
from kiosk.receipts import progress_qr
from kiosk.receipts.progress_slip import ProgressSlipData, SlipStep, progress_slip
from kiosk.session import Session
from kiosk.session.platform_citizen import citizen_client, with_filing_grant

if TYPE_CHECKING:
    from kiosk.config.schema import ReceiptsConfig
    from kiosk.terminal import Terminal

log = logging.getLogger(__name__)

QUEUED = "queued"  # our own status: still in this terminal's outbox
OPEN = ("submitted", "accepted", "in_review", "correction_requested")

STATUS_WORDS: dict[str, str] = {
    QUEUED: N_("Saved on this terminal, to be sent"),
    "submitted": N_("Submitted"),
    "accepted": N_("Accepted"),
    "in_review": N_("Under review"),
    "correction_requested": N_("Correction requested"),
    "approved": N_("Approved"),
    "rejected": N_("Not approved"),
    "certificate_issued": N_("Certificate issued"),
    "collected": N_("Certificate collected"),
}

WORDS: dict[str, str] = {
    "journey.progress.code_not_ours": N_("This is not the QR code of an application receipt. "
                                         "Please scan the code printed on your receipt."),
    "journey.progress.code_invalid": N_("This receipt code is damaged or has been altered and "
                                        "cannot be checked. Please place your ID card instead."),
    "journey.progress.unknown": N_("No application was found for this receipt. Please place "
                                   "your ID card, or ask staff."),
    "journey.progress.elsewhere": N_("This receipt was printed at another terminal before its "
                                     "application number was known. Please place your ID "
                                     "card to see your applications."),
    "journey.progress.code_old": N_("This receipt has a code of an earlier kind that can no "
                                    "longer be checked. Please place your ID card instead."),
    "journey.progress.nothing_awaited": N_("This application is not waiting for any "
                                           "documents."),
    "journey.progress.no_pages": N_("Please scan at least one page first."),
    "journey.progress.supplement_refused": N_("The documents could not be handed in. Please go "
                                              "to a service counter."),
}

# What the citizen must do now; placeholders are filled by `to_do`.
TODO_CORRECTION = N_("Please correct your application. %(note)s")
TODO_REJECTED = N_("Your application was not approved. %(note)s")
TODO_COLLECT = N_("Your certificate is ready: print it with “Collect and print certificates”.")
TODO_PAY = N_("A fee of %(amount)s is still to be paid.")
TODO_QUEUED = N_("It will be sent to the service centre as soon as the connection is back.")

# Keys of the journey's state in the session bag (wiped with the session).
_APPS, _OWN, _SERVICES = "progress.applications", "progress.own", "progress.services"
_PENDING, _SUPPLEMENT = "progress.pending", "progress.supplement"
_TOKENS = "progress.tokens"  # reference -> the progress token scanned or issued (slip QR)


class Step(enum.StrEnum):
    FIND = "find"  # looking up (by card or by a receipt code)
    FOUND = "found"  # applications shown
    SUPPLEMENT = "supplement"  # scanning materials to hand in
    HANDED_IN = "handed_in"  # the supplement is in the outbox
    END = "end"


@dataclass(frozen=True)
class TimelineStep:
    status: str
    words: str  # the status in the citizen's language
    at: dt.datetime
    note: str | None  # the platform's note in the citizen's language, or an officer's words
    note_by_officer: bool = False  # `note` quotes an officer as written (and says so)


@dataclass(frozen=True)
class ApplicationView:
    """One application as the citizen sees it (only masked personal data)."""

    reference: str  # the receipt number, or the outbox reference while it waits here
    receipt_no: str | None
    service_name: str
    status: str  # the contract's ApplicationStatus, or QUEUED
    status_words: str
    applicant_masked: str  # "" while queued
    submitted_at: dt.datetime
    due_date: dt.date | None
    steps: tuple[TimelineStep, ...]  # oldest first
    to_do: tuple[str, ...]  # what the citizen must do now
    awaits_materials: bool  # materials may be handed in (补正 or 容缺)
    can_supplement: bool  # ... and here, now: the citizen is identified by card
    service_id: str | None = None  # unknown while queued (for the usage counts of a rating)


@dataclass(frozen=True)
class _Pending:
    """An application of ours still in the outbox (found by a receipt's outbox reference)."""

    reference: str
    service_name: str
    submitted_at: dt.datetime


@dataclass(frozen=True)
class SupplementOutcome:
    reference: str  # the outbox item's reference
    delivered: bool  # the platform took it (else it waits in the outbox)
    view: ApplicationView | None  # the application as it now stands (delivered only)


@dataclass(frozen=True)
class SlipPrint:
    outcome: Outcome
    reason: str | None
    msgid: str | None  # catalogue words for the citizen when not printed


@dataclass
class _Supplement:
    receipt_no: str
    service: m.Service
    awaited: tuple[str, ...]  # material ids
    choices: dict[str, mat.Choice]
    key: str
    queued_reference: str | None = None


class ProgressJourney(Journey[Step]):
    """One visitor following their applications (by card) or one receipt (by its code)."""

    name = "progress"

    def __init__(self, session: Session, client: PlatformClient, outbox: Outbox,
                 kiosk_id: str, *,
                 final_wait_s: float = 3.0,
                 poll_s: float = 0.05, audit: AuditRecorder | None = None,
                 printer: PrinterPort | None = None,
                 receipts_config: ReceiptsConfig | None = None,
                 print_timeout_s: float = 60.0) -> None:
        """`printer`: for the progress slip (None: nothing to print on; the screen shows all
        the same)."""
        super().__init__(session, Step.FIND)
        self._client = client
        self._outbox = outbox
        self._kiosk_id = kiosk_id
        self._final_wait_s = final_wait_s
        self._poll_s = poll_s
        self._audit = audit or AuditRecorder(None)
        self._printer = printer
        self._receipts = receipts_config
        self._print_timeout_s = print_timeout_s
        self._found = False  # a look-up succeeded: later ones are the same journey
        log.info("session %s: progress journey started", session.session_id)

    def _looking_up(self) -> None:
        if not self._found:
            self._began(self.name)

    def _shown(self) -> None:
        """The look-up answered (the list, or the receipt's application): done."""
        if not self._found:
            self._found = True
            self._go(Step.FOUND)
            self._completed()

    def _apps(self) -> dict[str, m.Application]:
        apps = self._session.get(_APPS)
        if apps is None:
            apps = {}
            self._session.put(_APPS, apps)
        return apps

    # ---- finding applications ------------------------------------------------------------

    def applications(self) -> list[ApplicationView]:
        """All of the identified citizen's applications, newest first. Blocking."""
        with self._lock:
            self._looking_up()
            found = citizens_applications(self._session, self._client)
            apps = self._apps()
            apps.update((a.receipt_no, a) for a in found)
            self._session.put(_OWN, {a.receipt_no for a in found})
            self._fetch_services(found)
            log.info("session %s: %d application(s) listed", self._session.session_id,
                     len(found))
            views = [self._view(a) for a in found]
            self._shown()
            return views

    def _fetch_services(self, found: list[m.Application]) -> None:
        """The services of applications awaiting materials: their materials' names (the
        application names only ids) and which can be scanned. One that cannot be fetched
        leaves ids as they are, and is fetched again to hand anything in."""
        services = self._services()
        wanted = {a.service_id for a in found if a.service_id not in services
                  and (a.status == "correction_requested" or a.status in OPEN
                       and any(not p.received for p in a.promised_materials))}
        for service_id in sorted(wanted):
            try:
                services[service_id] = self._client.get_service(service_id)
            except PlatformError as exc:
                log.info("session %s: service %s not fetched (%s)", self._session.session_id,
                         service_id, type(exc).__name__)

    def _services(self) -> dict[str, m.Service]:
        services = self._session.get(_SERVICES)
        if services is None:
            services = {}
            self._session.put(_SERVICES, services)
        return services

    def by_receipt_code(self, text: str) -> ApplicationView:
        """The one application a scanned receipt code stands for (applicant masked), or a
        JourneyProblem saying why not. The code's progress token is what opens it: the
        platform answers the masked progress it opens (getProgress), and an application still
        in this terminal's outbox is shown from there if the token is the one it was filed
        with. Blocking."""
        with self._lock:
            self._looking_up()
            try:
                ref = progress_qr.parse(text)
            except progress_qr.ReceiptQrRefused as exc:
                log.info("session %s: receipt code refused (%s)", self._session.session_id,
                         exc.reason)
                self._audit.citizen(self._session.session_id, "progress.code_refused",
                                    reason=exc.reason)
                code = ("journey.progress.code_not_ours" if exc.reason in ("not_ours", "too_long")
                        else "journey.progress.code_old" if exc.reason == "old_code"
                        else "journey.progress.code_invalid")
                raise JourneyProblem(code, msgid=WORDS[code], detail=exc.reason) from None
            if ref.kind == "outbox_reference" and ref.kiosk_id == self._kiosk_id:
                pending = self._own_pending(ref)
                if pending is not None:  # still in our outbox
                    self._tokens()[pending.reference] = ref.token
                    view = self._pending_view(pending)
                    self._shown()
                    return view
            try:
                application = self._client.get_progress(ref.token)
            except RequestRefused as exc:
                if exc.status != 404:
                    raise platform_problem(exc, "getProgress refused") from None
                if ref.kind == "outbox_reference" and ref.kiosk_id != self._kiosk_id:
                    raise JourneyProblem("journey.progress.elsewhere",
                                         msgid=WORDS["journey.progress.elsewhere"],
                                         detail="outbox reference of another terminal") from None
                raise self._unknown("no application for this progress token") from None
            except PlatformError as exc:
                raise platform_problem(exc, "getProgress failed") from None
            if ref.ref not in (application.receipt_no, application.client_reference):
                # a genuine token under another reference: the paper was altered
                self._audit.citizen(self._session.session_id, "progress.code_refused",
                                    reason="reference_mismatch")
                raise JourneyProblem("journey.progress.code_invalid",
                                     msgid=WORDS["journey.progress.code_invalid"],
                                     detail="the token opens another application")
            receipt_no = application.receipt_no
            self._apps()[receipt_no] = application
            self._tokens()[receipt_no] = ref.token
            log.info("session %s: receipt code of %s (printed at %s) looked up",
                     self._session.session_id, receipt_no,
                     "this terminal" if ref.kiosk_id == self._kiosk_id else "another terminal")
            self._audit.citizen(self._session.session_id, "progress.code", receipt=receipt_no,
                                printed_here=ref.kiosk_id == self._kiosk_id)
            view = self._view(application)
            self._shown()
            return view

    def _tokens(self) -> dict[str, str]:
        """Progress tokens known in this session, by reference (for the slip's QR)."""
        tokens = self._session.get(_TOKENS)
        if tokens is None:
            tokens = {}
            self._session.put(_TOKENS, tokens)
        return tokens

    def _unknown(self, detail: str) -> JourneyProblem:
        return JourneyProblem("journey.progress.unknown",
                              msgid=WORDS["journey.progress.unknown"], detail=detail)

    def _own_pending(self, ref: progress_qr.ProgressRef) -> _Pending | None:
        """An application this terminal queued and has not delivered yet, if the code names
        one (and carries the token it was filed with); None to ask the platform."""
        try:
            item = self._outbox.find(ref.ref)
        except ItemNotFound:
            return None
        if item.kind != APPLICATION or item.state != "pending":
            return None
        filed_with = self._outbox.open_body(item.id).get("progress_token")
        if not isinstance(filed_with, str) or not hmac.compare_digest(filed_with, ref.token):
            raise JourneyProblem("journey.progress.code_invalid",
                                 msgid=WORDS["journey.progress.code_invalid"],
                                 detail="not the token this application was filed with")
        pending = _Pending(item.reference, self._service_name_of(item.id),
                           dt.datetime.fromtimestamp(item.created_at, dt.timezone.utc))
        self._session.put(_PENDING, pending)
        return pending

    def _service_name_of(self, item_id: int) -> str:
        """The service of a queued application, named from the last catalogue seen."""
        from kiosk.journeys.apply import SHARED_CATALOGUE

        service_id = str(self._outbox.open_body(item_id).get("service_id", ""))
        index = SHARED_CATALOGUE.index()
        for service in (index.search("") if index is not None else []):
            if service.get("service_id") == service_id:
                return translator(self.language).pick(service.get("name"))
        return service_id

    # ---- what the citizen sees -------------------------------------------------------------

    def view(self, reference: str) -> ApplicationView:
        """An application found earlier, in the session's current language (no I/O)."""
        application = self._apps().get(reference)
        if application is not None:
            return self._view(application)
        pending: _Pending | None = self._session.get(_PENDING)
        if pending is not None and pending.reference == reference:
            return self._pending_view(pending)
        raise KeyError(f"no application {reference!r} was looked up in this session")

    def _view(self, a: m.Application) -> ApplicationView:
        lang = self.language
        t = translator(lang)
        names = self._material_names(a.service_id)
        steps = []
        for e in a.timeline:
            note = note_of(e, t, names)
            steps.append(TimelineStep(e.status, t.gettext(STATUS_WORDS[e.status]), e.at,
                                      note.words if note else None,
                                      note.officer if note else False))
        awaits = bool(_awaited_ids(a, self._services().get(a.service_id)))
        return ApplicationView(
            reference=a.receipt_no, receipt_no=a.receipt_no,
            service_name=localized(a.service_name, lang), status=a.status,
            status_words=t.gettext(STATUS_WORDS[a.status]),
            applicant_masked=a.applicant_masked, submitted_at=a.submitted_at,
            due_date=a.due_date, steps=tuple(steps), to_do=self._to_do(a),
            awaits_materials=awaits,
            # only the identified citizen's own applications (a receipt code is no proof)
            can_supplement=awaits and self._session.identity is not None
            and a.receipt_no in (self._session.get(_OWN) or ()), service_id=a.service_id)

    def _pending_view(self, p: _Pending) -> ApplicationView:
        t = translator(self.language)
        words = t.gettext(STATUS_WORDS[QUEUED])
        return ApplicationView(
            reference=p.reference, receipt_no=None, service_name=p.service_name,
            status=QUEUED, status_words=words, applicant_masked="",
            submitted_at=p.submitted_at, due_date=None,
            steps=(TimelineStep(QUEUED, words, p.submitted_at, None),),
            to_do=(t.gettext(TODO_QUEUED),), awaits_materials=False, can_supplement=False)

    def _material_names(self, service_id: str) -> dict[str, str]:
        """The service's materials by id, named in the session's language."""
        service = self._services().get(service_id)
        return {x.material_id: localized(x.name, self.language) for x in service.materials} \
            if service is not None else {}

    def _to_do(self, a: m.Application) -> tuple[str, ...]:
        lang = self.language
        t = translator(lang)
        names = self._material_names(a.service_id)
        latest = next((n for e in reversed(a.timeline) if e.status == a.status
                       and (n := note_of(e, t, names)) is not None), None)
        latest_note = latest.words if latest else ""
        todo: list[str] = []
        if a.status == "correction_requested":
            todo.append(t.gettext(TODO_CORRECTION, note=latest_note))
        elif a.status == "rejected":
            todo.append(t.gettext(TODO_REJECTED, note=latest_note))
        elif a.status == "certificate_issued":
            todo.append(t.gettext(TODO_COLLECT))
        if a.status in OPEN:
            template = _words("journey.next.promised", self.language)
            for p in a.promised_materials:
                if not p.received:
                    todo.append(template % {"date": t.format_date(p.promised_by),
                                            "material": names.get(p.material_id,
                                                                  p.material_id)})
        if a.fee_fen > 0 and not a.paid and a.status != "rejected":
            todo.append(t.gettext(TODO_PAY, amount=t.format_fen(a.fee_fen)))
        return tuple(todo)

    # ---- the slip to take away ---------------------------------------------------------------

    def _slip_qr(self, reference: str) -> str | None:
        """The slip's progress QR: the token scanned in this session, else a new one the
        platform issues for the citizen's own application; None (no code on the slip, the
        reference is printed all the same) when neither can be had."""
        token = self._tokens().get(reference)
        if token is None and progress_qr.kind_of(reference) == "receipt_no":
            try:
                token = citizen_client(self._session, self._client).issue_progress_token(
                    reference)
            except PlatformError as exc:
                log.info("session %s: no progress token for the slip (%s)",
                         self._session.session_id, type(exc).__name__)
                return None
            self._tokens()[reference] = token
        return progress_qr.make(reference, self._kiosk_id, token) if token else None

    def print_slip(self, reference: str) -> SlipPrint:
        """Print what the detail screen shows of `reference` (an application looked up in this
        session); "printed" only when the printer confirmed the job. One slip per application
        and state in a session: a double tap, or "print again" after paper out, prints it once.
        Blocking: call from a worker."""
        with self._lock:
            view = self.view(reference)
            if self._printer is None or self._receipts is None:
                return SlipPrint("failed", "no_printer", printer_msgid("failed"))
            qr_text = self._slip_qr(view.reference)
            data = ProgressSlipData(
                view.reference, view.receipt_no is not None, view.service_name,
                view.applicant_masked, view.status_words, view.due_date,
                tuple(SlipStep(st.words, st.at, st.note) for st in view.steps), view.to_do,
                qr_text, dt.datetime.now(dt.timezone.utc), self.language)
            paper = getattr(self._printer, "paper", None)
            document = progress_slip(data, centre_name=self._receipts.centre(data.language),
                                     hotline=self._receipts.hotline,
                                     paper_width_mm=getattr(paper, "width_mm", 80))
            action_id = (f"progress-slip-{self._session.session_id}-{view.reference}-"
                         f"{view.status}-{len(view.steps)}")
            outcome, reason = print_for_citizen(
                self._printer, document, action_id, self._print_timeout_s, audit=self._audit,
                session_id=self._session.session_id, action="progress_slip.print",
                application=view.reference)
            return SlipPrint(outcome, reason, printer_msgid(outcome))

    # ---- handing in materials (补正 / 容缺) --------------------------------------------------

    def start_supplement(self, receipt_no: str) -> list[mat.MaterialView]:
        """Begin handing in the materials `receipt_no` awaits: what to scan. Needs the card
        (not a receipt code). Blocking (fetches the service): call from a worker."""
        with self._lock:
            identified(self._session)
            application = self._apps().get(receipt_no)
            if application is None or not self.view(receipt_no).can_supplement:
                raise JourneyProblem("journey.progress.nothing_awaited", msgid=WORDS[
                    "journey.progress.nothing_awaited"], detail="nothing awaited")
            current: _Supplement | None = self._session.get(_SUPPLEMENT)
            if current is not None and current.receipt_no == receipt_no:
                return self.materials()
            service = self._services().get(application.service_id)
            if service is None:
                try:
                    service = self._client.get_service(application.service_id)
                except PlatformError as exc:
                    raise platform_problem(exc, "getService failed") from None
                self._services()[service.service_id] = service
            awaited = _awaited_ids(application, service)
            if not awaited:
                raise JourneyProblem("journey.progress.nothing_awaited", msgid=WORDS[
                    "journey.progress.nothing_awaited"], detail="no scannable material")
            self._began(service.service_id, journey="supplement")
            self._go(Step.SUPPLEMENT)
            self._session.put(_SUPPLEMENT, _Supplement(receipt_no, service, awaited, {},
                                                       str(uuid.uuid4())))
            log.info("session %s: supplement for %s started (%d material(s) awaited)",
                     self._session.session_id, receipt_no, len(awaited))
            return self.materials()

    def _supplement(self) -> _Supplement:
        current = self._session.get(_SUPPLEMENT)
        if current is None:
            raise RuntimeError("no supplement started")
        return current

    def _material(self, s: _Supplement, material_id: str) -> m.Material:
        if material_id not in s.awaited:
            raise KeyError(f"material {material_id!r} is not awaited")
        return next(x for x in s.service.materials if x.material_id == material_id)

    def materials(self) -> list[mat.MaterialView]:
        """The awaited materials and the pages scanned for each (no I/O). The same shape as
        the apply journey's, so the camera screen serves both."""
        s = self._supplement()
        return [mat.view(x, s.choices.get(x.material_id), None, localized(x.name, self.language))
                for x in s.service.materials if x.material_id in s.awaited]

    def add_page(self, material_id: str, data: bytes) -> mat.MaterialView:
        """One scanned page, written at once to the session's private directory."""
        with self._lock:
            s = self._supplement()
            if s.queued_reference is not None:
                raise RuntimeError("the supplement was handed in already")
            material = self._material(s, material_id)
            choice = s.choices.setdefault(material_id, mat.Choice("scan"))
            if len(choice.pages) >= material.pages_max:
                raise JourneyProblem("journey.too_many_pages",
                                     detail=f"{material_id} takes {material.pages_max} pages")
            _, suffix = mat.media_of(data)
            choice.pages.append(self._session.add_scan(data, suffix))
            log.info("session %s: supplement page %d of %s scanned", self._session.session_id,
                     len(choice.pages), material_id)
            return next(v for v in self.materials() if v.material_id == material_id)

    def clear_material(self, material_id: str) -> None:
        with self._lock:
            s = self._supplement()
            self._material(s, material_id)
            s.choices.pop(material_id, None)

    def submit_supplement(self) -> SupplementOutcome:
        """Hand the scanned materials in through the outbox, once (a retry returns the same
        item). Waits up to `final_wait_s` for the platform to take it. Blocking."""
        with self._lock:
            s = self._supplement()
            if s.queued_reference is None:
                given = [(x, s.choices[x.material_id]) for x in s.service.materials
                         if x.material_id in s.choices and s.choices[x.material_id].pages]
                if not given:
                    raise JourneyProblem("journey.progress.no_pages", msgid=WORDS[
                        "journey.progress.no_pages"], detail="no page scanned")
                short = [x.material_id for x, c in given if len(c.pages) < x.pages_min]
                if short:
                    raise JourneyProblem("journey.materials_incomplete",
                                         detail="too few pages: " + ", ".join(short))
                body = {"receipt_no": s.receipt_no,
                        "materials": [mat.submission(x.material_id, c) for x, c in given]}
                try:
                    queued = self._outbox.enqueue(
                        SUPPLEMENT, with_filing_grant(self._session, body), idempotency_key=s.key)
                except QueueRefused as exc:
                    raise outbox_problem(exc.reason, exc.message) from None
                finally:
                    body.clear()
                s.queued_reference = queued.reference
                self._session.work_saved()  # in the outbox: leaving now loses nothing
                self._go(Step.HANDED_IN)
                self._completed()
                log.info("session %s: supplement for %s queued as %s",
                         self._session.session_id, s.receipt_no, queued.reference)
                self._audit.citizen(self._session.session_id, "supplement.queued",
                                    receipt=s.receipt_no, reference=queued.reference,
                                    materials=[x.material_id for x, _ in given])
            return self._supplement_outcome(s)

    def _supplement_outcome(self, s: _Supplement) -> SupplementOutcome:
        assert s.queued_reference is not None
        deadline = time.monotonic() + self._final_wait_s
        item = self._outbox.find(s.queued_reference)
        while item.state == "pending" and time.monotonic() < deadline:
            time.sleep(self._poll_s)
            item = self._outbox.find(s.queued_reference)
        if item.state in ("refused", "discarded"):
            log.warning("session %s: supplement %s %s (%s)", self._session.session_id,
                        item.reference, item.state, item.last_error_kind)
            raise JourneyProblem("journey.progress.supplement_refused", msgid=WORDS[
                "journey.progress.supplement_refused"], detail=f"outbox item {item.state}")
        if item.state != "delivered":
            return SupplementOutcome(item.reference, False, None)
        try:
            application = citizen_client(self._session, self._client).get_application(s.receipt_no)
            self._apps()[s.receipt_no] = application
            view = self._view(application)
        except PlatformError:
            view = None
        return SupplementOutcome(item.reference, True, view)

    def supplement_reference(self) -> str | None:
        """The outbox reference of the supplement handed in, if any (no I/O)."""
        current: _Supplement | None = self._session.get(_SUPPLEMENT)
        return current.queued_reference if current is not None else None

    def end_supplement(self) -> None:
        """Leave the supplement (handed in or abandoned): its pages go with the session, and
        there is nothing left for Exit to warn about."""
        with self._lock:
            if self._step == Step.SUPPLEMENT:
                self._abandon()  # not handed in
            self._session.pop(_SUPPLEMENT)
            self._session.work_saved()
            self._go(Step.FOUND if self._found else Step.FIND)

    def finish(self) -> None:
        """The visitor is done: what was looked up leaves the session now."""
        with self._lock:
            self._abandon()
            for key in (_APPS, _OWN, _SERVICES, _PENDING, _SUPPLEMENT):
                self._session.pop(key)
            self._go(Step.END)


def _awaited_ids(a: m.Application, service: m.Service | None) -> tuple[str, ...]:
    """The materials `a` awaits: the promised ones not yet received, and — when a correction
    is requested — the ones it names (`correction_materials`), or any of the service's when it
    names none (the note then says which; the platform refuses one it does not await)."""
    if a.status not in OPEN:
        return ()
    promised = [p.material_id for p in a.promised_materials if not p.received]
    if a.status != "correction_requested":
        wanted = promised
    elif a.correction_materials:
        wanted = promised + list(a.correction_materials)
    elif service is None:
        return ("*",)
    else:
        wanted = promised + [x.material_id for x in service.materials]
    if service is not None:
        scannable = {x.material_id for x in service.materials if x.pages_max >= 1}
        wanted = [x for x in wanted if x in scannable]
    return tuple(dict.fromkeys(wanted))


def progress_journey(terminal: Terminal, session: Session) -> ProgressJourney:
    """A progress journey for `session` on this terminal."""
    if terminal.link is None:
        raise RuntimeError("progress needs the platform link")
    config = terminal.config
    return ProgressJourney(session, terminal.link.client, terminal.link.outbox,
                           config.platform.kiosk_id or config.terminal.id, audit=terminal.audit,
                           printer=terminal.printer, receipts_config=config.receipts)
