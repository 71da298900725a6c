"""Every operation against a real HTTP server: the request the platform sees and the typed result."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest

import kiosk
from kiosk.api import models as m
from kiosk.client import OPERATIONS, PlatformClient
from tests.client import samples
from tests.client.conftest import CREDENTIAL, KIOSK_ID
from tests.client.fake_platform import FakePlatform, Script

KEY = "6f1c2a9e-0b7d-4c1e-9a55-3c2e1d0f7a11"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# method, args, kwargs, reply, expected request (method, path), expected body, result check
CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any], Any, str, Any, type | None]] = [
    ("health", (), {}, samples.HEALTH, "GET /api/v1/health", None, m.Health),
    ("list_services", (), {"audience": "individual", "terminal_only": True},
     {"items": [samples.SERVICE_SUMMARY]},
     "GET /api/v1/catalogue/services?audience=individual&terminal_only=true", None, list),
    ("get_service", ("id-card.renew",), {}, samples.SERVICE,
     "GET /api/v1/catalogue/services/id-card.renew", None, m.Service),
    ("open_citizen_session", (samples.ID_NUMBER, "id_card"), {}, samples.CITIZEN_SESSION,
     "POST /api/v1/citizen-sessions", {"id_number": samples.ID_NUMBER, "evidence": "id_card"},
     m.CitizenSession),
    ("get_citizen_session", (), {}, samples.CITIZEN_SESSION,
     "GET /api/v1/citizen-sessions/current", None, m.CitizenSession),
    ("send_holder_code", (), {}, samples.HOLDER_CODE_SENT,
     "POST /api/v1/citizen-sessions/current/holder-code", None, m.HolderCodeSent),
    ("verify_holder", ("123456",), {}, samples.HOLDER_VERIFIED,
     "POST /api/v1/citizen-sessions/current/holder", {"factor": "sms_code", "code": "123456"},
     m.HolderVerified),
    ("lookup_citizen", (samples.ID_NUMBER,), {}, samples.CITIZEN, "POST /api/v1/citizens/lookup",
     {"id_number": samples.ID_NUMBER}, m.Citizen),
    ("create_application", (samples.APPLICATION_CREATE, KEY), {}, samples.APPLICATION,
     "POST /api/v1/applications", samples.APPLICATION_CREATE, m.Application),
    ("query_applications", (samples.ID_NUMBER,), {}, {"items": [samples.APPLICATION]},
     "POST /api/v1/applications/query", {"id_number": samples.ID_NUMBER}, list),
    ("get_application", ("SL2026-000123",), {}, samples.APPLICATION,
     "GET /api/v1/applications/SL2026-000123", None, m.Application),
    ("issue_progress_token", ("SL2026-000123",), {},
     {"progress_token": "0123456789ABCDEFGHJKMNPQRS"},
     "POST /api/v1/applications/SL2026-000123/progress-token", None, str),
    ("get_progress", ("0123456789ABCDEFGHJKMNPQRS",), {}, samples.APPLICATION,
     "GET /api/v1/progress/0123456789ABCDEFGHJKMNPQRS", None, m.Application),
    ("supplement_application",
     ("SL2026-000123", {"materials": [{"material_id": "hukou", "source": "elicence",
                                       "elicence_id": "EL-1"}]}, KEY), {},
     samples.APPLICATION, "POST /api/v1/applications/SL2026-000123/supplements",
     {"materials": [{"material_id": "hukou", "source": "elicence", "elicence_id": "EL-1"}]},
     m.Application),
    ("query_certificates", (samples.ID_NUMBER,), {}, {"items": [samples.CERTIFICATE]},
     "POST /api/v1/certificates/query", {"id_number": samples.ID_NUMBER}, list),
    ("collect_certificate", ("C-1", KEY), {"reprint_reason": "卡纸重打"}, samples.CERTIFICATE,
     "POST /api/v1/certificates/C-1/collect", {"reprint_reason": "卡纸重打"}, m.Certificate),
    ("verify_certificate", ("AB12-CD34-EF56-GH78",), {}, samples.VERIFICATION,
     "GET /api/v1/verify/AB12-CD34-EF56-GH78", None, m.Verification),
    ("create_payment", ("SL2026-000123", KEY), {}, samples.PAYMENT, "POST /api/v1/payments",
     {"receipt_no": "SL2026-000123"}, m.Payment),
    ("get_payment", ("P-1",), {}, samples.PAYMENT, "GET /api/v1/payments/P-1", None, m.Payment),
    ("list_slots", ("id-card.renew", date(2026, 3, 2), "2026-03-06"), {}, {"items": [samples.SLOT]},
     "GET /api/v1/appointments/slots?service_id=id-card.renew&date_from=2026-03-02"
     "&date_to=2026-03-06", None, list),
    ("book_appointment", ({"slot_id": "S-1", "service_id": "id-card.renew",
                           "applicant": samples.APPLICATION_CREATE["applicant"]}, KEY), {},
     samples.APPOINTMENT, "POST /api/v1/appointments",
     {"slot_id": "S-1", "service_id": "id-card.renew",
      "applicant": samples.APPLICATION_CREATE["applicant"]}, m.Appointment),
    ("query_appointments", (samples.ID_NUMBER,), {}, {"items": [samples.APPOINTMENT]},
     "POST /api/v1/appointments/query", {"id_number": samples.ID_NUMBER}, list),
    ("cancel_appointment", ("A-1",), {}, {**samples.APPOINTMENT, "status": "cancelled"},
     "POST /api/v1/appointments/A-1/cancel", None, m.Appointment),
    ("create_evaluation", ({"receipt_no": "SL2026-000123", "score": 5}, KEY), {},
     samples.EVALUATION, "POST /api/v1/evaluations", {"receipt_no": "SL2026-000123", "score": 5},
     m.Evaluation),
    ("post_heartbeat", (m.Heartbeat.model_validate(samples.HEARTBEAT),), {},
     samples.HEARTBEAT_ACK, "POST /api/v1/kiosk/heartbeat", samples.HEARTBEAT, m.HeartbeatAck),
    ("audit_heads", (43,), {}, samples.AUDIT_HEADS, "GET /api/v1/kiosk/audit-heads?since_seq=43",
     None, m.AuditHeadSeries),
    ("raise_help_request", (samples.HELP_REQUEST_CREATE, KEY), {}, samples.HELP_REQUEST,
     "POST /api/v1/kiosk/help-requests", samples.HELP_REQUEST_CREATE, m.HelpRequest),
    ("get_help_request", ("H0123456789",), {}, samples.HELP_REQUEST,
     "GET /api/v1/kiosk/help-requests/H0123456789", None, m.HelpRequest),
    ("kiosk_commands", (), {}, samples.KIOSK_COMMANDS, "GET /api/v1/kiosk/commands", None,
     m.KioskCommandList),
    ("post_command_result", ("C0123456789", samples.COMMAND_RESULT), {},
     samples.COMMAND_RECORDED, "POST /api/v1/kiosk/commands/C0123456789/result",
     samples.COMMAND_RESULT, m.KioskCommandRecorded),
    ("post_events", (samples.EVENT_BATCH,), {}, samples.EVENT_RESULT, "POST /api/v1/kiosk/events",
     samples.EVENT_BATCH, m.EventBatchResult),
]


def test_every_client_method_is_exercised_here() -> None:
    covered = {c[0] for c in CALLS} | {"certificate_document", "end_citizen_session"}
    assert covered == {op.method_name for op in OPERATIONS.values()}


@pytest.mark.parametrize(("name", "args", "kwargs", "reply", "request_line", "body", "result"),
                         CALLS, ids=[c[0] for c in CALLS])
def test_operation_sends_the_contract_request_and_returns_a_typed_result(
        platform: FakePlatform, client: PlatformClient, name: str, args: tuple[Any, ...],
        kwargs: dict[str, Any], reply: Any, request_line: str, body: Any,
        result: type | None) -> None:
    platform.json(reply, status=201 if name.startswith(("create", "book")) else 200)
    got = getattr(client, name)(*args, **kwargs)
    assert isinstance(got, result)
    if result is list:
        assert len(got) == 1 and isinstance(got[0], m.Reply)
    [seen] = platform.requests
    assert f"{seen.method} {seen.path}" == request_line
    if body is None:
        assert seen.body in (b"", b"{}")
    else:
        assert seen.json() == body
        assert seen.headers["Content-Type"] == "application/json"
    op = next(o for o in OPERATIONS.values() if o.method_name == name)
    assert seen.headers.get("Idempotency-Key") == (KEY if op.keyed else None)


def test_every_call_carries_basic_auth_and_the_user_agent(platform: FakePlatform,
                                                          client: PlatformClient) -> None:
    platform.json(samples.HEALTH)
    platform.json(samples.CITIZEN)
    platform.reply(Script(body=PDF, headers={"Content-Type": "application/pdf"}))
    platform.problem(404, "not_found")
    client.health()
    client.lookup_citizen(samples.ID_NUMBER)
    client.certificate_document("C-1")
    with pytest.raises(Exception):
        client.get_payment("P-404")
    expected = "Basic " + base64.b64encode(f"{KIOSK_ID}:{CREDENTIAL}".encode()).decode()
    assert len(platform.requests) == 4
    for seen in platform.requests:
        assert seen.headers["Authorization"] == expected
        assert seen.headers["User-Agent"] == f"govkiosk/{kiosk.__version__} ({KIOSK_ID})"


def test_kiosk_id_defaults_to_the_terminal_id(platform: FakePlatform, make_client: Any) -> None:
    client = make_client(platform.url, kiosk_id="")
    platform.json(samples.HEALTH)
    client.health()
    auth = base64.b64decode(platform.requests[0].headers["Authorization"].split()[1]).decode()
    assert auth == f"T-1:{CREDENTIAL}"


def test_certificate_document_returns_the_pdf_bytes(platform: FakePlatform,
                                                    client: PlatformClient) -> None:
    platform.reply(Script(body=PDF, headers={"Content-Type": "application/pdf"}))
    assert client.certificate_document("C-1") == PDF
    assert platform.requests[0].path == "/api/v1/certificates/C-1/document"
    assert "application/pdf" in platform.requests[0].headers["Accept"]


def test_path_values_are_escaped_not_spliced(platform: FakePlatform,
                                            client: PlatformClient) -> None:
    platform.problem(404, "not_found")
    with pytest.raises(Exception):
        client.get_application("../kiosk/heartbeat")
    assert platform.requests[0].path == "/api/v1/applications/..%2Fkiosk%2Fheartbeat"


def test_models_are_sent_as_the_contract_spells_them(platform: FakePlatform,
                                                     client: PlatformClient) -> None:
    platform.json(samples.APPLICATION, status=201)
    body = m.ApplicationCreate.model_validate(samples.APPLICATION_CREATE)
    client.create_application(body, KEY)
    assert platform.requests[0].json() == samples.APPLICATION_CREATE
    platform.json(samples.CERTIFICATE)
    client.collect_certificate("C-1", KEY)
    assert platform.requests[1].json() == {}


def test_an_idempotency_key_is_required_for_creations(platform: FakePlatform,
                                                      client: PlatformClient) -> None:
    for bad in ("", "short", "has space in it!!!!!!"):
        with pytest.raises(ValueError):
            client.create_payment("SL2026-000123", bad)
    assert platform.requests == []


def test_a_replayed_creation_is_just_the_result(platform: FakePlatform,
                                                client: PlatformClient) -> None:
    platform.json(samples.PAYMENT, status=200, headers={"Idempotent-Replayed": "true"})
    assert client.create_payment("SL2026-000123", KEY).payment_id == "P-1"


def test_connections_are_reused(platform: FakePlatform, client: PlatformClient) -> None:
    for _ in range(3):
        platform.json(samples.HEALTH)
        client.health()
    assert len({seen.client_port for seen in platform.requests}) == 1


def test_a_json_reply_may_be_compressed(platform: FakePlatform, client: PlatformClient) -> None:
    import gzip

    platform.reply(Script(body=gzip.compress(json.dumps(samples.HEALTH).encode()),
                          headers={"Content-Type": "application/json",
                                   "Content-Encoding": "gzip"}))
    assert client.health().status == "ok"


def test_a_citizen_bound_client_carries_its_session_and_the_terminal_client_does_not(
        platform: FakePlatform, client: PlatformClient) -> None:
    token, grant = "t" * 43, "g" * 43
    platform.json({"items": []})
    platform.json({"items": []})
    platform.reply(Script(status=204, body=b""))
    citizen = client.for_citizen(token)
    citizen.query_applications(samples.ID_NUMBER)
    client.query_applications(samples.ID_NUMBER)
    citizen.end_citizen_session()
    first, second, ended = platform.requests
    assert first.headers.get("Citizen-Session") == token
    assert "Citizen-Session" not in second.headers and "Filing-Grant" not in second.headers
    assert f"{ended.method} {ended.path}" == "DELETE /api/v1/citizen-sessions/current"
    assert ended.headers.get("Citizen-Session") == token
    platform.json(samples.APPLICATION)
    client.for_citizen(grant=grant).create_application(samples.APPLICATION_CREATE, KEY)
    assert platform.requests[-1].headers.get("Filing-Grant") == grant
    assert "Citizen-Session" not in platform.requests[-1].headers
