"""What every printed document shares: the hall's clock, the receipt language, dates as people
write them, catalogue wording by key, the QR module size and the title size for the paper."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from datetime import date, timedelta, timezone

import qrcode

from kiosk.i18n import Translator

CST = timezone(timedelta(hours=8), "CST")  # the hall's clock: China Standard Time, no DST
QR_MODULE_DOTS = 6  # 0.75 mm at 203 dpi: easy for a terminal's camera at arm's length
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def receipt_language(language: str) -> str:
    """`zh`, `zh-CN`, `zh-Hans`... -> zh-CN; `en`, `en-GB`... -> en; anything else refused
    (a receipt in a language the citizen did not choose is a bug to catch, not to paper over)."""
    base = language.replace("_", "-").split("-")[0].lower()
    if base == "zh":
        return "zh-CN"
    if base == "en":
        return "en"
    raise ValueError(f"no receipt layout for language {language!r}")


def day_text(d: date, lang: str) -> str:
    """2026年11月24日 / 24 Nov 2026 (`lang` as receipt_language gives it)."""
    return f"{d:%Y年%m月%d日}" if lang == "zh-CN" else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def sayer(strings: Mapping[str, str | tuple[str, str]]) -> Callable[..., str]:
    """`say(t, key, **values)`: strings[key] in t's language; a plural (`NP_`) takes its form
    for `n`. The msgid goes through a variable: pybabel would otherwise extract the key of
    `t.gettext(STRINGS["title"])`."""
    def say(t: Translator, key: str, **values: object) -> str:
        msgid = strings[key]
        if isinstance(msgid, tuple):
            n = values.pop("n")
            assert isinstance(n, int)
            return t.ngettext(*msgid, n, **values)
        return t.gettext(msgid, **values)
    return say


def qr_module(qr_text: str, dots: int) -> int:
    """QR_MODULE_DOTS unless the symbol would not fit the paper with a quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(qr_text.encode("utf-8"))
    # the version (size) alone: making the symbol would also try its 8 masks, 16 ms of a
    # certificate preview's 43 (the renderer makes it again to draw it)
    version = code.best_fit()
    modules = version * 4 + 17 + 8  # ISO/IEC 18004 size; 4 modules of quiet zone either side
    return max(1, min(QR_MODULE_DOTS, dots // modules))


def title_size(text: str, dots: int) -> int:
    """Double size when the title fits one line of the paper (12-dot columns, CJK two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return 2 if columns * 12 * 2 < dots else 1
