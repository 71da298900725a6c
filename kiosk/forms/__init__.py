"""Application forms drawn from a service's JSON Schema: fields, checks and prefill (no Kivy).

- `form_fields(schema, language)`  what to draw (labels, kinds, options, keyboard);
- `validate_field` / `validate_form`  on-screen strings -> JSON values, localized messages;
- `prefill(schema, identity_fields=…, lookup_prefill=…)`  values from the card and the platform.
Message codes live in `kiosk.forms.messages` until the i18n catalogues take them over.
"""

from kiosk.forms.fields import Field, UnsupportedForm, form_fields
from kiosk.forms.prefill import prefill
from kiosk.forms.validate import format_hint, possible_messages, validate_field, validate_form

__all__ = ["Field", "UnsupportedForm", "form_fields", "format_hint", "prefill",
           "possible_messages", "validate_field", "validate_form"]
