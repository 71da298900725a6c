"""The forms' messages: stable codes -> English msgids, translated through the gettext catalogue.

Every code is `forms.<something>` (validation keeps speaking in codes); the words live in
kiosk/locale/<lang>/LC_MESSAGES/kiosk.po like every other string of the kiosk.
Templates take only limits read from the schema (`%(limit)s`), never what the citizen typed:
a value may be an ID number, and messages end up on screen, in logs and in bug reports.
"""

from __future__ import annotations

from typing import Any

from kiosk.i18n import translator
from kiosk.i18n.messages import N_

LANGUAGES = ("zh-CN", "en")

MESSAGES: dict[str, str] = {
    "forms.required": N_("This field is required"),
    "forms.unknown_field": N_("This field is not part of this form"),
    "forms.invalid": N_("This value is not accepted"),
    "forms.type.integer": N_("Enter a whole number"),
    "forms.type.number": N_("Enter a number"),
    "forms.type.boolean": N_("Choose yes or no"),
    "forms.type.array": N_("Choose from the options"),
    "forms.type.string": N_("Enter text"),
    "forms.enum": N_("Choose one of the options"),
    "forms.format.date": N_("Enter a date such as 2026-11-23"),
    "forms.format.email": N_("Enter a valid e-mail address"),
    "forms.pattern": N_("This is not in the expected format"),
    "forms.pattern.mobile": N_("Enter an 11-digit mobile number"),
    "forms.pattern.id_number": N_("Enter an 18-character ID number"),
    "forms.pattern.credit_code": N_("Enter the 18-character unified social credit code"),
    "forms.pattern.month": N_("Enter a month as 2026-01"),
    "forms.pattern.bank_account": N_("Enter a bank account number of 12 to 19 digits"),
    "forms.pattern.certificate_no": N_("Enter 8 to 24 digits or capital letters"),
    "forms.minimum": N_("Must be at least %(limit)s"),
    "forms.maximum": N_("Must be at most %(limit)s"),
    "forms.exclusiveMinimum": N_("Must be more than %(limit)s"),
    "forms.exclusiveMaximum": N_("Must be less than %(limit)s"),
    "forms.minLength": N_("Enter at least %(limit)s characters"),
    "forms.maxLength": N_("Enter at most %(limit)s characters"),
    "forms.minItems": N_("Choose at least %(limit)s"),
    "forms.maxItems": N_("Choose at most %(limit)s"),
    "forms.uniqueItems": N_("Choose each option only once"),
    "forms.yes": N_("Yes"),
    "forms.no": N_("No"),
}

# Friendly hints for the patterns the catalogue uses, keyed by the exact pattern text.
PATTERN_HINTS: dict[str, str] = {
    "^1[3-9][0-9]{9}$": "forms.pattern.mobile",
    "^[0-9]{17}[0-9X]$": "forms.pattern.id_number",
    "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$": "forms.pattern.credit_code",
    "^[0-9]{4}-(0[1-9]|1[0-2])$": "forms.pattern.month",
    "^[0-9]{12,19}$": "forms.pattern.bank_account",
    "^[0-9A-Z]{8,24}$": "forms.pattern.certificate_no",
}


def check_language(language: str) -> str:
    """Refuse a language we have no text for, loudly, rather than show the wrong one."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES}")
    return language


def _number(limit: Any) -> str:
    """`5.0` -> `5`, so limits read as people write them."""
    if isinstance(limit, float) and limit.is_integer():
        return str(int(limit))
    return str(limit)


def render(code: str, language: str, limit: Any = None) -> str:
    """The text of `code` in `language`; `limit` (from the schema only) fills `%(limit)s`."""
    msgid = MESSAGES[code]
    t = translator(check_language(language))
    return t.gettext(msgid, limit=_number(limit)) if "%(limit)s" in msgid else t.gettext(msgid)
