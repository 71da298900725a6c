"""Every catalogue form can be drawn, in both languages; forms we cannot draw are refused by path."""

from __future__ import annotations

import copy

import pytest

from kiosk.forms import UnsupportedForm, form_fields
from tests.forms.conftest import FORMS


def test_the_catalogue_has_eighteen_forms() -> None:
    assert len(FORMS) == 18


def test_every_seed_form_renders_in_both_languages(service_form) -> None:
    _, schema = service_form
    zh = form_fields(schema, "zh-CN")
    en = form_fields(schema, "en")
    assert [f.name for f in zh] == list(schema["properties"])  # schema order
    assert [f.name for f in en] == [f.name for f in zh]
    for f_zh, f_en in zip(zh, en):
        prop = schema["properties"][f_zh.name]
        assert f_zh.label == prop["title"]
        assert f_en.label == prop["x-title-en"]
        assert f_zh.required == f_en.required == (f_zh.name in schema.get("required", []))
        assert f_zh.kind == f_en.kind and f_zh.keyboard == f_en.keyboard
        assert len(f_zh.options) == len(f_en.options)
        if f_zh.kind in ("choice", "multichoice"):
            source = prop["items"] if f_zh.kind == "multichoice" else prop
            assert [v for v, _ in f_zh.options] == source["enum"]
            assert [label for _, label in f_zh.options] == source["enum"]
            assert [label for _, label in f_en.options] == source["x-enum-en"]
            assert f_zh.keyboard == "none"


def _field(service: str, name: str, language: str = "zh-CN"):
    return next(f for f in form_fields(FORMS[service], language) if f.name == name)


@pytest.mark.parametrize("service, name, kind, keyboard", [
    ("nurse-practice-registration", "mobile", "phone", "digits"),
    ("nurse-practice-registration", "email", "email", "letters"),
    ("nurse-practice-registration", "employer", "text", "pinyin"),
    ("nurse-practice-registration", "employer_credit_code", "text", "letters"),
    ("nurse-practice-registration", "practice_field", "choice", "none"),
    ("individual-business-registration", "business_scope", "multiline", "pinyin"),
    ("individual-business-registration", "employees", "integer", "digits"),
    ("public-place-hygiene-licence", "floor_area_m2", "number", "digits"),
    ("birth-registration", "spouse_id_number", "text", "digits"),
    ("birth-registration", "expected_date", "date", "digits"),
    ("flexible-employment-insurance", "insurance_types", "multichoice", "none"),
    ("flexible-employment-insurance", "bank_account", "text", "digits"),
    ("flexible-employment-insurance", "start_month", "text", "digits"),
    ("food-business-licence", "online_sales", "boolean", "none"),
])
def test_kind_and_keyboard_follow_the_schema(service, name, kind, keyboard) -> None:
    field = _field(service, name)
    assert (field.kind, field.keyboard) == (kind, keyboard)


def test_limits_and_boolean_options_are_carried() -> None:
    floors = _field("residential-lift-installation", "floors")
    assert (floors.minimum, floors.maximum) == (2, 11)
    scope = _field("individual-business-registration", "business_scope")
    assert (scope.min_length, scope.max_length) == (2, 200)
    assert _field("food-business-licence", "online_sales", "en").options == (
        (True, "Yes"), (False, "No"))
    assert _field("flexible-employment-insurance", "insurance_types").min_items == 1


def test_description_becomes_help_text_in_the_citizens_language() -> None:
    schema = copy.deepcopy(FORMS["birth-registration"])
    schema["properties"]["hospital"]["description"] = "如尚未分娩可不填"
    schema["properties"]["hospital"]["x-description-en"] = "Leave empty before the birth"
    zh = {f.name: f for f in form_fields(schema, "zh-CN")}
    en = {f.name: f for f in form_fields(schema, "en")}
    assert zh["hospital"].help == "如尚未分娩可不填"
    assert en["hospital"].help == "Leave empty before the birth"
    assert zh["mobile"].help is None


def _with(**props):
    schema = copy.deepcopy(FORMS["housing-fund-deposit-certificate"])
    schema["properties"].update(props)
    return schema


@pytest.mark.parametrize("schema, path", [
    (_with(contact={"type": "object", "properties": {"tel": {"type": "string"}}}),
     "/properties/contact (nested object)"),
    (_with(addr={"$ref": "#/$defs/address"}), "/properties/addr/$ref"),
    (_with(addr={"type": "string", "$ref": "#/$defs/address"}), "/properties/addr/$ref"),
    (_with(choice={"type": "string", "oneOf": [{"const": "a"}]}), "/properties/choice/oneOf"),
    (_with(rows={"type": "array", "items": {"type": "object"}}), "/properties/rows/items"),
    (_with(at={"type": "string", "format": "date-time"}), "/properties/at/format"),
    (_with(maybe={"type": ["string", "null"]}), "/properties/maybe/type"),
    (_with(kind={"type": "string", "enum": ["a", "b"], "x-enum-en": ["A"]}),
     "/properties/kind/x-enum-en"),
])
def test_unrenderable_schemas_are_refused_with_their_paths(schema, path) -> None:
    with pytest.raises(UnsupportedForm) as caught:
        form_fields(schema, "zh-CN")
    assert any(p.startswith(path) for p in caught.value.paths), caught.value.paths
    assert path.split(" ")[0] in str(caught.value)


def test_every_problem_is_listed_at_once() -> None:
    schema = _with(a={"type": "object"}, b={"$ref": "#/x"})
    schema["required"] = [*schema["required"], "ghost"]
    schema["allOf"] = [{"required": ["a"]}]
    with pytest.raises(UnsupportedForm) as caught:
        form_fields(schema, "en")
    paths = " ".join(caught.value.paths)
    for where in ("/properties/a", "/properties/b", "/required", "/allOf"):
        assert where in paths


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        form_fields(FORMS["birth-registration"], "fr")
