"""The forms' own message table {code: {language: text}}, until the i18n catalogues take it over.

Every code is `forms.<something>` so the table can move into kiosk/i18n catalogues verbatim.
Templates take only limits read from the schema (`{limit}`), never what the citizen typed:
a value may be an ID number, and messages end up on screen, in logs and in bug reports.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh-CN", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "forms.required": {"zh-CN": "此项必填", "en": "This field is required"},
    "forms.unknown_field": {"zh-CN": "此项不属于本表", "en": "This field is not part of this form"},
    "forms.invalid": {"zh-CN": "填写内容不符合要求", "en": "This value is not accepted"},
    "forms.type.integer": {"zh-CN": "请输入整数", "en": "Enter a whole number"},
    "forms.type.number": {"zh-CN": "请输入数字", "en": "Enter a number"},
    "forms.type.boolean": {"zh-CN": "请选择“是”或“否”", "en": "Choose yes or no"},
    "forms.type.array": {"zh-CN": "请从选项中选择", "en": "Choose from the options"},
    "forms.type.string": {"zh-CN": "请输入文字", "en": "Enter text"},
    "forms.enum": {"zh-CN": "请从选项中选择", "en": "Choose one of the options"},
    "forms.format.date": {"zh-CN": "请输入日期，如 2026-11-23", "en": "Enter a date such as 2026-11-23"},
    "forms.format.email": {"zh-CN": "请输入有效的电子邮箱", "en": "Enter a valid e-mail address"},
    "forms.pattern": {"zh-CN": "格式不正确", "en": "This is not in the expected format"},
    "forms.pattern.mobile": {"zh-CN": "请输入11位手机号", "en": "Enter an 11-digit mobile number"},
    "forms.pattern.id_number": {"zh-CN": "请输入18位身份证号码",
                                "en": "Enter an 18-character ID number"},
    "forms.pattern.credit_code": {"zh-CN": "请输入18位统一社会信用代码",
                                  "en": "Enter the 18-character unified social credit code"},
    "forms.pattern.month": {"zh-CN": "请按“2026-01”的格式输入年月",
                            "en": "Enter a month as 2026-01"},
    "forms.pattern.bank_account": {"zh-CN": "请输入12至19位银行账号",
                                   "en": "Enter a bank account number of 12 to 19 digits"},
    "forms.pattern.certificate_no": {"zh-CN": "请输入8至24位数字或大写字母",
                                     "en": "Enter 8 to 24 digits or capital letters"},
    "forms.minimum": {"zh-CN": "不能小于{limit}", "en": "Must be at least {limit}"},
    "forms.maximum": {"zh-CN": "不能大于{limit}", "en": "Must be at most {limit}"},
    "forms.exclusiveMinimum": {"zh-CN": "必须大于{limit}", "en": "Must be more than {limit}"},
    "forms.exclusiveMaximum": {"zh-CN": "必须小于{limit}", "en": "Must be less than {limit}"},
    "forms.minLength": {"zh-CN": "至少填写{limit}个字", "en": "Enter at least {limit} characters"},
    "forms.maxLength": {"zh-CN": "最多填写{limit}个字", "en": "Enter at most {limit} characters"},
    "forms.minItems": {"zh-CN": "请至少选择{limit}项", "en": "Choose at least {limit}"},
    "forms.maxItems": {"zh-CN": "最多选择{limit}项", "en": "Choose at most {limit}"},
    "forms.uniqueItems": {"zh-CN": "每个选项只能选一次", "en": "Choose each option only once"},
    "forms.yes": {"zh-CN": "是", "en": "Yes"},
    "forms.no": {"zh-CN": "否", "en": "No"},
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
    """The text of `code` in `language`; `limit` (from the schema only) fills `{limit}`."""
    template = MESSAGES[code][check_language(language)]
    return template.format(limit=_number(limit)) if "{limit}" in template else template
