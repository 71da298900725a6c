"""Forms arrive filled from the card and the platform, with nothing the citizen must correct."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.forms import UnsupportedForm, prefill, validate_form
from kiosk.refplatform.seed import load_citizens
from tests.forms.conftest import FORMS

CITIZENS = load_citizens()


def _card(id_number: str) -> dict:
    """What the ID card reader gives for a demo citizen (the card agrees with the platform)."""
    known = CITIZENS[id_number]["prefill"]
    card = {"id_number": id_number, "name": known["name"], "gender": known["gender"],
            "birth_date": dt.date.fromisoformat(known["birth_date"])}
    if "address" in known:
        card["address"] = known["address"]
    return card


@pytest.mark.parametrize("id_number, service, expected", [
    ("110101199003071233", "nurse-practice-registration",
     {"employer": "上海示范医院", "mobile": "13800000001", "email": "ceshi.yangli@example.com"}),
    ("110101199003071233", "residence-permit-endorsement",
     {"residence_address": "上海市徐汇区示例路100弄2号301室", "employer": "上海示范医院",
      "mobile": "13800000001"}),
    ("310101198801010024", "individual-business-registration", {"mobile": "13900000002"}),
    ("650102195211300049", "senior-citizen-card",
     {"address": "新疆维吾尔自治区乌鲁木齐市天山区样例路二十号院三单元四〇一室",
      "mobile": "13700000003"}),
    ("650102195211300049", "housing-fund-deposit-certificate", {}),
])
def test_demo_citizens_prefill_the_expected_fields(id_number, service, expected) -> None:
    result = prefill(FORMS[service], identity_fields=_card(id_number),
                     lookup_prefill=CITIZENS[id_number]["prefill"])
    assert result == expected
    errors = validate_form(FORMS[service], result, "zh-CN")
    assert all(m == "此项必填" for m in errors.values())  # only what is still to be typed


def test_every_demo_citizen_prefills_every_form_with_valid_values_only() -> None:
    for id_number, citizen in CITIZENS.items():
        for schema in FORMS.values():
            result = prefill(schema, identity_fields=_card(id_number),
                             lookup_prefill=citizen["prefill"])
            assert set(result) <= set(schema["properties"])
            errors = validate_form(schema, result, "en")
            assert all(m == "This field is required" for m in errors.values()), errors
            assert not set(errors) & set(result)


SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["name", "id_number"],
    "properties": {
        "name": {"type": "string", "title": "姓名", "minLength": 2, "maxLength": 15},
        "id_number": {"type": "string", "title": "身份证号码", "pattern": "^[0-9]{17}[0-9X]$"},
        "birth_date": {"type": "string", "title": "出生日期", "format": "date"},
        "address": {"type": "string", "title": "住址", "minLength": 5, "maxLength": 120},
        "mobile": {"type": "string", "title": "手机", "pattern": "^1[3-9][0-9]{9}$"},
        "employer": {"type": "string", "title": "单位", "minLength": 4, "maxLength": 80},
        "employees": {"type": "integer", "title": "人数", "minimum": 1},
        "delivery": {"type": "string", "title": "领取方式", "enum": ["窗口领取", "邮寄送达"]},
    },
}


def test_the_card_wins_for_who_the_citizen_is_and_the_platform_for_the_rest() -> None:
    card = {"name": "卡上姓名", "id_number": "11010119900307123x", "birth_date": dt.date(1990, 3, 7),
            "address": "卡上的户籍地址一号", "mobile": "13800000009"}
    lookup = {"name": "平台姓名", "id_number": "110101199003071234", "birth_date": "1990-03-08",
              "address": "平台的现住地址二号", "mobile": "13800000001", "employees": "12",
              "gender": "男"}
    assert prefill(SCHEMA, identity_fields=card, lookup_prefill=lookup) == {
        "name": "卡上姓名", "id_number": "11010119900307123X", "birth_date": "1990-03-07",
        "address": "平台的现住地址二号", "mobile": "13800000001", "employees": 12}


def test_garbage_is_never_prefilled() -> None:
    lookup = {"mobile": "010-12345678", "employer": "医院", "employees": "many",
              "delivery": "快递", "address": "x", "birth_date": "1990-02-30"}
    assert prefill(SCHEMA, identity_fields={}, lookup_prefill=lookup) == {}


def test_an_invalid_card_value_falls_back_to_a_valid_platform_one() -> None:
    card = {"name": "SPECIMEN-EXAMPLE, ALEXANDRA MARGARET TESTER"}  # longer than the field allows
    assert prefill(SCHEMA, identity_fields=card, lookup_prefill={"name": "样例亚历山德拉"}) == {
        "name": "样例亚历山德拉"}


def test_unrenderable_forms_are_refused_here_too() -> None:
    schema = {**SCHEMA, "properties": {**SCHEMA["properties"], "x": {"type": "object"}}}
    with pytest.raises(UnsupportedForm):
        prefill(schema, identity_fields={}, lookup_prefill={})
