"""The apply journey (办事申请) as a service the Kivy screens drive: every decision is here.

    CATALOGUE → GUIDE → FORM → MATERIALS → REVIEW → SUBMITTED → RECEIPT (→ END)

The screens stay thin: they call one method per citizen action and draw what it returns.
Going back (REVIEW → FORM, MATERIALS → GUIDE, …) is calling the earlier step's method again;
once submitted, nothing of the application can change any more.

Threading: methods that talk to the platform, the outbox or the printer block. Call them from
a worker (the screens wrap them), never from the UI thread; the journey starts no thread of
its own. One lock keeps a double tap from doing anything twice.

Privacy: everything of the citizen's (lookup result, form values, page files, the material
plan) lives in the `Session` (its values, its bag, its private directory), so the session's
wipe takes all of it. Logs carry the session id, service and material ids, the outbox
reference and reason codes: never a name, an ID number or a form value.

What a screen can act on arrives as `JourneyProblem` (a stable `code` and `text(language)`);
a wrong call order is a programming error (`WrongStep`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kiosk.api import models as m
from kiosk.audit.recorder import AuditRecorder
from kiosk.client.errors import PlatformError
from kiosk.client.platform import PlatformClient
from kiosk.config.schema import ReceiptsConfig
from kiosk.delivery import APPLICATION
from kiosk.forms import Field, UnsupportedForm, form_fields, prefill, validate_field, validate_form
from kiosk.i18n import translator
from kiosk.ime.pinyin import default_ime
from kiosk.ime.vocabulary import SHARED_VOCABULARY, catalogue_texts, service_texts
from kiosk.journeys import materials as mat
from kiosk.journeys.base import Journey, localized
from kiosk.journeys.problems import (JourneyProblem, WrongStep, outbox_problem, platform_problem, printer_msgid)
from kiosk.journeys.problems import words as _words
from kiosk.journeys.receipt import (PrinterPort, PrintOutcome, PromisedItem, ReceiptData,
                                    document_for, print_for_citizen, qr_text_for)
from kiosk.outbox import DuplicateKey, ItemNotFound, Outbox, QueuedItem, QueueRefused
from kiosk.receipts import progress_qr
from kiosk.receipts.layout import CST
from kiosk.search import CatalogueIndex
from kiosk.session import Identity, Session
from kiosk.session.platform_citizen import with_filing_grant

log = logging.getLogger(__name__)

DEFAULT_PROMISE_DAYS = 10  # calendar days offered for a promised (容缺) material
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")

# Keys of the journey's state in the session bag (wiped with the session).
_CITIZEN, _PLAN = "apply.citizen", "apply.materials"
_DRAFTS = "apply.drafts"  # what the citizen typed and the form refused, kept to correct
_KEY, _QUEUED, _SUBMITTED_AT = "apply.idempotency_key", "apply.queued", "apply.submitted_at"
_PROGRESS_TOKEN = "apply.progress_token"  # opens the application's progress from its receipt
_NOTIFY_SMS = "apply.notify_sms"


class Step(enum.StrEnum):
    CATALOGUE = "catalogue"
    GUIDE = "guide"
    FORM = "form"
    MATERIALS = "materials"
    REVIEW = "review"
    SUBMITTED = "submitted"
    RECEIPT = "receipt"
    END = "end"


_BEFORE_SUBMIT = (Step.CATALOGUE, Step.GUIDE, Step.FORM, Step.MATERIALS, Step.REVIEW)
_EDITING = (Step.FORM, Step.MATERIALS, Step.REVIEW)



class CatalogueCache:
    """The last catalogue fetched, shared by every journey of the terminal (memory only: it
    holds no personal data), so a platform outage does not empty the apply tile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._services: list[dict[str, Any]] | None = None
        self._index: CatalogueIndex | None = None
        self.fetched_at: dt.datetime | None = None

    def store(self, services: list[dict[str, Any]], at: dt.datetime) -> CatalogueIndex:
        index = CatalogueIndex(services)
        # the pinyin keyboard offers the catalogue's words first (护士 before 忽视)
        SHARED_VOCABULARY.set_catalogue(default_ime(), catalogue_texts(services))
        with self._lock:
            self._services, self._index, self.fetched_at = services, index, at
        return index

    def index(self) -> CatalogueIndex | None:
        with self._lock:
            return self._index


SHARED_CATALOGUE = CatalogueCache()


@dataclass(frozen=True)
class CatalogueView:
    services: list[dict[str, Any]]  # contract ServiceSummary objects, best match first
    stale: bool  # the platform could not be reached: this is the last catalogue seen
    problem: JourneyProblem | None  # why it is stale


@dataclass(frozen=True)
class GuideMaterial:
    material_id: str
    name: str
    required: bool
    pages_min: int
    pages_max: int
    elicence_may_replace: bool
    may_promise: bool


@dataclass(frozen=True)
class Guide:
    """The service guide (办事指南) in the citizen's language."""

    service_id: str
    name: str
    department: str
    description: str  # the conditions
    fee_fen: int
    fee_text: str  # "免费" / "¥20.00"
    legal_limit_days: int
    promised_limit_days: int
    terminal_completable: bool
    appointment: bool
    materials: tuple[GuideMaterial, ...]
    form_supported: bool  # False: the terminal cannot draw its form (go to a counter)


@dataclass(frozen=True)
class FormView:
    fields: list[Field]
    values: dict[str, Any]  # prefilled or typed so far (JSON values)
    elicences: list[m.ELicence]  # the applicant's valid e-licences
    lookup_problem: JourneyProblem | None  # the platform lookup failed: card prefill only


@dataclass(frozen=True)
class ReviewEntry:
    name: str
    label: str
    value: Any  # the JSON value (the screen formats it)


@dataclass(frozen=True)
class Review:
    """Everything the citizen confirms before submitting (their own data, on their screen)."""

    service_name: str
    fee_text: str
    promised_limit_days: int
    applicant_name: str  # masked
    applicant_id: str  # masked
    entries: tuple[ReviewEntry, ...]
    materials: tuple[mat.MaterialView, ...]
    form_errors: dict[str, str]  # field name -> message ("" = the form as a whole)
    missing_materials: tuple[str, ...]  # material ids still needed
    sms_possible: bool  # a mobile number is known: progress texts can be offered
    notify_sms: bool  # the applicant agreed to progress texts (off until they say so)

    @property
    def ok(self) -> bool:
        return not self.form_errors and not self.missing_materials


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ApplyJourney(Journey[Step]):
    """One citizen's application, from the catalogue to the printed receipt."""

    name = "apply"

    def __init__(self, session: Session, client: PlatformClient, outbox: Outbox,
                 printer_port: PrinterPort, receipts_config: ReceiptsConfig, kiosk_id: str,
                 clock: Callable[[], dt.datetime] = _utc_now, *,
                 catalogue_cache: CatalogueCache | None = None, paper_width_mm: int | None = None,
                 final_wait_s: float = 3.0, print_timeout_s: float = 60.0,
                 poll_s: float = 0.05, audit: AuditRecorder | None = None) -> None:
        """Checks the outbox's capacity first: when it cannot take an application, this
        raises JourneyProblem(outbox.<reason>) before the citizen fills anything in."""
        super().__init__(session, Step.CATALOGUE)
        self._client = client
        self._outbox = outbox
        self._printer = printer_port
        self._receipts = receipts_config
        self._kiosk_id = kiosk_id
        self._clock = clock
        self._cache = catalogue_cache or SHARED_CATALOGUE
        paper = getattr(printer_port, "paper", None)
        self._paper_width_mm = paper_width_mm or getattr(paper, "width_mm", 80)
        self._final_wait_s = final_wait_s
        self._print_timeout_s = print_timeout_s
        self._poll_s = poll_s
        self._audit = audit or AuditRecorder(None)
        self._index: CatalogueIndex | None = None
        self._stale: JourneyProblem | None = None  # why the catalogue shown is the cached one
        self._service: m.Service | None = None
        self._check_capacity()
        log.info("session %s: apply journey started", session.session_id)

    # ---- state ---------------------------------------------------------------------------

    @property
    def service(self) -> m.Service | None:
        return self._service

    def _need_service(self) -> m.Service:
        if self._service is None:
            raise WrongStep("no service chosen yet")
        return self._service

    def _today(self) -> dt.date:
        return self._clock().astimezone(CST).date()

    def _check_capacity(self) -> None:
        try:
            self._outbox.check_capacity()
        except QueueRefused as exc:
            log.warning("session %s: apply refused: outbox %s", self._session.session_id,
                        exc.reason)
            raise outbox_problem(exc.reason, exc.message) from None

    # ---- catalogue and guide --------------------------------------------------------------

    def catalogue(self, query: str = "", audience: str | None = None, *,
                  refresh: bool = False) -> CatalogueView:
        """Services matching `query` (Chinese, pinyin, initials, English) for `audience`.
        The catalogue is fetched once per journey (or with `refresh`); when the platform cannot
        be reached the last catalogue seen by this terminal is used, marked stale.
        Blocking on the first call: call from a worker."""
        with self._lock:
            self._require(*_BEFORE_SUBMIT)
            if self._index is None or refresh:
                try:
                    services = [s.model_dump(mode="json", by_alias=True)
                                for s in self._client.list_services()]
                    self._index = self._cache.store(services, self._clock())
                    self._stale = None
                except PlatformError as exc:
                    problem = platform_problem(exc, "listServices failed")
                    self._index = self._cache.index()
                    if self._index is None:
                        log.warning("session %s: no catalogue: %s", self._session.session_id,
                                    problem.code)
                        raise JourneyProblem("journey.no_catalogue",
                                             detail=problem.detail) from None
                    log.warning("session %s: catalogue from cache: %s",
                                self._session.session_id, problem.code)
                    self._stale = problem
            self._go(Step.CATALOGUE)
            return CatalogueView(self._index.search(query, audience), self._stale is not None,
                                 self._stale)

    def choose(self, service_id: str) -> Guide:
        """Fetch the full service and show its guide. Blocking: call from a worker."""
        with self._lock:
            self._require(*_BEFORE_SUBMIT)
            try:
                service = self._client.get_service(service_id)
            except PlatformError as exc:
                raise platform_problem(exc, "getService failed") from None
            if self._service is not None and self._service.service_id != service.service_id:
                self._forget_application()
            self._service = service
            SHARED_VOCABULARY.set_service(default_ime(),
                                          service_texts(service.model_dump(mode="json")))
            self._began(service.service_id)  # first: one left for it ends at its step
            self._go(Step.GUIDE)
            log.info("session %s: chose %s", self._session.session_id, service.service_id)
            return self.guide()

    def guide(self) -> Guide:
        """Conditions, materials, fee and time limits of the chosen service (no I/O)."""
        service = self._need_service()
        lang = self.language
        try:
            form_fields(service.form_schema, lang)
            supported = True
        except UnsupportedForm:
            supported = False
        materials = tuple(GuideMaterial(
            material_id=x.material_id, name=localized(x.name, lang), required=x.required,
            pages_min=x.pages_min, pages_max=x.pages_max,
            elicence_may_replace=x.elicence_kind is not None, may_promise=x.may_promise)
            for x in service.materials)
        return Guide(
            service_id=service.service_id, name=localized(service.name, lang),
            department=localized(service.department, lang),
            description=localized(service.description, lang), fee_fen=service.fee_fen,
            fee_text=self._fee_text(service), legal_limit_days=service.legal_limit_days,
            promised_limit_days=service.promised_limit_days,
            terminal_completable=service.terminal_completable,
            appointment=service.appointment, materials=materials, form_supported=supported)

    def _fee_text(self, service: m.Service) -> str:
        t = translator(self.language)
        if service.fee_fen == 0:
            return t.gettext("Free of charge")
        return t.gettext("Fee: %(amount)s", amount=t.format_fen(service.fee_fen))

    def _forget_application(self) -> None:
        """Another service: the form and materials of the first one do not carry over."""
        self._session.values.clear()
        self._session.pop(_PLAN)

    # ---- form ------------------------------------------------------------------------------

    def start_form(self) -> FormView:
        """The form's fields, prefilled from the card and the platform's lookup (looked up
        once per session; when the platform is down the card's data alone prefills, and
        `lookup_problem` says so). Blocking: call from a worker."""
        with self._lock:
            self._require(Step.GUIDE, *_EDITING)
            service = self._need_service()
            identity = self._identity()
            try:
                fields = form_fields(service.form_schema, self.language)
            except UnsupportedForm:
                raise JourneyProblem("journey.form_unsupported",
                                     detail=f"form of {service.service_id} cannot be drawn"
                                     ) from None
            citizen, problem = self._citizen(identity)
            found = prefill(service.form_schema, identity_fields=identity.prefill_fields(),
                            lookup_prefill=dict(citizen.prefill) if citizen else {})
            values = self._session.values
            for name, value in found.items():
                values.setdefault(name, value)
            self._go(Step.FORM)
            return FormView(fields, dict(values), self._elicences(citizen), problem)

    def _citizen(self, identity: Identity) -> tuple[m.Citizen | None, JourneyProblem | None]:
        citizen = self._session.get(_CITIZEN)
        if citizen is not None:
            return citizen, None
        try:
            citizen = self._platform().lookup_citizen(identity.id_number)
        except PlatformError as exc:
            problem = platform_problem(exc, "lookupCitizen failed")
            log.warning("session %s: citizen lookup failed (%s); card prefill only",
                        self._session.session_id, problem.code)
            return None, problem
        self._session.put(_CITIZEN, citizen)
        return citizen, None

    def _elicences(self, citizen: m.Citizen | None) -> list[m.ELicence]:
        today = self._today()
        return [x for x in (citizen.elicences if citizen else [])
                if x.valid_until is None or x.valid_until >= today]

    def _field(self, name: str) -> Field:
        for field in form_fields(self._need_service().form_schema, self.language):
            if field.name == name:
                return field
        raise KeyError(f"the form has no field {name!r}")

    def form_fields(self) -> list[Field]:
        """The form's fields in the session's current language (no I/O)."""
        return form_fields(self._need_service().form_schema, self.language)

    def value(self, name: str) -> Any:
        """What the form holds for field `name` now (None when empty)."""
        return self._session.values.get(name)

    def set_value(self, name: str, raw: Any) -> str | None:
        """Take what the citizen entered for field `name`: None when accepted, else the
        message to show under the field, in the session's language. A refused value is not
        part of the form, but its text stays in the session as the field's `draft` (the
        citizen corrects it rather than typing it all again)."""
        with self._lock:
            self._require(*_EDITING)
            value, message = validate_field(self._field(name), raw, self.language)
            values = self._session.values
            drafts: dict[str, str] = self._session.get(_DRAFTS) or {}
            if message is None and value is not None:
                values[name] = value
                drafts.pop(name, None)
                self._session.note_entered()
            else:
                values.pop(name, None)
                if message is not None and isinstance(raw, str) and raw:
                    drafts[name] = raw
                    self._session.note_entered()
                else:
                    drafts.pop(name, None)
            self._session.put(_DRAFTS, drafts)
            return message

    def draft(self, name: str) -> str | None:
        """The text the form refused for field `name`, until a value is accepted."""
        return (self._session.get(_DRAFTS) or {}).get(name)

    def form_errors(self) -> dict[str, str]:
        """{field name: message} for the whole form; empty when it may be sent."""
        service = self._need_service()
        return validate_form(service.form_schema, self._form_values(service), self.language)

    def _form_values(self, service: m.Service) -> dict[str, Any]:
        names = service.form_schema.get("properties", {})
        return {k: v for k, v in self._session.values.items() if k in names}

    # ---- materials -------------------------------------------------------------------------

    def _plan(self) -> dict[str, mat.Choice]:
        plan = self._session.get(_PLAN)
        if plan is None:
            plan = {}
            self._session.put(_PLAN, plan)
        return plan

    def _material(self, material_id: str) -> m.Material:
        for material in self._need_service().materials:
            if material.material_id == material_id:
                return material
        raise KeyError(f"the service has no material {material_id!r}")

    def _view(self, material: m.Material) -> mat.MaterialView:
        citizen = self._session.get(_CITIZEN)
        licence = mat.usable_elicence(material, list(citizen.elicences) if citizen else [],
                                      self._today())
        return mat.view(material, self._plan().get(material.material_id), licence,
                        localized(material.name, self.language))

    def materials(self) -> list[mat.MaterialView]:
        """Per material: what is needed, what the citizen has given, what may replace it."""
        with self._lock:
            self._require(*_EDITING)
            self._go(Step.MATERIALS)
            return [self._view(x) for x in self._need_service().materials]

    def add_page(self, material_id: str, data: bytes) -> mat.MaterialView:
        """One scanned page (JPEG or PDF bytes) for `material_id`, written at once to the
        session's private directory; the journey keeps only the file's path."""
        with self._lock:
            self._require(*_EDITING)
            material = self._material(material_id)
            plan = self._plan()
            choice = plan.get(material_id)
            if choice is None or choice.source != "scan":
                choice = mat.Choice("scan")
            if len(choice.pages) >= material.pages_max:
                raise JourneyProblem("journey.too_many_pages",
                                     detail=f"{material_id} takes {material.pages_max} pages")
            _, suffix = mat.media_of(data)
            choice.pages.append(self._session.add_scan(data, suffix))
            plan[material_id] = choice
            log.info("session %s: page %d of %s scanned", self._session.session_id,
                     len(choice.pages), material_id)
            return self._view(material)

    def use_elicence(self, material_id: str) -> mat.MaterialView:
        """Let the applicant's e-licence replace the paper (when the service allows it)."""
        with self._lock:
            self._require(*_EDITING)
            material = self._material(material_id)
            view = self._view(material)
            if view.elicence is None:
                raise JourneyProblem("journey.no_elicence",
                                     detail=f"no usable e-licence for {material_id}")
            self._plan()[material_id] = mat.Choice("elicence",
                                                   elicence_id=view.elicence.licence_id)
            log.info("session %s: %s by e-licence", self._session.session_id, material_id)
            return self._view(material)

    def promise_default(self) -> dt.date:
        """The day a promised material is due when the citizen does not choose one (shown on
        the button: 以后补交（X月X日前）)."""
        return self._today() + dt.timedelta(days=DEFAULT_PROMISE_DAYS)

    def promise(self, material_id: str, by: dt.date | None = None) -> mat.MaterialView:
        """Promise to hand the material in later (容缺受理), by `by` (default: in
        DEFAULT_PROMISE_DAYS days)."""
        with self._lock:
            self._require(*_EDITING)
            material = self._material(material_id)
            today = self._today()
            by = by or today + dt.timedelta(days=DEFAULT_PROMISE_DAYS)
            mat.check_promise(material, by, today)
            self._plan()[material_id] = mat.Choice("promised", promised_by=by)
            log.info("session %s: %s promised", self._session.session_id, material_id)
            return self._view(material)

    def clear_material(self, material_id: str) -> mat.MaterialView:
        """Start this material again (retake the pages, change the choice)."""
        with self._lock:
            self._require(*_EDITING)
            material = self._material(material_id)
            self._plan().pop(material_id, None)
            return self._view(material)

    # ---- review and submit -----------------------------------------------------------------

    def review(self) -> Review:
        """Everything to confirm, with what still stops the submission."""
        with self._lock:
            self._require(*_EDITING)
            service = self._need_service()
            identity = self._identity()
            lang = self.language
            fields = form_fields(service.form_schema, lang)
            values = self._session.values
            entries = tuple(ReviewEntry(f.name, f.label, values[f.name])
                            for f in fields if f.name in values)
            views = tuple(self._view(x) for x in service.materials)
            self._go(Step.REVIEW)
            return Review(
                service_name=localized(service.name, lang), fee_text=self._fee_text(service),
                promised_limit_days=service.promised_limit_days,
                applicant_name=identity.masked_name, applicant_id=identity.masked_id,
                entries=entries, materials=views, form_errors=self.form_errors(),
                missing_materials=tuple(v.material_id for v in views if not v.complete),
                sms_possible=self._mobile() is not None,
                notify_sms=bool(self._session.get(_NOTIFY_SMS)))

    def set_notify_sms(self, on: bool) -> None:
        """The applicant's choice about progress texts, recorded with the application."""
        with self._lock:
            self._require(*_EDITING)
            self._session.put(_NOTIFY_SMS, bool(on))

    def _mobile(self) -> str | None:
        service = self._need_service()
        values = self._form_values(service)
        citizen = self._session.get(_CITIZEN)
        return next((x for x in (values.get("mobile"),
                                 citizen.prefill.get("mobile") if citizen else None)
                     if isinstance(x, str) and _MOBILE.match(x)), None)

    def submit(self) -> ReceiptData:
        """Queue the application in the outbox, once: a second call (a double tap, a retry
        after an error) returns the same queued item. Waits up to `final_wait_s` for the
        sender to deliver it, to print the platform's receipt number rather than "will be
        sent". Blocking: call from a worker."""
        with self._lock:
            queued = self._session.get(_QUEUED)
            if queued is None:
                queued = self._enqueue()
                self._completed()  # durable in the outbox: the journey did what it came for
        return self._receipt(queued, wait_s=self._final_wait_s)

    def _enqueue(self) -> QueuedItem:
        self._require(Step.REVIEW)
        review = self.review()
        if review.form_errors:
            raise JourneyProblem("journey.form_incomplete",
                                 detail=f"{len(review.form_errors)} field(s) to fix")
        if review.missing_materials:
            raise JourneyProblem("journey.materials_incomplete",
                                 detail="missing " + ", ".join(review.missing_materials))
        self._check_capacity()
        key = self._session.get(_KEY)
        if key is None:
            key = str(uuid.uuid4())
            self._session.put(_KEY, key)  # made once: every retry reuses it
            self._session.put(_PROGRESS_TOKEN, progress_qr.new_token())
        body = {**self._body(), "progress_token": self._session.get(_PROGRESS_TOKEN)}
        try:
            queued = self._outbox.enqueue(APPLICATION, with_filing_grant(self._session, body),
                                          idempotency_key=key)
        except DuplicateKey:
            queued = self._queued_by_key(key)
        except QueueRefused as exc:
            log.warning("session %s: outbox refused the application: %s",
                        self._session.session_id, exc.reason)
            raise outbox_problem(exc.reason, exc.message) from None
        finally:
            body.clear()  # the pages' base64 goes with it
        self._session.put(_QUEUED, queued)
        self._session.put(_SUBMITTED_AT, self._clock())
        self._session.work_saved()  # it is in the outbox: leaving now loses nothing
        self._go(Step.SUBMITTED)
        log.info("session %s: application for %s queued as %s", self._session.session_id,
                 self._need_service().service_id, queued.reference)
        self._audit.citizen(self._session.session_id, "application.queued",
                            service=self._need_service().service_id,
                            reference=queued.reference)
        return queued

    def _queued_by_key(self, key: str) -> QueuedItem:
        """The item an earlier, interrupted submit already queued under our key."""
        try:
            item = self._outbox.find_by_key(key)
        except ItemNotFound:
            raise JourneyProblem("outbox.storage_failed",
                                 detail="queued item not found by key") from None
        return QueuedItem(item.id, item.kind, item.idempotency_key, item.reference,
                          item.created_at)

    def _body(self) -> dict[str, Any]:
        """The `ApplicationCreate` without `client_reference` (kiosk.delivery fills it in)."""
        service = self._need_service()
        identity = self._identity()
        values = self._form_values(service)
        mobile = self._mobile()
        plan = self._plan()
        body = {"service_id": service.service_id, "applicant": identity.applicant(mobile),
                "form": values,
                "materials": [mat.submission(x.material_id, plan[x.material_id])
                              for x in service.materials if x.material_id in plan],
                "notifications": {"sms": bool(self._session.get(_NOTIFY_SMS)) and
                                  mobile is not None}}
        # our own bug, caught here rather than as a refusal in the outbox (no values quoted)
        m.ApplicationCreate.model_validate({**body, "client_reference": "CHECK"})
        return body

    def receipt(self) -> ReceiptData:
        """The receipt as it stands now (no waiting): final once the platform has filed it."""
        queued = self._session.get(_QUEUED)
        if queued is None:
            raise WrongStep("nothing submitted yet")
        return self._receipt(queued, wait_s=0.0)

    def reworded(self, receipt: ReceiptData) -> ReceiptData:
        """`receipt` in the session's language now (no I/O): the citizen switched language
        on the receipt screen. As it was once the journey has let the service go."""
        service, lang = self._service, self.language
        if service is None:
            return receipt
        names = {x.material_id: localized(x.name, lang) for x in service.materials}
        promised = tuple(dataclasses.replace(p, name=names.get(p.material_id, p.name))
                         for p in receipt.promised_materials)
        return dataclasses.replace(receipt, service_name=localized(service.name, lang),
                                   promised_materials=promised, language=lang)

    def _receipt(self, queued: QueuedItem, wait_s: float) -> ReceiptData:
        deadline = time.monotonic() + wait_s
        item = self._outbox.get(queued.id)
        while item.result is None and item.state == "pending" and time.monotonic() < deadline:
            time.sleep(self._poll_s)
            item = self._outbox.get(queued.id)
        result = item.result or {}
        receipt_no = result.get("receipt_no") if item.state == "delivered" else None
        final = isinstance(receipt_no, str)
        reference = receipt_no if final else queued.reference
        due = result.get("due_date") if final else None
        service = self._need_service()
        lang = self.language
        plan = self._plan()
        promised = tuple(
            PromisedItem(x.material_id, localized(x.name, lang), plan[x.material_id].promised_by)
            for x in service.materials
            if x.material_id in plan and plan[x.material_id].source == "promised")
        return ReceiptData(
            outbox_reference=queued.reference, final=final,
            receipt_no=receipt_no if final else None, reference=reference,
            service_id=service.service_id, service_name=localized(service.name, lang),
            submitted_at=self._session.get(_SUBMITTED_AT) or self._clock(),
            promised_date=dt.date.fromisoformat(due) if isinstance(due, str) else None,
            promised_days=service.promised_limit_days, promised_materials=promised,
            qr_text=qr_text_for(reference, self._kiosk_id, self._session.get(_PROGRESS_TOKEN)),
            language=lang)

    # ---- receipt ---------------------------------------------------------------------------

    def next_steps(self, receipt: ReceiptData) -> list[str]:
        """What happens next, as printed on the slip: the promised materials and their dates."""
        t = translator(receipt.language)
        template = _words("journey.next.promised", receipt.language)
        return [template % {"date": t.format_date(p.promised_by), "material": p.name}
                for p in receipt.promised_materials]

    def print_receipt(self) -> PrintOutcome:
        """Print the receipt; the outcome is "printed" only when the printer confirmed the
        job. The action id is the same for every attempt at this receipt, so a retry never
        prints it twice. Blocking (waits for the printer): call from a worker."""
        with self._lock:
            self._require(Step.SUBMITTED, Step.RECEIPT)
            queued: QueuedItem = self._session.get(_QUEUED)
            receipt = self.receipt()
            action_id = f"apply-receipt-{queued.idempotency_key}"
            document = document_for(receipt, next_steps=self.next_steps(receipt),
                                    centre_name=self._receipts.centre(receipt.language),
                                    hotline=self._receipts.hotline,
                                    paper_width_mm=self._paper_width_mm)
            outcome, reason = print_for_citizen(
                self._printer, document, action_id, self._print_timeout_s, audit=self._audit,
                session_id=self._session.session_id, action="receipt.print",
                reference=receipt.reference)
            self._go(Step.RECEIPT)
            return PrintOutcome(outcome, reason, printer_msgid(outcome), receipt, action_id)

    def finish(self) -> None:
        """The citizen is done with this application (it is in the outbox). Its form and
        plan leave the session now, so a second application in the same session starts
        clean; the scanned files go with the session's wipe."""
        with self._lock:
            self._session.values.clear()
            for key in (_PLAN, _KEY, _PROGRESS_TOKEN, _QUEUED, _SUBMITTED_AT, _NOTIFY_SMS):
                self._session.pop(key)
            self._go(Step.END)
