"""What the explorer types into a form (screens.explorer_values): for every field of every
service in the reference catalogue, a value the form takes, made only of keys the field's own
keyboard has, so a walk that means to get on gets past the form to materials, review and
receipt."""

from __future__ import annotations

import json
import random

import pytest

from kiosk.forms import form_fields, validate_field
from kiosk.ime.composer import Composer
from screens.explorer_values import random_keys, right_value
from tests.ui.harness import ROOT

SERVICES = json.loads((ROOT / "kiosk/refplatform/seed/services.json").read_text(encoding="utf-8"))
TYPED = [(service["service_id"], field) for service in SERVICES
         for field in form_fields(service["form_schema"], "zh-CN")
         if not field.options and field.kind != "boolean"]


@pytest.mark.parametrize(("service_id", "field"), TYPED,
                         ids=[f"{s}.{f.name}" for s, f in TYPED])
def test_a_right_value_is_taken_and_typed_on_the_fields_own_keyboard(service_id: str,
                                                                      field) -> None:
    rng = random.Random(service_id + field.name)
    for _ in range(5):
        text = right_value(field, rng)
        assert text is not None, f"{service_id}.{field.name}: no value found"
        composer = Composer.for_field(field, ime=lambda: None)
        assert all(composer.press(ch) for ch in text), (text, composer.mode)
        typed = composer.finish()
        assert typed.upper() == text.upper()
        assert validate_field(field, typed, "zh-CN")[1] is None, typed


def test_a_pattern_it_cannot_read_gives_no_value_rather_than_a_wrong_one() -> None:
    [field] = [f for f in form_fields({"type": "object", "properties": {
        "code": {"type": "string", "title": "代码", "pattern": r"^(?=A)\w{3}$"}}}, "zh-CN")]
    assert right_value(field, random.Random(1)) is None


def test_random_keys_are_some_of_the_keys_on_the_glass() -> None:
    keys = ["key_1", "key_2", "key_x"]
    typed = random_keys(random.Random(3), keys)
    assert typed and set(typed) <= set(keys)
    assert random_keys(random.Random(3), []) == []
