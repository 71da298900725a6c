"""The platform as the kiosk sees it: one method per operation of the contract, typed results.

Retries happen here, and only where repeating cannot do anything twice (the OPERATIONS table):
reads (GETs and the POST reads that keep an ID number out of the URL), and creations that carry
an Idempotency-Key, which the platform answers with the first result when it sees it again.
A POST without a key is sent once; whoever called it decides what a failure means.
"""

from __future__ import annotations

import base64
import copy
import logging
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception

from kiosk.api import models as m
from kiosk.client.credentials import read_credential
from kiosk.client.errors import PlatformError, ResponseMalformed
from kiosk.client.http import HttpTransport, Reply

SESSION_HEADER = "Citizen-Session"  # as in openapi.yaml's securitySchemes
GRANT_HEADER = "Filing-Grant"
from kiosk.config.schema import KioskConfig

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9-]{16,64}$"
PDF = "application/pdf, application/problem+json"

READ = "a read"
POST_READ = "a read; POST only keeps the ID number out of the URL"
KEYED = "Idempotency-Key: a repeat is answered with the first result"


@dataclass(frozen=True)
class Operation:
    operation_id: str  # as in openapi.yaml
    method_name: str  # of PlatformClient
    http_method: str
    path: str
    keyed: bool  # sends an Idempotency-Key
    idempotent: bool  # safe to repeat, so retried
    why: str


# Which operation may be repeated, in one place. tests/client check it against the spec.
OPERATIONS: dict[str, Operation] = {op.operation_id: op for op in (
    Operation("getHealth", "health", "GET", "/health", False, True, READ),
    Operation("listServices", "list_services", "GET", "/catalogue/services", False, True, READ),
    Operation("getService", "get_service", "GET", "/catalogue/services/{service_id}",
              False, True, READ),
    Operation("openCitizenSession", "open_citizen_session", "POST", "/citizen-sessions",
              False, False, "no key: sent once (a repeat would open a second session)"),
    Operation("getCitizenSession", "get_citizen_session", "GET", "/citizen-sessions/current",
              False, True, READ),
    Operation("endCitizenSession", "end_citizen_session", "DELETE", "/citizen-sessions/current",
              False, True, "ending an ended session changes nothing"),
    Operation("sendHolderCode", "send_holder_code", "POST",
              "/citizen-sessions/current/holder-code", False, False,
              "no key: sent once (a repeat sends another SMS)"),
    Operation("verifyHolder", "verify_holder", "POST", "/citizen-sessions/current/holder",
              False, False, "no key: sent once (a repeat spends another try)"),
    Operation("lookupCitizen", "lookup_citizen", "POST", "/citizens/lookup", False, True,
              POST_READ),
    Operation("createApplication", "create_application", "POST", "/applications",
              True, True, KEYED),
    Operation("queryApplications", "query_applications", "POST", "/applications/query",
              False, True, POST_READ),
    Operation("getApplication", "get_application", "GET", "/applications/{receipt_no}",
              False, True, READ),
    Operation("issueProgressToken", "issue_progress_token", "POST",
              "/applications/{receipt_no}/progress-token", False, False,
              "no key: sent once (a repeat issues another token, harmless)"),
    Operation("getProgress", "get_progress", "GET", "/progress/{progress_token}", False, True,
              READ),
    Operation("supplementApplication", "supplement_application", "POST",
              "/applications/{receipt_no}/supplements", True, True, KEYED),
    Operation("queryCertificates", "query_certificates", "POST", "/certificates/query",
              False, True, POST_READ),
    Operation("getCertificateDocument", "certificate_document", "GET",
              "/certificates/{certificate_id}/document", False, True, READ),
    Operation("collectCertificate", "collect_certificate", "POST",
              "/certificates/{certificate_id}/collect", True, True, KEYED),
    Operation("verifyCertificate", "verify_certificate", "GET", "/verify/{verification_code}",
              False, True, READ),
    Operation("createPayment", "create_payment", "POST", "/payments", True, True, KEYED),
    Operation("getPayment", "get_payment", "GET", "/payments/{payment_id}", False, True, READ),
    Operation("listSlots", "list_slots", "GET", "/appointments/slots", False, True, READ),
    Operation("bookAppointment", "book_appointment", "POST", "/appointments", True, True, KEYED),
    Operation("queryAppointments", "query_appointments", "POST", "/appointments/query",
              False, True, POST_READ),
    Operation("cancelAppointment", "cancel_appointment", "POST",
              "/appointments/{appointment_id}/cancel", False, False,
              "no key: sent once (the contract answers a repeat unchanged, but the rule is keys)"),
    Operation("createEvaluation", "create_evaluation", "POST", "/evaluations", True, True, KEYED),
    Operation("postHeartbeat", "post_heartbeat", "POST", "/kiosk/heartbeat", False, False,
              "no key: sent once; the next heartbeat follows anyway"),
    Operation("getAuditHeads", "audit_heads", "GET", "/kiosk/audit-heads", False, True, READ),
    Operation("raiseHelpRequest", "raise_help_request", "POST", "/kiosk/help-requests",
              True, True, KEYED),
    Operation("getHelpRequest", "get_help_request", "GET",
              "/kiosk/help-requests/{help_request_id}", False, True, READ),
    Operation("getKioskCommands", "kiosk_commands", "GET", "/kiosk/commands", False, True, READ),
    Operation("postKioskCommandResult", "post_command_result", "POST",
              "/kiosk/commands/{command_id}/result", False, False,
              "no key: sent once; the next poll reports the same outcome again"),
    Operation("postEvents", "post_events", "POST", "/kiosk/events", False, False,
              "no key: sent once; the outbox repeats it (the platform drops known event_ids)"),
)}


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, PlatformError) and exc.retryable


class PlatformClient:
    """Thread-safe enough to share between the UI's worker and the outbox sender."""

    def __init__(self, transport: HttpTransport, *, retries: int = 3,
                 backoff_initial_s: float = 0.5, backoff_max_s: float = 8.0,
                 max_retry_after_s: float = 10.0) -> None:
        """`retries` repeats after the first try (0 = one try). A Retry-After longer than
        `max_retry_after_s` ends the retries at once: the ServerFault carries it to the caller
        (the outbox waits that long; a screen tells the citizen) instead of a frozen screen."""
        self.transport = transport
        self.retries = retries
        self.max_retry_after_s = max_retry_after_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self._citizen_headers: dict[str, str] = {}

    def for_citizen(self, token: str | None = None, grant: str | None = None) -> PlatformClient:
        """This client in a citizen session (`token`), or filing for a citizen who has left
        (`grant`): every call carries it. Shares the transport; the original is unchanged."""
        bound = copy.copy(self)
        bound._citizen_headers = {}
        if token:
            bound._citizen_headers[SESSION_HEADER] = token
        if grant:
            bound._citizen_headers[GRANT_HEADER] = grant
        return bound

    @classmethod
    def from_config(cls, config: KioskConfig, **kwargs: Any) -> PlatformClient:
        """The client `[platform]` describes; CredentialError when the credential file is unusable."""
        platform = config.platform
        kiosk_id = platform.kiosk_id or config.terminal.id
        transport = HttpTransport.from_config(
            platform, kiosk_id=kiosk_id, credential=read_credential(platform.credential_file))
        kwargs.setdefault("max_retry_after_s", platform.timeout_s)
        kwargs.setdefault("retries", platform.retries)
        return cls(transport, **kwargs)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- catalogue ---------------------------------------------------------------------------

    def health(self) -> m.Health:
        return self._call("getHealth", _model(m.Health))

    def list_services(self, audience: str | None = None,
                      terminal_only: bool | None = None) -> list[m.ServiceSummary]:
        params: dict[str, str] = {}
        if audience is not None:
            params["audience"] = audience
        if terminal_only is not None:
            params["terminal_only"] = "true" if terminal_only else "false"
        return self._call("listServices", _items(m.ServiceSummary), params=params)

    def get_service(self, service_id: str) -> m.Service:
        return self._call("getService", _model(m.Service), path={"service_id": service_id})

    # -- citizen sessions ------------------------------------------------------------------------

    def open_citizen_session(self, id_number: str, evidence: str,
                             evidence_id: str | None = None) -> m.CitizenSession:
        """`evidence_id`: an e-ID code's one-use id (the platform refuses its second use)."""
        return self._call("openCitizenSession", _model(m.CitizenSession),
                          body=m.CitizenSessionOpen(id_number=id_number, evidence=evidence,
                                                    evidence_id=evidence_id))

    def get_citizen_session(self) -> m.CitizenSession:
        return self._call("getCitizenSession", _model(m.CitizenSession))

    def end_citizen_session(self) -> None:
        self._call("endCitizenSession", _nothing)

    def send_holder_code(self) -> m.HolderCodeSent:
        return self._call("sendHolderCode", _model(m.HolderCodeSent))

    def verify_holder(self, code: str | None = None, *, certificate: bytes | None = None,
                      signature: bytes | None = None) -> m.HolderVerified:
        """The texted `code`, or a smart card's holder proof (its certificate and its
        signature over the session's card_challenge, made after the card checked its PIN)."""
        if code is not None:
            proof = m.HolderProof(factor="sms_code", code=code)
        else:
            proof = m.HolderProof(factor="card_pin", certificate=_b64(certificate or b""),
                                  signature=_b64(signature or b""))
        return self._call("verifyHolder", _model(m.HolderVerified), body=proof)

    # -- citizens and applications -------------------------------------------------------------

    def lookup_citizen(self, id_number: str) -> m.Citizen:
        return self._call("lookupCitizen", _model(m.Citizen), body={"id_number": id_number})

    def create_application(self, body: m.ApplicationCreate | Mapping[str, Any],
                           idempotency_key: str) -> m.Application:
        return self._call("createApplication", _model(m.Application), body=body,
                          key=idempotency_key)

    def query_applications(self, id_number: str) -> list[m.Application]:
        return self._call("queryApplications", _items(m.Application),
                          body={"id_number": id_number})

    def get_application(self, receipt_no: str) -> m.Application:
        return self._call("getApplication", _model(m.Application),
                          path={"receipt_no": receipt_no})

    def issue_progress_token(self, receipt_no: str) -> str:
        """A new progress token for the citizen's own application (for a progress slip)."""
        return self._call("issueProgressToken", _model(m.ProgressTokenIssued),
                          path={"receipt_no": receipt_no}).progress_token

    def get_progress(self, progress_token: str) -> m.Application:
        """The masked application a receipt's progress token opens (no citizen session)."""
        return self._call("getProgress", _model(m.Application),
                          path={"progress_token": progress_token})

    def supplement_application(self, receipt_no: str,
                               body: m.SupplementCreate | Mapping[str, Any],
                               idempotency_key: str) -> m.Application:
        return self._call("supplementApplication", _model(m.Application),
                          path={"receipt_no": receipt_no}, body=body, key=idempotency_key)

    # -- certificates ----------------------------------------------------------------------------

    def query_certificates(self, id_number: str) -> list[m.Certificate]:
        return self._call("queryCertificates", _items(m.Certificate),
                          body={"id_number": id_number})

    def certificate_document(self, certificate_id: str) -> bytes:
        """The certificate's PDF (same size cap and deadline as every reply)."""
        return self._call("getCertificateDocument", _pdf,
                          path={"certificate_id": certificate_id}, accept=PDF)

    def collect_certificate(self, certificate_id: str, idempotency_key: str,
                            reprint_reason: str | None = None) -> m.Certificate:
        return self._call("collectCertificate", _model(m.Certificate),
                          path={"certificate_id": certificate_id},
                          body=m.CollectRequest(reprint_reason=reprint_reason),
                          key=idempotency_key)

    def verify_certificate(self, verification_code: str) -> m.Verification:
        return self._call("verifyCertificate", _model(m.Verification),
                          path={"verification_code": verification_code})

    # -- payments, appointments, evaluations -----------------------------------------------------

    def create_payment(self, receipt_no: str, idempotency_key: str) -> m.Payment:
        return self._call("createPayment", _model(m.Payment),
                          body=m.PaymentCreate(receipt_no=receipt_no), key=idempotency_key)

    def get_payment(self, payment_id: str) -> m.Payment:
        return self._call("getPayment", _model(m.Payment), path={"payment_id": payment_id})

    def list_slots(self, service_id: str, date_from: date | str,
                   date_to: date | str) -> list[m.Slot]:
        params = {"service_id": service_id, "date_from": _iso(date_from),
                  "date_to": _iso(date_to)}
        return self._call("listSlots", _items(m.Slot), params=params)

    def book_appointment(self, body: m.AppointmentCreate | Mapping[str, Any],
                         idempotency_key: str) -> m.Appointment:
        return self._call("bookAppointment", _model(m.Appointment), body=body,
                          key=idempotency_key)

    def query_appointments(self, id_number: str) -> list[m.Appointment]:
        return self._call("queryAppointments", _items(m.Appointment),
                          body={"id_number": id_number})

    def cancel_appointment(self, appointment_id: str) -> m.Appointment:
        return self._call("cancelAppointment", _model(m.Appointment),
                          path={"appointment_id": appointment_id})

    def create_evaluation(self, body: m.EvaluationCreate | Mapping[str, Any],
                          idempotency_key: str) -> m.Evaluation:
        return self._call("createEvaluation", _model(m.Evaluation), body=body,
                          key=idempotency_key)

    # -- terminal operations ---------------------------------------------------------------------

    def post_heartbeat(self, body: m.Heartbeat | Mapping[str, Any]) -> m.HeartbeatAck:
        return self._call("postHeartbeat", _model(m.HeartbeatAck), body=body)

    def audit_heads(self, since_seq: int = 1) -> m.AuditHeadSeries:
        """One page of the audit-trail heads this terminal reported (its own only)."""
        return self._call("getAuditHeads", _model(m.AuditHeadSeries),
                          params={"since_seq": str(since_seq)})

    def raise_help_request(self, body: m.HelpRequestCreate | Mapping[str, Any],
                           idempotency_key: str) -> m.HelpRequest:
        """A citizen asks for staff (1.3): where they are, never who they are."""
        return self._call("raiseHelpRequest", _model(m.HelpRequest), body=body,
                          key=idempotency_key)

    def get_help_request(self, help_request_id: str) -> m.HelpRequest:
        return self._call("getHelpRequest", _model(m.HelpRequest),
                          path={"help_request_id": help_request_id})

    def kiosk_commands(self) -> m.KioskCommandList:
        """The console's signed commands for this terminal (1.4), still to be decided."""
        return self._call("getKioskCommands", _model(m.KioskCommandList))

    def post_command_result(self, command_id: str, body: m.KioskCommandResult
                            | Mapping[str, Any]) -> m.KioskCommandRecorded:
        return self._call("postKioskCommandResult", _model(m.KioskCommandRecorded),
                          path={"command_id": command_id}, body=body)

    def post_events(self, body: m.EventBatch | Mapping[str, Any]) -> m.EventBatchResult:
        return self._call("postEvents", _model(m.EventBatchResult), body=body)

    # -- the one way every call goes -----------------------------------------------------------

    def _call(self, operation_id: str, parse: Callable[[str, Reply], Any], *,
              path: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
              body: BaseModel | Mapping[str, Any] | None = None, key: str | None = None,
              accept: str | None = None) -> Any:
        op = OPERATIONS[operation_id]
        headers: dict[str, str] = dict(self._citizen_headers)
        if op.keyed:
            headers["Idempotency-Key"] = _checked_key(key)
        url_path = op.path.format(**{k: quote(str(v), safe="") for k, v in (path or {}).items()})
        json_body = _json(body) if body is not None else None
        extra = {"accept": accept} if accept else {}

        def once() -> Any:
            reply = self.transport.request(operation_id, op.http_method, url_path,
                                           params=params or None, json_body=json_body,
                                           headers=headers, **extra)
            return parse(operation_id, reply)

        if not op.idempotent or self.retries <= 0:
            return once()
        retrying = Retrying(stop=self._stop, wait=self._wait, retry=retry_if_exception(_retryable),
                            reraise=True, sleep=time.sleep,
                            before_sleep=lambda state: self._log_retry(operation_id, state))
        return retrying(once)

    def _stop(self, state: RetryCallState) -> bool:
        if state.attempt_number > self.retries:
            return True
        return (_retry_after(state) or 0.0) > self.max_retry_after_s

    def _wait(self, state: RetryCallState) -> float:
        """Exponential backoff with full jitter on top (terminals must not retry in step), or
        the platform's Retry-After when that is longer."""
        exponential = self.backoff_initial_s * 2 ** (state.attempt_number - 1)
        backoff = min(exponential, self.backoff_max_s) + random.uniform(0, self.backoff_initial_s)
        retry_after = _retry_after(state)
        return backoff if retry_after is None else max(backoff, retry_after)

    def _log_retry(self, operation_id: str, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        sleep = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s failed (%s); try %d of %d in %.2f s", operation_id, exc,
                    state.attempt_number + 1, self.retries + 1, sleep)


def _retry_after(state: RetryCallState) -> float | None:
    exc = state.outcome.exception() if state.outcome else None
    return getattr(exc, "retry_after_s", None)


def _checked_key(key: str | None) -> str:
    if not key or not re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key):
        raise ValueError("an Idempotency-Key of 16-64 letters, digits or '-' is required "
                         "(make it once per intended action and keep it for every retry)")
    return key


def _json(body: BaseModel | Mapping[str, Any]) -> Any:
    if isinstance(body, m.Body):
        return body.to_json()
    if isinstance(body, BaseModel):
        return body.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(body, Mapping):
        return dict(body)
    raise TypeError(f"a request body is a model or a mapping, not {type(body).__name__}")


def _iso(day: date | str) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


def _validated(operation_id: str, model: type[M], data: Any, status: int) -> M:
    summary = ""
    try:
        return model.model_validate(data)
    except ValidationError as exc:  # message built from locations and kinds, never values
        problems = exc.errors(include_input=False, include_url=False)
        summary = ", ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['type']}"
                            for e in problems[:3])
        if len(problems) > 3:
            summary += f", and {len(problems) - 3} more"
    raise ResponseMalformed(f"{operation_id}: reply has the wrong shape ({summary})",
                            status=status, code="wrong_shape")


def _model(model: type[M]) -> Callable[[str, Reply], M]:
    def parse(operation_id: str, reply: Reply) -> M:
        return _validated(operation_id, model, reply.json_object(operation_id), reply.status)
    return parse


def _items(model: type[M]) -> Callable[[str, Reply], list[M]]:
    envelope = m.ItemList[model]  # type: ignore[valid-type]

    def parse(operation_id: str, reply: Reply) -> list[M]:
        data = reply.json_object(operation_id)
        return list(_validated(operation_id, envelope, data, reply.status).items)
    return parse


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _nothing(operation_id: str, reply: Reply) -> None:
    return None


def _pdf(operation_id: str, reply: Reply) -> bytes:
    if not reply.body.startswith(b"%PDF-"):
        raise ResponseMalformed(f"{operation_id}: reply is not a PDF", status=reply.status,
                                code="not_pdf")
    return reply.body
