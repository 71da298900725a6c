"""What the citizen types is turned into JSON values, and what is wrong is said in their language."""

from __future__ import annotations

import copy
import subprocess
import sys

import pytest

from kiosk.forms import form_fields, validate_field, validate_form
from tests.forms.conftest import EXAMPLES, FORMS, on_screen

LANGS = ("zh-CN", "en")


def _field(service: str, name: str):
    return next(f for f in form_fields(FORMS[service], "zh-CN") if f.name == name)


@pytest.mark.parametrize("language", LANGS)
def test_every_seed_example_validates_with_no_messages(service_form, language) -> None:
    service, schema = service_form
    assert EXAMPLES[service], service
    for example in EXAMPLES[service]:
        assert validate_form(schema, example, language) == {}


def test_every_seed_example_round_trips_through_the_screen(service_form) -> None:
    service, schema = service_form
    fields = {f.name: f for f in form_fields(schema, "en")}
    for example in EXAMPLES[service]:
        for name, value in example.items():
            assert validate_field(fields[name], on_screen(value), "en") == (value, None), name


@pytest.mark.parametrize("service, name, raw, value", [
    ("nurse-practice-registration", "mobile", "１３８００００００01", "13800000001"),
    ("nurse-practice-registration", "mobile", " 138 0000 0001 ", "13800000001"),
    ("birth-registration", "spouse_id_number", "１１０１０５１９８９０２０３０６１ｘ",
     "11010519890203061X"),
    ("individual-business-registration", "employees", "１２", 12),
    ("public-place-hygiene-licence", "floor_area_m2", "８６．５", 86.5),
    ("nurse-practice-registration", "employer_credit_code", "１２３１００００４２５０００００0ｘ",
     "12310000425000000X"),
    ("birth-registration", "expected_date", "２０２７-０４-１８", "2027-04-18"),
    ("birth-registration", "expected_date", "2027/4/8", "2027-04-08"),
    ("birth-registration", "expected_date", "20270418", "2027-04-18"),
    ("birth-registration", "expected_date", "2027年4月18日", "2027-04-18"),
    ("food-business-licence", "online_sales", "否", False),
    ("food-business-licence", "online_sales", "Yes", True),
    ("food-business-licence", "online_sales", True, True),
    ("nurse-practice-registration", "practice_field", "Emergency", "急诊护理"),
    ("nurse-practice-registration", "practice_field", "急诊护理", "急诊护理"),
    ("flexible-employment-insurance", "insurance_types", "养老保险，医疗保险", ["养老保险", "医疗保险"]),
    ("flexible-employment-insurance", "insurance_types", ["Medical"], ["医疗保险"]),
    ("food-business-licence", "business_items", ["散装食品销售"], ["散装食品销售"]),
])
def test_screen_strings_become_json_values(service, name, raw, value) -> None:
    assert validate_field(_field(service, name), raw, "zh-CN") == (value, None)


def test_chinese_text_is_kept_as_typed() -> None:
    """NFKC is for codes only: full-width brackets in an address are what the citizen meant."""
    field = _field("individual-business-registration", "premises_address")
    assert validate_field(field, "上海市（示范）路１号", "zh-CN") == ("上海市（示范）路１号", None)


def test_empty_optional_field_is_left_out_and_empty_required_one_is_asked_for() -> None:
    assert validate_field(_field("nurse-practice-registration", "email"), "  ", "en") == (None, None)
    assert validate_field(_field("nurse-practice-registration", "mobile"), "", "en") == (
        None, "This field is required")
    assert validate_field(_field("flexible-employment-insurance", "insurance_types"), [],
                          "zh-CN") == (None, "此项必填")


# (service, field, raw, zh-CN, en): one broken value per keyword.
BROKEN = [
    ("nurse-practice-registration", "mobile", "12345", "请输入11位手机号",
     "Enter an 11-digit mobile number"),
    ("birth-registration", "spouse_id_number", "11010519890203061", "请输入18位身份证号码",
     "Enter an 18-character ID number"),
    ("flexible-employment-insurance", "start_month", "2026-13", "请按“2026-01”的格式输入年月",
     "Enter a month as 2026-01"),
    ("nurse-practice-registration", "qualification_no", "ab", "请输入8至24位数字或大写字母",
     "Enter 8 to 24 digits or capital letters"),
    ("birth-registration", "expected_date", "2027-02-30", "请输入日期，如 2026-11-23",
     "Enter a date such as 2026-11-23"),
    ("birth-registration", "expected_date", "next week", "请输入日期，如 2026-11-23",
     "Enter a date such as 2026-11-23"),
    ("nurse-practice-registration", "email", "someone@nowhere", "请输入有效的电子邮箱",
     "Enter a valid e-mail address"),
    ("residential-lift-installation", "floors", "1", "不能小于2", "Must be at least 2"),
    ("residential-lift-installation", "floors", "12", "不能大于11", "Must be at most 11"),
    ("public-place-hygiene-licence", "floor_area_m2", "0", "必须大于0", "Must be more than 0"),
    ("residential-lift-installation", "floors", "6.5", "请输入整数", "Enter a whole number"),
    ("public-place-hygiene-licence", "floor_area_m2", "lots", "请输入数字", "Enter a number"),
    ("public-place-hygiene-licence", "floor_area_m2", "inf", "请输入数字", "Enter a number"),
    ("food-business-licence", "online_sales", "maybe", "请选择“是”或“否”", "Choose yes or no"),
    ("nurse-practice-registration", "employer", "医院", "至少填写4个字",
     "Enter at least 4 characters"),
    ("birth-registration", "spouse_name", "名" * 41, "最多填写40个字", "Enter at most 40 characters"),
    ("nurse-practice-registration", "practice_field", "牙科护理", "请从选项中选择",
     "Choose one of the options"),
    ("flexible-employment-insurance", "insurance_types", ["失业保险"], "请从选项中选择",
     "Choose one of the options"),
    ("flexible-employment-insurance", "insurance_types", ["养老保险", "养老保险"],
     "每个选项只能选一次", "Choose each option only once"),
]


@pytest.mark.parametrize("service, name, raw, zh, en", BROKEN)
def test_broken_values_get_the_keywords_message_in_both_languages(service, name, raw, zh, en):
    field = _field(service, name)
    assert validate_field(field, raw, "zh-CN") == (None, zh)
    assert validate_field(field, raw, "en") == (None, en)


def _example(service: str) -> dict:
    return copy.deepcopy(EXAMPLES[service][0])


@pytest.mark.parametrize("language, expected", [
    ("zh-CN", {"mobile": "此项必填", "employer_credit_code": "请输入18位统一社会信用代码",
               "floor": "此项不属于本表", "email": "请输入有效的电子邮箱"}),
    ("en", {"mobile": "This field is required",
            "employer_credit_code": "Enter the 18-character unified social credit code",
            "floor": "This field is not part of this form",
            "email": "Enter a valid e-mail address"}),
])
def test_whole_form_errors_are_keyed_by_field(language, expected) -> None:
    values = _example("nurse-practice-registration")
    del values["mobile"]
    values["employer_credit_code"] = "IO0000000000000000"
    values["floor"] = "3"
    values["email"] = "not-an-address"
    assert validate_form(FORMS["nurse-practice-registration"], values, language) == expected


@pytest.mark.parametrize("language, expected", [
    ("zh-CN", {"floors": "请输入整数", "households": "不能大于200", "insurance": None}),
    ("en", {"floors": "Enter a whole number", "households": "Must be at most 200"}),
])
def test_whole_form_type_and_limit_errors(language, expected) -> None:
    values = _example("residential-lift-installation")
    values["floors"] = "6"  # a string where the platform wants an integer
    values["households"] = 201
    expected = {k: v for k, v in expected.items() if v}
    assert validate_form(FORMS["residential-lift-installation"], values, language) == expected


def test_whole_form_multichoice_errors_are_keyed_by_the_field() -> None:
    values = _example("food-business-licence")
    values["business_items"] = []
    assert validate_form(FORMS["food-business-licence"], values, "en") == {
        "business_items": "Choose at least 1"}
    values["business_items"] = ["Bulk food"]  # labels are not values on the wire
    assert validate_form(FORMS["food-business-licence"], values, "zh-CN") == {
        "business_items": "请从选项中选择"}


def test_one_message_per_field_the_most_basic_first() -> None:
    values = _example("birth-registration")
    values["mobile"] = 13800000001  # wrong type and, as text, right pattern: say the type
    assert validate_form(FORMS["birth-registration"], values, "en") == {"mobile": "Enter text"}


def test_conditional_requirements_are_reported_on_the_missing_field() -> None:
    schema = copy.deepcopy(FORMS["residence-permit-replacement"])
    schema["dependentRequired"] = {"delivery": ["postal_address"]}
    values = _example("residence-permit-replacement")
    del values["postal_address"]
    assert validate_form(schema, values, "zh-CN") == {"postal_address": "此项必填"}


def test_messages_never_echo_an_id_number() -> None:
    number = "11010519900307123"  # one short: fails the pattern
    field = _field("employment-registration", "employee_id_number")
    _, message = validate_field(field, number, "en")
    assert message and number not in message
    values = _example("employment-registration")
    values["employee_id_number"] = number
    values["mobile"] = number
    errors = validate_form(FORMS["employment-registration"], values, "en")
    assert set(errors) == {"employee_id_number", "mobile"}
    assert all(number not in m and number[:6] not in m for m in errors.values())


@pytest.mark.parametrize("name, message", [("months", "Enter a whole number")])
def test_absurdly_long_numbers_are_refused_not_crashed_on(name, message) -> None:
    field = _field("housing-fund-deposit-certificate", name)
    assert validate_field(field, "9" * 5000, "en") == (None, message)
    area = _field("public-place-hygiene-licence", "floor_area_m2")
    assert validate_field(area, "9" * 5000 + ".5", "en") == (None, "Enter a number")


def test_the_checks_can_be_made_ready_ahead_of_the_first_form() -> None:
    """`warm` (called while a citizen reads a guide) loads jsonschema, which the app does not
    load at home (tests/ui/test_startup.py), and the first check then finds it loaded."""
    script = ("import sys, kiosk.forms.validate as v\n"
              "assert 'jsonschema' not in sys.modules\n"
              "v.warm()\n"
              "assert 'jsonschema' in sys.modules\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
