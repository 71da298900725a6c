"""Turn a service's `form_schema` (JSON Schema 2020-12) into the fields a screen draws.

The catalogue's forms are flat objects of scalars, single choices (`enum`) and multiple choices
(arrays of an `enum`). Anything else (nested objects, `$ref`, `oneOf`, …) is refused up front
with `UnsupportedForm`, so a citizen never meets a half-drawn form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from kiosk.forms.messages import check_language, render

import re._parser as _re_parser  # `re`'s own parser: which characters a pattern admits (3.11+)

Kind = Literal["text", "multiline", "date", "email", "phone", "integer", "number", "boolean",
               "choice", "multichoice"]
Keyboard = Literal["pinyin", "letters", "digits", "none"]

MULTILINE_FROM = 150  # a text field allowing more characters than this gets several lines
SUPPORTED_FORMATS = {"date", "email"}

# Keywords a form may carry; anything else at these levels is something we cannot draw.
_ANNOTATIONS = {"title", "description", "$comment", "examples", "default", "readOnly",
                "deprecated"}
_FORM_KEYS = _ANNOTATIONS | {"$schema", "$id", "type", "properties", "required",
                             "additionalProperties", "dependentRequired"}
_SCALAR_KEYS = _ANNOTATIONS | {"type", "enum", "const", "format", "pattern", "minLength",
                               "maxLength", "minimum", "maximum", "exclusiveMinimum",
                               "exclusiveMaximum", "multipleOf"}
_ARRAY_KEYS = _ANNOTATIONS | {"type", "items", "minItems", "maxItems", "uniqueItems"}
_SCALAR_TYPES = {"string", "integer", "number", "boolean"}


class UnsupportedForm(ValueError):
    """The schema holds constructs the kiosk cannot render; `paths` says where (JSON Pointers)."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = paths
        super().__init__("form schema cannot be rendered: " + "; ".join(paths))


@dataclass(frozen=True)
class Field:
    """One input on screen, with everything needed to draw it and check it."""

    name: str
    label: str
    kind: Kind
    required: bool
    keyboard: Keyboard
    options: tuple[tuple[Any, str], ...] = ()
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    help: str | None = None
    schema: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _localized(prop: dict[str, Any], key: str, language: str) -> str | None:
    """`title` is Chinese; `x-title-en` its English twin (falls back to the Chinese)."""
    if language == "en":
        return prop.get(f"x-{key}-en") or prop.get(key)
    return prop.get(key)


def _unsupported(schema: Any) -> list[str]:
    """JSON Pointers (with a reason) of everything `form_fields` cannot draw."""
    if not isinstance(schema, dict):
        return ["/ (not an object schema)"]
    problems = [f"/{k} (keyword not supported)" for k in schema
                if k not in _FORM_KEYS and not k.startswith("x-")]
    if schema.get("type") != "object":
        problems.append("/type (a form must be an object)")
    props = schema.get("properties")
    if not isinstance(props, dict) or not props:
        return problems + ["/properties (missing or empty)"]
    extra = schema.get("additionalProperties", False)
    if extra is not False:
        problems.append("/additionalProperties (a form must not take unknown fields)")
    for missing in sorted(set(schema.get("required", [])) - set(props)):
        problems.append(f"/required ({missing!r} is not a property)")
    for name, prop in props.items():
        problems += _unsupported_property(f"/properties/{name}", prop)
    return problems


def _unsupported_property(path: str, prop: Any) -> list[str]:
    if not isinstance(prop, dict):
        return [f"{path} (not a schema)"]
    if "$ref" in prop:
        return [f"{path}/$ref (references are not supported)"]
    kind = prop.get("type")
    if kind == "object" or "properties" in prop:
        return [f"{path} (nested object)"]
    if kind == "array":
        return _unsupported_array(path, prop)
    if not isinstance(kind, str) or kind not in _SCALAR_TYPES:
        return [f"{path}/type ({kind!r} is not one of {sorted(_SCALAR_TYPES)})"]
    problems = [f"{path}/{k} (keyword not supported)" for k in prop
                if k not in _SCALAR_KEYS and not k.startswith("x-")]
    if "format" in prop and (kind != "string" or prop["format"] not in SUPPORTED_FORMATS):
        problems.append(f"{path}/format ({prop['format']!r} not supported)")
    problems += _unsupported_enum(path, prop)
    return problems


def _unsupported_array(path: str, prop: dict[str, Any]) -> list[str]:
    problems = [f"{path}/{k} (keyword not supported)" for k in prop
                if k not in _ARRAY_KEYS and not k.startswith("x-")]
    items = prop.get("items")
    if not isinstance(items, dict) or "enum" not in items:
        return problems + [f"{path}/items (only a list of choices is supported)"]
    problems += [f"{path}/items/{k} (keyword not supported)" for k in items
                 if k not in _SCALAR_KEYS and not k.startswith("x-")]
    return problems + _unsupported_enum(f"{path}/items", items)


def _unsupported_enum(path: str, prop: dict[str, Any]) -> list[str]:
    if "enum" not in prop:
        return []
    enum = prop["enum"]
    if not isinstance(enum, list) or not enum:
        return [f"{path}/enum (must be a non-empty list)"]
    labels = prop.get("x-enum-en")
    if labels is not None and (not isinstance(labels, list) or len(labels) != len(enum)):
        return [f"{path}/x-enum-en (must list one label per enum value)"]
    return []


def _kind(prop: dict[str, Any]) -> Kind:
    kind = prop["type"]
    if kind == "array":
        return "multichoice"
    if "enum" in prop:
        return "choice"
    if kind in ("integer", "number", "boolean"):
        return kind
    if prop.get("format") in ("date", "email"):
        return prop["format"]
    if prop.get("pattern", "").startswith("^1[3-9]"):
        return "phone"
    if prop.get("maxLength", 0) > MULTILINE_FROM:
        return "multiline"
    return "text"


def _pattern_chars(pattern: str) -> set[str] | None:
    """Every character a pattern admits, or None when that set is open (`.`, `\\w`, negation…)."""
    try:
        parsed = _re_parser.parse(pattern)
    except re.error:
        return None
    chars: set[str] = set()

    def walk(items: Any) -> bool:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                chars.add(chr(arg))
            elif name == "IN":
                if not walk(arg):
                    return False
            elif name == "RANGE":
                if arg[1] - arg[0] > 200:
                    return False
                chars.update(chr(c) for c in range(arg[0], arg[1] + 1))
            elif name == "CATEGORY" and str(arg) == "CATEGORY_DIGIT":
                chars.update("0123456789")
            elif name in ("MAX_REPEAT", "MIN_REPEAT"):
                if not walk(arg[2]):
                    return False
            elif name == "SUBPATTERN":
                if not walk(arg[-1]):
                    return False
            elif name == "BRANCH":
                if not all(walk(branch) for branch in arg[1]):
                    return False
            elif name != "AT":
                return False
        return True

    return chars if walk(parsed) else None


def pattern_max_length(pattern: str | None) -> int | None:
    """The most characters a pattern admits (18 for an ID number), None when unbounded."""
    if not pattern:
        return None
    try:
        _low, high = _re_parser.parse(pattern).getwidth()
    except re.error:
        return None
    return high if high < _re_parser.MAXREPEAT and high < 10_000 else None


def _keyboard(kind: Kind, prop: dict[str, Any]) -> Keyboard:
    """Digits for numbers and number-like codes, letters for e-mail and Latin codes, else pinyin."""
    if kind in ("phone", "integer", "number", "date"):
        return "digits"
    if kind == "email":
        return "letters"
    if kind in ("choice", "multichoice", "boolean"):
        return "none"
    chars = _pattern_chars(prop["pattern"]) if "pattern" in prop else None
    if chars is not None:
        if chars <= set("0123456789X-"):
            return "digits"
        if all(c.isascii() for c in chars):
            return "letters"
    return "pinyin"


def _options(kind: Kind, prop: dict[str, Any], language: str) -> tuple[tuple[Any, str], ...]:
    """(value, label) pairs; Chinese labels are the values themselves, English ones `x-enum-en`."""
    if kind == "boolean":
        return ((True, render("forms.yes", language)), (False, render("forms.no", language)))
    source = prop["items"] if kind == "multichoice" else prop
    if "enum" not in source:
        return ()
    english = source.get("x-enum-en") or [None] * len(source["enum"])
    return tuple((value, (en if language == "en" and en else str(value)))
                 for value, en in zip(source["enum"], english))


def form_fields(schema: dict[str, Any], language: str) -> list[Field]:
    """The form's fields in schema property order, labelled in `language` (zh-CN or en)."""
    check_language(language)
    problems = _unsupported(schema)
    if problems:
        raise UnsupportedForm(problems)
    required = set(schema.get("required", []))
    result = []
    for name, prop in schema["properties"].items():
        kind = _kind(prop)
        result.append(Field(
            name=name,
            label=_localized(prop, "title", language) or name,
            kind=kind,
            required=name in required,
            keyboard=_keyboard(kind, prop),
            options=_options(kind, prop, language),
            pattern=prop.get("pattern"),
            minimum=prop.get("minimum"),
            maximum=prop.get("maximum"),
            exclusive_minimum=prop.get("exclusiveMinimum"),
            exclusive_maximum=prop.get("exclusiveMaximum"),
            min_length=prop.get("minLength"),
            max_length=prop.get("maxLength"),
            min_items=prop.get("minItems"),
            max_items=prop.get("maxItems"),
            help=_localized(prop, "description", language),
            schema=prop,
        ))
    return result
