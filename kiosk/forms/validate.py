"""Check what the citizen typed, field by field and as a whole, with messages they can act on.

`validate_field` turns the on-screen string into the JSON value the platform expects;
`validate_form` runs the whole `form_schema` (required, unknown fields, patterns, …) through
jsonschema. Every message is chosen by the failing keyword and filled from the schema only, so
no message ever repeats a value (which may be an ID number or a bank account).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

from kiosk.forms.fields import Field
from kiosk.forms.messages import PATTERN_HINTS, check_language, render

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker
    from jsonschema.exceptions import ValidationError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,30}$")  # no form asks for a longer number
_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_DATE = re.compile(r"^([0-9]{4})[-/.年]?([0-9]{1,2})[-/.月]?([0-9]{1,2})日?$")
_LIST_SEPARATORS = re.compile(r"[,，、;；]")
_TRUE = {"true", "yes", "y", "1", "是", "on"}
_FALSE = {"false", "no", "n", "0", "否", "off"}
# Which message wins when one field fails several ways: the most basic problem first.
_PRIORITY = ["type", "required", "enum", "const", "format", "pattern", "minLength", "maxLength",
             "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "minItems",
             "maxItems", "uniqueItems"]

_TYPE_CODES = {f"forms.type.{t}" for t in ("integer", "number", "boolean", "array", "string")}
_LIMIT_KEYWORDS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
                   "maxLength", "minItems", "maxItems"}


@cache
def _format_checker() -> FormatChecker:
    """jsonschema's date check, and an e-mail check stricter than its "contains an @"."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=("date",))
    checker.checks("email")(lambda value: not isinstance(value, str) or bool(_EMAIL.match(value)))
    return checker


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    """jsonschema is imported at the first check, not with the app (3 MB at home)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema, format_checker=_format_checker())


def warm() -> None:
    """Load the checks' machinery before the first form of the process: jsonschema's import
    and first validator took 130-250 ms of that form's prefill (issue 16). Called while a
    citizen browses the catalogue or reads a guide (screens.apply.flow); blocking: call from a
    worker."""
    _validator({"type": "object"})


def message_for(keyword: str, prop: dict[str, Any] | None, language: str) -> str:
    """The message for a failed `keyword` of property schema `prop`; built from the schema only."""
    prop = prop or {}
    if keyword in ("required", "dependentRequired"):
        return render("forms.required", language)
    if keyword == "additionalProperties":
        return render("forms.unknown_field", language)
    if keyword == "type":
        code = f"forms.type.{prop.get('type')}"
        return render(code if code in _TYPE_CODES else "forms.invalid", language)
    if keyword in ("enum", "const"):
        return render("forms.enum", language)
    if keyword == "format" and prop.get("format") in ("date", "email"):
        return render(f"forms.format.{prop['format']}", language)
    if keyword == "pattern":
        return render(PATTERN_HINTS.get(prop.get("pattern", ""), "forms.pattern"), language)
    if keyword in _LIMIT_KEYWORDS:
        return render(f"forms.{keyword}", language, prop.get(keyword))
    if keyword == "uniqueItems":
        return render("forms.uniqueItems", language)
    return render("forms.invalid", language)



def format_hint(field: Field, language: str) -> str:
    """What the input line says under the value before anything went wrong: the field's own
    description, else what its format asks for ("Enter an 11-digit mobile number")."""
    if field.help:
        return field.help
    if field.pattern in PATTERN_HINTS:
        return render(PATTERN_HINTS[field.pattern], language)
    if field.kind in ("date", "email"):
        return render(f"forms.format.{field.kind}", language)
    if field.kind in ("integer", "number"):
        return render(f"forms.type.{field.kind}", language)
    if field.max_length is not None:
        return render("forms.maxLength", language, field.max_length)
    return ""


def possible_messages(field: Field, language: str) -> set[str]:
    """Every message `validate_field` can give for `field` (what the privacy tests hold it to)."""
    keywords = set(_PRIORITY) | {"additionalProperties", "unknown"}
    result = {message_for(k, field.schema, language) for k in keywords}
    if field.kind == "multichoice":
        result |= {message_for(k, field.schema.get("items"), language) for k in keywords}
    return result


def _normalise(field: Field, raw: str) -> str:
    """Full-width digits and letters (１３８…) to ASCII where only codes belong; text stays as typed."""
    text = raw.strip()
    if field.keyboard in ("digits", "letters") or field.kind in ("date", "email", "phone"):
        text = unicodedata.normalize("NFKC", text).strip()
        if field.kind == "email":
            return text
        if field.pattern is not None or field.kind == "phone":
            text = re.sub(r"[\s]+", "", text).upper()
    return text


def _convert(field: Field, text: str) -> tuple[Any, str | None]:
    """On-screen string -> JSON value, or (None, failing keyword)."""
    if field.kind == "integer":
        return (int(text), None) if _INTEGER.match(text) else (None, "type")
    if field.kind == "number":
        if not _NUMBER.match(text):
            return None, "type"
        number = float(text)
        return (number, None) if math.isfinite(number) else (None, "type")
    if field.kind == "boolean":
        lowered = text.lower()
        if lowered in _TRUE:
            return True, None
        return (False, None) if lowered in _FALSE else (None, "type")
    if field.kind == "date":
        match = _DATE.match(text)
        if not match:
            return None, "format"
        try:
            return dt.date(*map(int, match.groups())).isoformat(), None
        except ValueError:
            return None, "format"
    if field.kind == "choice":
        return _choice(field, text)
    return text, None


def _choice(field: Field, text: str) -> tuple[Any, str | None]:
    """A choice arrives as its value or as its label in either language."""
    english = field.schema.get("x-enum-en") or []
    for i, value in enumerate(field.schema["enum"]):
        if text == str(value) or (i < len(english) and text == english[i]):
            return value, None
    return None, "enum"


def _multichoice(field: Field, raw: Any) -> tuple[Any, str | None]:
    items = _LIST_SEPARATORS.split(raw) if isinstance(raw, str) else list(raw)
    chosen = [str(item).strip() for item in items if str(item).strip()]
    enum = field.schema["items"]["enum"]
    english = field.schema["items"].get("x-enum-en") or []
    values = []
    for item in chosen:
        if item in enum:
            values.append(item)
        elif item in english:
            values.append(enum[english.index(item)])
        else:
            return None, "enum"
    return values, None


def _first(errors: list[ValidationError]) -> ValidationError:
    rank = {k: i for i, k in enumerate(_PRIORITY)}
    return min(errors, key=lambda e: rank.get(str(e.validator), len(rank)))


def validate_field(field: Field, raw_value: Any, language: str) -> tuple[Any, str | None]:
    """(JSON value, None) when `raw_value` is acceptable, else (None, localized message).

    An empty optional field gives (None, None): leave it out of the form.
    """
    check_language(language)
    if field.kind == "multichoice":
        value, keyword = _multichoice(field, raw_value if raw_value is not None else "")
        if keyword:
            return None, message_for(keyword, field.schema["items"], language)
        if not value:
            return None, (message_for("required", None, language) if field.required else None)
    else:
        if isinstance(raw_value, bool) and field.kind == "boolean":
            raw_value = "true" if raw_value else "false"
        text = _normalise(field, "" if raw_value is None else str(raw_value))
        if not text:
            return None, (message_for("required", None, language) if field.required else None)
        value, keyword = _convert(field, text)
        if keyword:
            return None, message_for(keyword, field.schema, language)
    errors = list(_validator(field.schema).iter_errors(value))
    if not errors:
        return value, None
    error = _first(errors)
    schema = field.schema["items"] if error.relative_path else field.schema
    return None, message_for(str(error.validator), schema, language)


def _property(schema: dict[str, Any], name: str) -> dict[str, Any] | None:
    prop = schema.get("properties", {}).get(name)
    return prop if isinstance(prop, dict) else None


def _keyed(error: ValidationError, schema: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(field name, keyword, property schema) for one jsonschema error."""
    path = list(error.absolute_path)
    keyword = str(error.validator)
    if keyword == "required" and isinstance(error.instance, dict):
        missing = [n for n in error.validator_value if n not in error.instance]
        return [(n, keyword, _property(schema, n)) for n in missing]
    if keyword == "dependentRequired" and isinstance(error.instance, dict):
        needed = {n for deps in error.validator_value.values() for n in deps}
        return [(n, "required", _property(schema, n)) for n in sorted(needed)
                if n not in error.instance]
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        known = set(schema.get("properties", {}))
        return [(str(n), keyword, None) for n in error.instance if n not in known]
    if not path:
        return [("", keyword, schema)]
    name = str(path[0])
    prop = _property(schema, name)
    if len(path) > 1 and prop is not None:
        prop = prop.get("items")
    return [(name, keyword, prop)]


def validate_form(schema: dict[str, Any], values: dict[str, Any], language: str) -> dict[str, str]:
    """{field name: message} for everything wrong with the whole form; empty when it may be sent.

    Errors about the form as a whole (not one field) are keyed by "".
    """
    check_language(language)
    found: dict[str, list[tuple[str, Any]]] = {}
    validator = _validator(schema)
    for error in validator.iter_errors(values):
        for name, keyword, prop in _keyed(error, schema):
            found.setdefault(name, []).append((keyword, prop))
    rank = {k: i for i, k in enumerate(_PRIORITY)}
    result = {}
    for name, failures in found.items():
        keyword, prop = min(failures, key=lambda f: rank.get(f[0], len(rank)))
        result[name] = message_for(keyword, prop, language)
    return result
