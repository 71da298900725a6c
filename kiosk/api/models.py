"""Typed views of the contract's schemas (`openapi.yaml`), so screens never poke at raw dicts.

Replies (`Reply`) ignore fields they do not know: a platform that adds a field must not break
terminals already in the field. Request bodies (`Body`) forbid unknown fields: a misspelt key
on our side is a bug to find here, not a 422 from the platform. Required fields stay required
on both. Validation errors never quote the input: it may be a citizen's ID number or name.
tests/client/test_models_contract.py holds every model to its schema in the spec.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

OpaqueId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
ServiceId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
ReceiptNo = Annotated[str, Field(pattern=r"^[A-Z0-9-]{6,40}$")]
VerificationCode = Annotated[str, Field(pattern=r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")]
IdNumber = Annotated[str, Field(pattern=r"^[0-9A-Z]{9,18}$")]
IndicatorScore = Annotated[int, Field(ge=1, le=5)]  # one indicator of 好差评 (contract 1.5)
NonNegative = Annotated[int, Field(ge=0)]
ChainHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Audience = Literal["individual", "enterprise"]
ApplicationStatus = Literal["submitted", "accepted", "in_review", "correction_requested",
                            "approved", "rejected", "certificate_issued", "collected"]


class Reply(BaseModel):
    """What the platform sends: unknown fields ignored (forward compatible), values frozen."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True,
                              hide_input_in_errors=True)


class Body(BaseModel):
    """What the kiosk sends: unknown fields are our bug, so they are refused before sending."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, hide_input_in_errors=True)

    def to_json(self) -> dict[str, Any]:
        """The JSON object to send: aliases as the contract spells them, unset optionals left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


T = TypeVar("T")


class ItemList(Reply, Generic[T]):
    """The `{"items": [...]}` envelope of every list reply."""

    items: list[T]


# -- catalogue ------------------------------------------------------------------------------


class Localized(Reply):
    zh_cn: str = Field(alias="zh-CN", min_length=1)
    en: str = Field(min_length=1)


class ServiceSummary(Reply):
    service_id: ServiceId
    name: Localized
    audience: Audience
    department: Localized
    fee_fen: NonNegative
    terminal_completable: bool
    legal_limit_days: NonNegative
    promised_limit_days: NonNegative
    appointment: bool = False


class Material(Reply):
    material_id: OpaqueId
    name: Localized
    kind: Literal["identity", "certificate", "licence", "contract", "form", "photo", "plan",
                  "other"]
    required: bool
    pages_min: int = Field(ge=0, le=50)
    pages_max: int = Field(ge=1, le=50)
    elicence_kind: str | None
    may_promise: bool


class Service(ServiceSummary):
    description: Localized
    materials: list[Material]
    form_schema: dict[str, Any]


# -- citizens -------------------------------------------------------------------------------


class ELicence(Reply):
    licence_id: OpaqueId
    kind: str
    title: str
    issuer: str
    issued_on: date
    valid_until: date | None


class Citizen(Reply):
    known: bool
    prefill: dict[str, str]
    elicences: list[ELicence]


# -- applications ---------------------------------------------------------------------------


class TimelineEntry(Reply):
    status: ApplicationStatus
    at: AwareDatetime
    note: str | None = None  # Chinese text; an officer's own words when note_code is "officer"
    # contract 1.6: a stable code (not an enum: a newer platform may add some) and its values
    note_code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")] | None = None
    note_params: dict[str, Annotated[str, Field(max_length=500)]] | None = Field(
        default=None, max_length=10)


class PromisedMaterial(Reply):
    material_id: OpaqueId
    promised_by: date
    received: bool


class Notifications(Reply):
    sms: bool


class Application(Reply):
    receipt_no: ReceiptNo
    service_id: ServiceId
    service_name: Localized
    status: ApplicationStatus
    acceptance: Literal["pending", "complete", "with_promise"]
    promised_materials: list[PromisedMaterial]
    applicant_masked: str
    client_reference: str
    submitted_at: AwareDatetime
    due_date: date | None
    timeline: list[TimelineEntry] = Field(min_length=1)
    certificate_ids: list[OpaqueId]
    fee_fen: NonNegative
    paid: bool
    notifications: Notifications | None = None
    correction_materials: list[OpaqueId] | None = Field(default=None, min_length=1)
    evaluated: bool | None = None  # None: the platform does not say


# -- certificates ---------------------------------------------------------------------------


class Certificate(Reply):
    certificate_id: OpaqueId
    receipt_no: ReceiptNo
    title: str  # Chinese, as on the certificate
    title_words: Localized | None = None  # 1.8: both languages
    holder_masked: str
    issuer: str  # Chinese
    issuer_words: Localized | None = None  # 1.8: both languages
    issued_at: AwareDatetime
    verification_code: VerificationCode
    collected_at: AwareDatetime | None
    print_count: NonNegative


class Verification(Reply):
    verification_code: VerificationCode
    status: Literal["valid", "revoked"]
    title: str
    title_words: Localized | None = None  # 1.8
    holder_masked: str
    issuer: str
    issuer_words: Localized | None = None  # 1.8
    issued_at: AwareDatetime


# -- payments, appointments, evaluations ----------------------------------------------------


class Payment(Reply):
    payment_id: OpaqueId
    receipt_no: ReceiptNo
    amount_fen: int = Field(ge=1)
    status: Literal["pending", "paid", "expired", "cancelled"]
    qr_content: str = Field(max_length=512)
    expires_at: AwareDatetime
    paid_at: AwareDatetime | None


class Slot(Reply):
    slot_id: OpaqueId
    service_id: ServiceId
    hall: str  # Chinese
    hall_words: Localized | None = None  # 1.7: both languages
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=1)
    remaining: NonNegative


class Appointment(Reply):
    appointment_id: OpaqueId
    booking_code: str = Field(pattern=r"^[0-9]{6}$")
    service_id: ServiceId
    slot: Slot
    status: Literal["booked", "cancelled"]
    holder_masked: str


class Evaluation(Reply):
    evaluation_id: OpaqueId
    receipt_no: ReceiptNo
    score: int = Field(ge=1, le=5)
    efficiency: IndicatorScore | None = None  # contract 1.5
    competence: IndicatorScore | None = None
    attitude: IndicatorScore | None = None
    comment: str
    created_at: AwareDatetime


# -- terminal operations --------------------------------------------------------------------


class HeartbeatAck(Reply):
    server_time: AwareDatetime


class ReportedHead(Reply):
    seq: int = Field(ge=1)
    hash: ChainHash
    first_seen: AwareDatetime


class AuditHeadSeries(Reply):
    """What the platform kept of this terminal's audit-trail heads (contract 1.2)."""

    items: list[ReportedHead]
    more: bool
    alerts: NonNegative


class HelpRequest(Reply):
    """A citizen's call for staff as the platform holds it (contract 1.3): where, never who."""

    help_request_id: OpaqueId
    screen: str
    journey: str | None = None
    step: int | None = Field(default=None, ge=1)
    steps: int | None = Field(default=None, ge=1)
    raised_at: AwareDatetime
    received_at: AwareDatetime
    status: Literal["open", "acknowledged", "closed"]
    acknowledged_at: AwareDatetime | None = None
    acknowledged_by: Annotated[str, Field(max_length=64)] | None = None
    on_the_way_at: AwareDatetime | None = None  # contract 1.4
    closed_at: AwareDatetime | None = None


Base64Url = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]


class KioskCommand(Reply):
    """A console command as signed (contract 1.4): opaque until kiosk.remote checks it."""

    command_id: OpaqueId
    payload: Annotated[Base64Url, Field(max_length=8192)]
    signature: Annotated[Base64Url, Field(max_length=200)]


class KioskCommandList(Reply):
    items: Annotated[list[KioskCommand], Field(max_length=50)]


class KioskCommandRecorded(Reply):
    command_id: OpaqueId
    outcome: Literal["executed", "refused"]
    recorded_at: AwareDatetime


class EventBatchResult(Reply):
    accepted: NonNegative
    duplicates: NonNegative


class Health(Reply):
    status: Literal["ok"]
    version: str


class ProblemError(Reply):
    path: str | None = None
    message: str


class Problem(Reply):
    """RFC 9457 problem details; `code` is what the kiosk acts on."""

    type: str
    title: str
    status: int = Field(ge=400, le=599)
    code: str
    detail: str | None = None
    errors: list[ProblemError] | None = None
    tries_left: NonNegative | None = None


# -- citizen sessions --------------------------------------------------------------------------


class ProgressTokenIssued(Reply):
    progress_token: str = Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", repr=False)


class HolderFactor(Reply):
    factor: Literal["sms_code", "card_pin"]
    to: str | None = None  # sms_code: the masked mobile number


class CitizenSession(Reply):
    """A citizen session at the platform. `token` and `filing_grant` are secrets: they are kept
    in the terminal's session (and the outbox item) only, never logged."""

    session_id: OpaqueId
    token: str | None = Field(default=None, min_length=32, max_length=128, repr=False)
    holder_verified: bool
    expires_at: AwareDatetime
    idle_timeout_s: int = Field(ge=1)
    citizen_masked: str
    holder_factors: list[HolderFactor]
    card_challenge: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{43}$")
    filing_grant: str | None = Field(default=None, min_length=32, max_length=128, repr=False)
    filing_grant_expires_at: AwareDatetime | None = None


class HolderVerified(CitizenSession):
    filing_grant: str = Field(min_length=32, max_length=128, repr=False)
    filing_grant_expires_at: AwareDatetime


class HolderCodeSent(Reply):
    factor: Literal["sms_code"]
    to: str
    expires_in_s: int = Field(ge=1)
    sends_left: NonNegative


# -- request bodies -------------------------------------------------------------------------


class IdNumberQuery(Body):
    id_number: IdNumber


class CitizenSessionOpen(Body):
    id_number: IdNumber
    evidence: Literal["id_card", "smartcard", "eid_qr"]
    evidence_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{16,64}$")


class HolderProof(Body):
    factor: Literal["sms_code", "card_pin"]
    code: str | None = Field(default=None, pattern=r"^[0-9]{6}$", repr=False)
    certificate: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{16,2800}$")
    signature: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{16,200}$")


class Applicant(Body):
    id_kind: Literal["resident", "foreign_permanent", "hk_macao_resident", "taiwan_resident",
                     "hk_macao_permit", "taiwan_permit"]
    id_number: IdNumber
    name: str = Field(min_length=1, max_length=100)
    mobile: str | None = Field(default=None, pattern=r"^1[3-9][0-9]{9}$")


class Page(Body):
    media_type: Literal["image/jpeg", "application/pdf"]
    content: str = Field(min_length=4, max_length=12_000_000)  # base64


class MaterialSubmission(Body):
    material_id: OpaqueId
    source: Literal["scan", "elicence", "promised"]
    pages: list[Page] | None = Field(default=None, max_length=50)
    elicence_id: OpaqueId | None = None
    promised_by: date | None = None


class NotificationsCreate(Body):
    sms: bool  # progress notices by text message to applicant.mobile


class ApplicationCreate(Body):
    service_id: ServiceId
    applicant: Applicant
    form: dict[str, Any]
    materials: list[MaterialSubmission] = Field(max_length=50)
    progress_token: str | None = Field(default=None, pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$",
                                       repr=False)
    client_reference: str = Field(pattern=r"^[A-Za-z0-9-]{4,40}$")
    notifications: NotificationsCreate | None = None


class SupplementCreate(Body):
    materials: list[MaterialSubmission] = Field(min_length=1, max_length=50)
    note: str | None = Field(default=None, max_length=500)


class CollectRequest(Body):
    reprint_reason: str | None = Field(default=None, min_length=2, max_length=200)


class PaymentCreate(Body):
    receipt_no: ReceiptNo


class AppointmentCreate(Body):
    slot_id: OpaqueId
    service_id: ServiceId
    applicant: Applicant


class EvaluationCreate(Body):
    receipt_no: ReceiptNo
    score: int = Field(ge=1, le=5)
    efficiency: IndicatorScore | None = None  # contract 1.5
    competence: IndicatorScore | None = None
    attitude: IndicatorScore | None = None
    comment: str | None = Field(default=None, max_length=500)


class AuditHead(Body):
    seq: int = Field(ge=1)
    hash: ChainHash


class OutboxStuck(Body):
    count: int = Field(ge=1)
    oldest_age_s: NonNegative


ScreenName = Annotated[str, Field(pattern=r"^[a-z0-9_.-]{1,64}$")]


class HelpRequestCreate(Body):
    screen: ScreenName
    journey: ScreenName | None = None
    step: int | None = Field(default=None, ge=1, le=50)
    steps: int | None = Field(default=None, ge=1, le=50)
    raised_at: AwareDatetime


class Site(Body):
    """Where a terminal stands (contract 1.4): its hall and fleet ring, for the console."""

    hall: Annotated[str, Field(max_length=64)] | None = None
    ring: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]*$")] | None = None


class KioskCommandResult(Body):
    outcome: Literal["executed", "refused"]
    reason: Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")] | None = None
    screenshot_png: Annotated[str, Field(max_length=16_000_000,
                                         pattern=r"^[A-Za-z0-9+/]+={0,2}$")] | None = None


class Heartbeat(Body):
    health: Literal["ok", "degraded", "out_of_service"]
    versions: dict[str, Annotated[str, Field(max_length=100)]]
    outbox_depth: NonNegative
    paper: Literal["ok", "low", "out", "unknown"]
    devices: dict[str, Annotated[str, Field(max_length=40)]]
    uptime_s: NonNegative | None = None
    last_error: Annotated[str, Field(max_length=200)] | None = None
    audit_head: AuditHead | None = None
    outbox_stuck: OutboxStuck | None = None
    prints_unknown: NonNegative | None = None
    site: Site | None = None  # contract 1.4

    @field_validator("versions")
    @classmethod
    def _has_app(cls, versions: dict[str, str]) -> dict[str, str]:
        if "app" not in versions:
            raise ValueError("versions needs 'app'")
        return versions


class Event(Body):
    event_id: UUID
    at: AwareDatetime
    kind: str = Field(pattern=r"^[a-z0-9_.-]{1,64}$")
    severity: Literal["info", "warning", "error", "critical"]
    detail: dict[str, Any] | None = None  # small and free of personal data


class EventBatch(Body):
    events: list[Event] = Field(min_length=1, max_length=500)
