"""The appointment slip as the printer emulator renders it, checked against reviewed references
(tests/golden/references; rewrite them only with KIOSK_UPDATE_GOLDEN=1, then look and commit)."""

from __future__ import annotations

import datetime as dt

import pytest
import zxingcpp

from kiosk.receipts.layout import CST
from kiosk.receipts.appointment_slip import SlipData, appointment_slip, slip_qr
from tests.golden.compare import assert_matches
from tests.journeys.test_payment_golden import CASES, printed_picture

SLIP = SlipData(appointment_id="AK3J9Q2M7XW1", booking_code="482913",
                service_name="护士执业注册", hall="卫生健康委员会 · 政务服务中心综合窗口",
                starts_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=CST),
                ends_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=CST), language="zh-CN")


@pytest.mark.parametrize(("width", "language"), CASES)
def test_the_appointment_slip_looks_as_reviewed(tmp_path, width, language):
    data = SlipData(**{**SLIP.__dict__, "language": language})
    document = appointment_slip(data, centre_name="测试政务服务中心", hotline="12345",
                                paper_width_mm=width)
    picture = printed_picture(tmp_path, document, width)
    # the counter's scanner reads the printed code
    assert [r.text for r in zxingcpp.read_barcodes(picture)] == [
        slip_qr(SLIP.appointment_id, SLIP.booking_code)]
    assert_matches(picture, f"appointment_slip_{width}_{language}")


def test_a_slip_for_a_booking_the_platform_could_not_have_made_is_refused():
    with pytest.raises(ValueError):
        slip_qr("AK3J9Q2M7XW1", "12345")  # booking codes are six digits
    with pytest.raises(ValueError):
        slip_qr("A:1", "123456")
