"""The payment receipt as the printer emulator renders it, checked against reviewed references
(tests/golden/references; rewrite them only with KIOSK_UPDATE_GOLDEN=1, then look and commit)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from PIL import Image

from drivers.printer.document import Document
from drivers.printer.emulator import PrinterEmulator
from kiosk.journeys.receipt import print_document
from kiosk.receipts.layout import CST
from kiosk.receipts.payment_receipt import PaymentReceiptData, payment_receipt
from tests.golden.compare import assert_matches
from tests.printer.conftest import make_printer

CASES = [(80, "zh-CN"), (58, "en")]
PAID = PaymentReceiptData(payment_id="PXXM6W8XX483G1TM44N47", receipt_no="SL-20261123-000042",
                          service_name="居住证补领", amount_fen=2000,
                          paid_at=dt.datetime(2026, 11, 23, 14, 5, 9, tzinfo=CST),
                          kiosk_id="SIM-0001", language="zh-CN")


def printed_picture(root: Path, document: Document, width: int) -> Image.Image:
    """`document` through a real ThermalPrinter to the emulator (pty), as the emulator drew it."""
    emulator = PrinterEmulator(root / f"printer{width}", paper_width_mm=width)
    emulator.start()
    printer = make_printer(emulator, "pty", paper_width_mm=width)
    printer.start()
    try:
        assert printer.wait_for(lambda s: s.usable, 3.0), printer.status
        outcome, reason = print_document(printer, document, "golden", 10.0)
        assert outcome == "printed", reason
        job = emulator.job_log()[-1]
        assert job["cut"] and not job["truncated"]
        return Image.open(job["path"])
    finally:
        printer.stop()
        emulator.stop()


@pytest.mark.parametrize(("width", "language"), CASES)
def test_the_payment_receipt_looks_as_reviewed(tmp_path, width, language):
    data = dataclasses.replace(PAID, language=language, service_name="居住证补领"
                               if language == "zh-CN" else "Residence permit replacement")
    document = payment_receipt(data, centre_name="测试政务服务中心", hotline="12345",
                               paper_width_mm=width)
    assert_matches(printed_picture(tmp_path, document, width),
                   f"payment_receipt_{width}_{language}")


def test_a_receipt_for_nothing_paid_cannot_be_made():
    with pytest.raises(ValueError):
        payment_receipt(dataclasses.replace(PAID, amount_fen=0), centre_name="c", hotline="h",
                        paper_width_mm=80)
