"""A form field's value as the citizen reads it (no Kivy): on the form's list and on review."""

from __future__ import annotations

from typing import Any

from kiosk.forms import Field
from screens.lines import Translate


def shown_value(field: Field, value: Any, _: Translate) -> str:
    """The option's words, Yes/No, a multiple choice's words joined, else the value."""
    if value is None:
        return ""
    if field.kind == "boolean":
        return _("Yes") if value else _("No")
    for option, words in field.options:
        if option == value:
            return words
    if isinstance(value, list):  # a multiple choice: each option in the citizen's words
        words = dict(field.options)
        return "、".join(str(words.get(v, v)) for v in value)
    return str(value)
