"""The models and the operations table cannot drift from openapi.yaml: both are checked against it."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, ValidationError

from kiosk.api import load_spec, models as m, schema
from kiosk.client import OPERATIONS, PlatformClient
from tests.client import samples

SPEC = load_spec()
COMPONENTS = SPEC["components"]["schemas"]

# Component schema -> its model. Every object schema in the spec must be here or in SKIPPED.
MODEL_FOR_SCHEMA: dict[str, type[BaseModel]] = {
    "Problem": m.Problem, "Health": m.Health, "Localized": m.Localized,
    "ServiceSummary": m.ServiceSummary, "Service": m.Service, "Material": m.Material,
    "IdNumberQuery": m.IdNumberQuery, "Citizen": m.Citizen, "ELicence": m.ELicence,
    "Applicant": m.Applicant, "Page": m.Page, "MaterialSubmission": m.MaterialSubmission,
    "Notifications": m.Notifications,
    "ApplicationCreate": m.ApplicationCreate, "SupplementCreate": m.SupplementCreate,
    "TimelineEntry": m.TimelineEntry, "Application": m.Application,
    "CollectRequest": m.CollectRequest, "Certificate": m.Certificate,
    "Verification": m.Verification, "PaymentCreate": m.PaymentCreate, "Payment": m.Payment,
    "Slot": m.Slot, "AppointmentCreate": m.AppointmentCreate, "Appointment": m.Appointment,
    "EvaluationCreate": m.EvaluationCreate, "Evaluation": m.Evaluation,
    "Heartbeat": m.Heartbeat, "HeartbeatAck": m.HeartbeatAck, "Event": m.Event,
    "EventBatch": m.EventBatch, "CitizenSessionOpen": m.CitizenSessionOpen,
    "CitizenSession": m.CitizenSession, "HolderCodeSent": m.HolderCodeSent,
    "HolderProof": m.HolderProof, "HolderVerified": m.HolderVerified,
    "ProgressTokenIssued": m.ProgressTokenIssued, "AuditHead": m.AuditHead,
    "AuditHeadSeries": m.AuditHeadSeries, "HelpRequestCreate": m.HelpRequestCreate,
    "HelpRequest": m.HelpRequest, "KioskCommand": m.KioskCommand,
    "KioskCommandList": m.KioskCommandList, "KioskCommandResult": m.KioskCommandResult,
    "KioskCommandRecorded": m.KioskCommandRecorded,
}
SKIPPED = {"OpaqueId", "ServiceId", "ReceiptNo", "VerificationCode", "IdNumber", "Audience",
           "ApplicationStatus", "ProgressToken",
           "IndicatorScore"}  # plain strings and integers, typed as Annotated/Literal aliases


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref and merge allOf, giving one object schema."""
    while "$ref" in node:
        node = COMPONENTS[node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node:
        merged: dict[str, Any] = {"properties": {}, "required": []}
        for part in node["allOf"]:
            part = resolve(part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"] += part.get("required", [])
        return merged
    return node


def inline(path: str, method: str, status: str) -> dict[str, Any]:
    content = SPEC["paths"][path][method]["responses"][status]["content"]
    return content["application/json"]["schema"]


INLINE: list[tuple[str, dict[str, Any], type[BaseModel]]] = [
    ("postEvents 202", inline("/kiosk/events", "post", "202"), m.EventBatchResult),
    ("AuditHeadSeries.items", COMPONENTS["AuditHeadSeries"]["properties"]["items"]["items"],
     m.ReportedHead),
    ("Application.promised_materials",
     COMPONENTS["Application"]["properties"]["promised_materials"]["items"], m.PromisedMaterial),
    ("Problem.errors", COMPONENTS["Problem"]["properties"]["errors"]["items"], m.ProblemError),
]
CASES = [(name, COMPONENTS[name], model) for name, model in MODEL_FOR_SCHEMA.items()] + INLINE


def field_names(model: type[BaseModel]) -> tuple[set[str], set[str]]:
    names = {f.alias or n for n, f in model.model_fields.items()}
    required = {f.alias or n for n, f in model.model_fields.items() if f.is_required()}
    return names, required


def test_every_object_schema_of_the_spec_has_a_model() -> None:
    assert set(COMPONENTS) == set(MODEL_FOR_SCHEMA) | SKIPPED, (
        "a schema was added to or removed from openapi.yaml: add its model to kiosk/api/models.py")


@pytest.mark.parametrize(("name", "node", "model"), CASES, ids=[c[0] for c in CASES])
def test_model_has_exactly_the_properties_and_required_fields_of_its_schema(
        name: str, node: dict[str, Any], model: type[BaseModel]) -> None:
    node = resolve(node)
    names, required = field_names(model)
    assert names == set(node["properties"]), name
    assert required == set(node.get("required", [])), name


def enum_of(node: dict[str, Any]) -> set[Any] | None:
    node = resolve(node) if "$ref" in node else node
    return set(node["enum"]) if "enum" in node else None


def model_enum(prop: dict[str, Any], defs: dict[str, Any]) -> set[Any] | None:
    while "$ref" in prop:
        prop = defs[prop["$ref"].rsplit("/", 1)[1]]
    for alt in prop.get("anyOf", []):
        found = model_enum(alt, defs)
        if found is not None:
            return found
    if "enum" in prop:
        return set(prop["enum"])
    if "const" in prop:
        return {prop["const"]}
    return None


@pytest.mark.parametrize(("name", "node", "model"), CASES, ids=[c[0] for c in CASES])
def test_model_enums_are_the_schema_enums(name: str, node: dict[str, Any],
                                          model: type[BaseModel]) -> None:
    generated = model.model_json_schema(by_alias=True)
    defs = generated.get("$defs", {})
    for prop_name, prop in resolve(node)["properties"].items():
        expected = enum_of(prop)
        if expected is not None:
            assert model_enum(generated["properties"][prop_name], defs) == expected, prop_name


def validator(name: str) -> jsonschema.Draft202012Validator:
    document = {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}
    return jsonschema.Draft202012Validator(document)


@pytest.mark.parametrize("name", sorted(samples.BY_SCHEMA))
def test_samples_are_true_to_the_spec_and_parse_and_dump_back_true(name: str) -> None:
    instance = samples.BY_SCHEMA[name]
    validator(name).validate(instance)
    parsed = MODEL_FOR_SCHEMA[name].model_validate(instance)
    dumped = parsed.model_dump(mode="json", by_alias=True, exclude_unset=True)
    validator(name).validate(dumped)


def test_replies_ignore_unknown_fields_but_require_required_ones() -> None:
    newer = {**samples.APPLICATION, "new_in_v2": {"anything": 1}}
    assert m.Application.model_validate(newer).receipt_no == "SL2026-000123"
    older = dict(samples.APPLICATION)
    del older["due_date"]  # required even though it may be null
    with pytest.raises(ValidationError):
        m.Application.model_validate(older)


def test_request_bodies_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        m.ApplicationCreate.model_validate({**samples.APPLICATION_CREATE, "sevice_id": "x"})
    body = m.ApplicationCreate.model_validate(samples.APPLICATION_CREATE).to_json()
    validator("ApplicationCreate").validate(body)


def test_validation_errors_never_quote_the_citizen() -> None:
    wrong = {**samples.APPLICATION_CREATE["applicant"], "id_number": samples.ID_NUMBER + "9"}
    with pytest.raises(ValidationError) as caught:
        m.Applicant.model_validate(wrong)
    assert samples.ID_NUMBER not in str(caught.value)


def test_schema_helper_still_names_the_same_components() -> None:
    assert schema("Application") is COMPONENTS["Application"]


# -- the operations table -------------------------------------------------------------------

def spec_operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    ops = {}
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            ops[op["operationId"]] = (method.upper(), path, op)
    return ops


def test_operations_table_is_the_spec_one_method_each() -> None:
    spec_ops = spec_operations()
    assert set(OPERATIONS) == set(spec_ops)
    for op_id, (method, path, op) in spec_ops.items():
        row = OPERATIONS[op_id]
        assert (row.http_method, row.path) == (method, path), op_id
        keyed = any(p.get("$ref", "").endswith("/IdempotencyKey") for p in op.get("parameters", []))
        assert row.keyed == keyed, op_id
        assert callable(getattr(PlatformClient, row.method_name, None)), row.method_name


def test_only_reads_and_keyed_calls_are_repeated() -> None:
    for op_id, (method, _path, op) in spec_operations().items():
        body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
        post_read = body.get("schema", {}).get("$ref", "").endswith("/IdNumberQuery")
        row = OPERATIONS[op_id]
        assert row.idempotent == (method in ("GET", "DELETE") or row.keyed or post_read), op_id
