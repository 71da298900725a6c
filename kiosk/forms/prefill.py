"""Fill a form in advance from the ID card and the platform's citizen lookup.

The card is the authority on who the citizen is (name, ID number, birth date…); the platform
knows the rest (mobile, address, employer…). A value is offered only if it passes the field's
own check: a prefilled field the citizen must correct is worse than an empty one.
"""

from __future__ import annotations

from typing import Any

from kiosk.forms.fields import form_fields
from kiosk.forms.validate import validate_field

# Fields where the chip on the card beats whatever the platform remembers.
IDENTITY_FIRST = frozenset({"name", "name_en", "id_number", "gender", "nation", "birth_date",
                            "nationality"})


def prefill(schema: dict[str, Any], *, identity_fields: dict[str, Any],
            lookup_prefill: dict[str, Any]) -> dict[str, Any]:
    """{field name: JSON value} for the properties of `schema` we can fill with valid values.

    Raises `UnsupportedForm` like `form_fields` when the schema cannot be drawn at all.
    """
    result: dict[str, Any] = {}
    for field in form_fields(schema, "zh-CN"):
        if field.name in IDENTITY_FIRST:
            sources = (identity_fields, lookup_prefill)
        else:
            sources = (lookup_prefill, identity_fields)
        for source in sources:
            raw = source.get(field.name)
            if raw is None or raw == "":
                continue
            if hasattr(raw, "isoformat"):  # a date read from the card
                raw = raw.isoformat()
            value, message = validate_field(field, raw, "zh-CN")
            if message is None and value is not None:
                result[field.name] = value
                break
    return result
