"""Replies as the contract promises them, one per schema; test_models_contract checks each
against openapi.yaml with jsonschema, so the other tests feed the client only true replies."""

from __future__ import annotations

from typing import Any

ID_NUMBER = "11010519491231002X"  # a GB 11643-valid sample number, never to appear in text
NAME = "张三"

LOCALIZED = {"zh-CN": "居民身份证换领", "en": "ID card renewal"}

SERVICE_SUMMARY: dict[str, Any] = {
    "service_id": "id-card.renew", "name": LOCALIZED, "audience": "individual",
    "department": {"zh-CN": "公安局", "en": "Public Security Bureau"}, "fee_fen": 2000,
    "terminal_completable": False, "legal_limit_days": 60, "promised_limit_days": 15,
    "appointment": True,
}

MATERIAL = {
    "material_id": "photo", "name": {"zh-CN": "照片", "en": "Photo"}, "kind": "photo",
    "required": True, "pages_min": 1, "pages_max": 1, "elicence_kind": None, "may_promise": False,
}

SERVICE = {**SERVICE_SUMMARY, "description": LOCALIZED, "materials": [MATERIAL],
           "form_schema": {"type": "object", "properties": {"mobile": {"title": "手机"}}}}

ELICENCE = {"licence_id": "EL-1", "kind": "hukou", "title": "户口簿", "issuer": "公安局",
            "issued_on": "2020-01-02", "valid_until": None}

CITIZEN = {"known": True, "prefill": {"name": NAME, "mobile": "13800138000"},
           "elicences": [ELICENCE]}

TIMELINE_ENTRY = {"status": "accepted", "at": "2026-03-01T09:30:00+08:00",
                  "note": "已容缺受理，请按承诺时间补交材料：照片", "note_code": "accepted_with_promise",
                  "note_params": {"materials": "photo"}}

APPLICATION = {
    "receipt_no": "SL2026-000123", "service_id": "id-card.renew", "service_name": LOCALIZED,
    "status": "submitted", "acceptance": "with_promise",
    "promised_materials": [{"material_id": "photo", "promised_by": "2026-03-10",
                            "received": False}],
    "applicant_masked": "张* 110105********002X", "client_reference": "K01-0001",
    "submitted_at": "2026-03-01T09:30:00+08:00", "due_date": "2026-03-20",
    "timeline": [TIMELINE_ENTRY], "certificate_ids": [], "fee_fen": 2000, "paid": False,
}

CERTIFICATE = {
    "certificate_id": "C-1", "receipt_no": "SL2026-000123", "title": "营业执照",
    "holder_masked": "张*", "issuer": "市场监督管理局", "issued_at": "2026-03-05T10:00:00+08:00",
    "verification_code": "AB12-CD34-EF56-GH78", "collected_at": None, "print_count": 0,
}

VERIFICATION = {
    "verification_code": "AB12-CD34-EF56-GH78", "status": "valid", "title": "营业执照",
    "holder_masked": "张*", "issuer": "市场监督管理局", "issued_at": "2026-03-05T10:00:00+08:00",
}

PAYMENT = {
    "payment_id": "P-1", "receipt_no": "SL2026-000123", "amount_fen": 2000, "status": "pending",
    "qr_content": "https://pay.example/q/P-1", "expires_at": "2026-03-01T09:45:00+08:00",
    "paid_at": None,
}

SLOT = {"slot_id": "S-1", "service_id": "id-card.renew", "hall": "市民中心 A 区",
        "starts_at": "2026-03-02T09:00:00+08:00", "ends_at": "2026-03-02T09:30:00+08:00",
        "capacity": 10, "remaining": 3}

APPOINTMENT = {"appointment_id": "A-1", "booking_code": "123456", "service_id": "id-card.renew",
               "slot": SLOT, "status": "booked", "holder_masked": "张*"}

EVALUATION = {"evaluation_id": "E-1", "receipt_no": "SL2026-000123", "score": 5,
              "efficiency": 4, "competence": 5, "attitude": 3,
              "comment": "", "created_at": "2026-03-01T10:00:00+08:00"}

HEARTBEAT_ACK = {"server_time": "2026-03-01T10:00:00+08:00"}
EVENT_RESULT = {"accepted": 2, "duplicates": 0}
HEALTH = {"status": "ok", "version": "1.0.0"}
PROBLEM = {"type": "about:blank", "title": "Not found", "status": 404, "code": "not_found",
           "errors": [{"path": "/x", "message": "no such thing"}]}

APPLICATION_CREATE = {
    "service_id": "id-card.renew",
    "applicant": {"id_kind": "resident", "id_number": ID_NUMBER, "name": NAME,
                  "mobile": "13800138000"},
    "form": {"mobile": "13800138000"},
    "materials": [{"material_id": "photo", "source": "scan",
                   "pages": [{"media_type": "image/jpeg", "content": "/9j/4AAQ"}]},
                  {"material_id": "hukou", "source": "promised", "promised_by": "2026-03-10"}],
    "client_reference": "K01-0001",
}

HEARTBEAT = {"health": "ok", "versions": {"app": "0.1.0"}, "outbox_depth": 0, "paper": "ok",
             "devices": {"printer": "online"}, "audit_head": {"seq": 42, "hash": "ab" * 32}}
AUDIT_HEADS = {"items": [{"seq": 42, "hash": "ab" * 32,
                          "first_seen": "2026-03-01T10:00:00+08:00"}],
               "more": False, "alerts": 0}

HELP_REQUEST_CREATE = {"screen": "apply_form", "journey": "apply", "step": 3, "steps": 6,
                       "raised_at": "2026-03-01T10:00:00+08:00"}
HELP_REQUEST = {"help_request_id": "H0123456789", **HELP_REQUEST_CREATE,
                "received_at": "2026-03-01T10:00:01+08:00", "status": "acknowledged",
                "acknowledged_at": "2026-03-01T10:01:00+08:00", "acknowledged_by": "S0001"}

KIOSK_COMMANDS = {"items": [{"command_id": "C0123456789", "payload": "eyJhIjoxfQ",
                             "signature": "c2lnbmF0dXJl"}]}
COMMAND_RESULT = {"outcome": "executed"}
COMMAND_RECORDED = {"command_id": "C0123456789", "outcome": "executed",
                    "recorded_at": "2026-03-01T10:00:02+08:00"}

EVENT_BATCH = {"events": [{"event_id": "0b7f1c1e-8d5a-4a53-9b0e-2f7d8f0e1a11",
                           "at": "2026-03-01T10:00:00+08:00", "kind": "printer.paper_low",
                           "severity": "warning", "detail": {"remaining_pct": 10}}]}

CITIZEN_SESSION = {"session_id": "CS0123456789ABCDEFGHJK", "token": "t" * 43,
                   "holder_verified": False, "expires_at": "2026-03-01T11:00:00+08:00",
                   "idle_timeout_s": 900, "citizen_masked": "110101********123X",
                   "holder_factors": [{"factor": "card_pin"},
                                      {"factor": "sms_code", "to": "138****0001"}],
                   "card_challenge": "c" * 43}
HOLDER_VERIFIED = {**{k: v for k, v in CITIZEN_SESSION.items()
                      if k not in ("token", "card_challenge")},
                   "holder_verified": True, "filing_grant": "g" * 43,
                   "filing_grant_expires_at": "2026-03-08T10:00:00+08:00"}
HOLDER_CODE_SENT = {"factor": "sms_code", "to": "138****0001", "expires_in_s": 300,
                    "sends_left": 2}

# schema name in openapi.yaml -> a valid instance
BY_SCHEMA: dict[str, dict[str, Any]] = {
    "Localized": LOCALIZED, "ServiceSummary": SERVICE_SUMMARY, "Service": SERVICE,
    "Material": MATERIAL, "ELicence": ELICENCE, "Citizen": CITIZEN,
    "TimelineEntry": TIMELINE_ENTRY, "Application": APPLICATION, "Certificate": CERTIFICATE,
    "Verification": VERIFICATION, "Payment": PAYMENT, "Slot": SLOT, "Appointment": APPOINTMENT,
    "Evaluation": EVALUATION, "HeartbeatAck": HEARTBEAT_ACK, "Health": HEALTH,
    "Problem": PROBLEM, "ApplicationCreate": APPLICATION_CREATE, "Heartbeat": HEARTBEAT,
    "EventBatch": EVENT_BATCH, "CitizenSession": CITIZEN_SESSION,
    "HolderVerified": HOLDER_VERIFIED, "HolderCodeSent": HOLDER_CODE_SENT,
    "CitizenSessionOpen": {"id_number": "110101199003071233", "evidence": "id_card"},
    "HolderProof": {"factor": "sms_code", "code": "123456"},
    "ProgressTokenIssued": {"progress_token": "0123456789ABCDEFGHJKMNPQRS"},
    "AuditHead": {"seq": 42, "hash": "ab" * 32}, "AuditHeadSeries": AUDIT_HEADS,
    "HelpRequestCreate": HELP_REQUEST_CREATE, "HelpRequest": HELP_REQUEST,
}
