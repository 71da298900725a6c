"""What a journey tells a screen when it cannot go on: a stable code and words for the citizen.

A screen never sees an exception's text (it may quote a request or the platform's echo of it):
it gets `JourneyProblem.code` (stable, for logic and tests) and `text(language)` (for the
citizen). Codes whose words are already in the gettext catalogue (platform error kinds, outbox
refusals, printer reasons, "place your ID card") are translated through it; the few words only
journeys need live in WORDS below until they move into the catalogue (same habit as
kiosk/forms/messages.py and kiosk/receipts/application_receipt.py).
"""

from __future__ import annotations

from kiosk.i18n import translator
from kiosk.i18n.messages import (OUTBOX_REFUSALS, PLATFORM_ERRORS, PRINTER, outbox_refusal,
                                 platform_error_kind)

# code -> {language: text}; codes are `journey.<something>`.
WORDS: dict[str, dict[str, str]] = {
    "journey.no_catalogue": {
        "zh-CN": "暂时无法获取办事目录，请稍后再试或到窗口办理。",
        "en": "The list of services cannot be loaded right now. Please try again later "
              "or go to a service counter."},
    "journey.form_incomplete": {
        "zh-CN": "表单还有未填写或填写有误的项目，请检查。",
        "en": "Some fields of the form are missing or wrong. Please check them."},
    "journey.materials_incomplete": {
        "zh-CN": "还有必需的材料未提交，请扫描、使用电子证照或承诺后补。",
        "en": "Some required documents are missing: scan them, use an e-licence or "
              "promise to hand them in later."},
    "journey.too_many_pages": {
        "zh-CN": "该材料的页数已达上限。",
        "en": "This document already has the most pages it can take."},
    "journey.not_a_scan": {
        "zh-CN": "扫描件无法读取，请重新扫描。",
        "en": "The scan could not be read. Please scan the page again."},
    "journey.no_elicence": {
        "zh-CN": "您没有可替代该材料的电子证照。",
        "en": "You hold no e-licence that can replace this document."},
    "journey.cannot_promise": {
        "zh-CN": "该材料不能容缺后补，请现场提交。",
        "en": "This document cannot be handed in later; please provide it now."},
    "journey.promise_date": {
        "zh-CN": "承诺补交日期须在今天之后的90天内。",
        "en": "The promised date must be within 90 days from today."},
    "journey.form_unsupported": {
        "zh-CN": "该事项暂不支持在自助终端申请，请到窗口办理。",
        "en": "This service cannot be applied for at this terminal. Please go to a service "
              "counter."},
    "journey.next.promised": {
        "zh-CN": "请于{date}前补交：{material}",
        "en": "Hand in by {date}: {material}"},
    "journey.qr_unavailable": {
        "zh-CN": "回执二维码暂不可用，请凭编号查询办理进度。",
        "en": "No progress code could be printed; use the reference number to check "
              "progress."},
}

_IDENTITY_MSGID = "Please place your ID card on the reader"  # already in the catalogue


class JourneyProblem(Exception):
    """The journey cannot do what the screen asked; nothing half-done was kept."""

    def __init__(self, code: str, *, msgid: str | None = None, detail: str = "") -> None:
        """`detail` is for logs and staff: English, and never personal data."""
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.msgid = msgid
        self.detail = detail

    def text(self, language: str) -> str:
        """What the citizen reads, in `language` (zh-CN or en)."""
        return words(self.code, language, self.msgid)


def words(code: str, language: str, msgid: str | None = None) -> str:
    """A code's words: the catalogue's translation of `msgid`, else WORDS, else generic."""
    if msgid is not None:
        return translator(language).gettext(msgid)
    table = WORDS.get(code)
    if table is not None:
        return table[language]
    generic = PLATFORM_ERRORS["malformed"]  # a variable: pybabel must not extract the key
    return translator(language).gettext(generic)


def platform_problem(error: BaseException, detail: str = "") -> JourneyProblem:
    """platform.unreachable | platform.refused | platform.server_fault | platform.malformed."""
    kind = platform_error_kind(error)
    return JourneyProblem(f"platform.{kind}", msgid=PLATFORM_ERRORS[kind],
                          detail=detail or type(error).__name__)


def outbox_problem(reason: str, detail: str = "") -> JourneyProblem:
    """outbox.queue_full | outbox.disk_full | outbox.storage_failed | outbox.refused."""
    code = reason if reason in OUTBOX_REFUSALS else "refused"
    return JourneyProblem(f"outbox.{code}", msgid=outbox_refusal(reason), detail=detail)


def identity_problem() -> JourneyProblem:
    return JourneyProblem("identity.required", msgid=_IDENTITY_MSGID,
                          detail="the apply journey needs the applicant's identity")


def printer_msgid(outcome: str) -> str | None:
    """The catalogue's words for a print outcome the citizen must hear about."""
    if outcome == "printed":
        return None
    return PRINTER["paper_out"] if outcome == "paper_out" else PRINTER["unavailable"]
