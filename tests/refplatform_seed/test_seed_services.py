"""The seed catalogue is what the kiosk will show: every service must be a valid `Service` of the
contract, and every application form one the kiosk can render and the platform can check."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from kiosk.api import load_spec
from kiosk.refplatform.seed import load_citizens, load_examples, load_services
from tests.refplatform_seed.contract import contract_validator, errors_of

SERVICES = load_services()
BY_ID = {s["service_id"]: s for s in SERVICES}
NAMED = {  # the services the demo scripts walk through, by their Chinese catalogue name
    "护士执业注册", "个体工商户设立登记", "既有住宅加装电梯", "社会保险参保缴费证明打印",
    "不动产登记信息查询", "公共场所卫生许可",
}
MOBILE_RE = r"^1[3-9][0-9]{9}$"


def form_validator(service: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(service["form_schema"],
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def by_id(params: list[dict[str, Any]]) -> list[Any]:
    return [pytest.param(s, id=s["service_id"]) for s in params]


def test_catalogue_is_large_and_varied_enough_for_a_demo() -> None:
    assert len(SERVICES) >= 14
    assert {s["audience"] for s in SERVICES} == {"individual", "enterprise"}
    assert any(s["fee_fen"] > 0 for s in SERVICES), "no service with a fee (工本费)"
    assert any(s["terminal_completable"] for s in SERVICES)
    assert any(not s["terminal_completable"] for s in SERVICES)
    assert any(s.get("appointment") for s in SERVICES)
    materials = [m for s in SERVICES for m in s["materials"]]
    assert any(m["may_promise"] for m in materials), "no material may be promised (容缺)"
    assert any(m["elicence_kind"] for m in materials), "no material replaced by an e-licence"


def test_the_named_services_are_present() -> None:
    names = {s["name"]["zh-CN"] for s in SERVICES}
    assert NAMED <= names, f"missing: {sorted(NAMED - names)}"


def test_service_ids_are_unique_stable_slugs() -> None:
    ids = [s["service_id"] for s in SERVICES]
    assert len(ids) == len(set(ids))
    for sid in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", sid), sid


@pytest.mark.parametrize("service", by_id(SERVICES))
def test_service_is_valid_against_the_contract(service: dict[str, Any]) -> None:
    assert errors_of(contract_validator("Service"), service) == []


@pytest.mark.parametrize("service", by_id(SERVICES))
def test_service_has_no_field_the_contract_does_not_define(service: dict[str, Any]) -> None:
    # ServiceSummary allows extra properties, so a typo ("fee_yuan") would pass the schema.
    schemas = load_spec()["components"]["schemas"]
    known = set(schemas["ServiceSummary"]["properties"])
    for part in schemas["Service"]["allOf"]:
        known |= set(part.get("properties", {}))
    assert set(service) <= known, sorted(set(service) - known)


@pytest.mark.parametrize("service", by_id(SERVICES))
def test_materials_are_coherent(service: dict[str, Any]) -> None:
    ids = [m["material_id"] for m in service["materials"]]
    assert len(ids) == len(set(ids))
    for m in service["materials"]:
        assert m["pages_min"] <= m["pages_max"], m["material_id"]
        # Promising to hand in later (容缺) only means something for a required material.
        assert not m["may_promise"] or m["required"], m["material_id"]
    assert service["promised_limit_days"] <= service["legal_limit_days"]


@pytest.mark.parametrize("service", by_id(SERVICES))
def test_form_schema_is_a_renderable_draft_2020_12_schema(service: dict[str, Any]) -> None:
    schema = service["form_schema"]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    props = schema["properties"]
    assert 3 <= len(props) <= 8
    assert set(schema["required"]) <= set(props)
    for name, prop in props.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert re.search(r"[\u4e00-\u9fff]", prop["title"]), f"{name}: label not in Chinese"
        assert prop["x-title-en"], name
        choices = prop.get("items", prop)
        if "enum" in choices:
            assert len(choices["x-enum-en"]) == len(choices["enum"]), name
        if name == "mobile" or name.endswith("_mobile"):
            assert prop["pattern"] == MOBILE_RE, name


def test_every_service_has_an_example_and_no_example_is_orphaned() -> None:
    examples = load_examples()
    assert set(examples) == set(BY_ID)
    assert all(examples[sid] for sid in BY_ID)


@pytest.mark.parametrize("service", by_id(SERVICES))
def test_examples_fill_the_form_validly(service: dict[str, Any]) -> None:
    validator = form_validator(service)
    for example in load_examples()[service["service_id"]]:
        assert errors_of(validator, example) == []


@pytest.mark.parametrize("service", by_id(SERVICES))
def test_form_rejects_what_a_citizen_might_get_wrong(service: dict[str, Any]) -> None:
    """The forms really constrain: a missing required field, a stray field, a bad phone number."""
    validator = form_validator(service)
    example = load_examples()[service["service_id"]][0]
    for field in service["form_schema"]["required"]:
        broken = {k: v for k, v in example.items() if k != field}
        assert not validator.is_valid(broken), f"accepted without {field}"
    assert not validator.is_valid({**example, "unexpected_field": "x"})
    if "mobile" in service["form_schema"]["properties"]:
        for bad in ("12345678901", "1380000000", "138000000011", "１３８００００００１"):
            assert not validator.is_valid({**example, "mobile": bad}), bad


def test_format_checking_is_on_for_dates() -> None:
    service = BY_ID["birth-registration"]
    example = copy.deepcopy(load_examples()["birth-registration"][0])
    example["expected_date"] = "2027-02-30"
    assert not form_validator(service).is_valid(example)


def test_elicence_kinds_asked_for_are_held_by_some_demo_citizen() -> None:
    held = {lic["kind"] for c in load_citizens().values() for lic in c["elicences"]}
    asked = {m["elicence_kind"] for s in SERVICES for m in s["materials"] if m["elicence_kind"]}
    assert asked <= held, f"no demo citizen holds: {sorted(asked - held)}"


def test_prefill_fits_the_forms_that_use_it() -> None:
    """A prefilled value the citizen does not touch must not make the form invalid."""
    for number, citizen in load_citizens().items():
        for service in SERVICES:
            props = service["form_schema"]["properties"]
            for key, value in citizen["prefill"].items():
                if key in props:
                    sub = Draft202012Validator(props[key],
                                               format_checker=Draft202012Validator.FORMAT_CHECKER)
                    assert sub.is_valid(value), (service["service_id"], key, number[:4])
