"""The application receipt (受理回执) as printed at the end of the apply journey, 58 or 80 mm.

What is on it, and why:
- the receipt number (受理号) or, while the platform is unreachable, the terminal's outbox
  reference under a bold "待发送 / WILL BE SENT" mark and a line saying what that means;
- service, submission time, the promised completion (a date once the platform accepted it;
  while pending only "N working days after acceptance", since acceptance has not happened);
- the progress QR (kiosk/receipts/progress_qr.py) with the reference printed under it, so a
  counter clerk can type it when the code is torn;
- what happens next, the centre and its hotline.

No personal data at all: no name, no ID number, not even masked. The slip is often left in the
tray or thrown away, and the reference plus the QR is all a look-up needs (issue 5 shows the
application with personal data masked); a masked name would help nobody identify the slip.

Layout is per language, not translated word by word: the Chinese receipt is all Chinese, the
English one all English, with dates written the way each reader expects. The few strings live
in STRINGS below until they move into the i18n catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

import qrcode

from drivers.printer.document import Cut, Document, Feed, Item, Qr, Rule, Text, paper_for
from kiosk.receipts.progress_qr import claimed_ref

CST = timezone(timedelta(hours=8), "CST")  # the hall's clock: China Standard Time, no DST
QR_MODULE_DOTS = 6  # 0.75 mm at 203 dpi: easy for a terminal's camera at arm's length

STRINGS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "受理回执",
        "pending_mark": "【待发送】",
        "pending_note": "待发送：本回执编号为终端受理编号，网络恢复后自动提交，届时可凭此码查询。",
        "receipt_no": "受理编号：",
        "outbox_reference": "终端受理编号：",
        "service": "办理事项：",
        "submitted": "提交时间：",
        "promised": "承诺办结：",
        "promised_date_days": "{date}（{days}个工作日）",
        "promised_days_final": "受理后{days}个工作日内",
        "promised_days_pending": "正式受理后{days}个工作日内",
        "scan": "扫描二维码查询办理进度",
        "next_steps": "后续事项：",
        "hotline": "咨询电话：",
        "keep": "请妥善保管本回执",
    },
    "en": {
        "title": "Application Receipt",
        "pending_mark": "WILL BE SENT",
        "pending_note": ("Will be sent: this is the terminal's reference. The application is "
                         "submitted automatically once the network is back; you can then "
                         "check its progress with this code."),
        "receipt_no": "Receipt no.: ",
        "outbox_reference": "Terminal ref.: ",
        "service": "Service: ",
        "submitted": "Submitted: ",
        "promised": "Done by: ",
        "promised_date_days": "{date} ({days} working days)",
        "promised_days_final": "within {days} working days",
        "promised_days_pending": "within {days} working days of acceptance",
        "scan": "Scan the code to check progress",
        "next_steps": "What happens next:",
        "hotline": "Hotline: ",
        "keep": "Please keep this receipt",
    },
}
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


def _day(d: date, lang: str) -> str:
    return f"{d:%Y年%m月%d日}" if lang == "zh-CN" else f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _moment(t: datetime, lang: str) -> str:
    if t.tzinfo is not None:
        t = t.astimezone(CST)
    return f"{_day(t.date(), lang)} {t:%H:%M}"


def _promised(s: dict[str, str], lang: str, final: bool, on: date | None,
              days: int | None) -> str | None:
    if days is not None and days < 0:
        raise ValueError("promised_days must not be negative")
    if final and on is not None:
        text = _day(on, lang)
        return s["promised_date_days"].format(date=text, days=days) if days is not None else text
    if days is not None:
        return s["promised_days_final" if final else "promised_days_pending"].format(days=days)
    return None


def application_receipt(*, language: str, service_name: str, reference: str,
                        reference_is_final: bool, submitted_at: datetime,
                        promised_date: date | None, promised_days: int | None,
                        qr_text: str | None, next_steps: Sequence[str], centre_name: str, hotline: str,
                        paper_width_mm: int) -> Document:
    """The receipt to print (and to show on screen: same Document, same picture).

    `qr_text=None` (the terminal has no fleet QR key): no code and no "scan" line; the
    reference, printed bold, is what the citizen quotes."""
    lang = receipt_language(language)
    s = STRINGS[lang]
    paper = paper_for(paper_width_mm)  # refuses widths other than 58/80
    if not reference:
        raise ValueError("a receipt needs a reference")
    if qr_text == "":
        raise ValueError("an empty progress QR: pass None for a receipt without one")
    if qr_text is not None and claimed_ref(qr_text) not in (None, reference):
        # a QR for another application would show a stranger's file to whoever scans it
        raise ValueError("the progress QR does not carry this receipt's reference")
    label = s["receipt_no"] if reference_is_final else s["outbox_reference"]
    items: list[Item] = [Text(centre_name, align="center"),
                         Text(s["title"], size=2, bold=True, align="center")]
    if not reference_is_final:
        items.append(Text(s["pending_mark"], size=2, bold=True, align="center"))
    items += [Rule(), Text(label + reference, bold=True), Text(s["service"] + service_name),
              Text(s["submitted"] + _moment(submitted_at, lang))]
    promised = _promised(s, lang, reference_is_final, promised_date, promised_days)
    if promised:
        items.append(Text(s["promised"] + promised))
    items.append(Rule())
    if not reference_is_final:
        items += [Text(s["pending_note"], bold=True), Rule()]
    if qr_text is not None:
        items += [Text(s["scan"], align="center"), Feed(1),
                  Qr(qr_text, module=_module_for(qr_text, paper.dots), ec="M"),
                  Text(reference, align="center"), Feed(1)]
    if next_steps:
        items += [Rule(), Text(s["next_steps"], bold=True)]
        items += [Text(f"{n}. {step}") for n, step in enumerate(next_steps, 1)]
    items += [Rule(), Text(s["hotline"] + hotline, align="center"),
              Text(s["keep"], align="center"), Feed(1), Cut()]
    return Document(tuple(items), title="application receipt")


def _module_for(qr_text: str, dots: int) -> int:
    """QR_MODULE_DOTS unless the symbol would not fit the paper with a quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(qr_text.encode("utf-8"))
    code.make(fit=True)
    modules = code.modules_count + 8  # 4 modules of quiet zone either side
    return max(1, min(QR_MODULE_DOTS, dots // modules))
