"""The printed receipt and certificate, 80 and 58 mm, as the printer emulator renders them from
a real print job (ThermalPrinter over a pty), against their reviewed references (see
tests/golden/compare.py: KIOSK_UPDATE_GOLDEN=1 rewrites them). Fixed data, fixed times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from PIL import Image

from drivers.printer.emulator import PrinterEmulator
from drivers.printer.printer import ThermalPrinter
from kiosk.journeys.receipt import PromisedItem, ReceiptData, document_for, print_document
from kiosk.receipts import make
from kiosk.receipts.layout import CST
from kiosk.receipts.certificate import (CertificateSheet, ThermalCertificatePrinter,
                                        certificate_document, verify_url)
from tests.golden.compare import assert_matches
from tests.printer.conftest import make_printer

CENTRE = "示范市政务服务中心"
KEY = "0123456789ABCDEFGHJKMNPQRS"  # a progress token (130 bits), fixed for the references
CODE = "7K3M-Q9XH-4T2B-8WJD"

RECEIPT = ReceiptData(
    outbox_reference="K7Q2M9XH4", final=True, receipt_no="SL-20261123-000042",
    reference="SL-20261123-000042", service_id="nurse-practice-registration",
    service_name="护士执业注册", submitted_at=datetime(2026, 11, 23, 10, 30, tzinfo=CST),
    promised_date=date(2026, 12, 7), promised_days=10,
    promised_materials=(PromisedItem("health_exam", "健康体检表", date(2026, 12, 3)),),
    qr_text=make("SL-20261123-000042", "SIM-0001", KEY), language="zh-CN")

CERTIFICATE = CertificateSheet(
    certificate_id="CTEST0000000000000001", title="社会保险参保缴费证明",
    title_shown="社会保险参保缴费证明",
    holder_masked="测** 110101********1233", receipt_no="SL-20261123-000042",
    issuer="市人力资源和社会保障局", issued_at=datetime(2026, 11, 23, 15, 0, tzinfo=CST),
    verification_code=CODE, verify_url=verify_url("https://zwfw.example.gov.cn/api/v1", CODE),
    reprint=False, language="zh-CN")


@pytest.fixture(params=[80, 58])
def bench(request, tmp_path: Path) -> Iterator[tuple[int, PrinterEmulator, ThermalPrinter]]:
    width = request.param
    emulator = PrinterEmulator(tmp_path / "printer", paper_width_mm=width)
    emulator.start()
    printer = make_printer(emulator, "pty", paper_width_mm=width)
    printer.start()
    try:
        assert printer.wait_for(lambda s: s.usable, 3.0), printer.status
        yield width, emulator, printer
    finally:
        printer.stop()
        emulator.stop()


def printed(emulator: PrinterEmulator) -> Image.Image:
    (job,) = emulator.job_log()
    assert job["cut"] and not job["truncated"]
    return Image.open(job["path"])


def test_the_application_receipt_prints_as_reviewed(bench) -> None:
    width, emulator, printer = bench
    document = document_for(RECEIPT, next_steps=["请于2026年12月3日前补交：健康体检表"],
                            centre_name=CENTRE, hotline="12345", paper_width_mm=width)
    assert print_document(printer, document, "golden-receipt", 10.0) == ("printed", None)
    assert_matches(printed(emulator), f"apply_receipt_{width}")


def test_the_certificate_prints_as_reviewed_and_as_previewed(bench) -> None:
    width, emulator, printer = bench
    thermal = ThermalCertificatePrinter(printer, centre_name=CENTRE)
    assert thermal.paper_width_mm == width
    assert thermal.print(CERTIFICATE, None, "golden-certificate", 10.0) == ("printed", None)
    picture = printed(emulator)
    assert_matches(picture, f"certificate_{width}")
    # the screen's preview is the same picture as the paper
    import io
    preview = Image.open(io.BytesIO(thermal.preview(CERTIFICATE)))
    assert preview.size == picture.size


def test_one_description_fits_both_widths() -> None:
    for width, dots in ((80, 576), (58, 384)):
        document = certificate_document(CERTIFICATE, centre_name=CENTRE, paper_width_mm=width)
        from drivers.printer.document import paper_for, to_picture
        assert to_picture(document, paper_for(width)).width == dots


def test_an_english_certificate_slip_is_headed_by_the_centres_english_name() -> None:
    """[receipts] centre_name_en on the slip and the A4 preview's slip in English; the Chinese
    name in Chinese, and in English when the site gave no English name."""
    import dataclasses

    from kiosk.receipts.a4_certificate import PageCertificatePrinter

    english = dataclasses.replace(CERTIFICATE, language="en")
    both = ThermalCertificatePrinter(None, centre_name=CENTRE,  # type: ignore[arg-type]
                                     centre_name_en="Test Government Service Centre",
                                     paper_width_mm=80)
    assert both.document(english).items[0].text == "Test Government Service Centre"
    assert both.document(CERTIFICATE).items[0].text == CENTRE
    chinese_only = ThermalCertificatePrinter(None, centre_name=CENTRE,  # type: ignore[arg-type]
                                             paper_width_mm=80)
    assert chinese_only.document(english).items[0].text == CENTRE
    page = PageCertificatePrinter(None, centre_name=CENTRE,  # type: ignore[arg-type]
                                  centre_name_en="Test Government Service Centre")
    page_chinese_only = PageCertificatePrinter(None, centre_name=CENTRE)  # type: ignore[arg-type]
    assert page.preview(english) != page_chinese_only.preview(english)  # the heading differs
    assert page.preview(CERTIFICATE) == page_chinese_only.preview(CERTIFICATE)
