"""The progress slip as the printer emulator renders it, checked against reviewed references
(tests/golden/references; rewrite them only with KIOSK_UPDATE_GOLDEN=1, then look and commit)."""

from __future__ import annotations

import datetime as dt

import pytest
import zxingcpp

from kiosk.receipts import progress_qr
from kiosk.receipts.layout import CST
from kiosk.receipts.progress_slip import ProgressSlipData, SlipStep, progress_slip
from tests.golden.compare import assert_matches
from tests.journeys.test_payment_golden import CASES, printed_picture

TOKEN = "0123456789ABCDEFGHJKMNPQRS"
QR = progress_qr.make("SL-20261123-000042", "SIM-0001", TOKEN)
STEPS = {
    "zh-CN": (SlipStep("已提交", dt.datetime(2026, 11, 20, 9, 12, tzinfo=CST), None),
              SlipStep("已受理", dt.datetime(2026, 11, 20, 14, 0, tzinfo=CST), None),
              SlipStep("要求补正", dt.datetime(2026, 11, 22, 10, 30, tzinfo=CST),
                       "单位证明缺少公章，请重新提交")),
    "en": (SlipStep("Submitted", dt.datetime(2026, 11, 20, 9, 12, tzinfo=CST), None),
           SlipStep("Accepted", dt.datetime(2026, 11, 20, 14, 0, tzinfo=CST), None),
           SlipStep("Correction requested", dt.datetime(2026, 11, 22, 10, 30, tzinfo=CST),
                    "单位证明缺少公章，请重新提交")),
}
TODO = {"zh-CN": ("请补正您的申请：单位证明缺少公章，请重新提交",),
        "en": ("Please correct your application: 单位证明缺少公章，请重新提交",)}


def slip(language: str) -> ProgressSlipData:
    zh = language == "zh-CN"
    return ProgressSlipData(
        reference="SL-20261123-000042", final=True,
        service_name="护士执业注册" if zh else "Nurse practice registration",
        applicant_masked="测** 110105********002X", status_words=STEPS[language][-1].words,
        due_date=dt.date(2026, 12, 4), steps=STEPS[language], to_do=TODO[language],
        qr_text=QR, printed_at=dt.datetime(2026, 11, 23, 15, 40, tzinfo=CST), language=language)


@pytest.mark.parametrize(("width", "language"), CASES)
def test_the_progress_slip_looks_as_reviewed(tmp_path, width, language):
    document = progress_slip(slip(language), centre_name="测试政务服务中心", hotline="12345",
                             paper_width_mm=width)
    picture = printed_picture(tmp_path, document, width)
    # any terminal reads the printed code back: this application, and the token that opens it
    (read,) = zxingcpp.read_barcodes(picture)
    assert progress_qr.parse(read.text) == progress_qr.parse(QR)
    assert_matches(picture, f"progress_slip_{width}_{language}")


def test_without_a_progress_token_the_slip_has_no_code_and_a_long_note_is_cut():
    data = slip("zh-CN")
    long_note = SlipStep("要求补正", data.steps[-1].at, "请" * 300)
    document = progress_slip(
        ProgressSlipData(**{**data.__dict__, "qr_text": None, "steps": (long_note,)}),
        centre_name="测试政务服务中心", hotline="12345", paper_width_mm=80)
    texts = [getattr(item, "text", "") for item in document.items]
    assert not any(type(item).__name__ == "Qr" for item in document.items)
    assert any(t.endswith("…") and len(t) <= 123 for t in texts)
